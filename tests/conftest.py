"""Shared fixtures: a real station home (real SQLite file), real audio files made by ffmpeg,
and the CLI driven through click's runner."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from radio.cli.main import cli

pytest_plugins = ["tests.soundserver", "tests.fat32", "tests.webtools", "tests.xdistgroups"]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    """Tests see English unless they ask for Vietnamese; the machine's locale does not leak in."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


LAVFI_SINE_DBFS_OFFSET = 18.06  # lavfi's sine source peaks at 1/8 full scale


def make_tone(
    path: Path,
    seconds: float = 2.0,
    freq: float = 440.0,
    rate: int = 44100,
    channels: int = 1,
    volume_db: float = -12.0,
    extra: list[str] | None = None,
) -> Path:
    """A sine tone peaking at *volume_db* dBFS, encoded by real ffmpeg (format from the extension)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
        "-i", f"sine=frequency={freq}:sample_rate={rate}:duration={seconds}",
        "-af", f"volume={volume_db + LAVFI_SINE_DBFS_OFFSET:.2f}dB", "-ac", str(channels), *(extra or []), str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    return path


@pytest.fixture
def tone(tmp_path) -> Callable[..., Path]:
    counter = iter(range(1, 10_000))

    def _tone(name: str | None = None, **kwargs) -> Path:
        return make_tone(tmp_path / "src" / (name or f"tone{next(counter)}.wav"), **kwargs)

    return _tone


class Radio:
    """The `radio` CLI bound to one station home, through click's runner."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return self.runner.invoke(
            cli, ["--home", str(self.home), *map(str, args)], env=env, input=input, catch_exceptions=False
        )

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output + (result.stderr if result.stderr_bytes else "")
        return json.loads(result.stdout)

    def add(self, path: Path, topic: str = "chinh-sach", approve: bool = True, **options: str) -> dict:
        """Import one file, approve it unless told not to, and return its JSON."""
        args = ["library", "add", str(path), "--topic", topic]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", value]
        (entry,) = self.json(*args)
        if approve:
            self("library", "approve", entry["id"], "--by", "Chủ tịch UBND xã")
            entry["status"] = "approved"
        return entry


@pytest.fixture
def radio(tmp_path) -> Radio:
    """An initialized station home with its real SQLite database."""
    r = Radio(tmp_path / "home")
    result = r("init")
    assert result.exit_code == 0, result.output
    return r


@pytest.fixture
def radio_bin() -> str:
    """The installed console script, for tests that run radio as a real process."""
    path = REPO / ".venv" / "bin" / "radio"
    return str(path) if path.exists() else "radio"


@pytest.fixture
def subprocess_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    return env


SOUND_SERVER_FIXTURES = {"live_server", "sound_server"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist turns the groups into node ids
def pytest_collection_modifyitems(config, items):
    """A test on the recorded sound server runs in the `realtime` group (one worker, one at a
    time), whether or not its file says so: a new timing test cannot be forgotten beside the
    others."""
    for item in items:
        if SOUND_SERVER_FIXTURES & set(item.fixturenames) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("realtime"))
