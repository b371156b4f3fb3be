"""The demo behind `make run` (see scripts/demo)."""

import json
import os
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


def main() -> None:
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
    start = (datetime.now(zone) + timedelta(minutes=1)).replace(microsecond=0)
    slots = json.loads(run("slot", "list", "--json", quiet=True).stdout)
    verb = "edit" if any(s["name"] == SLOT for s in slots) else "add"
    run("slot", verb, SLOT, "--at", start.strftime("%H:%M:%S"), "--max-minutes", "15")
    run("queue", "add", *ids, "--slot", SLOT, "--date", start.date().isoformat())
    run("queue", "list", "--date", start.date().isoformat())

    server = None
    env = dict(os.environ)
    if not has_sound_card():
        print("Không thấy card âm thanh trên máy này (no sound card found): starting the test sound "
              "server (PulseAudio with a null sink) so that the demo still runs.", flush=True)
        sys.path.insert(0, ".")
        from radio.audio.testserver import SoundServer

        server = SoundServer(Path(tempfile.mkdtemp(prefix="radio-demo-pulse-")))
        server.start()
        env.update(server.env)
    print(f"The daemon airs '{SLOT}' at {start.strftime('%H:%M:%S')}; Ctrl-C stops it. "
          f"In another terminal: RADIO_HOME={os.environ['RADIO_HOME']} .venv/bin/radio status", flush=True)
    try:
        daemon = subprocess.Popen(RADIO + ["daemon"], env=env)
        try:
            daemon.wait()
        except KeyboardInterrupt:
            daemon.wait()
    finally:
        if server is not None:
            server.stop()
    run("log")


if __name__ == "__main__":
    main()
