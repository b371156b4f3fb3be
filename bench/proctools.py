"""What the benches measure of processes (from /proc), and the speech-like test programme."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

TICK = os.sysconf("SC_CLK_TCK")
RATE = 48000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of *pid* (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    """Children started by any thread of *pid* (each thread has its own list)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def tree_cpu(pid: int) -> float:
    return cpu_seconds(pid) + sum(tree_cpu(c) for c in children(pid))


def tree_rss_mb(pid: int) -> float:
    """Resident memory of *pid* and its descendants, MB."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024 + sum(tree_rss_mb(c) for c in children(pid))
    return 0.0


def programme(seconds: float, rate: int = RATE) -> np.ndarray:
    """Speech-like test programme: noise bursts shaped by a slow envelope, and pauses."""
    rng = np.random.default_rng(12)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    envelope = np.clip(np.sin(2 * np.pi * 0.7 * t) * 1.5, 0, 1) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    return (rng.uniform(-0.3, 0.3, n) * envelope + 0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
