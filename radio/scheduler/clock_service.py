"""What the CLI and the console ask about the PC's clock: the operator confirms it is right.

A PC without NTP whose clock ran fast wrote as-run rows ahead of real time; set right by hand,
its clock is behind those rows and the schedule is held (domain/clock.py) until real time
passes them — days, perhaps. Whoever checked the clock against a phone confirms it here, and
the schedule resumes; a clock before this software existed is set, not confirmed.
"""

from __future__ import annotations

from datetime import datetime, timezone

from radio.domain.clock import ClockConfirmation, confirmable
from radio.domain.users import MAY_CONFIRM_CLOCK, Role, require
from radio.errors import RadioError
from radio.i18n import _
from radio.scheduler.clock_guard import clock_now
from radio.scheduler.service import changed


def confirm_clock(app, by: str, role: Role | None = None, address: str | None = None) -> dict:
    """Record that *by* confirmed the clock now; the daemon re-judges it at once. Returns what
    `radio clock confirm --json` prints: the confirmed instant, whether the schedule was held,
    and the clock's state after."""
    require(role, MAY_CONFIRM_CLOCK, _("only an approver or an administrator may confirm the clock"))
    now = datetime.now(timezone.utc)
    zone = app.settings.zone
    if not confirmable(now):
        raise RadioError(_("the PC's clock says {date}: set the date and time first, then confirm it").format(
            date=now.astimezone(zone).strftime("%d/%m/%Y")))  # fmt: skip
    was_held = clock_now(app)["held"]
    app.clock_confirmations.add(ClockConfirmation(now, app.as_run.last_id(), by))
    local = now.astimezone(zone).isoformat(timespec="seconds")
    app.audit.record(by, "clock.confirm", local, address)
    changed(app)
    return {"confirmed_at": local, "by": by, "was_held": was_held, "clock": clock_now(app)}
