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


PRIVATE_UMASK = 0o027
"""What the station's files never grant to other users (the same as the systemd units' UMask)."""


def keep_private() -> None:
    """Files this process (and what it starts: the daemon, the console, ffmpeg) creates are
    not readable by other users of the PC, even when radio is run by hand under umask 022:
    the database holds password hashes and the audit log, radio.toml may hold stream
    passwords. A stricter umask the user chose is kept."""
    os.umask(os.umask(0) | PRIVATE_UMASK)


def close_to_others(home: Path) -> None:
    """A station made before `keep_private` (or copied with cp -a) may be open to every user:
    take other users' access away from the home and the files that matter. Best effort: a
    file we do not own is left as it is."""
    paths = [home, home / "radio.toml", home / "radio.db", home / "radio.db-wal", home / "radio.db-shm"]
    backups = home / "backups"
    if backups.is_dir():
        paths += [backups, *backups.iterdir()]
    for path in paths:
        try:
            mode = path.lstat().st_mode
            if mode & 0o007 and not os.path.islink(path):
                os.chmod(path, mode & 0o7770)
        except OSError:
            continue


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
