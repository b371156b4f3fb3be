"""list / show / edit / approve / retire, and `radio topics`."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone


def test_approve_records_who_and_when(radio, tone):
    entry = radio.add(tone(seconds=1.0), approve=False)
    before = datetime.now(timezone.utc)
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Văn An")
    result = radio("library", "approve", entry["id"], "--by", nfd_name)
    assert result.exit_code == 0
    shown = radio.json("library", "show", entry["id"])
    assert shown["status"] == "approved"
    assert shown["approved_by"] == "Nguyễn Văn An"
    approved_at = datetime.fromisoformat(shown["approved_at"])
    assert before - timedelta(seconds=1) <= approved_at <= datetime.now(timezone.utc)


def test_approve_requires_a_name_and_an_existing_item(radio, tone):
    entry = radio.add(tone(seconds=1.0), approve=False)
    assert radio("library", "approve", entry["id"]).exit_code == 2  # usage: --by missing
    missing = radio("library", "approve", entry["id"], "999", "--by", "A")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "radio: error: no item with id 999"
    assert radio.json("library", "show", entry["id"])["status"] == "draft"  # nothing half-done


def test_retired_items_stay_listed_and_cannot_be_approved(radio, tone):
    entry = radio.add(tone(seconds=1.0))
    assert radio("library", "retire", entry["id"]).exit_code == 0
    shown = radio.json("library", "show", entry["id"])
    assert shown["status"] == "retired" and shown["retired_at"]
    again = radio("library", "approve", entry["id"], "--by", "A")
    assert again.exit_code == 1
    assert "retired" in again.stderr
    assert [i["id"] for i in radio.json("library", "list", "--status", "retired")] == [entry["id"]]


def test_list_filters(radio, tone):
    a = radio.add(tone(seconds=1.0, freq=300), topic="y-te")
    b = radio.add(tone(seconds=1.0, freq=400), topic="tin-dung", approve=False, language="km")
    ids = lambda *args: [i["id"] for i in radio.json("library", "list", *args)]  # noqa: E731
    assert ids() == [a["id"], b["id"]]
    assert ids("--topic", "y-te") == [a["id"]]
    assert ids("--status", "draft") == [b["id"]]
    assert ids("--language", "km") == [b["id"]]
    table = radio("library", "list")
    assert "2 items" in table.stdout
    assert radio("library", "list", "--status", "bogus").exit_code == 2


def test_edit_changes_fields_in_nfc_and_validates(radio, tone):
    entry = radio.add(tone(seconds=1.0))
    nfd = unicodedata.normalize("NFD", "Mô hình nuôi bò sinh sản")
    edited = radio.json(
        "library", "edit", entry["id"], "--title", nfd, "--topic", "mo-hinh",
        "--priority", "priority", "--valid-until", "2026-12-31",
    )  # fmt: skip
    assert edited["title"] == "Mô hình nuôi bò sinh sản"
    assert (edited["topic"], edited["priority"], edited["valid_until"]) == ("mo-hinh", "priority", "2026-12-31")
    bad_window = radio("library", "edit", entry["id"], "--valid-from", "2027-01-01")
    assert bad_window.exit_code == 1
    assert "validity window" in bad_window.stderr
    bad_topic = radio("library", "edit", entry["id"], "--topic", "nong-nghep")
    assert bad_topic.exit_code == 1 and "nong-nghiep" in bad_topic.stderr
    bad_date = radio("library", "edit", entry["id"], "--valid-until", "31-12-2026")
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.stderr
    assert radio.json("library", "show", entry["id"])["topic"] == "mo-hinh"


def test_show_for_people_names_the_topic_in_vietnamese(radio, tone):
    entry = radio.add(tone(seconds=61.0), topic="nha-o-nuoc-sach")
    out = radio("library", "show", entry["id"]).stdout
    assert "nha-o-nuoc-sach — Nhà ở, nước sạch" in out
    assert "1:01" in out
    assert "Chủ tịch UBND xã" in out


def test_topics_lists_the_taxonomy_with_poverty_topics(radio):
    topics = radio.json("topics")
    codes = {t["code"]: t for t in topics}
    assert codes["thong-tin"]["name"] == "Giảm nghèo về thông tin"
    assert codes["thong-tin"]["poverty"] is True
    assert codes["tiep-song"]["poverty"] is False
    assert sum(t["poverty"] for t in topics) == 8
    assert len(topics) == 16
    assert "Phòng chống thiên tai" in radio("topics").stdout


def test_a_station_may_have_its_own_topics(radio, tone):
    (radio.home / "topics.toml").write_text(
        '[[topic]]\ncode = "ca-phe"\nname = "Trồng cà phê"\npoverty = true\n', encoding="utf-8"
    )
    assert [t["code"] for t in radio.json("topics")] == ["ca-phe"]
    assert radio.add(tone(seconds=1.0), topic="ca-phe")["topic"] == "ca-phe"


def test_a_source_longer_than_the_rule_is_refused_by_import_and_edit_alike(radio, tone):
    """One bound for an item's source wherever it is typed: `library add --source`, `library
    edit --source` (and the console's and the notices' forms through the same services)."""
    long = ("Phòng Văn hoá " * 20).strip()  # 279 characters
    added = radio("library", "add", str(tone()), "--topic", "chinh-sach", "--source", long)
    assert added.exit_code == 1 and "the source has 279 characters; at most 200" in added.stderr, added.stderr
    assert radio.json("library", "list") == []
    entry = radio.add(tone(), source="UBND xã")
    edited = radio("library", "edit", entry["id"], "--source", long)
    assert edited.exit_code == 1 and "the source has 279 characters" in edited.stderr, edited.stderr
    assert radio.json("library", "show", entry["id"])["source"] == "UBND xã"


def test_an_edit_through_the_service_checks_the_language_too(radio, tone):
    """Every caller of the edit service (the CLI checks in its option; a console form or a
    script calls the service): a language code the hub's column cannot hold is refused."""
    import pytest

    from radio.app import open_app
    from radio.domain.library import RuleError
    from radio.library.catalog import edit_item

    entry = radio.add(tone(seconds=1.0))
    app = open_app(radio.home)
    try:
        with pytest.raises(RuleError, match="is not a language code"):
            edit_item(app.library, app.taxonomy, int(entry["id"]), language="x" * 64)
    finally:
        app.close()
    assert radio.json("library", "show", entry["id"])["language"] == "vi"
