"""A station applies the hub's desired state to its own database, through the same services
the CLI and the console use: items into the library, sessions into the queue
(scheduler/service.py), emergencies through `send_emergency`. The decisions are
domain/network.py's; this module fetches and writes.

Nothing here runs in the playout path: a hub away for days leaves the station airing from
its own SQLite what it already has.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radio.domain.library import Priority
from radio.domain.schedule import occurrence_of
from radio.domain.network import (
    DesiredEntry, EntryState, SyncPlan, clock_offset_s, media_retry_after_s, media_to_fetch, missing_within,
    plan_entries,
)  # fmt: skip
from radio.home import TOPICS_NAME, StationHome
from radio.errors import RadioError
from radio.i18n import _
from radio.media.store import Incoming
from radio.network.client import HubClient, HubLink, HubUnreachable
from radio.network.station_catalog import note_copy, queued_but_absent, stored_suffix, sync_catalog
from radio.network.wire import item_from_wire, source_from_wire, topic_from_wire
from radio.scheduler import service


log = logging.getLogger("radio.sync")
_TOPICS_HEADER = "The station's topics. Each sync with the hub adds the hub's topics and renames\nthose it renamed; a topic added here by hand stays."


def read_link(home: Path) -> HubLink | None:
    """The station's link to its hub (None: not joined). A damaged file is a RadioError that
    says so (run 'radio join' again), never a traceback."""
    path = StationHome(home).hub_link
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        link = HubLink(data["url"], data["station"], data["token"], data.get("cafile"))
        if not all(isinstance(v, str) and v for v in (link.url, link.station, link.token)) or \
                not isinstance(link.cafile, str | None):  # fmt: skip
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise RadioError(_("{path} is damaged: join the hub again ('radio join URL --station CODE --token-file "
                           "FILE')").format(path=path)) from None  # fmt: skip
    return link


def write_link(home: Path, link: HubLink) -> Path:
    """The link file, readable by the station's user only (it holds the token)."""
    path = StationHome(home).hub_link
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(dataclasses.asdict(link), f)
    os.replace(tmp, path)
    return path


def desired_of(state: dict) -> list[DesiredEntry]:
    return [DesiredEntry(int(e["hub_id"]), e["item_sha256"], datetime.fromisoformat(e["at"]), e.get("priority"),
                         int(e.get("position", 1)), e.get("slot")) for e in state.get("entries", [])]  # fmt: skip


@dataclass
class SyncOutcome:
    revision: str | None = None
    problems: list[str] = field(default_factory=list)
    plan: SyncPlan = field(default_factory=SyncPlan)
    missing_media: int = 0
    missing_at_hub: list[str] = field(default_factory=list)  # files the hub answered it does not have

    @property
    def in_step(self) -> bool:
        return not self.problems and not self.plan.deferred and self.missing_media == 0 and not self.missing_at_hub


class StationSync:
    """One station's side of the exchange; kept across rounds by the daemon's sync loop."""

    def __init__(self, app, client: HubClient, freeze: timedelta) -> None:
        self.app = app
        self.client = client
        self.freeze = freeze
        self.clock_offset_s: float | None = None
        self.last: SyncOutcome | None = None
        self.absent: dict[str, tuple[int, float]] = {}  # a file the hub lacks: (times asked, next ask, monotonic)

    def measure_clock(self, sent: datetime, received: datetime, answer: dict) -> None:
        if "hub_time" in answer:
            self.clock_offset_s = clock_offset_s(sent, received, datetime.fromisoformat(answer["hub_time"]))

    def pull(self, since: str | None = None, wait_s: float = 0.0) -> SyncOutcome:
        """Ask for the desired state (waiting for a change after *since*) and apply it."""
        sent = datetime.now(timezone.utc)
        state = self.client.state(since, wait_s)
        if not since:
            self.measure_clock(sent, datetime.now(timezone.utc), state)
        self.last = self.apply(state)
        return self.last

    def _present(self, sha: str):
        item = self.app.library.find_by_sha256(sha)
        return item if item is not None and self.app.media.path(item.media_path).is_file() else None

    def apply(self, state: dict) -> SyncOutcome:
        """Apply *state*, one process at a time (the daemon's loop and a `sync --once` by hand
        would otherwise both add what neither holds yet)."""
        import fcntl

        path = self.app.settings.station_home.hub_sync_lock
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._apply(state)

    def _apply(self, state: dict) -> SyncOutcome:
        now = datetime.now(timezone.utc)
        outcome = SyncOutcome(revision=state.get("revision"))
        self._update_topics(state.get("topics", []))  # first: the items that arrive may be tagged with them
        desired = desired_of(state)
        metadata = {i["sha256"]: i for i in state.get("items", [])}
        have = {sha for sha in metadata if self._present(sha)}
        if self.last is None or self.last.revision != outcome.revision:
            self.absent.clear()  # the hub's library may have changed: ask again for every file
        for sha in media_to_fetch(desired, have, now):
            if self._fetch_or_back_off(sha, metadata[sha], outcome):
                have.add(sha)
        for sha in have:  # approvals and edits made at the hub reach the station's copy
            self._update_item(metadata[sha])
        self._update_sources(state.get("sources", []))
        outcome.plan = plan = plan_entries(self.app.link.held(), desired, now, self.freeze)
        changed = self._apply_plan(plan, have, outcome)
        if changed:
            service.changed(self.app)
        # after the sessions and emergencies: a library change never delays them
        outcome.problems += sync_catalog(self.app, self.client, state.get("library_revision"))
        for item in queued_but_absent(self.app, now):  # a hub item queued here by the operator: fetched now
            self._fetch_or_back_off(item.sha256, {"original_name": item.original_name}, outcome)
        outcome.missing_media = missing_within(desired, have, now)
        return outcome

    def _fetch_or_back_off(self, sha: str, data: dict, outcome: SyncOutcome) -> bool:
        """Fetch the file *sha*; one the hub answers 404 for (lost there) is asked for again
        ever less often (MEDIA_RETRY_MAX_S at most) and listed as missing at the hub."""
        if sha in self.absent and time.monotonic() < self.absent[sha][1]:
            outcome.missing_at_hub.append(sha)
            return False
        try:
            self._fetch(sha, data)
        except HubUnreachable as err:
            if getattr(err, "status", None) != 404:
                outcome.problems.append(str(err))
                return False
            failures = self.absent.get(sha, (0, 0.0))[0] + 1
            self.absent[sha] = (failures, time.monotonic() + media_retry_after_s(failures))
            outcome.missing_at_hub.append(sha)
            log.warning("the hub has no file %s (asked %d times): asked again in %g s", sha[:12], failures,
                        media_retry_after_s(failures))  # fmt: skip
            return False
        except KeyError as err:
            outcome.problems.append(str(err))
            return False
        self.absent.pop(sha, None)
        return True

    def _apply_plan(self, plan: SyncPlan, have: set[str], outcome: SyncOutcome) -> bool:
        link = self.app.link
        for hub_id in plan.remove:
            local = link.local_entry(hub_id)
            if local is not None:
                self.app.schedule.remove_entries([local])
            held = link.held()[hub_id]
            link.record(hub_id, held.item_sha256, held.at, EntryState.REMOVED)
        for d in plan.skipped:
            link.record(d.hub_id, d.item_sha256, d.at, EntryState.SKIPPED, note="arrived too late")
        for d in plan.emergencies + plan.add:
            if d.item_sha256 not in have:
                continue  # its media could not be fetched yet: added at a later sync
            item = self._present(d.item_sha256)
            if d.emergency:
                try:
                    service.send_emergency(self.app, [item.id])
                except Exception as err:  # not airable here (not approved, expired): the hub is told
                    link.record(d.hub_id, d.item_sha256, d.at, EntryState.SKIPPED, note=str(err))
                    outcome.problems.append(str(err))
                    continue
                link.record(d.hub_id, d.item_sha256, d.at, EntryState.APPLIED)
            else:
                priority = Priority(d.priority) if d.priority else None
                (entry,) = self.app.schedule.enqueue([item.id], priority=priority, **self._where(d))
                link.record(d.hub_id, d.item_sha256, d.at, EntryState.APPLIED, local_entry_id=entry.id)
        return bool(plan.remove or plan.add or plan.emergencies)

    def _where(self, d: DesiredEntry) -> dict:
        """Where a hub session goes in the station's queue: into the station's slot of the same
        name when that slot's occurrence starts at the same instant (it airs as part of it,
        named after it), else a one-off at the instant the hub gave."""
        if d.slot_name:
            slot = next((s for s in self.app.schedule.slots() if s.name == d.slot_name), None)
            day = d.at.astimezone(self.app.settings.zone).date()
            if slot is not None and day.isoweekday() in slot.days and \
                    occurrence_of(slot, day, self.app.settings.zone).start == d.at:  # fmt: skip
                return {"slot_id": slot.id, "day": day}
        return {"at": d.at}

    def _fetch(self, sha: str, data: dict) -> None:
        store = self.app.media
        part = self.client.fetch_media(sha, store.incoming_dir / f"{sha}.part")
        incoming = Incoming(part, sha, part.stat().st_size, stored_suffix(data.get("original_name")))
        relpath = store.keep(incoming)
        existing = self.app.library.find_by_sha256(sha)
        if existing is None:
            self.app.library.add(item_from_wire(data, relpath))
            note_copy(self.app, sha)  # the hub's, not the station's own
        elif existing.media_path != relpath:
            self.app.library.save(dataclasses.replace(existing, media_path=relpath))

    def _update_item(self, data: dict) -> None:
        existing = self.app.library.find_by_sha256(data["sha256"])
        wanted = dataclasses.replace(item_from_wire(data, existing.media_path), id=existing.id)
        if wanted != existing:
            self.app.library.save(wanted)

    def _update_sources(self, wired: list[dict]) -> None:
        """The hub's relay sources, added or updated here (the station's own stay as they are)."""
        for data in wired:
            source = source_from_wire(data)
            existing = self.app.sources.find(source.code)
            if existing is None:
                self.app.sources.add(source)
            elif existing != source:
                self.app.sources.save(source)

    def _update_topics(self, wired: list) -> None:
        """The hub's topics, added or renamed in the station's topics.toml (the station's own
        stay), so an item tagged with a topic made at the hub is listed and reported by name."""
        hub_topics = [topic_from_wire(t) for t in wired if isinstance(t, dict)]  # a hub of the first slice sent codes
        if not hub_topics:
            return
        own = self.app.taxonomy
        merged = own.merged_with(hub_topics)
        if merged == own:
            return
        path = self.app.settings.home / TOPICS_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(merged.to_toml(_TOPICS_HEADER), encoding="utf-8")
        os.replace(tmp, path)

    def health(self, status: dict) -> dict:
        """The heartbeat's body: what the hub's station list shows."""
        home = self.app.settings.home
        on_air = status.get("on_air") or None
        device = status.get("device") or {}
        last = self.last
        return {
            "sent_at": datetime.now(timezone.utc).isoformat(),
            "on_air": on_air and on_air.get("title"),
            "device": device.get("state") if device else ("stopped" if not status["daemon"]["running"] else None),
            "daemon": status["daemon"]["running"],
            "disk_free_mb": shutil.disk_usage(home).free // (1 << 20),
            "clock_offset_s": self.clock_offset_s,
            "streams": [{"name": s.get("name"), "running": s.get("running")} for s in status.get("streams", [])],
            "unacked_rows": self.app.link.unacked(),
            "missing_media": last.missing_media if last else None,
            "missing_at_hub": len(last.missing_at_hub) if last else 0,
            "deferred": last.plan.deferred if last else [],
            "problems": (last.problems if last else [])[:5],
            "revision": last.revision if last else None,
        }
