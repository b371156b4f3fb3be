"""The rule that judges the PC's clock (domain/clock.py): pure, with properties."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from radio.domain.clock import (
    EARLIEST, HOLD_AHEAD, WARN_AHEAD, ClockConfirmation, ClockFacts, ClockState, confirmable, judge, trusted_newest,
)  # fmt: skip

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=timezone.utc)
VN = timedelta(hours=7)


def facts(now=NOW, ahead: timedelta | None = None, synchronised: bool | None = False, system: timedelta | None = VN,
          zone: str = "Asia/Ho_Chi_Minh") -> ClockFacts:  # fmt: skip
    return ClockFacts(now=now, newest_row=None if ahead is None else now + ahead, synchronised=synchronised,
                      station_zone=zone, station_offset=VN, system_zone="Asia/Saigon", system_offset=system)  # fmt: skip


def test_a_synchronised_clock_with_the_log_behind_it_is_ok():
    verdict = judge(facts(ahead=-timedelta(hours=5), synchronised=True))
    assert (verdict.state, verdict.held, verdict.reason) == (ClockState.OK, False, None)


def test_an_unsynchronised_clock_is_a_warning_that_says_so():
    verdict = judge(facts(ahead=-timedelta(minutes=1)))
    assert verdict.state is ClockState.UNSYNCHRONISED and not verdict.held
    assert "not synchronised" in verdict.reason


def test_three_hours_behind_the_newest_row_is_wrong_and_held():
    verdict = judge(facts(ahead=timedelta(hours=3)))
    assert verdict.state is ClockState.WRONG and verdict.held
    assert "3 h behind the newest as-run row" in verdict.reason


def test_two_days_behind_reads_in_days():
    assert "2 days behind" in judge(facts(ahead=timedelta(days=2))).reason


def test_a_clock_set_back_an_hour_is_warned_about_not_held():
    verdict = judge(facts(ahead=timedelta(hours=1)))
    assert verdict.state is ClockState.UNSYNCHRONISED and "1 h ahead of the clock" in verdict.reason


def test_a_synchronised_clock_is_trusted_over_rows_written_on_a_fast_clock():
    verdict = judge(facts(ahead=timedelta(days=2), synchronised=True))
    assert verdict.state is ClockState.OK and not verdict.held
    assert "2 days ahead of the clock" in verdict.reason


def test_a_clock_before_this_software_existed_is_wrong_even_with_an_empty_log():
    verdict = judge(facts(now=datetime(2000, 1, 1, tzinfo=timezone.utc), ahead=None, synchronised=None))
    assert verdict.held and "2000-01-01" in verdict.reason


def test_a_system_zone_other_than_the_stations_is_a_warning_on_an_unsynchronised_clock():
    verdict = judge(facts(system=timedelta(0), synchronised=None))
    assert verdict.state is ClockState.OK  # unknown sync: not a warning of its own
    assert "(Asia/Saigon, UTC+00:00) is not the station's (Asia/Ho_Chi_Minh, UTC+07:00)" in verdict.reason
    assert judge(facts(system=timedelta(0), synchronised=True)).reason is None  # the UTC clock is right


def test_the_same_offset_under_another_name_is_the_same_zone():
    assert judge(facts(system=VN, synchronised=None)).reason is None


@given(ahead_s=st.floats(-10 * 86400, 10 * 86400), synchronised=st.sampled_from([True, False, None]),
       system_h=st.sampled_from([0, 7, -5]), now_s=st.floats(0, 20 * 365 * 86400))  # fmt: skip
def test_properties(ahead_s, synchronised, system_h, now_s):
    now = EARLIEST + timedelta(seconds=now_s)
    verdict = judge(facts(now=now, ahead=timedelta(seconds=ahead_s), synchronised=synchronised,
                          system=timedelta(hours=system_h)))  # fmt: skip
    ahead = timedelta(seconds=ahead_s)
    # held exactly when an unsynchronised (or unknown) clock is more than HOLD_AHEAD behind the log
    assert verdict.held == (ahead > HOLD_AHEAD and not synchronised)
    # a synchronised clock is never held, and warned about only for rows well ahead of it
    if synchronised:
        assert verdict.state is ClockState.OK
        assert (verdict.reason is None) == (ahead <= WARN_AHEAD)
    # not synchronised always says so, and every suspect clock has a reason to read
    if synchronised is False:
        assert verdict.state is not ClockState.OK and "not synchronised" in verdict.reason
    if verdict.state is not ClockState.OK:
        assert verdict.reason
    assert verdict.synchronised is synchronised


def _judged_with(newest: datetime | None, now: datetime = NOW):
    return judge(ClockFacts(now=now, newest_row=newest, synchronised=False, station_zone="Asia/Ho_Chi_Minh",
                            station_offset=VN, system_zone="Asia/Saigon", system_offset=VN))  # fmt: skip


def test_rows_a_fast_clock_wrote_hold_the_schedule_until_the_clock_is_confirmed():
    ahead = NOW + timedelta(days=2)  # written while the clock ran two days fast
    assert _judged_with(trusted_newest(None, ahead)).held
    confirmed = ClockConfirmation(NOW, last_row_id=40, by="an")
    assert trusted_newest(confirmed, None) == NOW
    assert not _judged_with(trusted_newest(confirmed, None), now=NOW + timedelta(minutes=5)).held


def test_a_clock_set_back_before_its_confirmation_is_held_again():
    confirmed = ClockConfirmation(NOW, last_row_id=40, by="an")
    verdict = _judged_with(trusted_newest(confirmed, None), now=NOW - timedelta(days=1))
    assert verdict.held and "24 h behind the newest as-run row" in verdict.reason, verdict.reason


def test_rows_written_after_a_confirmation_count_again():
    confirmed = ClockConfirmation(NOW, last_row_id=40, by="an")
    since = NOW + timedelta(hours=5)  # aired on the confirmed clock
    assert trusted_newest(confirmed, since) == since
    assert _judged_with(trusted_newest(confirmed, since), now=NOW + timedelta(hours=1)).held


def test_a_clock_before_this_software_existed_is_set_not_confirmed():
    assert not confirmable(EARLIEST - timedelta(seconds=1)) and confirmable(NOW)
