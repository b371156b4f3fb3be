"""`radio play`, `radio render`, `radio devices`: the operator's test of the audio chain."""

from __future__ import annotations

import signal

import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click

from radio.cli.base import Command, json_option, option, print_json, print_table, warn
from radio.cli.context import pass_ctx
from radio.domain.library import why_not_airable
from radio.domain.playout import Outcome, parse_start
from radio.errors import RadioError
from radio.i18n import N_, _, ngettext

STATUS_LABELS = {
    Outcome.COMPLETED: N_("completed"),
    Outcome.INTERRUPTED: N_("interrupted"),
    Outcome.FAILED: N_("failed"),
}


def _report(zone):
    from radio.audio.events import Ended, Started

    def on_event(event) -> None:
        clock = event.at.astimezone(zone).strftime("%H:%M:%S.%f")[:-3]
        if isinstance(event, Started):
            click.echo(_("{clock}  ▶ {title}").format(clock=clock, title=event.entry.title), err=True)
        elif isinstance(event, Ended):
            line = _("{clock}  ■ {title}: {status}, {seconds:.1f} s").format(
                clock=clock, title=event.entry.title, status=_(STATUS_LABELS[event.status]), seconds=event.played_s
            )
            if event.reason:
                line += f" ({event.reason})"
            click.echo(line, err=True)

    return on_event


def _check_items(app, ids) -> None:
    today = datetime.now(app.settings.zone).date()
    for item in app.library.get_many(list(ids)):
        if reason := why_not_airable(item, today):
            warn(_("item {id} would not air: {reason}").format(id=item.id, reason=reason))


def _fade_out_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def _outcome(result) -> None:
    if result.device_lost:
        raise RadioError(result.stopped or _("audio device lost"))


@click.command(cls=Command, help="Play library items on the sound card, now or at a given time (Ctrl-C fades out).")
@click.argument("ids", nargs=-1, required=True, type=int)
@option("--at", "at", help="Start time: HH:MM[:SS[.ffffff]] today, or an ISO date-time.")
@option("--device", help="Output device: name or index (see 'radio devices').")
@option("--offset", type=float, default=0.0, help="Start the first item this many seconds in.")
@option("--no-jingles", is_flag=True, help="Leave out the station's opening and closing jingles.")
@pass_ctx
def play(ctx, ids, at, device, offset, no_jingles) -> None:
    from radio.audio.station import station_player
    from radio.scheduler.rundown import for_ids as rundown_for

    app = ctx.app
    zone = app.settings.zone
    start = parse_start(at, datetime.now(timezone.utc), zone) if at else None
    if start is not None and start.timestamp() < datetime.now(timezone.utc).timestamp():
        raise RadioError(_("the start time {at} has already passed").format(at=start.isoformat()))
    _check_items(app, ids)
    rundown = rundown_for(app, ids, offset_s=offset, jingles=not no_jingles)
    player = station_player(app.settings, device=device)
    if start is not None:
        click.echo(_("Waiting to start at {at}…").format(at=start.astimezone(zone).isoformat()), err=True)
    signal.signal(signal.SIGTERM, _fade_out_on_signal)  # like Ctrl-C: fade out, then stop
    # Ctrl-C fades out even when started from a shell or make that ignores SIGINT (Python then
    # leaves it ignored): what the help promises must not depend on how radio was launched
    signal.signal(signal.SIGINT, _fade_out_on_signal)
    result = player.play(rundown, at=start, on_event=_report(zone))
    _outcome(result)
    if result.stopped:
        raise SystemExit(130)


def render_to(app, ids, target: Path, jingles: bool = True, on_event=None):
    from radio.audio.station import station_player
    from radio.scheduler.rundown import for_ids as rundown_for
    from radio.audio.wav_output import WavOutput
    from radio.media.ffmpeg import ffmpeg_binary

    """The rundown through the same player, onto a WAV file; MP3 is encoded from that WAV."""
    settings = app.settings
    rundown = rundown_for(app, ids, jingles=jingles)
    suffix = target.suffix.lower()
    if suffix not in (".wav", ".mp3"):
        raise RadioError(_("cannot render to {path}: use a .wav or .mp3 file name").format(path=target))
    rate, channels = settings.playout.sample_rate, settings.playout.channels
    if suffix == ".wav":
        factory = lambda: WavOutput(target, rate, channels)  # noqa: E731
        return station_player(settings, factory).play(rundown, on_event=on_event)
    with tempfile.TemporaryDirectory(prefix="radio-render-") as tmp:
        wav = Path(tmp) / "render.wav"
        factory = lambda: WavOutput(wav, rate, channels)  # noqa: E731
        result = station_player(settings, factory).play(rundown, on_event=on_event)
        part = Path(tmp) / "render.mp3"
        cmd = [ffmpeg_binary(), "-v", "error", "-nostdin", "-y", "-i", str(wav),
               "-codec:a", "libmp3lame", "-b:a", "128k", str(part)]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        if proc.returncode != 0:
            raise RadioError(_("cannot encode {path}: {reason}").format(path=target, reason=proc.stderr.strip()))
        try:
            shutil.move(str(part), target)
        except OSError as err:
            raise RadioError(_("cannot write {path}: {reason}").format(path=target, reason=err.strerror)) from err
    return result


@click.command(cls=Command, help="Render library items to a WAV or MP3 file, exactly as they would air.")
@click.argument("ids", nargs=-1, required=True, type=int)
@option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
        help="The file to write (.wav or .mp3).")  # fmt: skip
@option("--no-jingles", is_flag=True, help="Leave out the station's opening and closing jingles.")
@pass_ctx
def render(ctx, ids, output, no_jingles) -> None:
    app = ctx.app
    result = render_to(app, ids, output, jingles=not no_jingles, on_event=_report(app.settings.zone))
    failed = [e for e in result.ended if e.status is Outcome.FAILED]
    seconds = sum(e.played_s for e in result.ended)
    click.echo(_("Wrote {path} ({seconds:.1f} s).").format(path=output, seconds=seconds))
    if failed:
        raise RadioError(
            ngettext("{n} item could not be decoded and was skipped", "{n} items could not be decoded and were skipped",
                     len(failed)).format(n=len(failed))
        )


@click.command(cls=Command, help="List the audio output devices.")
@json_option
def devices(as_json) -> None:
    from radio.audio.devices import output_devices

    found = output_devices(refresh=True)
    if as_json:
        print_json([d.json() for d in found])
        return
    print_table(
        [_("Index"), _("Name"), _("System"), _("Channels"), _("Rate"), _("Default")],
        [[d.index, d.name, d.host_api, d.channels, int(d.default_rate), "*" if d.is_default else ""] for d in found],
    )
