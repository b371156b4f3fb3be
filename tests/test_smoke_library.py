def test_add_and_list(radio, tone):
    entry = radio.add(tone(seconds=1.5))
    assert entry["status"] == "approved"
    (listed,) = radio.json("library", "list")
    assert listed["id"] == entry["id"]
    assert abs(listed["duration_s"] - 1.5) < 0.05
