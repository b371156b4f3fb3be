"""What `radio emergency` and `radio status` do, whoever does it: the CLI on its own, or the
daemon on the CLI's behalf (control.py). One implementation for both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item, Priority, why_not_airable
from radio.errors import RadioError
from radio.i18n import _


def queue_emergency(app, item_ids: list[int]) -> list[Item]:
    """Queue *item_ids* to air now, interrupting what is on air; refuses items that may not air."""
    items = app.library.get_many(list(item_ids))
    now = datetime.now(timezone.utc)
    for item in items:
        reason = why_not_airable(item, now.astimezone(app.settings.zone).date())
        if reason:
            raise RadioError(_("#{id} {title} cannot air: {reason}").format(id=item.id, title=item.title, reason=reason))
    app.schedule.enqueue(list(item_ids), at=now, priority=Priority.EMERGENCY)
    return items


def _iso(moment: datetime | None, zone) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="milliseconds") if moment else None


def station_status(app, pid: int | None, device: dict | None = None, streams: list[dict] | None = None) -> dict:
    """The daemon, what is on air, the sound device and the streams (as the daemon sees them),
    what comes next. Without the daemon's view, the streams are those configured, not running."""
    from radio.scheduler.planner import occurrences

    zone = app.settings.zone
    now = datetime.now(timezone.utc)
    playing = [r for r in app.as_run.between(now - timedelta(hours=6), now + timedelta(minutes=1))
               if r.status is AsRunStatus.PLAYING]  # fmt: skip
    on_air = playing[-1] if pid and playing else None
    coming = occurrences(app, now, now + timedelta(days=8))[:5]
    return {
        "daemon": {"running": pid is not None, "pid": pid if pid and pid > 0 else None},
        "on_air": None if on_air is None else {
            "item_id": on_air.item_id, "title": on_air.title, "slot": on_air.slot_name,
            "started_at": _iso(on_air.started_at, zone),
            "elapsed_s": round((now - on_air.started_at).total_seconds(), 1),
        },
        "device": device,
        "streams": streams if streams is not None else [
            {"name": s.label, "kind": s.kind, "target": s.target.redacted(), "running": False}
            for s in app.settings.streams
        ],
        "next": [{"slot": o.slot_name, "start": _iso(o.start, zone)} for o in coming],
    }  # fmt: skip
