"""The abbreviations table: the station's own abbreviations.toml, else the one shipped."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from radio.domain.normalize import Lexicon, NoticeError
from radio.i18n import _

LEXICON_NAME = "abbreviations.toml"


def load_lexicon(home: Path) -> Lexicon:
    """Like the topics: a station may put its own abbreviations.toml in its home to replace ours."""
    own = home / LEXICON_NAME
    if own.exists():
        path = str(own)
        try:
            text = own.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise NoticeError(_("{path}: cannot be read: {reason}").format(path=path, reason=err)) from err
    else:
        shipped = resources.files("radio") / "data" / LEXICON_NAME
        path, text = str(shipped), shipped.read_text(encoding="utf-8")
    try:
        return Lexicon.from_mapping(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as err:
        raise NoticeError(_("{path}: not valid TOML: {reason}").format(path=path, reason=err)) from err
