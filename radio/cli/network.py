"""`radio join` and `radio sync`: a station's link to its hub. The daemon syncs on its own;
`sync --once` does one exchange by hand (and says whether the station is in step)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from radio.cli.base import Command, option, warn
from radio.cli.context import pass_ctx
from radio.errors import RadioError
from radio.i18n import _, ngettext


@click.command(cls=Command, help="Join a hub: this station then syncs with it (the daemon, or 'radio sync --once'). "
                                 "Give the token with --token-file FILE, '--token -' (read from stdin) or "
                                 "RADIO_HUB_TOKEN rather than on the command line, where other users see it.")  # fmt: skip
@click.argument("url")
@option("--station", "code", required=True, help="This station's code at the hub.")
@option("--token", help="The token 'radio hub station add' printed for it; '-' reads it from stdin (preferred: "
                        "a token on the command line shows in the process list).")  # fmt: skip
@option("--token-file", type=click.Path(dir_okay=False), help="A file holding the token (preferred).")
@option("--ca", "cafile", type=click.Path(exists=True, dir_okay=False),
        help="The hub's certificate authority (PEM), for a hub whose certificate is self-signed.")  # fmt: skip
@pass_ctx
def join(ctx, url, code, token, token_file, cafile) -> None:
    import os
    from pathlib import Path

    from radio.domain.network import check_hub_url, check_station_code
    from radio.network.client import HubClient, HubLink, HubRefused, HubUnreachable
    from radio.network.station_sync import write_link

    url = check_hub_url(url)
    typed = token not in (None, "-")  # shown in the process list while this ran: said once it is joined
    token = _token(token, token_file, os.environ.get("RADIO_HUB_TOKEN"))
    app = ctx.app  # the station must exist
    link = HubLink(url, check_station_code(code), token, str(Path(cafile).resolve()) if cafile else None)
    client = HubClient(link)  # an unusable CA file is refused here, before anything is saved
    try:
        client.state()
    except HubRefused:
        raise
    except HubUnreachable as err:
        write_link(app.settings.home, link)
        click.echo(_("joined {url} as {code}; the hub is not reachable now ({reason}): the daemon keeps trying")
                   .format(url=link.url, code=code, reason=err))  # fmt: skip
        if typed:
            _warn_typed_token()
        return
    write_link(app.settings.home, link)
    click.echo(_("joined {url} as {code}: the daemon syncs with it from now on").format(url=link.url, code=code))
    if typed:
        _warn_typed_token()


def _warn_typed_token() -> None:
    warn(_("the token typed on the command line showed in the process list to other users of this PC: "
           "next time give it with --token-file FILE, '--token -' or RADIO_HUB_TOKEN"))  # fmt: skip


def _token(given: str | None, path: str | None, from_env: str | None) -> str:
    """The join token from exactly one place: --token-file, '--token -' (stdin), --token, or
    RADIO_HUB_TOKEN when neither option is given. Never echoed, never logged."""
    if given is not None and path is not None:
        raise click.UsageError(_("give either --token or --token-file"))
    if path is not None:
        try:
            token = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise RadioError(_("cannot read the token file {path}: {reason}").format(
                path=path, reason=getattr(err, "strerror", None) or err)) from None  # fmt: skip
    elif given == "-":
        token = click.get_text_stream("stdin").readline()
    else:
        token = given if given is not None else from_env
    token = (token or "").strip()
    if not token:
        raise click.UsageError(_("give the station's token: --token-file FILE, '--token -' (stdin), "
                                 "RADIO_HUB_TOKEN or --token TOKEN"))  # fmt: skip
    if any(c.isspace() or not c.isprintable() for c in token):
        raise RadioError(_("the token is one word as 'radio hub station add' printed it"))
    return token


@click.command(cls=Command, help="Sync with the hub once: fetch the desired state and media, send the as-run log "
                                 "and a heartbeat. Exit 0 when in step, 1 with the reason when not.")  # fmt: skip
@option("--once", is_flag=True, required=True, help="One exchange (the daemon syncs continuously on its own).")
@pass_ctx
def sync(ctx, once) -> None:
    from radio.network.client import HubClient
    from radio.network.outbox import send_outbox
    from radio.network.station_sync import StationSync, read_link
    from radio.network.sync_loop import record_link_state

    app = ctx.app
    link = read_link(app.settings.home)
    if link is None:
        raise RadioError(_("this station has joined no hub (run 'radio join URL --station CODE --token TOKEN')"))
    client = HubClient(link)
    syncer = StationSync(app, client, timedelta(minutes=app.settings.network.freeze_minutes))
    outcome = syncer.pull()
    unacked = send_outbox(app, client)
    sent = datetime.now(timezone.utc)
    answer = client.heartbeat(syncer.health(_status(ctx)))
    syncer.measure_clock(sent, datetime.now(timezone.utc), answer)
    record_link_state(app.settings.home, last_sync=datetime.now(timezone.utc).isoformat(), error=None,
                      in_step=outcome.in_step and unacked == 0)  # fmt: skip
    if outcome.problems:
        raise RadioError(outcome.problems[0])
    if outcome.missing_media:
        raise RadioError(ngettext("{n} media file for the next 24 hours is still missing",
                                  "{n} media files for the next 24 hours are still missing",
                                  outcome.missing_media).format(n=outcome.missing_media))  # fmt: skip
    if outcome.missing_at_hub:
        raise RadioError(ngettext("the hub has no copy of {n} media file its sessions need: ask the hub's operator",
                                  "the hub has no copy of {n} media files its sessions need: ask the hub's operator",
                                  len(outcome.missing_at_hub)).format(n=len(outcome.missing_at_hub)))  # fmt: skip
    if unacked:
        raise RadioError(ngettext("{n} as-run row not yet acknowledged by the hub",
                                  "{n} as-run rows not yet acknowledged by the hub", unacked).format(n=unacked))
    if outcome.plan.deferred:
        raise RadioError(ngettext("{n} change from the hub waits until a session about to start is over",
                                  "{n} changes from the hub wait until sessions about to start are over",
                                  len(outcome.plan.deferred)).format(n=len(outcome.plan.deferred)))  # fmt: skip
    click.echo(_("in step with {url} (revision {rev})").format(url=link.url, rev=outcome.revision))


def _status(ctx) -> dict:
    from radio.cli.daemon import ask_daemon
    from radio.scheduler.service import station_status

    return ask_daemon(ctx.home, {"cmd": "status"}, fallback_safe=True) or station_status(ctx.app)
