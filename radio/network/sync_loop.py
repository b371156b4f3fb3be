"""The station daemon's link to its hub: two threads beside playout, never in its way.

- the *state* thread long-polls the hub's desired state (an answer comes at once when it
  changes: a session reaches the station within seconds, an emergency within a second or
  two) and applies it; a cut link is retried with a growing pause;
- the *report* thread sends the as-run outbox every few seconds and a heartbeat every 30 s.

Both use the daemon's own App (its own connections; SQLite waits, it never fails), and
record the link's last state in `hub-sync.json` for `radio status`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from radio.domain.network import HEARTBEAT_S
from radio.errors import RadioError
from radio.home import StationHome
from radio.network.client import HubClient, HubRefused, HubUnreachable
from radio.network.outbox import send_outbox
from radio.network.station_sync import StationSync, read_link

log = logging.getLogger("radio.sync")
LONG_POLL_S = 25.0
OUTBOX_EVERY_S = 3.0


def record_link_state(home, **fields) -> None:
    """What `radio status` shows of the link: merged into hub-sync.json, written atomically."""
    path = StationHome(home).hub_sync_state
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        data = {}
    data.update(fields)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class SyncLoop:
    def __init__(self, app, status: Callable[[], dict]) -> None:
        self.app = app
        self.home = app.settings.home
        self.status = status
        self.link = read_link(self.home)
        self.client = HubClient(self.link)
        freeze = timedelta(minutes=app.settings.network.freeze_minutes)
        self.sync = StationSync(app, self.client, freeze)
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._state_loop, name="hub-state", daemon=True),
                        threading.Thread(target=self._report_loop, name="hub-report", daemon=True)]  # fmt: skip

    def start(self) -> SyncLoop:
        for thread in self.threads:
            thread.start()
        log.info("syncing with %s as %s", self.link.url, self.link.station)
        return self

    def stop(self) -> None:
        self.stopped.set()

    def _pause(self, failures: int) -> None:
        self.stopped.wait(min(30.0, 1.0 * 2 ** min(failures, 5)))

    def _state_loop(self) -> None:
        since, failures = None, 0
        while not self.stopped.is_set():
            try:
                outcome = self.sync.pull(since, LONG_POLL_S if since else 0.0)
                failures = 0
                record_link_state(self.home, last_sync=datetime.now(timezone.utc).isoformat(), error=None,
                                  in_step=outcome.in_step)  # fmt: skip
                if outcome.problems:  # media still to fetch: ask again soon, not only on a change
                    since = None
                    self._pause(1)
                else:
                    since = outcome.revision
            except HubRefused as err:
                log.error("%s", err)
                record_link_state(self.home, error=str(err))
                failures += 1
                self._pause(failures + 3)
            except HubUnreachable as err:
                log.warning("%s", err)
                record_link_state(self.home, error=str(err))
                since, failures = None, failures + 1
                self._pause(failures)
            except Exception:  # a bug must not end the link for good: logged, retried
                log.exception("hub sync failed")
                since, failures = None, failures + 1
                self._pause(failures)

    def _report_loop(self) -> None:
        next_beat = 0.0
        while not self.stopped.is_set():
            try:
                send_outbox(self.app, self.client)
                if time.monotonic() >= next_beat:
                    sent = datetime.now(timezone.utc)
                    answer = self.client.heartbeat(self.sync.health(self.status()))
                    self.sync.measure_clock(sent, datetime.now(timezone.utc), answer)
                    next_beat = time.monotonic() + HEARTBEAT_S
            except (HubUnreachable, HubRefused) as err:
                log.debug("report: %s", err)
            except Exception:
                log.exception("hub report failed")
            self.stopped.wait(OUTBOX_EVERY_S)


class LinkWatcher:
    """The daemon's link before `radio join`: looks for the link file every few seconds and
    starts the sync loop once it appears, so a station joined while its daemon runs syncs
    without a restart."""

    def __init__(self, app, status: Callable[[], dict], every_s: float = 3.0) -> None:
        self.app, self.status, self.every_s = app, status, every_s
        self.loop: SyncLoop | None = None
        self.stopped = threading.Event()
        threading.Thread(target=self._watch, name="hub-link-watch", daemon=True).start()

    def _watch(self) -> None:
        """Until a usable link appears. A damaged link file or an unusable CA file is logged (once
        per distinct problem) and looked at again: playout goes on, and a `radio join` that
        mends it is picked up without a restart."""
        told = None
        while not self.stopped.is_set():
            try:
                if read_link(self.home) is not None:
                    self.loop = SyncLoop(self.app, self.status).start()
                    return
            except RadioError as err:
                if str(err) != told:
                    log.warning("the link to the hub cannot be used, the station airs on alone: %s", err)
                    told = str(err)
            except Exception:  # a bug must not end the link for good either
                log.exception("the link to the hub cannot be started")
            self.stopped.wait(self.every_s)

    @property
    def home(self):
        return self.app.settings.home

    def stop(self) -> None:
        self.stopped.set()
        if self.loop is not None:
            self.loop.stop()
