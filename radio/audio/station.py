"""Wiring playout to a station: its settings become a player (rundowns: `scheduler/rundown.py`)."""

from __future__ import annotations

from radio.audio.events import PlayerBase
from radio.audio.remote import EnginePlayer
from radio.config import Settings


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
