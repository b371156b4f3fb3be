"""On air's relay and stream outputs lines: what the daemon says of its streams, and what
the as-run log says of the relay (the daemon writes a row when a relay segment starts, ends
or gives the air to a fallback item, so the log is the relay's own account)."""

from __future__ import annotations

from radio.domain.asrun import AsRunStatus


def relay_health(app, recent: list, on_air: dict | None, coming: list[dict]) -> dict | None:
    """The relay's state for the On air page, None when the station relays nothing.

    *recent*: the as-run rows of the last 24 h in time order; *on_air*: the station status's
    on-air row; *coming*: the status's next occurrences (with their relay source code)."""
    names = {s.code: s.name for s in app.sources.all()}
    relay_slots = {s.id: s.relay for s in app.schedule.slots() if s.relay}
    if not names and not relay_slots:
        return None
    playing = next((r for r in reversed(recent) if r.status is AsRunStatus.PLAYING), None) if on_air else None
    state, code, since, reason = "idle", None, None, None
    if playing is not None and playing.relay_source is not None:
        state, code, since = "relaying", playing.relay_source, playing.started_at
    elif playing is not None and playing.slot_id in relay_slots and playing.reason:  # a fallback: why it airs
        state, code, since, reason = "fallback", relay_slots[playing.slot_id], playing.started_at, playing.reason
    segments = [r for r in recent if r.relay_source is not None and r.status is not AsRunStatus.PLAYING]
    last_outage = next((r for r in reversed(segments) if r.status is not AsRunStatus.COMPLETED), None)
    upcoming = next((c for c in coming if c.get("relay")), None)
    return {
        "state": state, "source": names.get(code, code) if code else None, "since": since, "reason": reason,
        "outage": None if last_outage is None else {
            "source": names.get(last_outage.relay_source, last_outage.relay_source),
            "at": last_outage.ended_at or last_outage.started_at or last_outage.scheduled_at,
            "reason": last_outage.reason or "",
        },
        "next": None if upcoming is None else {"source": names.get(upcoming["relay"], upcoming["relay"]),
                                               "start": upcoming["start"]},
    }  # fmt: skip


def stream_health(streams: list[dict] | None, daemon_running: bool) -> list[dict]:
    """Each stream output: its name and kind, and ok / not connected (why) / not running."""
    out = []
    for s in streams or []:
        if not daemon_running or "connected" not in s:
            state = "stopped"
        else:
            state = "ok" if s.get("connected") else "down"
        out.append({"name": s.get("name") or s.get("kind"), "kind": s.get("kind"), "state": state,
                    "listeners": s.get("listeners"), "error": s.get("error"), "outages": s.get("outages") or 0})  # fmt: skip
    return out

