"""The as-run log: one entry per attempt to air an item, as it was at air time."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from radio.i18n import N_


class AsRunStatus(enum.StrEnum):
    PLAYING = "playing"  # written when the item starts; completed when it ends
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    SKIPPED = "skipped"
    MISSED = "missed"


AS_RUN_STATUS_LABELS = {
    AsRunStatus.PLAYING: N_("playing"),
    AsRunStatus.COMPLETED: N_("completed"),
    AsRunStatus.INTERRUPTED: N_("interrupted"),
    AsRunStatus.FAILED: N_("failed"),
    AsRunStatus.SKIPPED: N_("skipped"),
    AsRunStatus.MISSED: N_("missed"),
}


@dataclass(frozen=True)
class AsRunEntry:
    """A row of the as-run log. Times are timezone-aware (UTC from storage)."""

    id: int
    item_id: int | None
    title: str
    topic: str
    language: str
    source: str | None
    approved_by: str | None
    slot_id: int | None
    slot_name: str | None
    occurrence_start: datetime
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    seconds_played: float
    status: AsRunStatus
    reason: str | None
    relay_source: str | None = None  # a relay segment: the code of the source relayed (item_id None)
