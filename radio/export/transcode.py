"""The transcode cache: each item encoded once per profile, then copied to every stick.

Cached files are bare MP3 frames (no tags): tags differ per package (track number), so
the writer puts an ID3v2.3 tag in front when it copies. The cache key holds everything
that changes the audio: the source's sha256, the profile and the loudness gain. A file
is encoded under a temporary name and renamed into place, so a power cut never leaves a
half file under a real name.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from radio.domain.library import Item, loudness_gain
from radio.domain.usb import Profile
from radio.errors import MediaError
from radio.i18n import _
from radio.media.analyze import _last_error_line
from radio.media.ffmpeg import ffmpeg_binary, in_background
from radio.faults import NEARLY_FULL, disk_full, free_bytes, is_enospc


@dataclass(frozen=True)
class Encoded:
    item_id: int
    path: Path
    bytes: int


@dataclass(frozen=True)
class Loudness:
    target_lufs: float
    peak_max_dbtp: float


class TranscodeCache:
    def __init__(self, root: Path, source_path: Callable[[Item], Path], loudness: Loudness) -> None:
        self.root = root
        self._source_path = source_path
        self._loudness = loudness

    def gain(self, item: Item) -> float:
        return loudness_gain(
            item.loudness_lufs, item.true_peak_dbtp, self._loudness.target_lufs, self._loudness.peak_max_dbtp
        )

    def path(self, item: Item, profile: Profile) -> Path:
        return self.root / profile.key / f"{item.sha256}_{self.gain(item):+.2f}dB.mp3"

    def cached(self, item: Item, profile: Profile) -> Encoded | None:
        path = self.path(item, profile)
        try:
            return Encoded(item.id, path, path.stat().st_size)
        except FileNotFoundError:
            return None

    def command(self, item: Item, profile: Profile, out: Path) -> list[str]:
        """In the background (nice 19, idle I/O): an export never takes CPU from playout."""
        return in_background([
            ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y",
            "-i", str(self._source_path(item)), "-map", "0:a:0", "-vn", "-sn", "-dn",
            "-map_metadata", "-1", "-af", f"volume={self.gain(item):.2f}dB",
            "-ar", str(profile.sample_rate), "-ac", str(profile.channels),
            "-c:a", "libmp3lame", "-b:a", f"{profile.bitrate_kbps}k", "-threads", "1",
            "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(out),
        ])  # fmt: skip

    def encode(self, item: Item, profile: Profile) -> Encoded:
        """Encode *item* into the cache (if not there yet). Raises MediaError with ffmpeg's reason."""
        if found := self.cached(item, profile):
            return found
        final = self.path(item, profile)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=final.parent, suffix=".part")
            os.close(fd)
        except OSError as err:
            if is_enospc(err):
                raise disk_full(self.root, _("cannot transcode #{id} for USB").format(id=item.id)) from err
            raise
        tmp = Path(tmp_name)
        try:
            proc = subprocess.run(self.command(item, profile, tmp), capture_output=True, text=True, errors="replace")
            if proc.returncode != 0 and _out_of_space(proc.stderr, final.parent):
                raise disk_full(self.root, _("cannot transcode #{id} for USB").format(id=item.id))
            if proc.returncode != 0 or tmp.stat().st_size == 0:
                raise MediaError(
                    f"#{item.id} {item.title}",
                    _("cannot be transcoded for USB ({reason})").format(reason=_last_error_line(proc.stderr, tmp)),
                )
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return Encoded(item.id, final, final.stat().st_size)

    def encode_all(
        self, items: Sequence[Item], profile: Profile, workers: int,
        progress: Callable[[Encoded], None] | None = None,
    ) -> dict[int, Encoded]:  # fmt: skip
        """Every item encoded (cached ones reused), *workers* ffmpeg processes at once."""
        done: dict[int, Encoded] = {}
        todo: list[Item] = []
        for item in dict((i.id, i) for i in items).values():
            if found := self.cached(item, profile):
                done[item.id] = found
                if progress:
                    progress(found)
            else:
                todo.append(item)
        if not todo:
            return done
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(self.encode, item, profile) for item in todo]
            try:
                for future in as_completed(futures):
                    encoded = future.result()
                    done[encoded.item_id] = encoded
                    if progress:
                        progress(encoded)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return done


def _out_of_space(stderr: str, folder: Path) -> bool:
    """ffmpeg failed because the cache's disk is full (it says so, or hardly a byte is free)."""
    free = free_bytes(folder)
    return "No space left on device" in stderr or (free is not None and free < NEARLY_FULL)


def default_workers(configured: int) -> int:
    return configured or os.cpu_count() or 1
