"""The voices that turn normalised Vietnamese text into a WAV file.

Two engines behind one method, ``speak(text, wav)``:

- ``EspeakVoice``: espeak-ng's Vietnamese voices (``vi``, ``vi-vn-x-central``,
  ``vi-vn-x-south``), Debian's package; robotic but offline, with correct tones.
- ``CommandVoice``: any engine installed by hand (Piper, sherpa-onnx with a Vietnamese
  model) run from the ``[tts] command`` template. The template is split into words
  first and the placeholders are filled in each word, so the text never passes through a
  shell and may hold any character.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from radio.errors import RadioError
from radio.i18n import _

ESPEAK_VOICES = {"north": "vi", "central": "vi-vn-x-central", "south": "vi-vn-x-south"}
TIMEOUT_S = 600


class SpeechError(RadioError):
    """The speech engine is missing or failed; the message says which and why."""


class Voice(Protocol):
    def speak(self, text: str, wav: Path) -> None: ...


def speech_text(spoken: str) -> str:
    """One line per paragraph, each ending in punctuation, so the engine pauses between them."""
    lines = [line.strip() for line in spoken.splitlines() if line.strip()]
    return "\n".join(line if line[-1] in ".!?…:;," else line + "." for line in lines)


def _check_output(wav: Path, engine: str, stderr: str) -> None:
    if not wav.exists() or wav.stat().st_size <= 44:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else _("no sound was written")
        raise SpeechError(_("{engine} produced no audio: {reason}").format(engine=engine, reason=detail))


def _run(argv: list[str], text: str, engine: str) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(
            argv, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise SpeechError(_("{engine} is not installed ({program} not found)").format(engine=engine, program=argv[0])) from None
    except subprocess.TimeoutExpired:
        raise SpeechError(_("{engine} took longer than {n} s").format(engine=engine, n=TIMEOUT_S)) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpeechError(
            _("{engine} failed (exit code {code}): {reason}").format(
                engine=engine, code=done.returncode, reason=lines[-1] if lines else "-"
            )
        )
    return done


@dataclass(frozen=True)
class EspeakVoice:
    voice: str = "north"  # north | central | south
    rate: int = 150  # words per minute

    def speak(self, text: str, wav: Path) -> None:
        program = shutil.which("espeak-ng")
        if program is None:
            raise SpeechError(
                _("espeak-ng is not installed (run scripts/ensure-system-deps, or: apt-get install espeak-ng)")
            )
        argv = [program, "-v", ESPEAK_VOICES[self.voice], "-s", str(self.rate), "-b", "1", "-w", str(wav)]
        done = _run(argv, speech_text(text), "espeak-ng")
        _check_output(wav, "espeak-ng", done.stderr.decode("utf-8", "replace"))


@dataclass(frozen=True)
class CommandVoice:
    template: str
    voice: str = "north"
    rate: int = 150

    def speak(self, text: str, wav: Path) -> None:
        spoken = speech_text(text)
        words = shlex.split(self.template)
        if not words:
            raise SpeechError(_("[tts] engine = \"command\" needs a [tts] command"))
        with tempfile.TemporaryDirectory(prefix="radio-tts-") as tmp:
            text_file = Path(tmp) / "notice.txt"
            text_file.write_text(spoken + "\n", encoding="utf-8")
            values = {
                "{output}": str(wav), "{text_file}": str(text_file), "{text}": spoken,
                "{voice}": self.voice, "{rate}": str(self.rate),
            }  # fmt: skip
            argv = []
            for word in words:
                for key, value in values.items():
                    word = word.replace(key, value)
                argv.append(word)
            done = _run(argv, spoken, words[0])
        _check_output(wav, words[0], done.stderr.decode("utf-8", "replace"))


def make_voice(tts, voice: str | None = None, rate: int | None = None) -> Voice:
    """The voice the station's ``[tts]`` settings name, with the command line's overrides."""
    voice = voice or tts.voice
    rate = rate or tts.rate
    if tts.engine == "command":
        if not tts.command:
            raise SpeechError(_("[tts] engine = \"command\" needs a [tts] command"))
        return CommandVoice(tts.command, voice, rate)
    return EspeakVoice(voice, rate)
