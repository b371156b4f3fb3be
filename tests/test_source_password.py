"""Fault 6: a relay source's password is on no process's command line.

A real HTTP server demands Basic authentication (tests/authsource.py, as Icecast's listener
authentication does); `radio source test` as a real process, and the daemon relaying the
source on the test sound server, are watched through /proc/*/cmdline while ffmpeg reads it."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.authsource import PASSWORD, AuthSource, ffmpeg_cmdlines, secret_in_cmdlines
from tests.relaytools import needs_ffmpeg, tone_spans
from tests.soundserver import RATE, Monitor
from tests.test_daemon import station  # noqa: F401 - fixture

pytestmark = needs_ffmpeg


def watch(proc: subprocess.Popen, until: float | None = None) -> tuple[list[str], list[str]]:
    """While *proc* runs (or until *until*): (command lines holding the secret, ffmpeg command
    lines seen reading through the proxy)."""
    leaks, readers = [], []
    while proc.poll() is None and (until is None or time.time() < until):
        leaks += secret_in_cmdlines()
        readers += [line for line in ffmpeg_cmdlines() if "127.0.0.1" in line and "live.mp3" in line]
        time.sleep(0.05)
    return leaks, readers


def test_source_test_with_a_password_hears_the_source_and_no_command_line_shows_it(radio, radio_bin, tmp_path):
    with AuthSource(tmp_path) as server:
        assert radio("source", "add", "vov1", server.url(), "--name", "VOV1").exit_code == 0
        proc = subprocess.Popen([radio_bin, "--home", str(radio.home), "source", "test", "vov1", "--seconds", "4",
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        leaks, readers = watch(proc)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    heard = json.loads(out)
    assert heard["ok"] is True and heard["codec"] == "mp3" and heard["seconds"] >= 3.5, heard
    assert readers, "ffmpeg was never seen reading the source"  # the scan looked while it ran
    assert leaks == [], leaks
    assert server.served >= 1
    assert PASSWORD not in out + err and "tiep-song:***@" in heard["url"]


def test_a_wrong_password_is_one_clear_line(radio, tmp_path):
    with AuthSource(tmp_path) as server:
        radio("source", "add", "vov1", server.url(password="sai-mat-khau"), "--name", "VOV1")
        result = radio("source", "test", "vov1", "--seconds", "2")
        assert server.refused >= 1
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "the server refused the user name or password (HTTP 401 Unauthorized)" in lines[0], lines
    assert "sai-mat-khau" not in result.output + result.stderr


def test_a_wrong_password_reads_in_vietnamese(radio, tmp_path):
    with AuthSource(tmp_path) as server:
        radio("source", "add", "vov1", server.url(password="sai"), "--name", "VOV1")
        result = radio("source", "test", "vov1", "--seconds", "2", env={"LANG": "vi_VN.UTF-8"})
    assert result.exit_code == 1
    assert "từ chối tên người dùng hoặc mật khẩu" in result.stderr, result.stderr


def test_hls_with_a_password_plays_through_the_proxy(radio, tmp_path):
    """The playlist's segments are relative URLs: they resolve to the proxy, which adds the
    credentials to each; an absolute URL on the source's host is rewritten to it."""
    hls = tmp_path / "hls"
    hls.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
                    "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "2", "-hls_list_size", "0",
                    "-hls_playlist_type", "vod", "-hls_segment_filename", str(hls / "seg%03d.ts"),
                    str(hls / "tone.m3u8")], check=True)  # fmt: skip
    with AuthSource(hls) as server:
        relative = (hls / "tone.m3u8").read_text()
        (hls / "absolute.m3u8").write_text(relative.replace("seg", f"http://127.0.0.1:{server.port}/seg"))
        radio("source", "add", "hls", server.url("tone.m3u8"), "--name", "HLS")
        radio("source", "add", "abs", server.url("absolute.m3u8"), "--name", "HLS tuyệt đối")
        results = [radio("source", "test", code, "--seconds", "3", "--json") for code in ("hls", "abs")]
        refused = server.refused
    for result in results:
        assert result.exit_code == 0, result.output + result.stderr
        heard = json.loads(result.stdout)
        assert heard["codec"] == "aac" and heard["seconds"] >= 2.5, heard
    assert refused == 0  # every segment went with the credentials


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
@pytest.mark.slow
def test_the_daemon_relays_a_source_with_a_password_that_no_command_line_shows(station, live_server):  # noqa: F811
    with AuthSource(station.tmp, frequency=440.0) as server:
        assert station.radio("source", "add", "vov1", server.url(), "--name", "VOV1", "--buffer", "2").exit_code == 0
        with Monitor(live_server) as monitor:
            station.start()
            start = station.slot_in(10, "Tiếp sóng VOV", max_minutes="1", relay="vov1").timestamp()
            leaks, readers = watch(station.proc, until=start + 8.0)
            listed = station.cli("source", "list").stdout
            assert station.stop() == 0
    relayed = tone_spans(monitor.audio(), RATE, 440.0, min_level_dbfs=-40.0, min_s=0.3)
    log = (station.tmp / "daemon.log").read_text()
    assert relayed and sum(b - a for a, b in relayed) > 3.0, (relayed, log)  # it aired with the credentials
    assert readers, "ffmpeg was never seen reading the source"
    assert leaks == [], leaks
    rows = [r for r in station.log_rows() if r.get("relay_source") == "vov1"]
    assert rows and all(PASSWORD not in json.dumps(r, ensure_ascii=False) for r in rows)
    assert PASSWORD not in log and "tiep-song:***@" in listed and PASSWORD not in listed


def test_a_password_given_on_standard_input_never_touches_a_command_line(radio, radio_bin, tmp_path):
    """`radio source add|edit --password-stdin`: the operator's command line holds only the user;
    the source is heard with the password, and an edit can change the password the same way."""
    with AuthSource(tmp_path) as server:
        bare = f"http://tiep-song@127.0.0.1:{server.port}/live.mp3"
        add = subprocess.run([radio_bin, "--home", str(radio.home), "source", "add", "vov1", bare, "--name", "VOV1",
                              "--password-stdin"], input="sai\n", capture_output=True, text=True, timeout=60)  # fmt: skip
        assert add.returncode == 0, add.stderr
        assert "process list" not in add.stderr  # nothing to warn of
        assert radio("source", "test", "vov1", "--seconds", "2").exit_code == 1  # the wrong one, as given
        edit = radio("source", "edit", "vov1", "--password-stdin", input=PASSWORD + "\n")
        assert edit.exit_code == 0, edit.output
        result = radio("source", "test", "vov1", "--seconds", "2", "--json")
        assert result.exit_code == 0, result.output
        assert server.served >= 1
    shown = radio("source", "list", "--json").stdout
    assert PASSWORD not in shown and "sai" not in shown and "tiep-song:***@" in shown


def test_password_stdin_with_nothing_on_it_is_one_line(radio):
    result = radio("source", "add", "vov1", "http://u@127.0.0.1:9/x.mp3", "--name", "VOV1", "--password-stdin",
                   input="")  # fmt: skip
    assert result.exit_code == 1 and result.stderr.strip() == "radio: error: no password on standard input", result.stderr
    assert radio("source", "list", "--json").stdout.strip() == "[]"


def test_a_password_typed_in_the_address_is_kept_and_the_operator_is_told_it_showed(radio):
    """The operator's choice is kept (the source works with it), but the password was in the
    process list while the command ran: said once the source is saved, with the better way."""
    added = radio("source", "add", "vov1", "http://u:bi-mat@127.0.0.1:9/x.mp3", "--name", "VOV1")
    assert added.exit_code == 0, added.output
    assert "process list" in added.stderr and "--password-stdin" in added.stderr and "bi-mat" not in added.output
    edited = radio("source", "edit", "vov1", "--url", "http://u:khac@127.0.0.1:9/y.mp3")
    assert edited.exit_code == 0 and "--password-stdin" in edited.stderr
    renamed = radio("source", "edit", "vov1", "--name", "VOV 1")
    assert renamed.exit_code == 0 and renamed.stderr == ""
