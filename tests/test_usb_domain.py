"""The pure rules of a USB package: names, order, selection, space, the hamlet CSV."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radio.domain.library import Item, ItemStatus, Priority
from radio.domain.usb import (
    FAT32_MAX_FILE,
    MAX_NAME,
    PROFILES,
    Hamlet,
    HamletRuleError,
    SpaceCheck,
    ascii_slug,
    file_name,
    file_names,
    is_hidden_name,
    manifest_files,
    normalize_code,
    on_disk,
    plan_package,
    read_hamlet_csv,
    render_list,
    render_m3u8,
    select_items,
    space_needed,
    too_big_for_fat32,
)

NAME_RULE = re.compile(r"\d{3,}_[a-z0-9-]+\.mp3")
TOPICS = ["chinh-sach", "mo-hinh", "nong-nghiep"]


def item(id=1, title="Bài", topic="chinh-sach", priority=Priority.NORMAL, status=ItemStatus.APPROVED,
         language="vi", added=None, valid_from=None, valid_until=None, duration=60.0) -> Item:  # fmt: skip
    return Item(
        id=id, sha256=f"{id:064x}", title=title, topic=topic, language=language, source=None,
        priority=priority, status=status, duration_s=duration, loudness_lufs=-20.0, true_peak_dbtp=-3.0,
        sample_rate=44100, channels=1, codec="pcm", media_path="x", original_name="x.wav",
        added_at=added or datetime(2026, 11, 1, tzinfo=timezone.utc), valid_from=valid_from, valid_until=valid_until,
    )  # fmt: skip


def test_the_issue_example():
    assert file_name(1, "Chính sách hỗ trợ hộ nghèo", 7) == "001_chinh-sach-ho-tro-ho-ngheo.mp3"


def test_d_with_stroke_and_punctuation():
    assert ascii_slug("Đường làng: ĐẸP & sạch!") == "duong-lang-dep-sach"


def test_long_title_is_cut_at_a_word_boundary():
    name = file_name(12, "Hướng dẫn " * 20, 3)
    assert len(name) <= MAX_NAME and NAME_RULE.fullmatch(name)
    assert name.startswith("012_huong-dan-") and not name.endswith("-.mp3")


def test_title_without_latin_letters_falls_back_to_the_id():
    assert file_name(2, "សេចក្តីជូនដំណឹង", 41) == "002_bai-41.mp3"


def test_more_than_999_items_widen_the_number():
    names = file_names([item(id=i, title="x") for i in range(1, 1001)])
    assert names[0] == "0001_x.mp3" and names[-1] == "1000_x.mp3"


@settings(max_examples=200)
@given(st.lists(st.text(min_size=0, max_size=200), min_size=1, max_size=40))
def test_names_are_fat_safe_short_unique_and_numbered_in_order(titles):
    items = [item(id=i, title=t) for i, t in enumerate(titles, start=1)]
    names = file_names(items)
    assert all(len(n) <= MAX_NAME and NAME_RULE.fullmatch(n) and n.isascii() for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names == sorted(names)  # name order = play order, for people browsing the stick


def test_order_priority_then_topic_then_date():
    d = lambda day: datetime(2026, 11, day, tzinfo=timezone.utc)  # noqa: E731
    items = [
        item(1, topic="nong-nghiep", added=d(1)),
        item(2, topic="chinh-sach", added=d(5)),
        item(3, topic="chinh-sach", added=d(2)),
        item(4, topic="nong-nghiep", priority=Priority.EMERGENCY, added=d(9)),
        item(5, topic="mo-hinh", priority=Priority.PRIORITY, added=d(3)),
    ]
    chosen = select_items(items, Hamlet("A", "A"), date(2026, 11, 20), TOPICS)
    assert [i.id for i in chosen] == [4, 5, 3, 2, 1]


def test_selection_applies_approval_validity_topics_and_language():
    on = date(2026, 11, 20)
    items = [
        item(1),
        item(2, status=ItemStatus.DRAFT),
        item(3, status=ItemStatus.RETIRED),
        item(4, valid_until=date(2026, 11, 19)),
        item(5, valid_from=date(2026, 11, 21)),
        item(6, topic="mo-hinh"),
        item(7, language="hmn"),
        item(8, valid_from=on, valid_until=on),
    ]
    assert [i.id for i in select_items(items, Hamlet("A", "A"), on, TOPICS)] == [1, 8, 6]
    only = Hamlet("A", "A", languages=("hmn",), topics=("chinh-sach",))
    assert [i.id for i in select_items(items, only, on, TOPICS)] == [7]


def test_plan_uses_sizes_or_estimates_and_flags_fat32_limit():
    items = [item(1, duration=60), item(2, duration=60)]
    plan = plan_package(Hamlet("A", "A"), items, date(2026, 1, 1), PROFILES["standard"], {2: FAT32_MAX_FILE + 1})
    assert plan.entries[0].bytes == PROFILES["standard"].estimated_bytes(60) > 60 * 16000
    assert [e.item.id for e in too_big_for_fat32(plan)] == [2]


@given(st.integers(0, 10**10), st.sampled_from([512, 4096, 32768]))
def test_on_disk_rounds_up_to_whole_clusters(size, cluster):
    used = on_disk(size, cluster)
    assert used % cluster == 0 and size <= used < size + cluster


def test_space_check():
    assert SpaceCheck(needed=100, freed=30, free=70).fits
    check = SpaceCheck(needed=100, freed=0, free=70)
    assert not check.fits and check.short_by == 30
    assert SpaceCheck(needed=100, freed=0, free=None).fits  # unknown: the caller warns
    assert space_needed([1, 4097], 4096, folders=1) > 3 * 4096


def test_hamlet_codes():
    assert normalize_code(" dt-01 ") == "DT-01"
    assert normalize_code("Đồng_Tâm") == "DONG_TAM"
    for bad in ("", "a b", "x/y", "-x", "A" * 33):
        with pytest.raises(HamletRuleError):
            normalize_code(bad)


def test_csv_with_bom_semicolons_aliases_and_line_numbers():
    text = "\ufeffMã thôn;Tên thôn;ngôn ngữ\r\nDT01;Xóm Đồng Tâm;vi\r\n\r\nDT02;\"Thôn 2; Bắc\";vi,hmn\r\nDT03;x;vi;extra\r\n"
    rows, problems = read_hamlet_csv(text)
    assert [(r.line, r.values["code"], r.values["name"]) for r in rows] == [
        (2, "DT01", "Xóm Đồng Tâm"), (4, "DT02", "Thôn 2; Bắc")]  # fmt: skip
    assert [(p.line, p.kind) for p in problems] == [(5, "columns")]


def test_csv_without_the_required_columns():
    rows, problems = read_hamlet_csv("name,colour\nA,red\n")
    assert rows == [] and problems[0].kind == "header" and "code" in problems[0].detail


def test_hidden_names():
    assert is_hidden_name(".Trash-1000") and is_hidden_name("._001.mp3")
    assert is_hidden_name("System Volume Information") and not is_hidden_name("001_a.mp3")


def test_list_and_playlist_texts():
    plan = plan_package(Hamlet("DT01", "Xóm Đồng Tâm"), [item(1, "Chính sách", duration=65)], date(2026, 11, 23),
                        PROFILES["mono"])  # fmt: skip
    text = render_list(plan, "Đài xã Yên Phú", {"chinh-sach": "Chính sách giảm nghèo"}, "P1",
                       datetime(2026, 11, 23, 7, 5))  # fmt: skip
    assert "\r\n" in text and "Xóm Đồng Tâm" in text and "1:05" in text and "Tổng cộng: 1 bài" in text
    assert "Chính sách giảm nghèo" in text and "23/11/2026" in text
    assert render_m3u8(plan).splitlines()[1:] == ["#EXTINF:65,Chính sách", "001_chinh-sach.mp3"]


def test_manifest_files_ignores_paths():
    data = {"items": [{"file": "001_a.mp3"}, {"file": "../etc"}, {"file": "/x"}], "files": ["00_DANH_SACH.txt"]}
    assert manifest_files(data) == ["001_a.mp3", "00_DANH_SACH.txt"]
