"""`make run`'s demo (scripts/demo) as a person runs it: real processes, its own PulseAudio
when the machine has no sound card. Stopped by SIGTERM (as `timeout 60 make run` does, to
the whole process group, or to the demo alone) it prints the as-run and leaves no process
behind; run twice the same day it queues the samples once; the daemon's lines are in the
station's time and, under vi_VN, in Vietnamese. The journal's lines stay as they were."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parent.parent
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLES = tomllib.loads((REPO / "media" / "samples.toml").read_text("utf-8"))["sample"]
pytestmark = pytest.mark.slow


def demo_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No sound server of the test session (PULSE_*): the demo decides for itself, as on a
    fresh machine. Its temporary files (the sound server's directory) under *tmp_path*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "LANGUAGE", "LC_", "RADIO_"))}
    return {**env, "RADIO_DEMO_HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path), "LANG": "vi_VN.UTF-8",
            **extra}  # fmt: skip


def processes_of(tmp_path: Path) -> list[str]:
    """Processes that belong to this test's demo: started from its files or with its home."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(tmp_path) in cmdline or f"RADIO_DEMO_HOME={tmp_path}" in environ:
            found.append(f"{proc.name}: {cmdline}")
    return found


def run_demo_until_on_air(tmp_path: Path, out: Path, stop) -> str:
    """The demo until its daemon says an item is on air, then *stop(proc)*; its whole output."""
    with out.open("w") as sink:
        proc = subprocess.Popen([str(REPO / "scripts" / "demo"), "--lead", "8"], stdout=sink,
                                stderr=subprocess.STDOUT, env=demo_env(tmp_path), start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 120
        while "đang phát: " not in out.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, out.read_text()
        assert "đang phát: " in out.read_text(), out.read_text()
        stop(proc)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("the demo did not stop on SIGTERM: " + out.read_text()) from None
    return out.read_text()


def check_stopped_cleanly(text: str, tmp_path: Path) -> None:
    # the as-run printed after the daemon stopped, with the item that was on air
    assert "dịch vụ phát sóng đã dừng" in text, text
    after = text.split("$ radio log", 1)
    assert len(after) == 2, text
    assert re.search(r"\d\d/\d\d/\d{4}\s+\d\d:\d\d:\d\d\.\d{3}\s+\d\d:\d\d:\d\d\.\d{3}\s+Bản tin thử", after[1]), text
    assert "bị ngắt" in after[1], text  # the item cut by the stop
    # nothing left running: no sound server, no pacat clock, no daemon
    for _ in range(50):
        left = processes_of(tmp_path)
        if not left:
            break
        time.sleep(0.1)
    assert left == [], left
    assert not list(tmp_path.glob("radio-demo-pulse-*")), "the sound server's directory was left"


def check_console_lines(text: str) -> None:
    """The daemon's lines in the station's time and, under vi_VN, Vietnamese."""
    lines = [line for line in text.splitlines() if re.match(r"\d\d:\d\d:\d\d ", line)]
    titles = "|".join(re.escape(s["title"]) for s in SAMPLES)
    on_air = [line for line in lines if re.fullmatch(rf"\d\d:\d\d:\d\d đang phát: ({titles}) \(#\d+\)", line)]
    assert on_air, lines
    assert any(re.fullmatch(r"\d\d:\d\d:\d\d bắt đầu buổi phát Bản tin thử: \d+ bản tin", line) for line in lines)
    assert any(line.endswith(" dịch vụ phát sóng đã dừng") for line in lines), lines
    # no raw logging: no level names, logger names, ISO times, times with a UTC offset
    assert not re.search(r"INFO|WARNING|radio\.daemon|\d{4}-\d\d-\d\dT|\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d|,\d{3} ",
                         "\n".join(lines)), lines  # fmt: skip
    # the station's time of day (UTC+7), not the PC's zone: within minutes of the station's clock
    logged = datetime.strptime(on_air[0][:8], "%H:%M:%S")
    now = datetime.now(VN)
    gap = abs((now.replace(tzinfo=None) - datetime.combine(now.date(), logged.time())).total_seconds())
    assert min(gap, 86400 - gap) < 600, (on_air[0], now)


def test_sigterm_stops_like_ctrl_c_and_a_second_run_does_not_queue_twice(tmp_path):
    """One demo home, run twice (each run sets up a station and airs: about 40 s): the first
    stopped as `timeout` does (the whole process group), the second by a SIGTERM to the demo
    alone; the daemon's lines read on the first."""
    first = run_demo_until_on_air(tmp_path, tmp_path / "first.txt", lambda p: os.killpg(p.pid, signal.SIGTERM))
    check_stopped_cleanly(first, tmp_path)
    check_console_lines(first)

    second = run_demo_until_on_air(tmp_path, tmp_path / "second.txt", lambda p: p.send_signal(signal.SIGTERM))
    check_stopped_cleanly(second, tmp_path)
    assert "Already queued in 'Bản tin thử'" in second and "$ radio queue add" not in second, second

    day = re.search(r"--date (\d{4}-\d\d-\d\d)", second)[1]
    listed = subprocess.run([str(REPO / ".venv" / "bin" / "radio"), "--home", str(tmp_path / "home"), "queue", "list",
                             "--date", day, "--json"], capture_output=True, text=True, timeout=60)  # fmt: skip
    queued = [e["item_id"] for e in json.loads(listed.stdout) if e["slot"] == "Bản tin thử"]
    assert sorted(queued) == sorted(set(queued)) and len(queued) == len(SAMPLES), queued


def test_under_systemd_the_lines_stay_for_the_journal(tmp_path, radio_bin):
    home = tmp_path / "home"
    env = demo_env(tmp_path, INVOCATION_ID="0123456789abcdef")
    assert subprocess.run([radio_bin, "--home", str(home), "init"], env=env, capture_output=True).returncode == 0
    (home / "radio.toml").write_text('[playout]\ndevice = "none"\n', encoding="utf-8")  # no sound card needed
    proc = subprocess.Popen([radio_bin, "--home", str(home), "daemon"], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "daemon started" in line or not line:
            break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    text = "".join(lines) + rest
    assert re.search(r"^INFO radio\.daemon: daemon started for .+$", text, re.M), text
    assert "INFO radio.daemon: daemon stopped" in text, text
    assert "đang phát" not in text and "dịch vụ" not in text
