"""Free space and cluster size of the filesystem a package goes to.

A kernel-mounted stick answers statvfs. Some FUSE FAT drivers (fusefat) answer zeros;
for those the FAT32 image or device behind the mount is found and its free clusters
counted from the FAT itself, read-only.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FreeSpace:
    free: int | None  # bytes available; None when nothing says
    cluster: int  # allocation unit, bytes
    fat: bool  # a FAT filesystem (4 GiB file limit)


def _mount_of(path: Path) -> tuple[str, str, str]:
    """(mount point, filesystem type, source) of the mount holding *path*."""
    path = path.resolve()
    best = ("/", "", "")
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return best
    for line in lines:
        left, _sep, right = line.partition(" - ")
        fields = left.split()
        if len(fields) < 5:
            continue
        point = fields[4].replace("\\040", " ")
        fstype, source = (right.split() + ["", ""])[:2]
        if (path == Path(point) or Path(point) in path.parents) and len(point) >= len(best[0]):
            best = (point, fstype, source)
    return best


def _fusefat_backing(mount_point: str) -> Path | None:
    """The image or device a running fusefat serves at *mount_point* (fusefat [opts] IMG DIR)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        argv = [a.decode(errors="replace") for a in argv if a]
        if len(argv) < 3 or os.path.basename(argv[0]) != "fusefat":
            continue
        cwd = proc / "cwd"
        try:
            base = Path(os.readlink(cwd))
        except OSError:
            base = Path("/")
        positional = [a for i, a in enumerate(argv[1:], 1) if not a.startswith("-") and argv[i - 1] != "-o"]
        if len(positional) >= 2 and (base / positional[-1]).resolve() == Path(mount_point):
            return (base / positional[-2]).resolve()
    return None


def fat32_free(image: Path) -> tuple[int, int] | None:
    """(free bytes, cluster bytes) of the FAT32 filesystem in *image*, counted from its FAT."""
    try:
        with image.open("rb") as f:
            boot = f.read(512)
            if len(boot) < 512 or boot[82:90] != b"FAT32   ":
                return None
            bytes_per_sector, sectors_per_cluster, reserved, fats = struct.unpack_from("<HBHB", boot, 11)
            total_sectors = struct.unpack_from("<I", boot, 32)[0] or struct.unpack_from("<H", boot, 19)[0]
            fat_sectors = struct.unpack_from("<I", boot, 36)[0]
            cluster = bytes_per_sector * sectors_per_cluster
            data_sectors = total_sectors - reserved - fats * fat_sectors
            clusters = data_sectors // sectors_per_cluster
            f.seek(reserved * bytes_per_sector)
            table = f.read((clusters + 2) * 4)
    except OSError:
        return None
    free = sum(1 for (entry,) in struct.iter_unpack("<I", table[8 : (clusters + 2) * 4]) if entry & 0x0FFFFFFF == 0)
    return free * cluster, cluster


def free_space(dest: Path) -> FreeSpace:
    """What the filesystem holding *dest* (or its nearest existing parent) can take."""
    probe = dest
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    point, fstype, _source = _mount_of(probe)
    fat = fstype in ("vfat", "msdos", "exfat", "fuse.fusefat", "fuseblk") or "fat" in fstype
    st = os.statvfs(probe)
    if st.f_blocks:
        return FreeSpace(st.f_bavail * st.f_frsize, st.f_frsize or st.f_bsize or 4096, fat)
    if fstype == "fuse.fusefat" and (backing := _fusefat_backing(point)):
        if counted := fat32_free(backing):
            return FreeSpace(counted[0], counted[1], True)
    return FreeSpace(None, st.f_bsize or 4096, fat)
