"""The airing's own bookkeeping (radio/scheduler/airing.py), as pure rules: what became of each
entry is recorded by the on-air loop in the `Airing` before any listener hears of it, so the
loop's decisions (what is accounted for, what is left, when the entry on air ends) never
depend on a listener — the as-run writer least of all. The as-run writer keeps its own row
ids. A rejoin or resume is made in one call (`continue_airing`), on the original timeline.

The station here is a stand-in (settings, media paths) and the player a scripted one: these
are rules; tests/test_onair_faults.py and friends air the same loop on real processes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from radio.audio.events import Ended, Started
from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item, ItemStatus, Priority
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.domain.relay import Source
from radio.domain.schedule import Occurrence, StartRule
from radio.scheduler.airing import Airing, AiringState, build_airing, continue_airing
from radio.scheduler.asrun_writer import AsRunWriter
from radio.scheduler.listener import Listeners, PlayoutListener
from radio.scheduler.onair import OnAir
from radio.scheduler.planner import Show
from radio.scheduler.rejoin import REJOIN_LEAD_S, continuation

T0 = datetime(2026, 12, 6, 6, 0, tzinfo=timezone.utc)


def _item(n: int, seconds: float) -> Item:
    return Item(id=n, sha256=f"{n:064x}", title=f"Tin {n}", topic="thong-bao", language="vi", source=None,
                priority=Priority.NORMAL, status=ItemStatus.APPROVED, duration_s=seconds, loudness_lufs=None,
                true_peak_dbtp=None, sample_rate=48000, channels=2, codec="pcm", media_path=f"{n}.wav",
                original_name=f"{n}.wav", added_at=T0)  # fmt: skip


def _station(tmp_path, source: Source | None = None):
    for name in ("open.wav", "close.wav", "1.wav", "2.wav", "3.wav", "9.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    settings = SimpleNamespace(
        audio=SimpleNamespace(loudness_target_lufs=-16.0, true_peak_max_dbtp=-1.0),
        playout=SimpleNamespace(jingle_open="open.wav", jingle_close="close.wav", emergency_fade_s=0.3,
                                fade_out_s=1.0, latency_s=0.1),  # fmt: skip
        schedule=SimpleNamespace(on_air="", off_air="", preroll_s=0.0),
        station_home=SimpleNamespace(resolve=lambda value: tmp_path / value),
        playlists_dir=tmp_path,
        zone=timezone.utc,
    )
    return SimpleNamespace(settings=settings, media=SimpleNamespace(path=lambda p: tmp_path / p),
                           sources=SimpleNamespace(find=lambda code: source),
                           library=SimpleNamespace(get=lambda item_id: _item(item_id, 60.0)))  # fmt: skip


def _show(items, relay: str | None = None, max_s: float | None = None, fallback=()) -> Show:
    occ = Occurrence(start=T0, slot_id=1, slot_name="Sáng", max_s=max_s, start_rule=StartRule(), jingles=True,
                     day=date(2026, 12, 6), relay=relay, fallback=tuple(fallback))  # fmt: skip
    return Show(occ, list(items))


class Heard(PlayoutListener):
    """A listener that notes what it hears, and what the airing knew at that moment."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def entry_started(self, airing, event):
        self.events.append(("started", event.index, event.index in airing.accounted()))

    def entry_ended(self, airing, event):
        self.events.append(("ended", event.index, airing.busy_until()))

    def entries_not_aired(self, airing, indexes, status, reason):
        self.events.append(("not aired", list(indexes), status, set(indexes) <= airing.accounted()))


class ScriptedPlayer:
    """Hands the loop's event callback to the test, which plays the entries' events itself."""

    fade_s = 0.5

    def start(self, rundown, at=None, on_event=None, join_late=False):
        self.on_event = on_event
        return SimpleNamespace(wait=lambda timeout=None: None, result=None)


def _loop(tmp_path, heard: Heard) -> tuple[OnAir, ScriptedPlayer]:
    player = ScriptedPlayer()
    onair = OnAir(_station(tmp_path), player, clock=SimpleNamespace(holds=lambda occ: False))
    onair.listeners = Listeners(heard)  # no as-run writer at all
    return onair, player


def test_the_loop_knows_what_aired_with_no_as_run_listener(tmp_path):
    heard = Heard()
    onair, player = _loop(tmp_path, heard)
    show = _show([_item(1, 30.0), _item(2, 20.0), _item(3, 10.0)])
    airing = build_airing(onair.app, show, show.items)
    assert [e.kind for e in airing.rundown] == [EntryKind.JINGLE, EntryKind.ITEM, EntryKind.ITEM, EntryKind.ITEM,
                                                EntryKind.JINGLE]  # fmt: skip
    onair.air(show, at=None, airing=airing)
    assert airing.state is AiringState.ON_AIR and onair.current is airing
    assert airing.accounted() == set() and airing.busy_until() is None

    a_at = T0 + timedelta(seconds=0.4)
    player.on_event(Started(0, airing.rundown[0], T0))  # the opening jingle: no row, not accounted
    player.on_event(Ended(0, airing.rundown[0], a_at, Outcome.COMPLETED, 0.4))
    player.on_event(Started(1, airing.rundown[1], a_at))
    assert airing.timeline_start == T0  # the first sample fixed the timeline
    assert airing.accounted() == {1}
    assert airing.busy_until() == a_at + timedelta(seconds=30)  # its on-air length
    assert [i.id for i in airing.remaining_items()] == [2, 3]

    # the late join of item 3 skips item 2 whole: logged missed, before item 3 is heard of
    c_at = a_at + timedelta(seconds=55)
    player.on_event(Ended(1, airing.rundown[1], a_at + timedelta(seconds=30), Outcome.COMPLETED, 30.0))
    player.on_event(Started(3, airing.rundown[3], c_at))
    assert airing.accounted() == {1, 2, 3} and airing.remaining_items() == []
    assert airing.busy_until() == c_at + timedelta(seconds=10)
    assert heard.events == [
        ("started", 0, False), ("ended", 0, None), ("started", 1, True),
        ("ended", 1, None), ("not aired", [2], AsRunStatus.MISSED, True), ("started", 3, True),
    ]  # fmt: skip


def test_a_cut_show_logs_only_what_it_never_reached(tmp_path):
    heard = Heard()
    onair, player = _loop(tmp_path, heard)
    show = _show([_item(1, 30.0), _item(2, 20.0), _item(3, 10.0)])
    airing = build_airing(onair.app, show, show.items)
    onair.air(show, at=None, airing=airing)
    player.on_event(Started(1, airing.rundown[1], T0))
    airing.cut("cut by the session 'Trưa'")
    airing.cut("cut by the session 'Chiều'")  # cut again: only why changes
    assert airing.state is AiringState.CUT and airing.cut_reason == "cut by the session 'Chiều'"
    onair.not_aired(airing, AsRunStatus.SKIPPED, airing.reason)
    assert heard.events[-1] == ("not aired", [2, 3], AsRunStatus.SKIPPED, True)
    onair.not_aired(airing, AsRunStatus.SKIPPED, airing.reason)  # nothing left: nothing heard twice
    assert len([e for e in heard.events if e[0] == "not aired"]) == 1
    assert airing.remaining_items() == [] and airing.accounted() == {1, 2, 3}


def test_an_item_joined_at_an_offset_ends_after_the_rest_of_it():
    entry = Entry(EntryKind.ITEM, "Tin", "x.wav", offset_s=12.0, duration_s=30.0)
    airing = Airing(_show([_item(1, 30.0)]), [entry], {0: _item(1, 30.0)}, {0: T0})
    airing.started(0, T0)
    assert airing.busy_until() == T0 + timedelta(seconds=18)
    airing.ended(0, Outcome.COMPLETED)
    assert airing.busy_until() is None and airing.accounted() == {0}


def test_relay_rows_and_dead_air_come_from_the_airing(tmp_path):
    source = Source("VOV1", "VOV 1", "http://example.invalid/vov1")
    app = _station(tmp_path, source)
    show = _show([_item(1, 30.0)], relay="VOV1", max_s=600.0, fallback=[9])
    airing = build_airing(app, show, show.items)
    kinds = [e.kind for e in airing.rundown]
    assert kinds == [EntryKind.JINGLE, EntryKind.ITEM, EntryKind.RELAY, EntryKind.JINGLE, EntryKind.FALLBACK]
    relay, fallback = 2, 4
    assert airing.rundown[relay].until == (T0 + timedelta(seconds=600)).timestamp()
    assert airing.planned[relay] == T0 + timedelta(seconds=30)  # after the item, on the timeline

    at = T0 + timedelta(seconds=30)
    airing.started(relay, at)
    assert airing.first_sounding(relay)  # its first row: at its planned instant
    assert airing.busy_until() == T0 + timedelta(seconds=600)
    airing.ended(relay, Outcome.INTERRUPTED, "no audio from the source for 5 s")
    assert airing.dead_air == "no audio from the source for 5 s"
    airing.started(fallback, at + timedelta(seconds=5))  # inside the relay's time: the timeline stays
    assert airing.busy_until() == T0 + timedelta(seconds=600) and airing.timeline_start == T0
    airing.ended(fallback, Outcome.COMPLETED)
    airing.started(relay, at + timedelta(seconds=65))  # the source is back
    assert not airing.first_sounding(relay)  # a row at the instant it sounded
    airing.ended(relay, Outcome.COMPLETED)
    assert airing.dead_air == "no audio from the source for 5 s"  # a completed end changes nothing

    resumed = continue_airing(app, airing, [])
    assert resumed.continued and [e.kind for e in resumed.rundown][0] is EntryKind.RELAY
    resumed.started(0, at + timedelta(seconds=200))
    assert not resumed.first_sounding(0)  # a resumed relay is not at its planned instant


def test_a_rejoin_continues_the_timeline_and_keeps_the_planned_instants(tmp_path):
    app = _station(tmp_path)
    show = _show([_item(1, 30.0), _item(2, 20.0), _item(3, 10.0)])
    old = build_airing(app, show, show.items)
    old.timeline_from(T0)
    now = T0 + timedelta(seconds=40)  # item 2 began 30 s in: the rejoin joins it 10.7 s in
    plan = continuation(app, old, {0, 1}, now, attempt=2)
    new = plan.airing
    assert plan.missed == [] and plan.join_late and plan.at == now + timedelta(seconds=REJOIN_LEAD_S)
    assert [e.kind for e in new.rundown] == [EntryKind.ITEM, EntryKind.ITEM, EntryKind.JINGLE]
    assert new.rundown[0].offset_s == pytest.approx(10.0 + REJOIN_LEAD_S)
    assert new.continued and new.attempt == 2 and new.state is AiringState.READY
    assert [new.planned[i] for i in range(3)] == [old.planned[2], old.planned[3], old.planned[4]]
    assert new.accounted() == set()  # item 2 never had a row: it gets one when it sounds

    # the item joined had its row already (cut by the device): it is accounted, not logged again
    again = continuation(app, old, {0, 1, 2}, now, attempt=3).airing
    assert again.accounted() == {0} and [i.id for i in again.remaining_items()] == [3]

    # late: item 2's whole time passed unaired, item 3 is joined
    late = continuation(app, old, {0, 1}, T0 + timedelta(seconds=52))
    assert late.missed == [2] and [i.id for i in late.airing.items.values()] == [3]
    assert late.airing.planned[0] == old.planned[3]


class Rows:
    """The as-run log's write path, in memory (its real one: tests/test_as_run_storage.py)."""

    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}

    def append(self, record):
        self.rows[len(self.rows) + 1] = {"title": record.title, "scheduled_at": record.scheduled_at,
                                         "status": record.status, "reason": record.reason}  # fmt: skip
        return SimpleNamespace(id=len(self.rows))

    def finish(self, row_id, status, at, played_s, reason):
        self.rows[row_id].update(status=status, reason=reason)


def test_the_as_run_writer_keeps_its_own_row_ids(tmp_path):
    source = Source("VOV1", "VOV 1", "http://example.invalid/vov1")
    app = _station(tmp_path, source)
    app.as_run = Rows()
    writer = AsRunWriter(app)
    show = _show([_item(1, 30.0)], relay="VOV1", max_s=600.0, fallback=[9])
    airing = build_airing(app, show, show.items)
    relay, fallback, at = 2, 4, T0 + timedelta(seconds=31)

    def started(index, when):
        airing.started(index, when)  # the loop records, then the listener writes
        writer.entry_started(airing, Started(index, airing.rundown[index], when))

    def ended(index, when, status, reason=None):
        airing.ended(index, status, reason)
        writer.entry_ended(airing, Ended(index, airing.rundown[index], when, status, 1.0, reason))

    started(relay, at)
    ended(relay, at + timedelta(seconds=5), Outcome.INTERRUPTED, "no audio")
    started(fallback, at + timedelta(seconds=5))
    ended(fallback, at + timedelta(seconds=65), Outcome.INTERRUPTED)
    started(relay, at + timedelta(seconds=65))
    ended(relay, T0 + timedelta(seconds=600), Outcome.COMPLETED)
    assert list(app.as_run.rows.values()) == [
        {"title": "VOV 1", "scheduled_at": T0 + timedelta(seconds=30), "status": AsRunStatus.INTERRUPTED,
         "reason": "no audio"},
        {"title": "Tin 9", "scheduled_at": at + timedelta(seconds=5), "status": AsRunStatus.INTERRUPTED,
         "reason": "no audio"},  # why a fallback aired at all
        {"title": "VOV 1", "scheduled_at": at + timedelta(seconds=65), "status": AsRunStatus.COMPLETED,
         "reason": None},
    ]  # fmt: skip
    assert not hasattr(airing, "rows")  # the airing holds no row ids: the writer does
