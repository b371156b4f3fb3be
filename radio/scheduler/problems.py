"""What an operator must know about: the parts of the programme that could not air and why,
as the daemon met them, newest last. `radio status` and the console's On air page show them."""

from __future__ import annotations

import logging
import threading
from collections import deque
from datetime import datetime, timedelta, timezone

from radio.domain.asrun import AsRunStatus
from radio.scheduler.listener import PlayoutListener

log = logging.getLogger("radio.daemon")
KEEP = 20  # the newest problems shown
SHOWN_FOR = timedelta(hours=24)  # a problem older than this is no longer news


class Problems(PlayoutListener):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: deque[tuple[datetime, str]] = deque(maxlen=KEEP)

    def problem(self, text: str) -> None:
        log.warning("%s", text)
        with self._lock:
            now = datetime.now(timezone.utc)
            # the same problem again (a missing jingle at every session) moves to the end
            self._seen = deque(((at, t) for at, t in self._seen if t != text), maxlen=KEEP)
            self._seen.append((now, text))

    def entries_not_aired(self, airing, indexes, status, reason) -> None:
        if status is AsRunStatus.FAILED:
            self.problem(reason)

    def as_json(self, now: datetime | None = None) -> list[dict]:
        now = now or datetime.now(timezone.utc)
        with self._lock:
            return [{"at": at.isoformat(timespec="seconds"), "what": text} for at, text in self._seen
                    if now - at < SHOWN_FOR]  # fmt: skip
