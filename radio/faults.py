"""The two faults of the station's disk the operator must hear about in one line: a full
disk, and a damaged database file (a power cut on a cheap disk, a half-copied file).

Both are detected where they happen (the media store, the transcode cache, SQLite's
errors through the engine, the database header when the station is opened) and become
a RadioError naming the file and what to do, instead of a traceback.

This module is the bottom half, below every layer that touches the disk (storage, media,
export, the daemon): the full disk, free space, and whether a database file's header is
whole. What a damaged database means for the station — naming its newest backup — is
``radio/storage/damage.py``, next to the backups it names.
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

from radio.errors import DiskFullError
from radio.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
NEARLY_FULL = 1 << 20  # below this much free space, an I/O error of SQLite is the full disk
_ENOSPC = {errno.ENOSPC, errno.EDQUOT}


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def free_bytes(path: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the filesystem holding *path*."""
    path = Path(path)
    for candidate in (path, *path.parents):
        try:
            st = os.statvfs(candidate)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize
    return None


def is_enospc(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in _ENOSPC


def disk_full(path: Path | str, doing: str | None = None) -> DiskFullError:
    """The one line for a full disk: where, how much is free, what to do."""
    free = free_bytes(Path(path))
    line = _("no space left on the disk holding {path} ({free} free); free some space "
             "(old files, the USB cache in cache/usb) and try again").format(
        path=path, free=human_bytes(free) if free is not None else "?")  # fmt: skip
    if doing:
        line = f"{doing}: {line}"
    return DiskFullError(line, str(path))


def header_problem(db_path: Path) -> str | None:
    """Why the database file is certainly damaged, from its 100-byte header and its size
    (microseconds: done at every open); None when it looks whole."""
    try:
        size = db_path.stat().st_size
        with db_path.open("rb") as f:
            header = f.read(100)
    except OSError as err:
        return err.strerror or str(err)
    if size == 0:
        return _("the file is empty")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return _("it is not an SQLite database")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    wal = db_path.with_name(db_path.name + "-wal")
    wal_holds_pages = wal.exists() and wal.stat().st_size > 32
    if pages and valid_for == change_counter and not wal_holds_pages and size < pages * page_size:
        return _("the file is cut short: {size} of {expected} bytes").format(size=size, expected=pages * page_size)
    return None
