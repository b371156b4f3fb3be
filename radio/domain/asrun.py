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
    emergency: bool = False  # aired as an emergency broadcast (khẩn cấp)
    station: str | None = None  # at a hub: the station that aired it (None: this home's own)


@dataclass(frozen=True)
class AsRunRecord:
    """A row about to be appended to the as-run log: what aired (an item's or a relay
    source's facts as they are at air time), when it was planned, and how it went.

    Every as-run write of every kind (an item, a relay segment, a fallback, a row for what
    never aired) is one of these, built by `item_record`, `relay_record` or `live_record`, so that the
    daemon's full-disk guard has one path to keep in memory."""

    title: str
    topic: str
    language: str
    occurrence_start: datetime
    scheduled_at: datetime
    status: AsRunStatus
    item_id: int | None = None
    source: str | None = None
    approved_by: str | None = None
    slot_id: int | None = None
    slot_name: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    seconds_played: float = 0.0
    reason: str | None = None
    relay_source: str | None = None
    emergency: bool = False

    def entry(self, entry_id: int) -> AsRunEntry:
        """The log entry this record becomes once written with *entry_id*."""
        return AsRunEntry(
            id=entry_id, item_id=self.item_id, title=self.title, topic=self.topic, language=self.language,
            source=self.source, approved_by=self.approved_by, slot_id=self.slot_id, slot_name=self.slot_name,
            occurrence_start=self.occurrence_start, scheduled_at=self.scheduled_at, started_at=self.started_at,
            ended_at=self.ended_at, seconds_played=self.seconds_played, status=self.status, reason=self.reason,
            relay_source=self.relay_source, emergency=self.emergency,
        )  # fmt: skip


def item_record(item, *, status: AsRunStatus, occurrence_start: datetime, scheduled_at: datetime,
                slot_id: int | None = None, slot_name: str | None = None, started_at: datetime | None = None,
                ended_at: datetime | None = None, seconds_played: float = 0.0,
                reason: str | None = None, emergency: bool = False) -> AsRunRecord:  # fmt: skip
    """The row of a library item (its facts copied as they are now, at air time)."""
    return AsRunRecord(
        title=item.title, topic=item.topic, language=item.language, occurrence_start=occurrence_start,
        scheduled_at=scheduled_at, status=AsRunStatus(status), item_id=item.id, source=item.source,
        approved_by=item.approved_by, slot_id=slot_id, slot_name=slot_name, started_at=started_at,
        ended_at=ended_at, seconds_played=seconds_played, reason=reason, emergency=emergency,
    )  # fmt: skip


def relay_record(source, *, status: AsRunStatus, occurrence_start: datetime, scheduled_at: datetime,
                 slot_id: int | None = None, slot_name: str | None = None, started_at: datetime | None = None,
                 reason: str | None = None) -> AsRunRecord:  # fmt: skip
    """The row of one relay segment: the source's name and topic as they are now."""
    return AsRunRecord(
        title=source.name, topic=source.topic, language="vi", occurrence_start=occurrence_start,
        scheduled_at=scheduled_at, status=AsRunStatus(status), slot_id=slot_id, slot_name=slot_name,
        started_at=started_at, reason=reason, relay_source=source.code,
    )  # fmt: skip


def live_record(speaker, started_at: datetime, title: str) -> AsRunRecord:
    """The row of a live segment (*speaker*: `domain.live.Speaker`), written when its first
    sample sounds: who (the title), from where (the source column), the topic; completed
    when it ends."""
    return AsRunRecord(title=title, topic=speaker.topic, language="vi", occurrence_start=started_at,
                       scheduled_at=started_at, status=AsRunStatus.PLAYING, source=speaker.where,
                       started_at=started_at)  # fmt: skip
