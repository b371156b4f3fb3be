"""Chime + reading (+ pause + reading again) -> one clip, with pydub.

Notices are short (a few minutes), which is where pydub fits: whole clips in memory, simple
concatenation and generators. Whole programmes never go through here (see
docs/architecture.md, "Why each dependency").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _

CHIME_MAX_S = 30.0
LEAD_IN_MS = 600  # silence between the chime and the first reading
TAIL_MS = 500
SPEECH_PEAK_DBFS = -3.0  # headroom, so the loudness gain at playout is not held back by clipping


class AssemblyError(RadioError):
    pass


@dataclass(frozen=True)
class Layout:
    repeat: int = 2
    pause_s: float = 2.0
    chime: Path | str | None = "builtin"  # a file, "builtin", or None for no chime


def builtin_chime(frame_rate: int):
    """A two-tone 'ding-dong' (G5 then E5), the attention signal before a notice."""
    from pydub import AudioSegment
    from pydub.generators import Sine

    ding = Sine(784, sample_rate=frame_rate).to_audio_segment(duration=380, volume=-14).fade_out(250)
    dong = Sine(659, sample_rate=frame_rate).to_audio_segment(duration=650, volume=-14).fade_out(500)
    silence = AudioSegment.silent(duration=60, frame_rate=frame_rate)
    return (ding.fade_in(10) + silence + dong.fade_in(10)).set_channels(1)


def load_chime(path: Path):
    """A chime file (any format ffmpeg reads), at most CHIME_MAX_S long."""
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    if not path.is_file():
        raise AssemblyError(_("chime {path}: no such file").format(path=path))
    try:
        clip = AudioSegment.from_file(path, duration=CHIME_MAX_S + 1)
    except (CouldntDecodeError, OSError, IndexError) as err:
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise AssemblyError(_("chime {path}: cannot be decoded ({reason})").format(path=path, reason=reason)) from err
    if len(clip) == 0:
        raise AssemblyError(_("chime {path}: no audio").format(path=path))
    if len(clip) > CHIME_MAX_S * 1000:
        raise AssemblyError(
            _("chime {path} is longer than {n} s: a chime is a short signal").format(path=path, n=int(CHIME_MAX_S))
        )
    return clip


def assemble(speech_wav: Path, layout: Layout, output: Path) -> float:
    """Write chime + reading × repeat to *output* (WAV, or MP3 by its suffix); its length in s."""
    from pydub import AudioSegment

    speech = AudioSegment.from_wav(speech_wav).set_channels(1)
    if speech.max_dBFS != float("-inf"):
        speech = speech.apply_gain(SPEECH_PEAK_DBFS - speech.max_dBFS)  # espeak-ng peaks at full scale
    rate = speech.frame_rate
    parts = []
    if layout.chime is not None:
        chime = builtin_chime(rate) if layout.chime == "builtin" else load_chime(Path(layout.chime))
        chime = chime.set_channels(1).set_frame_rate(rate).set_sample_width(speech.sample_width)
        if chime.dBFS != float("-inf") and speech.dBFS != float("-inf"):
            chime = chime.apply_gain(speech.dBFS - chime.dBFS - 3.0)  # a little under the voice
        parts += [chime, AudioSegment.silent(duration=LEAD_IN_MS, frame_rate=rate)]
    pause = AudioSegment.silent(duration=int(layout.pause_s * 1000), frame_rate=rate)
    for n in range(layout.repeat):
        if n:
            parts.append(pause)
        parts.append(speech)
    parts.append(AudioSegment.silent(duration=TAIL_MS, frame_rate=rate))
    clip = sum(parts[1:], parts[0]).set_sample_width(2)
    suffix = output.suffix.lower()
    if suffix == ".mp3":
        clip.export(output, format="mp3", bitrate="64k")
    else:
        clip.export(output, format="wav")
    return len(clip) / 1000.0
