"""The demo behind `make run` (see scripts/demo).

Stopped by Ctrl-C or by SIGTERM (`timeout 60 make run`, a closed terminal's kill) it ends
the same way: the daemon stopped, the demo's sound server stopped, the as-run printed. Run
again the same day it reuses the session: what is already queued is not queued twice.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

RADIO = [str(Path(".venv/bin/radio").resolve())]
SLOT = "Bản tin thử"


def run(*args: str, quiet: bool = False) -> subprocess.CompletedProcess:
    print("$ radio " + " ".join(f"'{a}'" if " " in a else a for a in args), flush=True)
    done = subprocess.run(RADIO + list(args), text=True, capture_output=quiet)
    if done.returncode != 0:
        sys.exit(done.returncode)
    return done


def has_sound_card() -> bool:
    cards = Path("/proc/asound/cards")
    return bool(os.environ.get("PULSE_SERVER")) or (
        cards.exists() and any(line[:3].strip().isdigit() for line in cards.read_text().splitlines())
    )


_stopping = False


def _as_interrupt(signum, frame) -> None:
    """SIGTERM ends the demo like Ctrl-C, once: the signal often comes twice (`timeout` sends
    it to the whole process group and make passes it on to its child), and a second one must
    not cut the clean-up short."""
    global _stopping
    if not _stopping:
        _stopping = True
        raise KeyboardInterrupt


def queue_once(ids: list[str], day: str) -> None:
    """Queue into today's demo session only what it does not hold yet (a second run the
    same day must not air the samples twice)."""
    queued = json.loads(run("queue", "list", "--date", day, "--json", quiet=True).stdout)
    held = {str(e["item_id"]) for e in queued if e.get("slot") == SLOT}
    missing = [i for i in ids if i not in held]
    if missing:
        run("queue", "add", *missing, "--slot", SLOT, "--date", day)
    else:
        print(f"Already queued in '{SLOT}' for {day}: not queued again.", flush=True)


def stop_daemon(daemon: subprocess.Popen) -> None:
    """The daemon stopped (it may have had the signal too: the whole process group gets
    Ctrl-C, and `timeout` sends SIGTERM to its group), at most 15 s, then killed."""
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(15)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()


def main() -> None:
    signal.signal(signal.SIGTERM, _as_interrupt)
    signal.signal(signal.SIGINT, _as_interrupt)
    parser = argparse.ArgumentParser(description="The demo station behind `make run`.")
    parser.add_argument("--lead", type=int, default=60, help="seconds from now to the session's start (default 60)")
    args = parser.parse_args()
    try:
        start = prepare(max(args.lead, 5))
    except KeyboardInterrupt:
        print("Stopped before the demo session was set up.", flush=True)
        if Path(os.environ["RADIO_HOME"]).is_dir():  # what aired before, if anything
            subprocess.run(RADIO + ["log"])
        sys.exit(130)
    air(start)


def prepare(lead_s: int) -> datetime:
    """The station, the samples imported and approved, the session *lead_s* from now."""
    run("init", "--name", "Đài truyền thanh xã Đồng Tâm", "--commune", "Xã Đồng Tâm")
    samples = tomllib.loads(Path("media/samples.toml").read_text(encoding="utf-8"))["sample"]
    ids = []
    for s in samples:
        args = ["library", "add", f"media/{s['file']}", "--topic", s["topic"], "--title", s["title"],
                "--source", s["source"], "--priority", s.get("priority", "normal"), "--json"]
        out = run(*args, quiet=True).stdout
        ids += [str(e["id"]) for e in json.loads(out)]
    run("library", "approve", *ids, "--by", "Nguyễn Văn An, Chủ tịch UBND xã")
    run("library", "list")

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    start = (datetime.now(zone) + timedelta(seconds=lead_s)).replace(microsecond=0)
    slots = json.loads(run("slot", "list", "--json", quiet=True).stdout)
    verb = "edit" if any(s["name"] == SLOT for s in slots) else "add"
    run("slot", verb, SLOT, "--at", start.strftime("%H:%M:%S"), "--max-minutes", "15")
    queue_once(ids, start.date().isoformat())
    run("queue", "list", "--date", start.date().isoformat())
    return start


def air(start: datetime) -> None:
    """The daemon in the foreground until Ctrl-C or SIGTERM; then everything it started is
    stopped and the as-run printed."""
    server = None
    env = dict(os.environ)
    if not has_sound_card():
        print("Không thấy card âm thanh trên máy này (no sound card found): starting the test sound "
              "server (PulseAudio with a null sink) so that the demo still runs.", flush=True)
        sys.path.insert(0, ".")
        from radio.audio.testserver import SoundServer

        server = SoundServer(Path(tempfile.mkdtemp(prefix="radio-demo-pulse-")))
    daemon = None
    try:
        if server is not None:
            server.start()
            env.update(server.env)
        print(f"The daemon airs '{SLOT}' at {start.strftime('%H:%M:%S')}; Ctrl-C stops it. "
              f"In another terminal: RADIO_HOME={os.environ['RADIO_HOME']} .venv/bin/radio status", flush=True)
        daemon = subprocess.Popen(RADIO + ["daemon"], env=env)
        daemon.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if daemon is not None:
            stop_daemon(daemon)
        if server is not None:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)
    run("log")


if __name__ == "__main__":
    main()
