"""The installed `radio` run as a real process: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import make_tone


def run(radio_bin, env, *args):
    return subprocess.run([radio_bin, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


def test_the_installed_command_imports_a_mixed_folder(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    assert run(radio_bin, subprocess_env, "--home", home, "init").returncode == 0
    folder = tmp_path / "stick"
    make_tone(folder / "ban tin 1.mp3", seconds=1.0, freq=500)
    make_tone(folder / "ban tin 2.m4a", seconds=1.0, freq=600, extra=["-c:a", "aac"])
    (folder / "hong.mp3").write_bytes(b"ID3" + b"\x00" * 500)

    result = run(radio_bin, subprocess_env, "--home", home, "library", "add", folder, "--topic", "mo-hinh", "--json")
    assert result.returncode == 1
    entries = json.loads(result.stdout)
    assert [e.get("status") for e in entries] == ["draft", "draft", "rejected"]
    assert "Traceback" not in result.stderr
    assert any(line.startswith("rejected ") and "hong.mp3" in line for line in result.stderr.splitlines())

    env_vi = dict(subprocess_env, LANG="vi_VN.UTF-8", RADIO_HOME=str(home))
    listed = run(radio_bin, env_vi, "library", "list")
    assert listed.returncode == 0
    assert "2 bản tin" in listed.stdout


def test_usage_errors_exit_2_and_user_errors_exit_1(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    run(radio_bin, subprocess_env, "--home", home, "init")
    usage = run(radio_bin, subprocess_env, "--home", home, "library", "approve", "1")
    assert usage.returncode == 2
    assert "Missing option '--by'" in usage.stderr
    user = run(radio_bin, subprocess_env, "--home", home, "library", "show", "42")
    assert user.returncode == 1
    assert user.stderr == "radio: error: no item with id 42\n"
