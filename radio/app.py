"""The composition root: settings -> storage -> media store -> services.

Commands and the daemon get their collaborators from here; nothing below constructs
its own I/O. Parts are opened in order and closed in reverse.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from radio.config import Settings, load_settings
from radio.home import TOPICS_NAME, StationHome, close_to_others, station_table
from radio.domain.topics import Taxonomy
from radio.errors import StorageError
from radio.i18n import _
from radio.media.store import MediaStore
from radio.storage import migrate
from radio.storage.damage import check_database_file, sqlite_fault
from radio.storage.db import create_sqlite_engine, create_url_engine, session_factory

if TYPE_CHECKING:  # imported when first used: a report reads SQL and needs no ORM (start-up time)
    from radio.storage.asrun_repo import AsRunRepository
    from radio.storage.hamlet_repo import HamletRepository
    from radio.storage.library_repo import LibraryRepository
    from radio.storage.schedule_repo import ScheduleRepository
    from radio.storage.source_repo import SourceRepository
    from radio.storage.user_repo import AuditRepository, UserRepository

def load_taxonomy(home: Path) -> Taxonomy:
    """The station's own topics.toml if it has one, else the taxonomy shipped with radio."""
    path, table = station_table(home, TOPICS_NAME)
    return Taxonomy.from_mapping(table, path)


@dataclass
class App:
    settings: Settings
    engine: Engine
    _closers: list = field(default_factory=list)

    @cached_property
    def sessions(self):
        return session_factory(self.engine)

    @cached_property
    def library(self) -> LibraryRepository:
        from radio.storage.library_repo import LibraryRepository

        return LibraryRepository(self.sessions)

    @cached_property
    def hamlets(self) -> HamletRepository:
        from radio.storage.hamlet_repo import HamletRepository

        return HamletRepository(self.sessions)

    @cached_property
    def as_run(self) -> AsRunRepository:
        from radio.storage.asrun_repo import AsRunRepository

        return AsRunRepository(self.sessions)

    @cached_property
    def schedule(self) -> ScheduleRepository:
        from radio.storage.schedule_repo import ScheduleRepository

        return ScheduleRepository(self.sessions)

    @cached_property
    def sources(self) -> SourceRepository:
        from radio.storage.source_repo import SourceRepository

        return SourceRepository(self.sessions)

    @cached_property
    def users(self) -> UserRepository:
        from radio.storage.user_repo import UserRepository

        return UserRepository(self.sessions)

    @cached_property
    def clock_confirmations(self):  # -> radio.storage.clock_repo.ClockConfirmationRepository
        from radio.storage.clock_repo import ClockConfirmationRepository

        return ClockConfirmationRepository(self.sessions)

    @cached_property
    def audit(self) -> AuditRepository:
        from radio.storage.user_repo import AuditRepository

        return AuditRepository(self.sessions)

    @cached_property
    def stations(self):  # -> radio.storage.network_repo.StationRepository (a hub's stations)
        from radio.storage.network_repo import StationRepository

        return StationRepository(self.sessions)

    @cached_property
    def link(self):  # -> radio.storage.link_repo.LinkRepository (a station's hub sessions, outbox)
        from radio.storage.link_repo import LinkRepository

        return LinkRepository(self.sessions)

    @cached_property
    def media(self) -> MediaStore:
        return MediaStore(self.settings.media_dir)

    @property
    def taxonomy(self) -> Taxonomy:
        """The topics as topics.toml holds them now: read again whenever the file changes, so a
        long-running process (the daemon, `radio hub serve`, the console) never serves or
        rewrites a copy from its start."""
        path = self.settings.home / TOPICS_NAME
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        cached = self.__dict__.get("_taxonomy")
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_taxonomy(self.settings.home))
            self.__dict__["_taxonomy"] = cached
        return cached[1]

    @cached_property
    def lexicon(self):  # -> radio.domain.normalize.Lexicon
        from radio.tts.lexicon import load_lexicon

        return load_lexicon(self.settings.home)

    def importer(self, workers: int | None = None):  # -> radio.library.importer.Importer
        """The library's importer under the station's limits ([library]): every import (CLI,
        web upload, spoken notice) shares the same analysis slots."""
        from radio.library.importer import ImportLimits, Importer
        from radio.library.slots import AnalysisSlots

        lib = self.settings.library
        limits = ImportLimits(
            max_duration_s=lib.max_duration_minutes * 60.0,
            timeout_s=lib.analysis_timeout_minutes * 60.0,
            slots=AnalysisSlots(self.settings.locks_dir, lib.parallel_analyses),
        )
        return Importer(self.library, self.media, workers, limits)

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self.engine.dispose()


def is_initialized(home: Path) -> bool:
    return StationHome(home).is_initialized()


def open_app(home: Path, create: bool = False) -> App:
    """Open the station at *home*, upgrading its database if it is older than this radio."""
    if not create and not is_initialized(home):
        raise StorageError(
            _("no station at {home} (run 'radio init' first, or give --home)").format(home=home)
        )
    settings = load_settings(home)
    server_url = hub_database_url(home)
    if server_url is None and (not create or is_initialized(home)):
        check_database_file(settings.database_path)
    try:
        home.mkdir(parents=True, exist_ok=True)
        close_to_others(home)
        settings.media_dir.mkdir(exist_ok=True)
    except OSError as err:
        raise StorageError(
            _("cannot create the station home {home}: {reason}").format(home=home, reason=err.strerror)
        ) from err
    if server_url is not None:
        return App(settings=settings, engine=_open_server(server_url))
    engine = create_sqlite_engine(settings.database_path)
    try:
        migrate.upgrade(engine, settings.database_path, settings.backup_dir)
    except sqlite3.Error as err:  # read without the engine (storage/migrate.py: stored_revision)
        engine.dispose()
        raise (sqlite_fault(err, settings.database_path) or err) from err
    except BaseException:
        engine.dispose()
        raise
    return App(settings=settings, engine=engine)


def hub_database_url(home: Path) -> str | None:
    """A hub's server database (hub.json, written by `radio hub init --db`), or None: SQLite."""
    import json

    path = StationHome(home).hub_config
    if not path.exists():
        return None
    url = json.loads(path.read_text(encoding="utf-8")).get("database")
    return url or None


def _open_server(url: str) -> Engine:
    """Connect to a hub's PostgreSQL and bring its schema to the newest revision."""
    from sqlalchemy.exc import OperationalError

    engine = create_url_engine(url)
    try:
        migrate.upgrade_server(engine)
    except OperationalError as err:
        engine.dispose()
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        raise StorageError(_("cannot reach the hub's database: {reason}").format(reason=reason)) from err
    except BaseException:
        engine.dispose()
        raise
    return engine
