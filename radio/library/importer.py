"""Importing audio files into the library.

For each file: receive it into the media store while hashing (one read of the source),
report it as the existing item if that content is known, else decode it to the end
while measuring loudness (ffmpeg, streaming), read its tags (mutagen), keep it under its
content address and record it. Files are analysed in parallel, one ffmpeg per core;
a bad file is rejected with its reason and never stops the others.

The station's limits (ImportLimits) keep imports from hurting playout: a file whose header
says it is longer than the cap is refused before any decoding, the decoding stops at the
cap anyway, runs in the background, is timed out, and no more files than the station's
analysis slots are decoded at once, whoever imports them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from radio.domain.library import (
    AUDIO_SUFFIXES, MAX_TITLE_LENGTH, Item, ItemStatus, Priority, check_source, check_title, check_validity_window,
)  # fmt: skip
from radio.domain.units import Dbtp, ItemId, Lufs, Seconds
from radio.errors import MediaError
from radio.i18n import _
from radio.library.slots import AnalysisSlots
from radio.media.analyze import Analysis, analyze, too_long
from radio.media.probe import Probe, probe
from radio.media.store import Incoming, MediaStore
from radio.storage.library_repo import LibraryRepository
from radio.text import nfc



@dataclass(frozen=True)
class ImportOptions:
    topic: str
    language: str = "vi"
    title: str | None = None
    source: str | None = None
    priority: Priority = Priority.NORMAL
    valid_from: date | None = None
    valid_until: date | None = None
    notice_text: str | None = None  # the typed notice a spoken file was made from


@dataclass(frozen=True)
class ImportLimits:
    """What one analysis may take (from [library] in radio.toml; app.importer() builds them)."""

    max_duration_s: float | None = 180 * 60.0
    timeout_s: float | None = 15 * 60.0
    slots: AnalysisSlots | None = None  # None: no limit beyond the importer's own workers


@dataclass(frozen=True)
class ImportResult:
    path: str
    item: Item | None = None
    duplicate: bool = False
    error: str | None = None


@dataclass(frozen=True)
class _Prepared:
    incoming: Incoming
    analysis: Analysis
    probe: Probe


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def collect_files(paths: Iterable[Path], exclude: Path | None = None) -> tuple[list[Path], list[Path]]:
    """The files to import, and the ones skipped as not audio by name.

    A file named on the command line is always tried. Folders are walked recursively in
    name order; hidden entries (.Trash-*, ._* from macOS) and files without an audio
    extension are skipped, and so is *exclude* (the station home, should it lie inside).
    """
    excluded = exclude.resolve() if exclude else None
    chosen: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                if excluded and Path(root).resolve() == excluded:
                    dirs[:] = []
                    continue
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if _is_hidden(candidate):
                        continue
                    (chosen if candidate.suffix.lower() in AUDIO_SUFFIXES else skipped).append(candidate)
        else:
            chosen.append(path)
    return list(dict.fromkeys(chosen)), skipped


def title_from_file_name(path: Path) -> str:
    """'chinh_sach-ho tro.mp3' -> 'chinh sach-ho tro'; NFC (file names from macOS are NFD)."""
    stem = nfc(path.stem)
    stem = re.sub(r"^\d{1,3}[\s._-]+", "", stem)  # a track-number prefix such as 01_
    return re.sub(r"[_\s]+", " ", stem).strip() or stem


def _found_title(title: str) -> str:
    """A title read from tags or a file name: nobody typed it, so a long one is cut, not refused."""
    return nfc(title)[:MAX_TITLE_LENGTH]


class Importer:
    def __init__(
        self, repo: LibraryRepository, store: MediaStore, workers: int | None = None, limits: ImportLimits | None = None
    ) -> None:
        self.repo = repo
        self.store = store
        self.workers = workers or os.cpu_count() or 1
        self.limits = limits or ImportLimits()

    def _analyze(self, incoming: Incoming, name: str) -> tuple[Analysis, Probe]:
        """The tags first (cheap: a header read), so a file declaring too long a duration is
        refused without decoding; then the decoding pass, inside one of the station's slots."""
        limits = self.limits
        tags = probe(incoming.path)
        if limits.max_duration_s and (tags.declared_duration_s or 0) > limits.max_duration_s:
            raise too_long(name, limits.max_duration_s)
        with limits.slots.hold() if limits.slots else nullcontext():
            return analyze(incoming.path, name, limits.max_duration_s, limits.timeout_s), tags

    def _prepare(self, path: Path, name: str) -> _Prepared | ImportResult:
        """Runs in a worker thread: everything that reads files or runs ffmpeg."""
        try:
            if not path.exists():
                return ImportResult(name, error=_("no such file"))
            if not path.is_file():
                return ImportResult(name, error=_("not a regular file"))
            if path.stat().st_size == 0:
                return ImportResult(name, error=_("empty file"))
            incoming = self.store.receive(path)
        except OSError as err:
            return ImportResult(name, error=_("cannot be read: {reason}").format(reason=err.strerror or err))
        existing = self.repo.find_by_sha256(incoming.sha256)
        if existing:
            self.store.drop(incoming)
            return ImportResult(name, item=existing, duplicate=True)
        try:
            analysis, tags = self._analyze(incoming, name)
        except MediaError as err:
            self.store.drop(incoming)
            return ImportResult(name, error=err.reason)
        return _Prepared(incoming, analysis, tags)

    def _record(self, path: Path, name: str, prepared: _Prepared, options: ImportOptions) -> ImportResult:
        """Runs in the calling thread: the database write."""
        existing = self.repo.find_by_sha256(prepared.incoming.sha256)
        if existing:  # the same content appeared twice in this import
            self.store.drop(prepared.incoming)
            return ImportResult(name, item=existing, duplicate=True)
        relpath = self.store.keep(prepared.incoming)
        try:
            return ImportResult(name, item=self.repo.add(self._item(path, prepared, options, relpath)))
        except BaseException:  # e.g. the disk filled: no media file without its item
            self.store.discard(relpath)
            raise

    @staticmethod
    def _item(path: Path, prepared: _Prepared, options: ImportOptions, relpath: str) -> Item:
        a, p = prepared.analysis, prepared.probe
        return Item(
            id=ItemId(0),
            sha256=prepared.incoming.sha256,
            title=nfc(options.title) if options.title else _found_title(p.title or title_from_file_name(path)),
            topic=options.topic,
            language=options.language,
            source=options.source,
            priority=options.priority,
            status=ItemStatus.DRAFT,
            duration_s=Seconds(round(a.duration_s, 3)),
            loudness_lufs=None if a.loudness_lufs is None else Lufs(a.loudness_lufs),
            true_peak_dbtp=None if a.true_peak_dbtp is None else Dbtp(a.true_peak_dbtp),
            sample_rate=a.sample_rate or p.sample_rate,
            channels=a.channels or p.channels,
            codec=a.codec or p.codec,
            media_path=relpath,
            original_name=nfc(path.name),
            added_at=datetime.now(timezone.utc),
            valid_from=options.valid_from,
            valid_until=options.valid_until,
            notice_text=options.notice_text,
        )

    def run(
        self, files: list[Path], options: ImportOptions, progress: Callable[[Iterator], Iterator] | None = None
    ) -> list[ImportResult]:
        """Import *files* in order; results come back in the same order."""
        check_validity_window(options.valid_from, options.valid_until)
        if options.title:
            check_title(nfc(options.title))
        check_source(nfc(options.source or ""))
        pool = ThreadPoolExecutor(max_workers=self.workers)
        names = [nfc(str(f)) for f in files]
        futures = [pool.submit(self._prepare, f, n) for f, n in zip(files, names)]
        taken: set = set()

        def take(future):
            taken.add(future)
            return future.result()

        try:
            ordered = zip(files, names, (take(fut) for fut in futures))
            results = []
            for path, name, prepared in progress(ordered) if progress else ordered:
                if isinstance(prepared, _Prepared):
                    prepared = self._record(path, name, prepared, options)
                results.append(prepared)
            return results
        finally:
            # Stopped early (a full disk, Ctrl-C): files received but never recorded go away.
            pool.shutdown(wait=True, cancel_futures=True)
            for future in futures:
                if future in taken or future.cancelled() or future.exception() is not None:
                    continue
                if isinstance(leftover := future.result(), _Prepared):
                    self.store.drop(leftover.incoming)
