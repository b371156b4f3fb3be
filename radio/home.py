"""Where a station lives: the layout of its home directory, named in one place.

Every file the station keeps — radio.toml, the database, the media store, backups, the
daemon's lock and sockets, playlists, caches — is reached through a ``StationHome``, so
that moving one (or finding out what a home holds, for a backup or a migration) is a
change here and nowhere else. Standard library only at import time: the CLI imports it
on every command.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "radio.toml"
DATABASE_NAME = "radio.db"
MEDIA_NAME = "media"
BACKUPS_NAME = "backups"
PLAYLISTS_NAME = "playlists"
EXPORTS_NAME = "exports"  # the web console's export destination on the station's own disk
STREAMS_NAME = "streams"  # SDP files written for RTP receivers
CACHE_NAME = "cache"
DAEMON_LOCK_NAME = "daemon.lock"
DAEMON_SOCKET_NAME = "daemon.sock"
STREAMS_SOCKET_NAME = "streams.sock"
RESERVE_NAME = "space-reserve"  # the daemon's disk-space reserve (scheduler/safeguards.py)
WEB_KEY_NAME = "web-secret.key"
WEB_CERT_NAME = "web-tls.crt"  # the console's own HTTPS certificate (web/tls.py), and its key
WEB_CERT_KEY_NAME = "web-tls.key"
LIVE_NAME = "live"  # live segments being recorded, and the console's microphone pipe
LOCKS_NAME = "locks"  # lock files shared by the station's processes (the analysis slots)
TOPICS_NAME = "topics.toml"
ABBREVIATIONS_NAME = "abbreviations.toml"
HUB_CONFIG_NAME = "hub.json"  # a hub: its database URL (radio hub init)
HUB_LINK_NAME = "hub-link.json"  # a station: its hub, code and token (radio join), mode 0600
HUB_SYNC_NAME = "hub-sync.json"  # a station: the link's last exchange, for radio status
HUB_SYNC_LOCK_NAME = "hub-sync.lock"  # in locks/: one sync at a time (the daemon's, a `sync --once`)
HUB_LIBRARY_NAME = "hub-library.json"  # a station: the hub catalog applied here, and its copies of hub items
TTS_PREVIEWS_NAME = "previews"  # in cache/tts: the console's rendered notice previews

MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes; longer homes are reached through /proc/self/fd


@dataclass(frozen=True)
class StationHome:
    """One station's home directory; each property is where one of its files lives."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def of_database(cls, database: Path) -> StationHome:
        """The home holding *database* (the database sits at the top of its home)."""
        return cls(Path(database).parent)

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_NAME

    @property
    def backups_dir(self) -> Path:
        return self.root / BACKUPS_NAME

    @property
    def playlists_dir(self) -> Path:
        return self.root / PLAYLISTS_NAME

    @property
    def exports_dir(self) -> Path:
        return self.root / EXPORTS_NAME

    @property
    def streams_dir(self) -> Path:
        return self.root / STREAMS_NAME

    @property
    def usb_cache_dir(self) -> Path:
        return self.root / CACHE_NAME / "usb"

    @property
    def tts_cache_dir(self) -> Path:
        return self.root / CACHE_NAME / "tts"

    @property
    def tts_previews_dir(self) -> Path:
        return self.tts_cache_dir / TTS_PREVIEWS_NAME

    @property
    def daemon_lock(self) -> Path:
        return self.root / DAEMON_LOCK_NAME

    @property
    def daemon_socket(self) -> Path:
        return self.root / DAEMON_SOCKET_NAME

    @property
    def streams_socket(self) -> Path:
        return self.root / STREAMS_SOCKET_NAME

    @property
    def disk_reserve(self) -> Path:
        return self.root / RESERVE_NAME

    @property
    def web_key(self) -> Path:
        return self.root / WEB_KEY_NAME

    @property
    def web_certificate(self) -> Path:
        return self.root / WEB_CERT_NAME

    @property
    def web_certificate_key(self) -> Path:
        return self.root / WEB_CERT_KEY_NAME

    @property
    def locks_dir(self) -> Path:
        return self.root / LOCKS_NAME

    @property
    def hub_sync_lock(self) -> Path:
        return self.locks_dir / HUB_SYNC_LOCK_NAME

    @property
    def live_dir(self) -> Path:
        return self.root / LIVE_NAME

    @property
    def console_microphone(self) -> Path:
        """The pipe a browser's microphone reaches the live feed's ffmpeg through (16-bit PCM)."""
        return self.root / LIVE_NAME / "console.pcm"

    @property
    def hub_config(self) -> Path:
        return self.root / HUB_CONFIG_NAME

    @property
    def hub_link(self) -> Path:
        return self.root / HUB_LINK_NAME

    @property
    def hub_sync_state(self) -> Path:
        return self.root / HUB_SYNC_NAME

    @property
    def hub_library(self) -> Path:
        return self.root / HUB_LIBRARY_NAME

    def is_initialized(self) -> bool:
        """Whether a station was made here (`radio init` creates the database; a hub on
        PostgreSQL has its hub.json instead)."""
        return self.database.exists() or self.hub_config.exists()

    def resolve(self, value: str | Path) -> Path:
        """A path given in radio.toml (a jingle, a chime, an SDP file): relative ones are in the home."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    def table(self, name: str) -> tuple[str, dict]:
        """The station's own *name* (topics.toml, abbreviations.toml) if it has one, else radio's."""
        return station_table(self.root, name)


@contextmanager
def socket_address(path: Path) -> Iterator[str]:
    """An address for the Unix socket at *path* short enough for sun_path (108 bytes):
    through a directory file descriptor when the directory's own path is too long."""
    path = Path(path)
    if len(str(path).encode()) <= MAX_SOCKET_PATH:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


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
