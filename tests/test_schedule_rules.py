"""Schedule rules as pure functions: no clock, no I/O; examples and properties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radio.domain.library import Priority
from radio.domain.schedule import (
    Catchup, Slot, StartKind, StartRule, catch_up, next_occurrence, occurrences_between,
    overrun_s, parse_days, parse_time_of_day, plan_rejoin, plan_start, rundown_order,
)  # fmt: skip
from radio.errors import RadioError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 11, 23, 5, 30, tzinfo=VN)  # a Monday


def test_days_parse_ranges_lists_wraps_and_vietnamese():
    assert parse_days("mon-sun") == frozenset(range(1, 8))
    assert parse_days("mon-fri") == frozenset(range(1, 6))
    assert parse_days("mon,wed,fri") == {1, 3, 5}
    assert parse_days("sat-mon") == {6, 7, 1}
    assert parse_days("t2-t6") == frozenset(range(1, 6))
    assert parse_days("cn") == {7}
    with pytest.raises(RadioError, match="not a list of days"):
        parse_days("monday-ish")


def test_start_rules_parse():
    assert StartRule.parse("hard") == StartRule(StartKind.HARD)
    assert StartRule.parse("wait:30") == StartRule(StartKind.WAIT, 30)
    assert str(StartRule.parse("wait:30")) == "wait:30"
    with pytest.raises(RadioError):
        StartRule.parse("wait")
    with pytest.raises(RadioError):
        parse_time_of_day("25:00")


def test_occurrences_follow_days_in_station_time():
    morning = Slot(1, "Sáng", frozenset({1, 3, 5}), time(5, 30), 45)
    week = occurrences_between([morning], T0 - timedelta(minutes=1), T0 + timedelta(days=7), VN)
    assert [o.start.strftime("%a %H:%M") for o in week] == ["Mon 05:30", "Wed 05:30", "Fri 05:30"]
    assert week[0].start.utcoffset() == timedelta(hours=7)
    assert week[0].day == date(2026, 11, 23)
    assert next_occurrence(morning, T0 + timedelta(seconds=1), VN).start == T0 + timedelta(days=2)


@given(
    st.frozensets(st.integers(1, 7), min_size=1),
    st.times(),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    st.integers(1, 20),
)
def test_occurrences_are_exactly_the_matching_days_in_the_window(days, at, start, span_days):
    slot = Slot(1, "x", days, at.replace(tzinfo=None), 45)
    start = start.replace(tzinfo=VN)
    end = start + timedelta(days=span_days)
    found = occurrences_between([slot], start, end, VN)
    assert all(start <= o.start < end for o in found)
    assert all(o.start.astimezone(VN).isoweekday() in days for o in found)
    assert all(o.start.astimezone(VN).time() == slot.start for o in found)
    assert sorted(o.start for o in found) == [o.start for o in found]
    assert len({o.start for o in found}) == len(found)
    # every matching day in the window is there
    expected = 0
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        moment = datetime.combine(day, slot.start, tzinfo=VN)
        expected += day.isoweekday() in days and start <= moment < end
        day += timedelta(days=1)
    assert len(found) == expected


def test_priority_goes_first_and_normal_keeps_queue_order():
    P, N, E = Priority.PRIORITY, Priority.NORMAL, Priority.EMERGENCY
    assert rundown_order([N, P, N, E, P]) == [3, 1, 4, 0, 2]


@given(st.lists(st.sampled_from(list(Priority)), max_size=30))
def test_rundown_order_is_a_stable_permutation_by_priority(priorities):
    order = rundown_order(priorities)
    assert sorted(order) == list(range(len(priorities)))
    rank = {Priority.EMERGENCY: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}
    ranks = [rank[priorities[i]] for i in order]
    assert ranks == sorted(ranks)
    for r in set(ranks):
        same = [i for i in order if rank[priorities[i]] == r]
        assert same == sorted(same)


def test_overrun():
    assert overrun_s([600, 600], 45 * 60) == 0
    assert overrun_s([1800, 1200], 45 * 60) == 300


def test_start_kinds_when_something_is_still_playing():
    due = T0
    busy = T0 + timedelta(seconds=40)
    assert plan_start(StartRule(StartKind.HARD), due, busy) == (plan := plan_start(StartRule(), due, busy))
    assert plan.at == due and plan.cut
    soft = plan_start(StartRule(StartKind.SOFT), due, busy)
    assert soft.at == busy and not soft.cut
    wait_ok = plan_start(StartRule(StartKind.WAIT, 60), due, busy)
    assert wait_ok.at == busy and not wait_ok.cut
    wait_cut = plan_start(StartRule(StartKind.WAIT, 30), due, busy)
    assert wait_cut.at == due + timedelta(seconds=30) and wait_cut.cut
    idle = plan_start(StartRule(StartKind.SOFT), due, None)
    assert idle.at == due and not idle.cut


@given(
    st.sampled_from(["hard", "soft", "wait:0", "wait:15", "wait:600"]),
    st.one_of(st.none(), st.integers(-3600, 3600)),
)
def test_a_start_never_comes_before_it_is_due_nor_cuts_needlessly(rule_text, busy_offset):
    rule = StartRule.parse(rule_text)
    busy = None if busy_offset is None else T0 + timedelta(seconds=busy_offset)
    plan = plan_start(rule, T0, busy)
    assert plan.at >= T0
    if busy is None or busy <= T0:
        assert not plan.cut and plan.at == T0
    if plan.cut:
        assert busy is not None and busy > plan.at
    if rule.kind is StartKind.WAIT:
        assert plan.at <= T0 + timedelta(seconds=rule.wait_s)


def test_catch_up_window():
    window = 600
    assert catch_up(T0, T0 - timedelta(seconds=1), window) is Catchup.PENDING
    assert catch_up(T0, T0, window) is Catchup.START
    assert catch_up(T0, T0 + timedelta(minutes=10), window) is Catchup.START
    assert catch_up(T0, T0 + timedelta(minutes=10, seconds=1), window) is Catchup.MISSED


def test_rejoin_starts_the_item_that_should_be_on_air_at_its_offset():
    durations = [60.0, 120.0, 30.0]
    began = T0
    rejoin = plan_rejoin(durations, began, T0 + timedelta(seconds=100), aired={0})
    assert (rejoin.index, rejoin.offset_s, rejoin.missed) == (1, 40.0, ())
    late = plan_rejoin(durations, began, T0 + timedelta(seconds=190), aired={0})
    assert (late.index, late.offset_s, late.missed) == (2, 10.0, (1,))
    over = plan_rejoin(durations, began, T0 + timedelta(seconds=500), aired={0, 1})
    assert (over.index, over.missed) == (None, (2,))


@given(
    st.lists(st.floats(0.5, 3600), min_size=1, max_size=12),
    st.floats(0, 20000),
)
def test_rejoin_offsets_add_up_to_the_elapsed_time(durations, elapsed):
    rejoin = plan_rejoin(durations, T0, T0 + timedelta(seconds=elapsed), aired=())
    if rejoin.index is None:
        assert elapsed >= sum(durations) - 1e-6
        assert rejoin.missed == tuple(range(len(durations)))
    else:
        position = sum(durations[: rejoin.index]) + rejoin.offset_s
        assert abs(position - elapsed) < 1e-3
        assert 0 <= rejoin.offset_s < durations[rejoin.index] + 1e-9
        assert rejoin.missed == tuple(range(rejoin.index))
