"""Report arithmetic: periods in station time, totals equal the sums over the rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radio.domain import reports as r

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_month_is_local_midnight_to_local_midnight():
    p = r.parse_month("2026-11", HCM)
    assert (p.first, p.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert p.start == datetime(2026, 10, 31, 17, tzinfo=timezone.utc)
    assert p.end == datetime(2026, 11, 30, 17, tzinfo=timezone.utc)


def test_2359_local_on_the_31st_belongs_to_that_month_though_utc_says_otherwise():
    moment = datetime(2026, 12, 31, 23, 59, tzinfo=HCM).astimezone(timezone.utc)
    assert moment.date() == date(2026, 12, 31)
    late = datetime(2026, 10, 31, 23, 59, tzinfo=HCM).astimezone(timezone.utc)  # 16:59 UTC
    early = datetime(2026, 11, 1, 0, 0, tzinfo=HCM).astimezone(timezone.utc)  # 17:00 UTC on the 31st
    assert late.date() == early.date() == date(2026, 10, 31)
    assert r.parse_month("2026-10", HCM).contains(late)
    assert not r.parse_month("2026-11", HCM).contains(late)
    assert r.parse_month("2026-11", HCM).contains(early)


@pytest.mark.parametrize(
    "text, parse, first, last",
    [
        ("2026Q4", r.parse_quarter, date(2026, 10, 1), date(2026, 12, 31)),
        ("2026q1", r.parse_quarter, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026H1", r.parse_half, date(2026, 1, 1), date(2026, 6, 30)),
        ("2026H2", r.parse_half, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", r.parse_year, date(2026, 1, 1), date(2026, 12, 31)),
        ("2028-02", r.parse_month, date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-W47", r.parse_week, date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W01", r.parse_week, date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_period_forms(text, parse, first, last):
    p = parse(text, HCM)
    assert (p.first, p.last) == (first, last)


@pytest.mark.parametrize(
    "text, parse", [("2026-13", r.parse_month), ("2026Q5", r.parse_quarter), ("2026H3", r.parse_half),
                    ("26", r.parse_year), ("2026-W54", r.parse_week), ("nov", r.parse_month)]  # fmt: skip
)
def test_bad_periods_say_what_is_expected(text, parse):
    with pytest.raises(r.PeriodError, match=text):
        parse(text, HCM)


def test_a_range_cannot_end_before_it_starts():
    with pytest.raises(r.PeriodError):
        r.date_range(date(2026, 2, 1), date(2026, 1, 1), HCM)


def test_offset_segments_follow_daylight_saving():
    p = r.year(2026, BERLIN)
    segs = r.offset_segments(p.start, p.end, BERLIN)
    assert [o for _, o in segs] == [3600, 7200, 3600]
    assert segs[1][0] == datetime(2026, 3, 29, 1, tzinfo=timezone.utc)
    assert segs[2][0] == datetime(2026, 10, 25, 1, tzinfo=timezone.utc)
    assert r.offset_segments(r.year(2026, HCM).start, r.year(2026, HCM).end, HCM) == [(r.year(2026, HCM).start, 25200)]


@given(st.integers(2000, 2099), st.integers(1, 12), st.sampled_from([HCM, BERLIN, ZoneInfo("America/New_York")]))
def test_months_tile_the_year_without_gaps(y, m, zone):
    p = r.month(y, m, zone)
    nxt = r.month(y + (m == 12), m % 12 + 1, zone)
    assert p.end == nxt.start
    assert r.local_day(p.start, zone) == p.first
    assert r.local_day(p.end - timedelta(microseconds=1), zone) == p.last


STATUSES = st.sampled_from(r.STATUSES)


RELAY_NAMES = {"vov1": ["VOV1", "VOV1 — Đài Tiếng nói Việt Nam"], "tinh": ["Đài PT-TH tỉnh"]}


@st.composite
def facts(draw):
    """An item's row, or a relay segment's (as record_relay writes it: no item, the source's
    name as title, its topic, Vietnamese, no attribution; a source may be renamed)."""
    status = draw(STATUSES)
    seconds = 0.0 if status in ("skipped", "missed") else draw(st.floats(0, 3600, allow_nan=False).map(lambda x: round(x, 3)))
    moment = datetime(2026, 10, 25, tzinfo=timezone.utc) + timedelta(seconds=draw(st.integers(0, 45 * 86400)))
    slot = draw(st.sampled_from([None, "Sáng", "Chiều"]))
    relay = draw(st.sampled_from([None, None, "vov1", "tinh"]))
    if relay is not None:
        return r.AsRunFact(moment=moment, status=status, seconds=seconds,
                           topic=draw(st.sampled_from(["tiep-song", "chinh-sach"])), language="vi", source=None,
                           slot=slot, item_id=None, title=draw(st.sampled_from(RELAY_NAMES[relay])),
                           relay_source=relay)  # fmt: skip
    return r.AsRunFact(
        moment=moment,
        status=status,
        seconds=seconds,
        topic=draw(st.sampled_from(["chinh-sach", "y-te", "mo-hinh"])),
        language=draw(st.sampled_from(["vi", "tyz", "hmn"])),
        source=draw(st.sampled_from([None, "VOV", "UBND huyện"])),
        slot=slot,
        item_id=draw(st.integers(1, 5)),
        title="Bản tin",
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(facts(), max_size=60), st.lists(st.sampled_from(r.GROUP_KEYS), max_size=3))
def test_reference_totals_equal_the_sums_over_the_rows(rows, by):
    by = r.check_by(by)
    period = r.parse_month("2026-11", HCM)
    groups = r.aggregate(rows, by, period)
    inside = [f for f in rows if period.contains(f.moment)]
    tally = r.total(groups)
    assert tally.rows == len(inside)
    assert tally.airings == sum(f.status in r.AIRED for f in inside)
    assert tally.seconds == pytest.approx(sum(f.seconds for f in inside))
    for s in r.STATUSES:
        assert tally.count(s) == sum(f.status == s for f in inside)
    assert len({g.key for g in groups}) == len(groups)
    if "source" in by:  # one name per relayed source: the last it aired under in the period
        at = sum(r.KEY_WIDTH.get(b, 1) for b in by[: by.index("source")])
        names = {}
        for g in groups:
            if g.key[at + 1] is not None:
                assert names.setdefault(g.key[at + 1], g.key[at]) == g.key[at]
        for code, name in names.items():
            last = max((f.moment, f.title) for f in inside if f.relay_source == code)
            assert name == last[1]
    if tally.seconds > 0:
        assert sum(g.share for g in groups) == pytest.approx(1.0)
    else:
        assert all(g.share == 0 for g in groups)


def _relay(code, name, at, seconds, status="completed", topic="tiep-song"):
    return r.AsRunFact(moment=at, status=status, seconds=seconds, topic=topic, language="vi", source=None, slot="Sáng",
                       item_id=None, title=name, relay_source=code)  # fmt: skip


def _item(source, at, seconds):
    return r.AsRunFact(moment=at, status="completed", seconds=seconds, topic="chinh-sach", language="vi",
                       source=source, slot="Sáng", item_id=1, title="Bản tin")  # fmt: skip


def test_by_source_relays_are_lines_of_their_own_beside_what_the_station_aired():
    period = r.parse_month("2026-11", HCM)
    at = period.start + timedelta(days=2)
    rows = [
        _relay("vov1", "VOV1", at, 1800.0),
        _relay("vov1", "VOV1 — Đài TNVN", at + timedelta(days=3), 1200.0),  # renamed: one line, the last name
        _relay("vov1", "VOV1 — Đài TNVN", at + timedelta(days=4), 0.0, status="failed"),
        _relay("tinh", "Đài tỉnh", at, 600.0),
        _item("VOV", at, 300.0),  # a VOV recording played from the library is not a relay
        _item(None, at, 900.0),
        _item(None, at - timedelta(days=3), 500.0),  # October
    ]
    groups = {g.key: g for g in r.aggregate(rows, ("source",), period)}
    assert list(groups) == [("VOV1 — Đài TNVN", "vov1"), (None, None), ("Đài tỉnh", "tinh"), ("VOV", None)]
    vov1 = groups[("VOV1 — Đài TNVN", "vov1")].tally
    assert (vov1.airings, vov1.seconds, vov1.count("failed")) == (2, 3000.0, 1)
    assert groups[("Đài tỉnh", "tinh")].share == pytest.approx(600 / 4800)
    by_day = r.aggregate(rows, ("day", "source"), period)
    assert {g.key for g in by_day} >= {(date(2026, 11, 3), "VOV1 — Đài TNVN", "vov1"),
                                       (date(2026, 11, 6), "VOV1 — Đài TNVN", "vov1")}  # fmt: skip
