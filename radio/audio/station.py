"""Wiring playout to a station: its items become a rundown, its settings an output."""

from __future__ import annotations

from collections.abc import Sequence

from radio.audio.events import PlayerBase
from radio.audio.remote import EnginePlayer
from radio.config import Settings
from radio.domain.playout import Entry, build_rundown, item_entry
from radio.errors import RadioError
from radio.i18n import _


def jingle_path(settings: Settings, value: str) -> str | None:
    """The configured jingle as an absolute path (relative ones are in the station home)."""
    if not value:
        return None
    path = settings.station_home.resolve(value)
    if not path.is_file():
        raise RadioError(_("the jingle {path} (radio.toml [playout]) does not exist").format(path=path))
    return str(path)


def rundown_for(app, ids: Sequence[int], offset_s: float = 0.0, jingles: bool = True) -> list[Entry]:
    """The rundown of library items *ids* in that order, the first starting at *offset_s*."""
    settings: Settings = app.settings
    items = app.library.get_many(list(ids))
    entries = [
        item_entry(
            item,
            str(app.media.path(item.media_path)),
            settings.audio.loudness_target_lufs,
            settings.audio.true_peak_max_dbtp,
            offset_s if n == 0 else 0.0,
        )
        for n, item in enumerate(items)
    ]
    if not jingles:
        return entries
    return build_rundown(
        entries,
        jingle_path(settings, settings.playout.jingle_open),
        jingle_path(settings, settings.playout.jingle_close),
    )


def station_player(settings: Settings, output_factory=None, device: str | int | None = None,
                   warm: bool = False, tee: str | None = None) -> PlayerBase:  # fmt: skip
    """The player with the station's fade and buffer.

    On the sound card it is an EnginePlayer: the audio runs in a small process of its own
    (engine.py), with one started ahead when *warm* (the daemon). With *output_factory*
    (a WAV file, a test output) it runs in this process. *tee*: the station home whose stream
    hub gets what the engine plays (the daemon, when [[stream]] outputs are configured).
    """
    p = settings.playout
    if output_factory is not None:
        from radio.audio.player import Player

        return Player(output_factory, fade_s=p.fade_out_s, ahead_s=p.buffer_s)
    output = {"device": p.device if device is None else device, "rate": p.sample_rate,
              "channels": p.channels, "latency_s": p.latency_s, "grace_s": p.device_grace_s}  # fmt: skip
    return EnginePlayer(output, fade_s=p.fade_out_s, ahead_s=p.buffer_s, warm=warm, tee=tee)
