"""Where a station lives: its home directory (radio.toml, radio.db, media/, backups/)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def default_home(env: Mapping[str, str]) -> Path:
    """The station home when --home is not given.

    RADIO_HOME if set; under systemd, the unit's StateDirectory (/var/lib/radio);
    otherwise the user's data directory (~/.local/share/radio).
    """
    if env.get("RADIO_HOME"):
        return Path(env["RADIO_HOME"]).expanduser()
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0])
    data_home = env.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(data_home) / "radio"


def station_table(home: Path, name: str) -> tuple[str, dict]:
    """The station's own *name* (a TOML table in its home: topics.toml, abbreviations.toml)
    if it has one, else the one shipped with radio: (where it was read, its contents)."""
    import tomllib
    from importlib import resources

    from radio.errors import RadioError
    from radio.i18n import _

    own = home / name
    source = own if own.exists() else resources.files("radio") / "data" / name
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RadioError(_("{path}: cannot be read: {reason}").format(path=source, reason=err)) from err
    try:
        return str(source), tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RadioError(_("{path}: not valid TOML: {reason}").format(path=source, reason=err)) from err
