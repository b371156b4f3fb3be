"""Real processes for the network tests: a hub (`radio hub serve` on PostgreSQL) and station
daemons on the steady-clock output (`device = "none"`), each in its own home."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.ports import free_port

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def wait_until(predicate, timeout: float, what: str, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:g} s: {what}")


class Home:
    """One `radio` home driven as a real process."""

    def __init__(self, radio_bin: str, home: Path, env: dict[str, str]) -> None:
        self.bin, self.home, self.env = radio_bin, home, env
        self.proc: subprocess.Popen | None = None
        self.log_path = home.parent / f"{home.name}.log"

    def cli(self, *args, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        done = subprocess.run([self.bin, "--home", str(self.home), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env=self.env)  # fmt: skip
        if check:
            assert done.returncode == 0, f"radio {' '.join(map(str, args))}: {done.stdout}{done.stderr}"
        return done

    def json(self, *args):
        return json.loads(self.cli(*args, "--json").stdout)

    def spawn(self, *args) -> None:
        self.log = self.log_path.open("a")
        self.proc = subprocess.Popen([self.bin, "--home", str(self.home), *args], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=self.env)  # fmt: skip

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc:
            self.log.close()
        self.proc = None


class Hub(Home):
    def __init__(self, radio_bin, home, env, db_url: str | None) -> None:
        super().__init__(radio_bin, home, env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cli("hub", "init", *(["--db", db_url] if db_url else []))

    def serve(self) -> None:
        self.spawn("hub", "serve", "--listen", f"127.0.0.1:{self.port}")

        def up() -> bool:
            try:
                urllib.request.urlopen(self.url + "/v1/stations/x/state", timeout=2)
            except urllib.error.HTTPError as err:
                return err.code == 401
            except OSError:
                return False
            return False

        wait_until(up, 30, "the hub answers")

    def add_station(self, code: str) -> str:
        return self.json("hub", "station", "add", code, "--name", f"Trạm {code}")["token"]

    def station_rows(self, code: str) -> list[dict]:
        today = datetime.now(VN).date()
        return self.json("log", "--station", code, "--from", (today - timedelta(days=1)).isoformat(),
                         "--to", today.isoformat())  # fmt: skip


class Station(Home):
    def __init__(self, radio_bin, home, env, code: str) -> None:
        super().__init__(radio_bin, home, env)
        self.code = code
        self.cli("init", "--name", f"Trạm {code}")
        (home / "radio.toml").write_text('[playout]\ndevice = "none"\n', encoding="utf-8")

    def join(self, hub_url: str, token: str) -> None:
        self.cli("join", hub_url, "--station", self.code, "--token", token)

    def start(self) -> None:
        self.spawn("daemon")
        wait_until(lambda: self.json("status").get("device") is not None, 30, f"{self.code}'s daemon starts")

    def rows(self) -> list[dict]:
        today = datetime.now(VN).date()
        return self.json("log", "--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat())

    def has_sha(self, sha: str) -> bool:
        return any(p.name.startswith(sha) for p in (self.home / "media").rglob("*"))


def at_in(seconds: float) -> str:
    """A one-off instant *seconds* from now, as `queue add --at` takes it (station zone)."""
    return (datetime.now(VN) + timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def env_for(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    return env
