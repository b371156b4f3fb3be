"""`radio slot` / `radio queue` / `radio emergency` through click's runner on a real station."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_slots_are_added_listed_edited_and_removed(radio):
    assert radio("slot", "add", "Sáng", "--at", "05:30", "--days", "t2-t6", "--start", "wait:30").exit_code == 0
    (slot,) = radio.json("slot", "list")
    assert (slot["at"], slot["days"], slot["start"], slot["max_minutes"]) == ("05:30:00", "mon,tue,wed,thu,fri", "wait:30", 45)
    assert radio("slot", "add", "Sáng", "--at", "06:00").exit_code == 1  # names are unique
    assert radio("slot", "edit", "Sáng", "--at", "05:45", "--max-minutes", "15").exit_code == 0
    (slot,) = radio.json("slot", "list")
    assert (slot["at"], slot["max_minutes"]) == ("05:45:00", 15)
    assert radio("slot", "remove", "Sáng").exit_code == 0
    assert radio.json("slot", "list") == []


def test_queue_warns_about_the_cap_and_unapproved_items_and_refuses_the_past(radio, tone):
    long = radio.add(tone(seconds=50.0))
    draft = radio.add(tone(seconds=2.0, freq=600), approve=False)
    tomorrow = (datetime.now(VN) + timedelta(days=1)).date().isoformat()
    radio("slot", "add", "Chiều", "--at", "17:00", "--max-minutes", "1")
    result = radio("queue", "add", long["id"], long["id"], draft["id"], "--slot", "Chiều", "--date", tomorrow)
    assert result.exit_code == 0
    assert "not approved" in result.stderr
    assert "past its 1-minute cap" in result.stderr
    listed = radio.json("queue", "list", "--date", tomorrow)
    assert [e["item_id"] for e in listed] == [long["id"], long["id"], draft["id"]]
    assert [e["position"] for e in listed] == [1, 2, 3]
    past = radio("queue", "add", long["id"], "--at", "2020-01-01T05:00")
    assert past.exit_code == 1 and "has already passed" in past.stderr
    assert radio("queue", "remove", str(listed[0]["id"])).exit_code == 0
    assert len(radio.json("queue", "list", "--date", tomorrow)) == 2


def test_emergency_refuses_items_that_may_not_air(radio, tone):
    draft = radio.add(tone(seconds=1.0), approve=False)
    result = radio("emergency", draft["id"])
    assert result.exit_code == 1 and "cannot air: not approved" in result.stderr


def test_a_session_being_prepared_takes_no_more_items_and_an_empty_one_still_does(radio, tone):
    """The daemon builds a session's rundown its lead before the instant (here the preroll 5 s
    + 1): an item queued after that would neither air nor be logged, so it is refused with
    what to do instead; a session with nothing queued is left open by the daemon (it airs
    what comes late), so queueing into it is accepted."""
    a, b = radio.add(tone(seconds=1.0)), radio.add(tone(seconds=1.0, freq=600))
    soon = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=4)
    if soon.date() != datetime.now(VN).date():
        return  # (the occurrence would be tomorrow's)
    assert radio("slot", "add", "Ngay", "--at", soon.strftime("%H:%M:%S")).exit_code == 0
    assert radio("queue", "add", a["id"], "--slot", "Ngay").exit_code == 0  # empty: accepted
    late = radio("queue", "add", b["id"], "--slot", "Ngay")
    assert late.exit_code == 1 and "already being prepared for air" in late.stderr and "--at" in late.stderr
    assert [e["item_id"] for e in radio.json("queue", "list", "--date", soon.date().isoformat())] == [a["id"]]
    later = (datetime.now(VN) + timedelta(days=1)).date().isoformat()
    assert radio("queue", "add", b["id"], "--slot", "Ngay", "--date", later).exit_code == 0  # a later one: fine
