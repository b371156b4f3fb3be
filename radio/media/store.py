"""The content-addressed media store: every imported file is copied here under its sha256.

The source (often a USB stick) may be removed after import. The same content is stored
once, whatever its name. A file is first received (copied to a temporary name while it
is hashed, and flushed to disk), then either kept (renamed to its content address) or
dropped: a power cut never leaves a half file under a real name, and rejected or
duplicate files leave nothing behind. A full disk stops the import with one line
(DiskFullError) and leaves nothing behind either.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from radio.domain.library import AUDIO_SUFFIXES

CHUNK = 1 << 20


@dataclass(frozen=True)
class Incoming:
    """A received copy, not yet in the store."""

    path: Path
    sha256: str
    size: int
    suffix: str


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming_dir = root / ".incoming"

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def receive(self, source: Path) -> Incoming:
        """Copy *source* here while hashing it. Raises OSError if it cannot be read, and
        DiskFullError if the store's disk is full."""
        # The store keeps no foreign suffix: "bulletin.html" is stored without one. The
        # console never serves a type from a name, but nothing should look like a page here.
        suffix = source.suffix.lower() if source.suffix.lower() in AUDIO_SUFFIXES else ""
        digest = hashlib.sha256()
        size = 0
        try:
            self.incoming_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.incoming_dir, suffix=suffix)
        except OSError as err:
            raise self._full(err, source) from err
        tmp = Path(tmp_name)
        try:
            with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise self._full(err, source) from err
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Incoming(tmp, digest.hexdigest(), size, suffix)

    def _full(self, err: OSError, source: Path) -> Exception:
        from radio.i18n import _
        from radio.faults import disk_full, is_enospc

        if is_enospc(err):
            return disk_full(self.root, _("cannot import {name}").format(name=source))
        return err

    def keep(self, incoming: Incoming) -> str:
        """Move a received file to its content address; returns its path relative to the store."""
        relpath = f"{incoming.sha256[:2]}/{incoming.sha256}{incoming.suffix}"
        final = self.root / relpath
        try:
            final.parent.mkdir(exist_ok=True)
            os.replace(incoming.path, final)
        except OSError as err:
            self.drop(incoming)
            raise self._full(err, incoming.path) from err
        return relpath

    def discard(self, relpath: str) -> None:
        """Remove a file just kept whose item could not be recorded (no item refers to it)."""
        (self.root / relpath).unlink(missing_ok=True)

    def drop(self, incoming: Incoming) -> None:
        incoming.path.unlink(missing_ok=True)
