"""`radio stream test`: a tone to every [[stream]] of radio.toml, and what became of it."""

from __future__ import annotations

import click

from radio.cli.base import Group, json_option, option, print_json
from radio.cli.context import pass_ctx
from radio.errors import RadioError
from radio.i18n import _


@click.group(cls=Group, help="The streams to IP loudspeakers ([[stream]] in radio.toml).")
def stream() -> None:
    pass


def test_streams(settings, seconds: float, frequency: float = 1000.0) -> list[dict]:
    """Send a tone (−12 dBFS) to every configured stream for *seconds*; each stream's state after."""
    import dataclasses
    import time

    import numpy as np

    from radio.streams.hub import Hub, make_senders

    rate, channels = settings.playout.sample_rate, settings.playout.channels
    streams = [dataclasses.asdict(s) for s in settings.streams]
    senders = make_senders(streams, rate, channels, settings.home, settings.station.name)

    def tone(pos: int, n: int) -> np.ndarray:
        t = (pos + np.arange(n)) / rate
        block = (0.25 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
        return np.repeat(block[:, None], channels, axis=1)

    hub = Hub(senders, rate, channels, tone, lambda: True)
    try:
        hub.title(_("radio stream test"), time.time())
        hub.run(duration_s=seconds)
        time.sleep(0.3)  # the last encoded frames leave
        return hub.status()
    finally:
        hub.close()


@stream.command(name="test", help="Send a tone to every configured stream for a few seconds and report.")
@option("--seconds", type=click.FloatRange(1.0, 600.0), default=5.0, show_default=True,
        help="How long the tone lasts.")  # fmt: skip
@json_option
@pass_ctx
def test(ctx, seconds, as_json) -> None:
    from radio.cli.daemon import warn_exposed_password
    from radio.config import load_settings

    settings = load_settings(ctx.home)
    if not settings.streams:
        raise RadioError(_("no [[stream]] in {path}: nothing to test").format(path=settings.config_path))
    warn_exposed_password(ctx.home)
    results = test_streams(settings, seconds)
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r["bytes_sent"] and r["error"] is None:
                click.echo(_("{name}: ok, {kb} kB sent in {s:.0f} s").format(name=r["name"], kb=r["bytes_sent"] // 1000,
                                                                          s=seconds))  # fmt: skip
            else:
                click.echo(_("{name}: failed: {reason}").format(name=r["name"], reason=r["error"] or _("nothing sent")))
    failed = [r for r in results if not r["bytes_sent"] or r["error"] is not None]
    if failed:
        raise RadioError("; ".join(_("stream {name}: {reason}").format(name=r["name"], reason=r["error"] or _("nothing sent"))
                                   for r in failed))  # fmt: skip
