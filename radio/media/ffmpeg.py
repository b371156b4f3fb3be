"""Finding and running ffmpeg, the one decoder for every format."""

from __future__ import annotations

import shutil

from radio.errors import RadioError
from radio.i18n import _


def ffmpeg_binary() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise RadioError(_("ffmpeg is not installed (Debian/Ubuntu: sudo apt-get install ffmpeg)"))
    return path
