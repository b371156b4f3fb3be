"""Writing a report file: to a temporary file beside it, then renamed into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _


def write_file(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole or not at all (a half-written report is never left)."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(f.fileno(), 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise RadioError(
            _("cannot write the report to {path}: {reason}").format(path=path, reason=err.strerror or err)
        ) from err
