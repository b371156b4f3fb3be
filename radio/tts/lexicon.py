"""The abbreviations table: the station's own abbreviations.toml, else the one shipped."""

from __future__ import annotations

from pathlib import Path

from radio.domain.normalize import Lexicon
from radio.home import ABBREVIATIONS_NAME as LEXICON_NAME
from radio.home import station_table


def load_lexicon(home: Path) -> Lexicon:
    """Like the topics: a station may put its own abbreviations.toml in its home to replace ours."""
    path, table = station_table(home, LEXICON_NAME)
    return Lexicon.from_mapping(table, path)
