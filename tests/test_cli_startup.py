"""`radio --help`, `radio status` and `radio emergency` must answer at once: the CLI loads
its subcommands lazily and leaves the heavy libraries to the commands that use them.
(The wall-time figures are in bench/cli_bench.py; timing does not belong in tests.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "alembic", "numpy", "sounddevice", "openpyxl", "matplotlib", "fpdf", "mutagen", "pydub",
         "apscheduler")  # fmt: skip

PROBE = """
import json, sys
from radio.cli.main import cli
args = json.loads(sys.argv[1])
try:
    cli.main(args, standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)), file=sys.stderr)
"""


def _loaded(args: list[str], env=None) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(args)],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_module():
    done = subprocess.run([sys.executable, "-c", f"import sys, radio.cli.main; print([m for m in {HEAVY} if m in sys.modules])"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["emergency", "--help"], ["library", "--help"],
                                  ["report", "--help"], ["export-usb", "--help"], ["announce", "--help"]])  # fmt: skip
def test_help_loads_no_heavy_module(args):
    assert _loaded(args) == []


def test_status_and_emergency_with_a_daemon_answering_load_no_heavy_module(radio, tmp_path):
    """With a daemon listening on the station's control socket, the CLI asks it: no
    database layer in the CLI process. (A stand-in daemon answers here; the real one is
    exercised by the daemon tests.)"""
    import socket
    import threading

    home = radio.home
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(home / "daemon.sock"))
    server.listen(4)
    asked = []

    def answer():
        for _ in range(2):
            conn, _addr = server.accept()
            with conn, conn.makefile("rwb") as f:
                request = json.loads(f.readline())
                asked.append(request)
                data = {"daemon": {"running": True, "pid": 1}, "on_air": None, "device": {"state": "ok"}, "next": []}
                reply = data if request["cmd"] == "status" else request["ids"]
                f.write(json.dumps({"ok": True, "data": reply}).encode() + b"\n")
                f.flush()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        assert _loaded(["--home", str(home), "status"]) == []
        assert _loaded(["--home", str(home), "emergency", "7"]) == []
    finally:
        server.close()
    assert [r["cmd"] for r in asked] == ["status", "emergency"] and asked[1]["ids"] == [7]
