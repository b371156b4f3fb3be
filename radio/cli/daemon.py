"""`radio daemon`, `radio status`, `radio log`: running the station and reading what it did."""

from __future__ import annotations

from datetime import datetime

import click

from radio.cli.base import Command, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import DATE
from radio.errors import RadioError
from radio.text import format_duration
from radio.i18n import _


@click.command(cls=Command, help="Run the broadcast daemon in the foreground (systemd runs it as a service).")
@option("--device", help="Output device (name or index), overriding radio.toml.")
@pass_ctx
def daemon(ctx, device) -> None:
    from radio.scheduler.daemon import run_daemon

    dev = int(device) if device and device.isdigit() else device
    raise SystemExit(run_daemon(ctx.home, _open_station, dev, _start_hub_link))


def _start_hub_link(app, status):
    """The station's link to its hub: threads beside playout, started once 'radio join' has
    linked the station (now, or later while the daemon runs)."""
    from radio.network.sync_loop import LinkWatcher

    return LinkWatcher(app, status)


def _open_station(home):
    """The composition root, imported only when the daemon asks for it (after its audio
    engine has started: the database layer's imports overlap the engine's start-up)."""
    from radio.app import open_app

    return open_app(home)


@click.command(name="log", cls=Command, help="The as-run log: every attempt to air an item.")
@option("--from", "first", type=DATE, help="First day (default: today).")
@option("--to", "last", type=DATE, help="Last day (default: the first day).")
@option("--station", help="At a hub: the log book of this station (from the rows it sent).")
@json_option
@pass_ctx
def log_command(ctx, first, last, station, as_json) -> None:
    """A thin adapter over radio/reports/asrun_listing.py, which the console's log page calls too."""
    from radio.reports.asrun_listing import as_run_json, as_run_log, headings

    app = ctx.app
    zone = app.settings.zone
    first = first or datetime.now(zone).date()
    last = last or first
    if last < first:
        raise click.UsageError(_("--to is before --from"))
    listing = as_run_log(app, first, last, station=station)
    if as_json:
        print_json([as_run_json(r, zone) for r in listing.rows])
        return
    if not listing.rows:
        click.echo(_("Nothing in the as-run log for these days."))
        return
    print_table(headings(), [cells for _row, cells in listing.lines(zone)])


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
    for line in clock_lines(data.get("clock")):
        click.echo(line)
    for line in hub_lines(data.get("hub")):
        click.echo(line)
    for problem in data.get("problems") or []:
        click.echo(_("problem: {what}").format(what=problem["what"]))
    if data["next"]:
        click.echo(_("next:"))
        for o in data["next"]:
            start = datetime.fromisoformat(o["start"]).strftime("%d/%m/%Y %H:%M:%S")
            click.echo(f"  {start}  {o['slot'] or _('one-off broadcast')}")


def hub_lines(hub: dict | None) -> list[str]:
    """The link to a hub as `radio status` shows it: where, when it last synced, what waits."""
    if not hub:
        return []
    last = datetime.fromisoformat(hub["last_sync"]).strftime("%d/%m %H:%M:%S") \
        if hub.get("last_sync") else _("never")  # fmt: skip
    lines = [_("hub: {url} as {code}, last sync {last}, {n} rows to send").format(
        url=hub["url"], code=hub["station"], last=last, n=hub["unacked_rows"])]  # fmt: skip
    if hub.get("error"):
        lines.append(_("hub: {reason}").format(reason=hub["error"]))
    return lines


def clock_lines(clock: dict | None) -> list[str]:
    """The PC's clock as `radio status` shows it: its state and zone, why it is suspect, the
    last jump the daemon saw, and the schedule's hold."""
    if not clock:
        return []
    if clock["state"] == "wrong":
        state = _("WRONG")
    elif clock["state"] == "unsynchronised":
        state = _("NOT synchronised")
    else:
        state = {True: _("synchronised"), False: _("not synchronised"), None: _("synchronisation unknown")}[
            clock["synchronised"]]  # fmt: skip
    lines = [_("clock: {state}, time zone {zone}").format(state=state, zone=clock["timezone"])]
    if clock.get("held"):
        lines.append(_("schedule held: the clock is wrong ({reason})").format(reason=clock["reason"]))
        lines.append(_("set the date and time right; if they already are (checked against a phone): "
                       "radio clock confirm"))  # fmt: skip
    elif clock.get("reason"):
        lines.append(_("clock warning: {reason}").format(reason=clock["reason"]))
    jump = clock.get("last_jump")
    if jump:
        at = datetime.fromisoformat(jump["at"]).strftime("%d/%m %H:%M:%S")
        lines.append(_("clock: jumped {step:+g} s at {at}").format(step=jump["step_s"], at=at))
    return lines


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
