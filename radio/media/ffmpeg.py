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


def in_background(argv: list[str]) -> list[str]:
    """*argv* run at the lowest CPU priority (nice 19) and in the idle I/O class (ionice -c 3).

    For work that may wait — analysing an import, transcoding for USB — so that it takes only
    what playout leaves: the daemon and its audio engine run at normal priority and win every
    contest for the CPU and the disk. `nice` and `ionice` exec the command (the pid stays the
    command's own, so a timeout kills the command itself); without them it runs as it is.
    Prefixing the command is what subprocess offers safely from threads (a preexec_fn is not).
    """
    prefix: list[str] = []
    if nice := shutil.which("nice"):
        prefix += [nice, "-n", "19"]
    if ionice := shutil.which("ionice"):
        prefix += [ionice, "-c", "3", "-t"]  # -t: run anyway where the class cannot be set
    return prefix + argv
