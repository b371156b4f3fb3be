"""`radio web`: the operator's web console (bàn điều khiển) over the same station."""

from __future__ import annotations

import os

import click

from radio.cli.base import Command, option
from radio.cli.context import pass_ctx
from radio.i18n import _

DEFAULT_LISTEN = "127.0.0.1:8080"
CONSOLE_NICE = 10


def yield_to_playout() -> None:
    """Run the console below the daemon's priority (nice 10, or lower if already lower): a
    flood of logins (each an argon2 hash), pages or uploads then takes only the CPU that
    playout leaves. Called before the server starts any thread: threads inherit it."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) < CONSOLE_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, CONSOLE_NICE)
    except OSError:
        pass


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(_("'{value}' is not HOST:PORT (for example 127.0.0.1:8080)").format(value=value))
    return host, int(port)


@click.command(cls=Command, help="Serve the web console (default: only on this computer, 127.0.0.1:8080).")
@option("--listen", default=DEFAULT_LISTEN, show_default=True,
        help="Address and port to listen on; 0.0.0.0:8080 opens it to the local network.")  # fmt: skip
@option("--https/--http", "https", default=None,
        help="Serve HTTPS with the station's own certificate (needed for the microphone on a phone; default: [web] https).")  # fmt: skip
@pass_ctx
def web(ctx, listen, https) -> None:
    host, port = parse_listen(listen)
    app = ctx.app  # a missing station is reported before anything starts
    from radio.web.server import serve

    yield_to_playout()
    raise SystemExit(serve(app, host, port, app.settings.web.https if https is None else https))
