"""Handing the air from one show to the next without dead air: what the on-air loop asks ahead.

- A relay show that follows another (a hard cut, a soft start) connects to its source at its
  own lead, not once the other show is over (that cost a second of dead air after its instant).
- An alarm's last sample is in the output's buffer about one output latency before it sounds:
  what the alarm interrupted is resumed then, placed on that instant, rather than after the
  alarm's stream has drained and closed (0.2 to 0.4 s of dead air).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from radio.audio.events import Ended
from radio.domain.playout import EntryKind, Outcome
from radio.scheduler.airing import Airing, build_airing
from radio.scheduler.planner import Show

log = logging.getLogger("radio.daemon")


def connect_ahead(app, player, show: Show) -> None:
    """Connect *player* to the source *show* relays (nothing for a show without relay)."""
    if not show.occurrence.relay:
        return
    try:
        player.preconnect(build_airing(app, show, show.items).rundown)
    except Exception:  # the relay then connects when it starts, as it would have
        log.exception("cannot connect ahead to the source of %s", show.occurrence.slot_name)


def alarm_ends_at(airing: Airing, event: Ended) -> datetime | None:
    """When *airing*'s last sample sounds, if *event* tells it ahead of time (an emergency's
    last entry completed in the buffer); None otherwise."""
    last = max((i for i, e in enumerate(airing.rundown) if e.kind is not EntryKind.FALLBACK), default=None)
    if airing.show.emergency and event.index == last and event.status is Outcome.COMPLETED \
            and event.at > datetime.now(timezone.utc):  # fmt: skip
        return event.at
    return None
