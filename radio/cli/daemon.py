"""`radio daemon`, `radio status`, `radio log`: running the station and reading what it did."""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from radio.cli.base import Command, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import DATE
from radio.errors import RadioError
from radio.text import format_duration
from radio.domain.asrun import AS_RUN_STATUS_LABELS, AsRunEntry
from radio.i18n import _


@click.command(cls=Command, help="Run the broadcast daemon in the foreground (systemd runs it as a service).")
@option("--device", help="Output device (name or index), overriding radio.toml.")
@pass_ctx
def daemon(ctx, device) -> None:
    from radio.scheduler.daemon import run_daemon

    dev = int(device) if device and device.isdigit() else device
    raise SystemExit(run_daemon(ctx.home, dev))


def _iso(moment: datetime | None, zone) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="milliseconds") if moment else None


def as_run_json(entry: AsRunEntry, zone) -> dict:
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "title": entry.title,
        "topic": entry.topic,
        "language": entry.language,
        "source": entry.source,
        "relay_source": entry.relay_source,
        "approved_by": entry.approved_by,
        "slot": entry.slot_name,
        "occurrence_start": _iso(entry.occurrence_start, zone),
        "scheduled_at": _iso(entry.scheduled_at, zone),
        "started_at": _iso(entry.started_at, zone),
        "ended_at": _iso(entry.ended_at, zone),
        "seconds_played": entry.seconds_played,
        "status": str(entry.status),
        "reason": entry.reason,
    }


def relay_label(source: str) -> str:
    """What the Item column shows for a relay segment (no item: the source it relayed)."""
    return _("relay: {source}").format(source=source)


@click.command(name="log", cls=Command, help="The as-run log: every attempt to air an item.")
@option("--from", "first", type=DATE, help="First day (default: today).")
@option("--to", "last", type=DATE, help="Last day (default: the first day).")
@json_option
@pass_ctx
def log_command(ctx, first, last, as_json) -> None:
    app = ctx.app
    zone = app.settings.zone
    first = first or datetime.now(zone).date()
    last = last or first
    if last < first:
        raise click.UsageError(_("--to is before --from"))
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    rows = app.as_run.between(start, end)
    if as_json:
        print_json([as_run_json(r, zone) for r in rows])
        return
    if not rows:
        click.echo(_("Nothing in the as-run log for these days."))
        return
    table = []
    for r in rows:
        moment = (r.started_at or r.scheduled_at).astimezone(zone)
        end_text = r.ended_at.astimezone(zone).strftime("%H:%M:%S.%f")[:-3] if r.ended_at else ""
        table.append([
            moment.strftime("%d/%m/%Y"), moment.strftime("%H:%M:%S.%f")[:-3], end_text, r.slot_name or "",
            relay_label(r.relay_source) if r.relay_source is not None else r.item_id, r.title, format_duration(r.seconds_played), _(AS_RUN_STATUS_LABELS[r.status]), r.reason or "",
        ])  # fmt: skip
    print_table([_("Date"), _("Start"), _("End"), _("Slot"), _("Item"), _("Title"), _("Played"), _("Status"),
                 _("Reason")], table)  # fmt: skip


@click.command(cls=Command, help="Whether the daemon runs, what is on air, and what comes next.")
@json_option
@pass_ctx
def status(ctx, as_json) -> None:
    warn_exposed_password(ctx.home)
    data = ask_daemon(ctx.home, {"cmd": "status"}, fallback_safe=True)
    if data is None:  # no daemon answering: read the database here
        from radio.scheduler.service import station_status

        data = station_status(ctx.app)
    if as_json:
        print_json(data)
        return
    pid = data["daemon"]["pid"]
    click.echo(_("daemon: running (pid {pid})").format(pid=pid) if data["daemon"]["running"] else _("daemon: not running"))
    on_air = data["on_air"]
    if on_air and on_air.get("relay_source"):
        click.echo(_("on air: relaying {title} ({code}) ({slot}), {elapsed} in").format(
            code=on_air["relay_source"], title=on_air["title"], slot=on_air["slot"] or _("one-off broadcast"),
            elapsed=format_duration(on_air["elapsed_s"])))  # fmt: skip
    elif on_air:
        click.echo(_("on air: #{id} {title} ({slot}), {elapsed} in").format(
            id=on_air["item_id"], title=on_air["title"], slot=on_air["slot"] or _("one-off broadcast"),
            elapsed=format_duration(on_air["elapsed_s"])))  # fmt: skip
    else:
        click.echo(_("on air: nothing"))
    device = data.get("device")
    if device and device["state"] != "ok":
        since = datetime.fromisoformat(device["since"]).strftime("%H:%M:%S") if device["since"] else "?"
        if device["state"] == "retrying":
            click.echo(_("sound device: in trouble since {since}, reopening (attempt {n}): {reason}").format(
                since=since, n=device["attempts"], reason=device["reason"]))  # fmt: skip
        else:
            click.echo(_("sound device: unavailable since {since}: {reason}").format(since=since, reason=device["reason"]))
    elif device:
        click.echo(_("sound device: ok"))
    for stream in data.get("streams") or []:
        click.echo(stream_line(stream))
    for problem in data.get("problems") or []:
        click.echo(_("problem: {what}").format(what=problem["what"]))
    if data["next"]:
        click.echo(_("next:"))
        for o in data["next"]:
            start = datetime.fromisoformat(o["start"]).strftime("%d/%m/%Y %H:%M:%S")
            click.echo(f"  {start}  {o['slot'] or _('one-off broadcast')}")


def warn_exposed_password(home) -> None:
    """A warning when radio.toml holds a stream password that every user may read."""
    from radio.config import exposed_password, load_settings
    from radio.errors import ConfigError

    try:
        settings = load_settings(home)
    except ConfigError:
        return  # the command itself says what is wrong, if it reads the settings
    if exposed_password(settings):
        from radio.cli.base import warn

        warn(_("{path} holds a stream password and every user of this PC may read it (chmod 600 or 640)").format(
            path=settings.config_path))  # fmt: skip


def stream_line(stream: dict) -> str:
    """One stream as `radio status` shows it (its URL never holds the password)."""
    name = stream["name"]
    if not stream.get("running", True):
        return _("stream {name}: not running (the daemon sends it)").format(name=name)
    since = datetime.fromisoformat(stream["since"]).strftime("%d/%m %H:%M:%S") if stream.get("since") else "?"
    if stream["connected"]:
        text = _("stream {name}: connected since {since}, {kb} kB sent").format(
            name=name, since=since, kb=stream["bytes_sent"] // 1000)  # fmt: skip
        if stream.get("listeners") is not None:
            text += ", " + _("{n} listeners").format(n=stream["listeners"])
        return text
    if stream.get("error"):
        return _("stream {name}: disconnected since {since}: {reason}").format(name=name, since=since,
                                                                               reason=stream["error"])  # fmt: skip
    return _("stream {name}: idle since {since} (between sessions)").format(name=name, since=since)


def ask_daemon(home, request: dict, fallback_safe: bool) -> object | None:
    """The running daemon's answer to *request*, or None when no daemon listens.

    *fallback_safe*: the request only reads, so a daemon that stops answering midway can
    be replaced by reading the database here. A request that writes is never repeated.
    """
    import os

    from radio.i18n import user_languages
    from radio.scheduler.control import DaemonError, NoDaemon, ask

    try:
        return ask(home, {**request, "languages": user_languages(os.environ)})
    except NoDaemon:
        return None
    except DaemonError as err:
        raise RadioError(str(err), exit_code=err.exit_code) from None
    except (OSError, ValueError) as err:
        if fallback_safe:
            return None
        raise RadioError(_("the daemon did not answer ({reason}); check 'radio status' before trying again").format(
            reason=err)) from None  # fmt: skip
