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
