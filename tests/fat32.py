"""pytest plugin: a real FAT32 filesystem image, mounted through FUSE (fusefat), and read back
with mtools — independently of radio's code — to see the directory order a player sees."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

TOOLS = ("mkfs.vfat", "fusefat", "fusermount", "mdir")


class Fat32:
    def __init__(self, image: Path, mount: Path) -> None:
        self.image = image
        self.mount = mount
        self.mounted = False

    def attach(self) -> Path:
        self.mount.mkdir(exist_ok=True)
        subprocess.run(["fusefat", "-o", "rw+", str(self.image), str(self.mount)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for _ in range(50):
            if self.mount.is_mount():
                break
            time.sleep(0.05)
        self.mounted = True
        return self.mount

    def detach(self) -> None:
        if self.mounted:
            for _ in range(50):
                if subprocess.run(["fusermount", "-u", str(self.mount)], capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            self.mounted = False

    def order(self, folder: str) -> list[str]:
        """Entries of *folder* in on-disk directory order, read by mtools from the unmounted image."""
        self.detach()
        out = subprocess.run(
            ["mdir", "-b", "-i", str(self.image), f"::/{folder}"], capture_output=True, text=True, check=True
        ).stdout
        return [line.rstrip("/").rsplit("/", 1)[-1] for line in out.splitlines() if line.strip()]


@pytest.fixture
def fat32(tmp_path):
    """A factory: fat32(size_mb) -> a mounted Fat32 (unmounted at the end of the test)."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing or not Path("/dev/fuse").exists():
        pytest.skip(f"FAT32 tests need {', '.join(missing) or '/dev/fuse'} (scripts/ensure-system-deps)")
    made: list[Fat32] = []

    def make(size_mb: int = 64, name: str = "stick") -> Fat32:
        image = tmp_path / f"{name}.img"
        with image.open("wb") as f:
            f.truncate(size_mb * 1024 * 1024)
        subprocess.run(["mkfs.vfat", "-F", "32", "-n", "HAMLET", str(image)], check=True, capture_output=True)
        fs = Fat32(image, tmp_path / f"{name}.mnt")
        fs.attach()
        made.append(fs)
        return fs

    yield make
    for fs in made:
        fs.detach()
