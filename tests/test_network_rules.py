"""The network's rules as pure units (domain/network.py): what a sync may change, what to
fetch first, what the hub acknowledges, when a station is online."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radio.domain import network as n
from radio.errors import RadioError

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)
FREEZE = timedelta(minutes=10)


def d(hub_id: int, minutes: float, sha: str = "a" * 64, priority: str | None = None) -> n.DesiredEntry:
    return n.DesiredEntry(hub_id, sha, NOW + timedelta(minutes=minutes), priority)


def held(entry: n.DesiredEntry, state=n.EntryState.APPLIED) -> n.HeldEntry:
    return n.HeldEntry(entry.hub_id, entry.item_sha256, entry.at, state)


def test_new_sessions_are_added_whenever_they_arrive_even_inside_the_freeze_window():
    plan = n.plan_entries({}, [d(1, 60), d(2, 2)], NOW, FREEZE)
    assert [e.hub_id for e in plan.add] == [1, 2] and not plan.deferred


def test_a_session_about_to_start_is_never_removed_nor_changed_by_a_sync():
    soon, later = d(1, 5), d(2, 30)
    have = {1: held(soon), 2: held(later)}
    removed = n.plan_entries(have, [], NOW, FREEZE)
    assert removed.deferred == [1] and removed.remove == [2]
    moved = n.plan_entries(have, [d(1, 45), d(2, 50)], NOW, FREEZE)
    assert moved.deferred == [1]
    assert moved.remove == [2] and [e.hub_id for e in moved.add] == [2]


def test_a_deferred_change_applies_once_the_window_has_passed():
    have = {1: held(d(1, 5))}
    later = n.plan_entries(have, [d(1, 45)], NOW + timedelta(minutes=20), FREEZE)
    assert not later.deferred and not later.remove  # aired by then: kept as history
    assert [e.hub_id for e in later.add] == [1]  # the hub's new time is a session of its own


def test_a_session_moved_into_the_window_moves_the_station_has_nothing_about_to_start():
    plan = n.plan_entries({1: held(d(1, 60))}, [d(1, 3)], NOW, FREEZE)
    assert plan.remove == [1] and [e.hub_id for e in plan.add] == [1] and not plan.deferred


def test_aired_sessions_are_history_and_removed_ones_stay_removed():
    old = d(1, -90)
    assert n.plan_entries({1: held(old)}, [], NOW, FREEZE) == n.SyncPlan()
    gone = d(2, 60)
    plan = n.plan_entries({2: held(gone, n.EntryState.REMOVED)}, [], NOW, FREEZE)
    assert plan == n.SyncPlan()


def test_emergencies_air_at_once_unless_they_arrive_too_late():
    fresh, stale = d(1, -1, priority="emergency"), d(2, -30, priority="emergency")
    plan = n.plan_entries({}, [fresh, stale], NOW, FREEZE)
    assert plan.emergencies == [fresh] and plan.skipped == [stale]
    assert n.plan_entries({1: held(fresh)}, [fresh], NOW, FREEZE) == n.SyncPlan()  # aired once


def test_a_past_session_arriving_late_is_skipped_not_aired():
    plan = n.plan_entries({}, [d(1, -5)], NOW, FREEZE)
    assert not plan.add and [e.hub_id for e in plan.skipped] == [1]


def test_media_are_fetched_emergencies_first_then_by_need():
    wanted = [d(1, 120, "b" * 64), d(2, 10, "c" * 64), d(3, 0, "e" * 64, "emergency"), d(4, 5, "a" * 64)]
    assert n.media_to_fetch(wanted, {"a" * 64}, NOW) == ["e" * 64, "c" * 64, "b" * 64]
    assert n.missing_within(wanted, {"a" * 64}, NOW) == 3
    assert n.missing_within(wanted, {"a" * 64}, NOW, timedelta(minutes=30)) == 2


@given(st.sets(st.integers(1, 60)), st.integers(0, 20))
def test_the_ack_is_the_highest_contiguous_sequence(received, acked):
    through = n.acked_through(acked, received)
    assert through >= acked
    assert all(s in received for s in range(acked + 1, through + 1))
    assert through + 1 not in received


def test_online_with_hysteresis():
    beat = timedelta(seconds=n.HEARTBEAT_S)
    assert n.online_after_beat(False, None, NOW)  # a new station's first beat
    assert n.is_online(True, NOW, NOW + 2 * beat)  # two lost beats: still online
    assert not n.is_online(True, NOW, NOW + 4 * beat)
    # offline; one beat after a long silence is not enough, the next one close after it is
    assert not n.online_after_beat(False, NOW, NOW + 10 * beat)
    assert n.online_after_beat(False, NOW + 10 * beat, NOW + 11 * beat)


def test_targets_and_tokens():
    assert n.parse_targets("xb, XA,xb", False) == "XA,xb"
    assert n.parse_targets(None, True) == "*"
    assert n.parse_targets(None, False) is None
    with pytest.raises(RadioError):
        n.parse_targets("A", True)
    with pytest.raises(RadioError):
        n.parse_targets("A;DROP", False)
    assert n.is_for("*", "Q") and n.is_for("A,B", "B") and not n.is_for("A,B", "AB") and not n.is_for(None, "A")
    assert n.token_hash("t") != "t" and len(n.token_hash("t")) == 64


def test_clock_offset_takes_the_middle_of_the_round_trip():
    sent = NOW
    received = NOW + timedelta(seconds=2)
    assert n.clock_offset_s(sent, received, NOW - timedelta(seconds=119)) == 120.0


def test_the_hubs_topics_laid_over_a_stations_keep_the_stations_own():
    from radio.domain.topics import Taxonomy, Topic

    own = Taxonomy((Topic("chinh-sach", "Chính sách", True), Topic("hoi-nd", "Hội Nông dân", False)))
    hub = [Topic("chinh-sach", "Chính sách giảm nghèo", True), Topic("chuyen-doi-so", "Chuyển đổi số", False)]
    merged = own.merged_with(hub)
    assert [(t.code, t.name) for t in merged] == [("chinh-sach", "Chính sách giảm nghèo"), ("hoi-nd", "Hội Nông dân"),
                                                  ("chuyen-doi-so", "Chuyển đổi số")]  # fmt: skip
    assert merged.merged_with(hub) == merged  # a second sync changes nothing
    import tomllib

    assert Taxonomy.from_mapping(tomllib.loads(merged.to_toml('Tên "lạ"\nhai dòng')), "x") == merged


def test_a_file_the_hub_lacks_is_asked_for_less_and_less_often_up_to_a_few_minutes():
    waits = [n.media_retry_after_s(k) for k in range(1, 12)]
    assert waits[:4] == [2.0, 4.0, 8.0, 16.0]
    assert all(a <= b for a, b in zip(waits, waits[1:])) and waits[-1] == n.MEDIA_RETRY_MAX_S == 300.0


def _wire_row(**changes) -> dict:
    row = {"uuid": "00000000-0000-0000-0000-000000000001", "seq": 1, "item_sha256": None, "title": "Tin",
           "topic": "chinh-sach", "language": "vi", "occurrence_start": "2026-12-01T00:00:00+00:00",
           "scheduled_at": "2026-12-01T00:00:00+00:00", "started_at": "2026-12-01T00:00:00+00:00",
           "ended_at": "2026-12-01T00:01:00+00:00", "seconds_played": 60.0, "status": "completed"}  # fmt: skip
    return {**row, **changes}


@pytest.mark.parametrize("changes", [
    {"topic": "t" * 65}, {"language": "v" * 17}, {"relay_source": "r" * 33}, {"item_sha256": "a" * 65},
    {"status": "playing"}, {"status": "bogus"}, {"title": "x" * 501}])  # fmt: skip
def test_a_row_the_hubs_columns_cannot_hold_or_not_yet_finished_is_refused(changes):
    """Refused as the station's mistake (answered 400), never a database error that leaves
    the station's outbox stuck on one row."""
    n.check_wire_row(_wire_row())
    with pytest.raises(ValueError):
        n.check_wire_row(_wire_row(**changes))


def test_a_row_as_wide_as_the_hubs_columns_is_accepted():
    n.check_wire_row(_wire_row(topic="t" * 64, language="v" * 16, relay_source="r" * 32, item_sha256="a" * 64))
