"""Writing one package folder so that the stick is never left looking complete when it is not.

The sequence (each step flushed to the stick before the next):

1. ``manifest.incomplete.json`` (the journal) lists every file this export and the
   previous one wrote, so an interrupted export can be cleaned up by the next one.
2. The previous ``manifest.json`` is removed: from here on the stick visibly holds an
   incomplete package (no manifest), never a mix that looks complete.
3. The previous package's files are removed — only the files its manifest or journal
   lists. If the folder is then empty it is recreated, so the new entries are appended
   in order (FAT reuses the slots of deleted entries, which would scramble the order).
4. The audio files are written one by one in play order, each fsync'ed; then the list
   and the playlist. The directory order is read back.
5. ``manifest.json`` is written last, then the journal removed.

Files are created exclusively (never overwriting) and under their final names: a rename
on FAT moves the entry to another slot and would break the play order.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import ID3, TALB, TIT2, TRCK

from radio.domain.usb import (
    JOURNAL_NAME,
    LIST_NAME,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    PLAYLIST_NAME,
    PackagePlan,
    WrittenFile,
    manifest_files,
)
from radio.errors import RadioError
from radio.i18n import _

CHUNK = 1 << 20


class PackageError(RadioError):
    """A package cannot be written here; the message says which file and why."""


@functools.lru_cache(maxsize=4096)
def id3_tag(title: str, album: str, track: int, total: int) -> bytes:
    """An ID3v2.3 tag (old players do not read v2.4) with the Vietnamese title in UTF-16."""
    tags = ID3()
    tags.add(TIT2(encoding=1, text=title))
    tags.add(TALB(encoding=1, text=album))
    tags.add(TRCK(encoding=1, text=f"{track}/{total}"))
    buffer = io.BytesIO()
    tags.save(buffer, v2_version=3, padding=lambda info: 0)
    return buffer.getvalue()


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Previous:
    """What an earlier export of ours left in a folder."""

    manifest: dict | None
    ours: frozenset[str]  # files we wrote, present or not
    interrupted: bool  # a journal was found

    def present_bytes(self, folder: Path) -> int:
        total = 0
        for name in self.ours:
            try:
                total += (folder / name).stat().st_size
            except OSError:
                pass
        return total


def previous_package(folder: Path) -> Previous:
    """Read the previous manifest and journal. A manifest.json that is not ours stops the export."""
    ours: set[str] = set()
    manifest = None
    manifest_path = folder / MANIFEST_NAME
    if manifest_path.exists():
        manifest = read_json(manifest_path)
        if not manifest or manifest.get("format") != MANIFEST_FORMAT:
            raise PackageError(
                _("{path} was not written by radio; move it away before exporting here").format(path=manifest_path)
            )
        ours.update(manifest_files(manifest))
        ours.add(MANIFEST_NAME)
    journal_path = folder / JOURNAL_NAME
    interrupted = journal_path.exists()
    if interrupted:
        journal = read_json(journal_path)
        if journal and journal.get("format") == MANIFEST_FORMAT:
            ours.update(manifest_files(journal))
        ours.add(JOURNAL_NAME)
    return Previous(manifest, frozenset(ours), interrupted)


def conflicts(folder: Path, plan: PackagePlan, previous: Previous) -> list[str]:
    """Files in the way that are not ours: we never overwrite them."""
    if not folder.is_dir():
        return []
    wanted = [e.file for e in plan.entries] + [LIST_NAME, PLAYLIST_NAME, MANIFEST_NAME, JOURNAL_NAME]
    present = {name.lower(): name for name in os.listdir(folder)}
    ours = {name.lower() for name in previous.ours}
    return [present[w.lower()] for w in wanted if w.lower() in present and w.lower() not in ours]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, parts: list[bytes], source: Path | None = None, progress: Callable[[int], None] | None = None) -> WrittenFile:
    """Create *path* exclusively from *parts* then the bytes of *source*; fsync; hash on the way."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "xb") as out:
        for part in parts:
            out.write(part)
            digest.update(part)
            size += len(part)
        if source is not None:
            buffer = bytearray(CHUNK)
            view = memoryview(buffer)
            with open(source, "rb") as src:
                while n := src.readinto(buffer):
                    chunk = view[:n]
                    out.write(chunk)
                    digest.update(chunk)
                    size += n
                    if progress:
                        progress(n)
        out.flush()
        os.fsync(out.fileno())
    return WrittenFile(path.name, size, digest.hexdigest())


def _write_json(path: Path, data: Mapping) -> WrittenFile:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _write_new(path, [text.encode("utf-8")])


@dataclass(frozen=True)
class Contents:
    """What goes in a package besides the plan: the cached audio and the text files."""

    audio: Mapping[int, Path]  # item id -> cached MP3 frames
    album: str
    list_text: str
    playlist_text: str


def write_package(
    folder: Path, plan: PackagePlan, package_id: str, contents: Contents,
    make_manifest: Callable[[list[WrittenFile], list[WrittenFile]], dict],
    check_order: bool, progress: Callable[[int], None] | None = None,
    file_done: Callable[[str], None] | None = None,
) -> dict:  # fmt: skip
    """Write *plan* into *folder* (see the module docstring); returns the manifest written."""
    previous = previous_package(folder)
    in_the_way = conflicts(folder, plan, previous)
    if in_the_way:
        raise PackageError(
            _("files not written by radio are in the way in {folder}: {names}; move them away").format(
                folder=folder, names=", ".join(in_the_way)
            )
        )
    new_files = [e.file for e in plan.entries] + [LIST_NAME, PLAYLIST_NAME]
    journal = {"format": MANIFEST_FORMAT, "incomplete": True, "package_id": package_id,
               "files": sorted(set(new_files) | (previous.ours - {MANIFEST_NAME, JOURNAL_NAME}))}  # fmt: skip

    def write_journal() -> None:
        (folder / JOURNAL_NAME).unlink(missing_ok=True)
        _write_json(folder / JOURNAL_NAME, journal)
        _fsync_dir(folder)

    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    write_journal()
    manifest_path = folder / MANIFEST_NAME
    if manifest_path.exists():
        manifest_path.unlink()
        _fsync_dir(folder)
    old_files = sorted(previous.ours - {MANIFEST_NAME, JOURNAL_NAME})
    for name in old_files:
        (folder / name).unlink(missing_ok=True)
    if old_files:
        _fsync_dir(folder)
    if not fresh and os.listdir(folder) == [JOURNAL_NAME]:
        # A fresh directory: its entries are appended in the order written.
        (folder / JOURNAL_NAME).unlink()
        folder.rmdir()
        folder.mkdir()
        journal["files"] = new_files
        write_journal()

    total = len(plan.entries)
    audio: list[WrittenFile] = []
    for entry in plan.entries:
        tag = id3_tag(entry.item.title, contents.album, entry.position, total)
        audio.append(_write_new(folder / entry.file, [tag], contents.audio[entry.item.id], progress))
        if file_done:
            file_done(entry.file)
    extra = [
        _write_new(folder / LIST_NAME, ["\ufeff".encode() + contents.list_text.encode("utf-8")]),
        _write_new(folder / PLAYLIST_NAME, [contents.playlist_text.encode("utf-8")]),
    ]
    _fsync_dir(folder)
    if check_order:
        planned = [e.file for e in plan.entries]
        on_disk = [n for n in os.listdir(folder) if n in set(planned)]
        if on_disk != planned:
            raise PackageError(
                _("the files in {folder} did not land in play order (other files share the folder); "
                  "move the files not written by radio out of it and export again").format(folder=folder)
            )  # fmt: skip
    data = make_manifest(audio, extra)
    _write_json(manifest_path, data)
    _fsync_dir(folder)
    (folder / JOURNAL_NAME).unlink()  # a leftover journal next to a manifest is harmless
    return data
