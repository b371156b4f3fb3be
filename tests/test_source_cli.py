"""`radio source …` and relay slots through click's runner on a real station; `radio source
test` against real servers: Debian's icecast2 fed by ffmpeg, and small socket servers that
misbehave the ways Internet streams do."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

from radio.storage import migrate
from radio.storage.db import create_sqlite_engine
from tests.conftest import Radio
from tests.icecast import free_port, icecast  # noqa: F401 - fixture

VI = {"LANG": "vi_VN.UTF-8"}
VOV1 = "VOV1 – Đài Tiếng nói Việt Nam"


def one_line_error(result, code: int = 1) -> str:
    """The command failed with *code* and said why in one line, without a traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len(lines) == 1, lines
    return lines[-1]


# sources: add, list, edit, remove


def test_sources_are_added_listed_edited_and_removed(radio):
    made = radio.json("source", "add", "vov1", "https://phat:mat-khau@stream.vov.vn/vov1", "--name", VOV1,
                      "--silence-level", "-45", "--resume", "now")  # fmt: skip
    assert made == {"code": "vov1", "name": VOV1, "url": "https://phat:***@stream.vov.vn/vov1", "topic": "tiep-song",
                    "buffer_s": 4.0, "no_data_s": 5.0, "silence_s": 20.0, "silence_dbfs": -45.0, "resume": "now"}
    assert radio("source", "add", "may-thu", "alsa:hw:1", "--name", "Máy thu FM", "--topic", "thong-tin",
                 "--buffer", "2", "--no-data", "3", "--silence", "30").exit_code == 0  # fmt: skip
    listed = radio("source", "list")
    assert listed.exit_code == 0
    assert "Máy thu FM" in listed.stdout and "https://phat:***@stream.vov.vn/vov1" in listed.stdout
    assert "mat-khau" not in listed.stdout
    by_code = {s["code"]: s for s in radio.json("source", "list")}
    assert by_code["may-thu"]["url"] == "alsa:hw:1" and by_code["may-thu"]["topic"] == "thong-tin"
    assert (by_code["may-thu"]["buffer_s"], by_code["may-thu"]["no_data_s"], by_code["may-thu"]["silence_s"]) == (2, 3, 30)
    assert "mat-khau" not in str(by_code)

    edited = radio.json("source", "edit", "vov1", "--url", "https://stream.vov.vn/vov1-hq", "--silence", "40",
                        "--resume", "item-end")  # fmt: skip
    assert (edited["url"], edited["silence_s"], edited["resume"], edited["name"]) == (
        "https://stream.vov.vn/vov1-hq", 40.0, "item-end", VOV1)
    assert radio("source", "remove", "may-thu").exit_code == 0
    assert [s["code"] for s in radio.json("source", "list")] == ["vov1"]


@pytest.mark.parametrize("args, says", [
    (["bad code!", "https://stream.vov.vn/vov1", "--name", "x"], "is not a source code"),
    (["vov1", "ftp://u:mat-khau@h/x", "--name", "x"], "is not a source address"),
    (["vov1", "stream.vov.vn/vov1", "--name", "x"], "is not a source address"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", " "], "needs a name"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", "x", "--buffer", "0"], "--buffer must be between"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", "x", "--no-data", "500"], "--no-data must be between"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", "x", "--silence", "0.5"], "--silence must be between"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", "x", "--silence-level", "-5"], "--silence-level must be"),
    (["vov1", "https://stream.vov.vn/vov1", "--name", "x", "--topic", "khong-co"], "unknown topic 'khong-co'"),
])  # fmt: skip
def test_a_bad_source_is_refused_in_one_line(radio, args, says):
    line = one_line_error(radio("source", "add", *args))
    assert line.startswith("radio: error: ") and says in line
    assert "mat-khau" not in line
    assert radio.json("source", "list") == []


def test_usage_errors_of_source_commands_exit_2(radio):
    radio("source", "add", "vov1", "https://stream.vov.vn/vov1", "--name", VOV1)
    one_line_error(radio("source", "add", "vov2", "https://h/x"), 2)  # --name is required
    one_line_error(radio("source", "add", "vov2", "https://h/x", "--name", "x", "--resume", "later"), 2)
    one_line_error(radio("source", "add", "vov2", "https://h/x", "--name", "x", "--buffer", "bốn"), 2)
    one_line_error(radio("source", "edit", "vov1"), 2)  # nothing to change
    one_line_error(radio("source", "test", "vov1", "--seconds", "0"), 2)


def test_edit_and_remove_refuse_in_one_line(radio, tone):
    radio("source", "add", "vov1", "https://stream.vov.vn/vov1", "--name", VOV1)
    radio("source", "add", "tinh", "https://radio.tinh.example/live", "--name", "Đài tỉnh")
    assert "already exists" in one_line_error(radio("source", "add", "vov1", "https://h/x", "--name", "x"))
    assert "(sources: tinh, vov1)" in one_line_error(radio("source", "edit", "vov9", "--name", "x"))
    assert "is not a source address" in one_line_error(radio("source", "edit", "vov1", "--url", "vov.vn"))
    assert "--silence-level must be" in one_line_error(radio("source", "edit", "vov1", "--silence-level", "-100"))
    assert "unknown topic" in one_line_error(radio("source", "edit", "vov1", "--topic", "khong-co"))
    assert "(sources: tinh, vov1)" in one_line_error(radio("source", "remove", "vov9"))
    assert "(sources: tinh, vov1)" in one_line_error(radio("source", "test", "vov9"))
    radio("slot", "add", "Tiếp sóng thời sự", "--at", "18:00", "--relay", "vov1")
    line = one_line_error(radio("source", "remove", "vov1"))
    assert "relayed by the slots Tiếp sóng thời sự" in line
    assert [s["code"] for s in radio.json("source", "list")] == ["tinh", "vov1"]


def test_a_vietnamese_operator_reads_the_error_in_vietnamese(radio):
    line = one_line_error(radio("source", "add", "vov1", "https://stream.vov.vn/vov1", "--name", "x",
                                "--buffer", "99", env=VI))  # fmt: skip
    assert line == "radio: lỗi: --buffer phải nằm trong khoảng từ 0.5 đến 30.0 (nhận được 99.0)"


# relay slots


def test_relay_slots_are_added_edited_and_listed(radio, tone):
    radio("source", "add", "vov1", "https://stream.vov.vn/vov1", "--name", VOV1)
    radio("source", "add", "tinh", "https://radio.tinh.example/live", "--name", "Đài tỉnh")
    music = radio.add(tone(seconds=2.0), topic="thong-bao")
    notice = radio.add(tone(seconds=1.0, freq=600), topic="thong-bao")
    made = radio.json("slot", "add", "Tiếp sóng VOV1", "--at", "06:00", "--days", "mon-sun", "--max-minutes", "30",
                      "--relay", "vov1", "--fallback", notice["id"], "--fallback", music["id"])  # fmt: skip
    assert (made["relay"], made["fallback"]) == ("vov1", [notice["id"], music["id"]])
    radio("slot", "add", "Bản tin sáng", "--at", "05:30")
    table = radio("slot", "list").stdout
    assert f"vov1 (fallback #{notice['id']}, #{music['id']})" in table
    plain = {s["name"]: s for s in radio.json("slot", "list")}["Bản tin sáng"]
    assert (plain["relay"], plain["fallback"]) == (None, [])

    edited = radio.json("slot", "edit", "Tiếp sóng VOV1", "--relay", "tinh", "--fallback", music["id"])
    assert (edited["relay"], edited["fallback"]) == ("tinh", [music["id"]])
    edited = radio.json("slot", "edit", "Tiếp sóng VOV1", "--no-fallback")
    assert (edited["relay"], edited["fallback"]) == ("tinh", [])
    edited = radio.json("slot", "edit", "Bản tin sáng", "--relay", "vov1", "--fallback", notice["id"])
    assert (edited["relay"], edited["fallback"]) == ("vov1", [notice["id"]])
    edited = radio.json("slot", "edit", "Bản tin sáng", "--no-relay")  # its fallback goes with it
    assert (edited["relay"], edited["fallback"]) == (None, [])
    # a relay slot takes queued items like any other
    assert radio("queue", "add", notice["id"], "--slot", "Tiếp sóng VOV1").exit_code == 0


def test_bad_relay_options_of_slots(radio, tone):
    radio("source", "add", "vov1", "https://stream.vov.vn/vov1", "--name", VOV1)
    item = radio.add(tone(seconds=1.0), topic="thong-bao")
    line = one_line_error(radio("slot", "add", "A", "--at", "06:00", "--relay", "vov9"))
    assert "no source with the code 'vov9' (sources: vov1)" in line
    line = one_line_error(radio("slot", "add", "A", "--at", "06:00", "--relay", "vov1", "--fallback", "999"))
    assert "no item with id 999" in line
    assert "--fallback goes with --relay" in one_line_error(
        radio("slot", "add", "A", "--at", "06:00", "--fallback", item["id"]), 2)
    one_line_error(radio("slot", "add", "A", "--at", "06:00", "--relay", "vov1", "--fallback", "một"), 2)
    assert radio.json("slot", "list") == []

    radio("slot", "add", "A", "--at", "06:00")
    assert "relays no source" in one_line_error(radio("slot", "edit", "A", "--fallback", item["id"]))
    assert "(sources: vov1)" in one_line_error(radio("slot", "edit", "A", "--relay", "vov9"))
    one_line_error(radio("slot", "edit", "A", "--relay", "vov1", "--no-relay"), 2)
    one_line_error(radio("slot", "edit", "A", "--fallback", item["id"], "--no-fallback"), 2)
    one_line_error(radio("slot", "edit", "A", "--no-relay", "--fallback", item["id"]), 2)
    (slot,) = radio.json("slot", "list")
    assert (slot["relay"], slot["fallback"]) == (None, [])


# the database: sources and relay slots survive an upgrade to the relay revision


def test_a_database_from_before_relays_is_upgraded_and_holds_sources_and_relay_slots(tmp_path):
    from radio.app import open_app
    from radio.domain.relay import Resume, Source

    home = tmp_path / "home"
    home.mkdir()
    (home / "media").mkdir()
    engine = create_sqlite_engine(home / "radio.db")
    migrate.upgrade(engine, home / "radio.db", home / "backups", to="0007")
    engine.dispose()
    con = sqlite3.connect(home / "radio.db")
    con.execute("INSERT INTO slots (id, name, days, start_time, max_minutes, start_kind, wait_s, jingles, created_at)"
                " VALUES (3, 'Thời sự tối', '1,2,3,4,5,6,7', '18:00:00', 30, 'hard', NULL, 1,"
                " '2026-01-01 00:00:00.000000')")  # fmt: skip
    con.commit()
    con.close()

    (old,) = Radio(home).json("slot", "list")
    assert (old["name"], old["relay"], old["fallback"]) == ("Thời sự tối", None, [])
    app = open_app(home)
    try:
        vov1 = Source("vov1", VOV1, "https://stream.vov.vn/vov1", buffer_s=2.5, silence_dbfs=-55.0, resume=Resume.NOW)
        assert app.sources.add(vov1) == vov1
        assert app.sources.get("vov1") == vov1 and app.sources.find("vov2") is None
        assert app.sources.save(Source("vov1", "VOV1", "https://stream.vov.vn/vov1", topic="thong-tin")).topic == "thong-tin"
        assert [s.name for s in app.sources.all()] == ["VOV1"]
        slot = app.schedule.slot_named("Thời sự tối")
        import dataclasses

        app.schedule.save_slot(dataclasses.replace(slot, relay="vov1", fallback=(12, 7)))
        again = app.schedule.slot_named("Thời sự tối")
        assert (again.relay, again.fallback) == ("vov1", (12, 7))
    finally:
        app.close()


# radio source test: real servers


def _tone_to_icecast(server, mount: str, source: str) -> subprocess.Popen:
    """ffmpeg sending *source* (a lavfi graph) as 64 kbit/s mono MP3 to the Icecast mount."""
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", source, "-ac", "1",
                             "-c:a", "libmp3lame", "-b:a", "64k", "-content_type", "audio/mpeg", "-f", "mp3",
                             server.url(mount)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while server.source(mount) is None:
        assert proc.poll() is None and time.monotonic() < deadline, "ffmpeg did not start sending to icecast"
        time.sleep(0.1)
    return proc


@contextmanager
def _feeding(server, mount: str, source: str):
    proc = _tone_to_icecast(server, mount, source)
    try:
        yield
    finally:
        proc.kill()
        proc.wait()


def test_source_test_hears_a_tone_from_icecast(radio, icecast):  # noqa: F811
    radio("source", "add", "vov1", icecast.listen_url("/vov1"), "--name", VOV1)
    with _feeding(icecast, "/vov1", "sine=frequency=440:sample_rate=44100"):
        result = radio("source", "test", "vov1", "--seconds", "3", "--json")
        text = radio("source", "test", "vov1", "--seconds", "2")
    assert result.exit_code == 0, result.output
    import json

    heard = json.loads(result.stdout)
    assert heard["ok"] is True and heard["error"] is None
    assert (heard["code"], heard["codec"], heard["sample_rate"], heard["channels"]) == ("vov1", "mp3", 44100, 1)
    assert heard["bitrate_kbps"] == 64
    assert 2.5 <= heard["seconds"] <= 3.1
    # lavfi's sine peaks at 1/8 full scale: -18.1 dBFS peak, -21.1 dBFS RMS
    assert abs(heard["peak_dbfs"] - -18.1) < 1.5 and abs(heard["rms_dbfs"] - -21.1) < 1.5
    assert heard["silent_share"] == 0.0
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0] == "vov1: mp3, 64 kb/s, 44100 Hz, mono"
    assert "0% of the seconds below -50 dBFS" in text.stdout


def test_source_test_says_when_a_source_sends_only_silence(radio, icecast):  # noqa: F811
    radio("source", "add", "vov1", icecast.listen_url("/vov1"), "--name", VOV1)
    with _feeding(icecast, "/vov1", "anullsrc=r=44100:cl=mono"):
        result = radio("source", "test", "vov1", "--seconds", "2")
    line = one_line_error(result)
    assert "only silence" in line and "-50 dBFS" in line
    assert "mp3" in result.stdout  # what it is, before why it fails


def test_source_test_of_a_port_nobody_listens_on_says_refused_without_the_password(radio):
    port = free_port()
    radio("source", "add", "vov1", f"http://tiep-song:mat-khau@127.0.0.1:{port}/vov1", "--name", VOV1)
    result = radio("source", "test", "vov1", "--json")
    line = one_line_error(result)
    assert "refused" in line and f"http://tiep-song:***@127.0.0.1:{port}/vov1" in line
    assert "mat-khau" not in result.output + result.stderr
    import json

    heard = json.loads(result.stdout)
    assert heard["ok"] is False and "refused" in heard["error"] and heard["codec"] is None


@contextmanager
def _http_server(answer):
    """A socket server on 127.0.0.1 whose each connection is handled by *answer*(conn)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()
    conns = []

    def serve():
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            conns.append(conn)
            threading.Thread(target=answer, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/live"
    finally:
        stop.set()
        thread.join()
        for conn in conns:
            conn.close()
        server.close()


def _random_bytes(conn, stop) -> None:
    try:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
        while not stop.is_set():
            conn.sendall(os.urandom(4096))
    except OSError:
        pass


def _not_found(conn, stop) -> None:
    try:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass


def _silent_server(conn, stop) -> None:
    stop.wait()  # accepts, reads nothing, answers nothing


def test_source_test_of_data_that_is_not_audio(radio):
    with _http_server(_random_bytes) as url:
        radio("source", "add", "rac", url, "--name", "Rác")
        line = one_line_error(radio("source", "test", "rac"))
    assert "not audio" in line


def test_source_test_names_the_http_error(radio):
    with _http_server(_not_found) as url:
        radio("source", "add", "vov1", url, "--name", VOV1)
        line = one_line_error(radio("source", "test", "vov1"))
    assert "HTTP 404" in line


def test_source_test_gives_up_on_a_server_that_answers_nothing(radio):
    with _http_server(_silent_server) as url:
        radio("source", "add", "vov1", url, "--name", VOV1)
        started = time.monotonic()
        line = one_line_error(radio("source", "test", "vov1", "--seconds", "2"))
        elapsed = time.monotonic() - started
    assert "in time" in line or "within" in line
    assert elapsed < 2 + 10 + 2


def test_source_test_of_a_sound_card_that_is_not_there_keeps_alsas_words(radio):
    radio("source", "add", "may-thu", "alsa:hw:99", "--name", "Máy thu FM")
    line = one_line_error(radio("source", "test", "may-thu", "--seconds", "1"))
    assert "cannot open audio device hw:99" in line
