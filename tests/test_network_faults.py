"""The network when things go wrong, on real processes (a hub on SQLite in its home, station
daemons on the steady-clock output): topics edited while everything runs, a station rebuilt
from a fresh home, damaged link and CA files, malformed URLs and bodies, a file the hub has
lost, edits to relay sources and slots, and the ways to hand over a join token."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest

from tests.conftest import make_tone
from tests.networktools import Hub, Station, at_in, env_for, wait_until

pytestmark = pytest.mark.slow


def _one_line(done: subprocess.CompletedProcess, code: int = 1) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def hub(tmp_path, radio_bin):
    hub = Hub(radio_bin, tmp_path / "hub", env_for(tmp_path), None)
    yield hub
    hub.stop()


def _station(tmp_path, radio_bin, hub: Hub, code: str, name: str | None = None, token: str | None = None) -> Station:
    station = Station(radio_bin, tmp_path / (name or f"st-{code}"), hub.env, code)
    if token is not None:
        station.join(hub.url, token)
    return station


def _behind_proxy(tmp_path, radio_bin, hub: Hub, code: str, token: str):
    """(a station joined to the serving *hub* through a fault-injecting proxy, the proxy)."""
    from tests.faultproxy import FaultProxy

    proxy = FaultProxy(hub.port)
    station = _station(tmp_path, radio_bin, hub, code)
    station.join(proxy.url, token)
    return station, proxy


def _listed(hub: Hub, code: str) -> dict:
    return next(s for s in hub.json("hub", "station", "list") if s["code"] == code)


def test_topics_edited_at_the_hub_while_it_serves_reach_a_running_station_which_keeps_its_own(tmp_path, radio_bin,
                                                                                              hub):  # fmt: skip
    """Neither side serves a copy from its start: the hub's topics.toml is edited while `hub
    serve` runs, the station's own while its daemon runs; the hub's new topic arrives and
    the station's own stays."""
    from radio.app import load_taxonomy
    from radio.domain.topics import Topic

    token = hub.add_station("XT")
    hub.serve()
    station = _station(tmp_path, radio_bin, hub, "XT", token=token)
    station.start()
    try:
        wait_until(lambda: _listed(hub, "XT")["last_seen"], 60, "the station syncs once")
        shipped = load_taxonomy(tmp_path / "nowhere")
        own = shipped.merged_with([Topic("hoi-nong-dan", "Hội Nông dân xã", False)])
        (station.home / "topics.toml").write_text(own.to_toml(), encoding="utf-8")
        time.sleep(1.0)  # the daemon's state thread is in its long poll with the hub
        hub_topics = shipped.merged_with([Topic("chuyen-doi-so", "Chuyển đổi số", False)])
        (hub.home / "topics.toml").write_text(hub_topics.to_toml(), encoding="utf-8")

        def codes() -> set[str]:
            return {t["code"] for t in station.json("topics")}

        wait_until(lambda: "chuyen-doi-so" in codes(), 60, "the hub's new topic at the station")
        assert "hoi-nong-dan" in codes()  # the station's own edit was not overwritten
    finally:
        station.stop()


def _air_two_local_sessions(station: Station, tmp_path, label: str) -> None:
    path = make_tone(tmp_path / f"{label}.wav", seconds=1.0)
    (entry,) = station.json("library", "add", str(path), "--topic", "nong-nghiep", "--title", label)
    station.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND xã")
    for k in range(2):
        station.cli("queue", "add", entry["id"], "--at", at_in(8 + 3 * k))
    wait_until(lambda: len([r for r in station.rows() if r["title"] == label and r["status"] == "completed"]) == 2,
               90, f"{station.code} airs {label} twice")  # fmt: skip


def test_a_station_rebuilt_from_a_fresh_home_loses_no_row_and_doubles_none(tmp_path, radio_bin, hub):
    """A station's PC replaced: a fresh home joins again (new token) and numbers its rows from 1
    again; the hub holds its old rows under those numbers. Every row of both lives arrives, once."""
    hub.serve()
    first = _station(tmp_path, radio_bin, hub, "XR", token=hub.add_station("XR"))
    first.start()
    try:
        _air_two_local_sessions(first, tmp_path, "Đời trước")
        wait_until(lambda: len(hub.station_rows("XR")) == len(first.rows()), 60, "the first life's rows at the hub")
    finally:
        first.stop()
    token = hub.json("hub", "station", "token", "XR")["token"]
    again = _station(tmp_path, radio_bin, hub, "XR", name="st-XR-rebuilt", token=token)
    again.start()
    try:
        _air_two_local_sessions(again, tmp_path, "Đời sau")
        expected = len(first.rows()) + len(again.rows())
        wait_until(lambda: len(hub.station_rows("XR")) >= expected and again.json("status")["hub"]["unacked_rows"] == 0,
                   90, "the second life's rows at the hub, acknowledged")  # fmt: skip
        rows = hub.station_rows("XR")
        assert len(rows) == expected
        titles = Counter(r["title"] for r in rows if r["status"] == "completed")
        assert titles["Đời trước"] == 2 and titles["Đời sau"] == 2
    finally:
        again.stop()


def _post(url: str, token: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Authorization": f"Bearer {token}",
                                                                             "Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _row(seq: int, key: int | None = None) -> dict:
    return {"uuid": str(uuid.UUID(int=key or seq)), "seq": seq, "item_sha256": None, "title": f"Tin {key or seq}",
            "topic": "chinh-sach", "language": "vi", "occurrence_start": "2026-12-01T00:00:00+00:00",
            "scheduled_at": "2026-12-01T00:00:00+00:00", "started_at": "2026-12-01T00:00:00+00:00",
            "ended_at": "2026-12-01T00:01:00+00:00", "seconds_played": 60.0, "status": "completed"}  # fmt: skip


def test_rows_under_numbers_the_hub_holds_are_renumbered_not_dropped(hub):
    token = hub.add_station("XA")
    hub.serve()
    url = f"{hub.url}/v1/stations/XA/asrun"
    assert _post(url, token, json.dumps({"rows": [_row(1), _row(2), _row(3)]}).encode()) == (200, {"acked": 3})
    rebuilt = [_row(1, key=101), _row(2, key=102)]  # a fresh home: new rows, numbered from 1 again
    assert _post(url, token, json.dumps({"rows": rebuilt}).encode()) == (200, {"acked": 3, "next_seq": 4})
    assert len(hub.json("log", "--station", "XA", "--from", "2026-12-01", "--to", "2026-12-01")) == 3
    renumbered = [dict(r, seq=r["seq"] + 3) for r in rebuilt]
    assert _post(url, token, json.dumps({"rows": renumbered}).encode()) == (200, {"acked": 5})
    # a row the hub holds, sent again under another number: still known by its UUID, stored once
    assert _post(url, token, json.dumps({"rows": [dict(_row(3), seq=6), _row(7, key=107)]}).encode())[1] == {"acked": 7}
    titles = [r["title"] for r in hub.json("log", "--station", "XA", "--from", "2026-12-01", "--to", "2026-12-01")]
    assert sorted(titles) == ["Tin 1", "Tin 101", "Tin 102", "Tin 107", "Tin 2", "Tin 3"]


def test_garbage_posted_to_the_hub_is_refused_with_400_and_nothing_stored(hub):
    token = hub.add_station("XG")
    hub.serve()
    asrun, beat = f"{hub.url}/v1/stations/XG/asrun", f"{hub.url}/v1/stations/XG/heartbeat"
    good = _row(1)
    bodies = {
        asrun: [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"rows": "x"}', b'{"rows": [5]}', b'{"rows": [{}]}',
                json.dumps({"rows": [good, dict(_row(2), seq="2")]}).encode(),
                json.dumps({"rows": [dict(good, uuid="x")]}).encode(),
                json.dumps({"rows": [dict(good, scheduled_at="yesterday")]}).encode(),
                json.dumps({"rows": [dict(good, seconds_played="60")]}).encode(),
                json.dumps({"rows": [dict(good, title=["a"])]}).encode(),
                json.dumps({"rows": [dict(good, title="a\x00b")]}).encode(),
                b"[" * 100_000],
        beat: [b"{not json", b'"text"', b"[]", b'{"unacked_rows": "many"}', b'{"on_air": 5}',
               b'{"clock_offset_s": true}', b'{"streams": "x"}'],
    }  # fmt: skip
    for url, garbage in bodies.items():
        for body in garbage:
            status, answer = _post(url, token, body)
            assert status == 400, (url, body[:60], status, answer)
            assert answer["error"], (url, body[:60])
    assert hub.json("log", "--station", "XG", "--from", "2026-12-01", "--to", "2026-12-01") == []
    listed = _listed(hub, "XG")
    assert listed["last_seen"] is None and listed["unacked_rows"] is None
    with urllib.request.urlopen(urllib.request.Request(f"{hub.url}/v1/stations/XG/state?since=%00&wait=abc",
                                                       headers={"Authorization": f"Bearer {token}"}),
                                timeout=10) as response:  # fmt: skip
        assert response.status == 200
    assert _post(asrun, token, json.dumps({"rows": [good]}).encode()) == (200, {"acked": 1})  # the hub still serves


def test_a_damaged_link_or_ca_file_is_one_line_and_the_daemon_airs_on_and_links_once_mended(tmp_path, radio_bin,
                                                                                           hub):  # fmt: skip
    station = _station(tmp_path, radio_bin, hub, "XL")
    link = station.home / "hub-link.json"
    for damaged in ("{not json", '{"url": "http://127.0.0.1:1"}', '{"url": 5, "station": "XL", "token": "t"}'):
        link.write_text(damaged, encoding="utf-8")
        assert "hub-link.json" in _one_line(station.cli("sync", "--once", check=False))
    garbage_ca = tmp_path / "ca.pem"
    garbage_ca.write_text("not a certificate\n", encoding="utf-8")
    joined = station.cli("join", "https://127.0.0.1:9", "--station", "XL", "--token", "t", "--ca", str(garbage_ca),
                         check=False)  # fmt: skip
    assert "ca.pem" in _one_line(joined)
    assert link.read_text(encoding="utf-8") == damaged  # nothing saved

    token = hub.add_station("XL")
    hub.serve()
    station.start()  # with the damaged link
    try:
        wait_until(lambda: "the link to the hub cannot be used" in station.log_path.read_text(), 30, "a warning")
        assert station.proc.poll() is None and station.json("status")["daemon"]["running"]
        station.join(hub.url, token)  # mended while the daemon runs: it links without a restart
        wait_until(lambda: _listed(hub, "XL")["last_seen"], 60, "the daemon syncs once the link is mended")
        assert "Traceback" not in station.log_path.read_text()
    finally:
        station.stop()


@pytest.mark.parametrize("url", ["http://", "https://:8470", "http://hub:99999", "http://hub example:8470",
                                 "hub.example:8470", "http://u:p@hub.example/", "http://hub.example/?a=1",
                                 "ftp://hub.example"])  # fmt: skip
def test_join_refuses_a_malformed_url_and_saves_nothing(tmp_path, radio_bin, url):
    station = Station(radio_bin, tmp_path / "st", env_for(tmp_path), "XU")
    assert "URL" in _one_line(station.cli("join", url, "--station", "XU", "--token", "t", check=False))
    assert not (station.home / "hub-link.json").exists()


def test_the_join_token_from_a_file_stdin_or_the_environment_and_never_in_a_log(tmp_path, radio_bin, hub):
    token = hub.add_station("XK")
    hub.serve()
    station = _station(tmp_path, radio_bin, hub, "XK")
    base = [station.bin, "--home", str(station.home), "join", hub.url, "--station", "XK"]
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    ways = [(["--token-file", str(token_file)], None, {}), (["--token", "-"], token + "\n", {}),
            ([], None, {"RADIO_HUB_TOKEN": token})]  # fmt: skip
    for extra, stdin, env in ways:
        (station.home / "hub-link.json").unlink(missing_ok=True)
        done = subprocess.run(base + extra, input=stdin, capture_output=True, text=True, env={**station.env, **env},
                              timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert token not in done.stdout + done.stderr and "process list" not in done.stderr
        assert json.loads((station.home / "hub-link.json").read_text())["token"] == token
        assert station.cli("sync", "--once", check=False).returncode == 0
    (station.home / "hub-link.json").unlink()
    typed = subprocess.run(base + ["--token", token], capture_output=True, text=True, env=station.env, timeout=60)
    assert typed.returncode == 0 and "process list" in typed.stderr and "--token-file" in typed.stderr  # joined, told
    assert token not in typed.stdout + typed.stderr
    both = subprocess.run(base + ["--token", token, "--token-file", str(token_file)], capture_output=True, text=True,
                          env=station.env, timeout=60)  # fmt: skip
    assert both.returncode == 2 and "--token-file" in both.stderr and "Traceback" not in both.stderr
    none = subprocess.run(base, capture_output=True, text=True, env=station.env, timeout=60, stdin=subprocess.DEVNULL)
    assert none.returncode == 2 and "RADIO_HUB_TOKEN" in none.stderr and "Traceback" not in none.stderr
    missing = subprocess.run(base + ["--token-file", str(tmp_path / "nowhere")], capture_output=True, text=True,
                             env=station.env, timeout=60)  # fmt: skip
    assert "nowhere" in _one_line(missing)
    station.start()
    try:
        wait_until(lambda: _listed(hub, "XK")["last_seen"], 60, "the daemon syncs")
    finally:
        station.stop()
    assert token not in station.log_path.read_text() and token not in hub.log_path.read_text()


def test_a_file_the_hub_has_lost_is_asked_for_ever_less_often_shown_missing_and_fetched_once_back(
        tmp_path, radio_bin, hub):  # fmt: skip
    token = hub.add_station("XM")
    path = make_tone(tmp_path / "lost.wav", seconds=1.0)
    (entry,) = hub.json("library", "add", str(path), "--topic", "chinh-sach", "--title", "Tin bị mất")
    hub.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND tỉnh")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    hub.cli("queue", "add", entry["id"], "--at", at_in(3 * 3600), "--stations", "XM")
    (stored,) = [p for p in (hub.home / "media").rglob(f"{sha}*") if p.is_file()]
    kept = stored.read_bytes()
    stored.unlink()  # lost at the hub (a disk replaced, a file deleted by hand)
    hub.serve()
    station, proxy = _behind_proxy(tmp_path, radio_bin, hub, "XM", token)
    try:
        station.start()
        wait_until(lambda: _listed(hub, "XM")["missing_media"] == 1, 90, "the hub shows the file missing")

        def asked() -> int:
            return len([r for r in proxy.requests if f"/v1/media/{sha}" in r])

        before = asked()
        time.sleep(40)
        assert asked() - before <= 4, (before, asked())  # asking every 2 s would be 20 times in these 40 s
        assert station.json("status")["daemon"]["running"]
        stored.write_bytes(kept)  # back at the hub
        wait_until(lambda: station.has_sha(sha), 120, "the station fetches the file once it is back")
        wait_until(lambda: station.json("queue", "list"), 30, "the session is queued at the station")
    finally:
        station.stop()
        proxy.close()


def _long_poll(hub: Hub, token: str, since: str, wait_s: float, answer: dict) -> None:
    request = urllib.request.Request(f"{hub.url}/v1/stations/XE/state?since={since}&wait={wait_s:g}",
                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=wait_s + 30) as response:
        answer.update(json.loads(response.read()), elapsed=time.monotonic() - started)


@pytest.mark.parametrize("edit", [("source", "edit", "vov1", "--name", "VOV1 – kênh thời sự"),
                                  ("slot", "edit", "Trưa", "--at", "11:45")])  # fmt: skip
def test_an_edit_to_a_relay_source_or_a_slot_wakes_the_stations_long_polls(tmp_path, radio_bin, hub, tone, edit):
    """The station's long poll (wait 60 s) is answered as soon as a source or a slot changes at
    the hub, with a new revision holding the change (not when the wait runs out)."""
    token = hub.add_station("XE")
    hub.cli("source", "add", "vov1", "http://127.0.0.1:1/vov1", "--name", "VOV1")
    hub.cli("slot", "add", "Trưa", "--at", "11:30")
    (entry,) = hub.json("library", "add", str(tone("trua.wav")), "--topic", "chinh-sach")
    hub.cli("queue", "add", entry["id"], "--slot", "Trưa", "--stations", "XE")
    hub.serve()
    station = _station(tmp_path, radio_bin, hub, "XE", token=token)
    assert station.cli("sync", "--once", check=False).returncode in (0, 1)
    request = urllib.request.Request(f"{hub.url}/v1/stations/XE/state", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        before = json.loads(response.read())
    answer: dict = {}
    poll = threading.Thread(target=_long_poll, args=(hub, token, before["revision"], 60.0, answer))
    poll.start()
    time.sleep(2.0)
    hub.cli(*edit)
    poll.join(120)
    assert answer["revision"] != before["revision"]
    assert answer["elapsed"] < 45, answer["elapsed"]  # woken by the edit, not by the end of its 60 s
    if edit[0] == "source":
        assert [s["name"] for s in answer["sources"]] == ["VOV1 – kênh thời sự"]
        station.cli("sync", "--once", check=False)
        assert [s["name"] for s in station.json("source", "list")] == ["VOV1 – kênh thời sự"]
    else:
        assert [e["at"][11:16] for e in answer["entries"]] == ["04:45"]  # 11:45 in Hà Nội


def test_a_station_fetches_a_slot_sessions_file_only_when_the_session_is_its_own(tmp_path, radio_bin, hub, tone):
    """The media check reads one file's sessions, slots included: B's slot session's file is
    B's to fetch and not A's."""
    token_a, token_b = hub.add_station("A"), hub.add_station("B")
    hub.cli("slot", "add", "Chiều", "--at", "17:00")
    path = tone("chieu.wav", freq=550)
    (entry,) = hub.json("library", "add", str(path), "--topic", "chinh-sach")
    hub.cli("queue", "add", entry["id"], "--slot", "Chiều", "--stations", "B")
    hub.serve()
    media = f"{hub.url}/v1/media/{hashlib.sha256(path.read_bytes()).hexdigest()}"

    def fetch(token: str) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(media, headers={"Authorization": f"Bearer {token}"}),
                                        timeout=10) as response:  # fmt: skip
                return response.status
        except urllib.error.HTTPError as err:
            return err.code

    assert fetch(token_b) == 200 and fetch(token_a) == 404


def test_a_link_cut_for_minutes_leaves_the_station_airing_and_everything_catches_up_after(tmp_path, radio_bin, hub):
    """The 3G link is cut for 2.5 minutes (every connection reset, new ones refused): the station
    airs its own sessions meanwhile, the hub shows it offline (after its hysteresis) and queues
    a session for it that cannot arrive yet; once the link is back the station is online again,
    its rows arrive at the hub once each, and the hub's session reaches it and airs."""
    token = hub.add_station("XL")
    hub.serve()
    station, proxy = _behind_proxy(tmp_path, radio_bin, hub, "XL", token)
    try:
        station.start()
        wait_until(lambda: _listed(hub, "XL")["online"], 60, "XL online")
        proxy.set_cut(True)
        cut_at = time.monotonic()
        (local,) = station.json("library", "add", str(make_tone(tmp_path / "local.wav", seconds=1.0)), "--topic",
                                "nong-nghiep", "--title", "Tin tại xã")  # fmt: skip
        station.cli("library", "approve", local["id"], "--by", "Chủ tịch UBND xã")
        for k in range(3):
            station.cli("queue", "add", local["id"], "--at", at_in(10 + 30 * k))
        path = make_tone(tmp_path / "from-hub.wav", seconds=1.0)
        (entry,) = hub.json("library", "add", str(path), "--topic", "chinh-sach", "--title", "Tin của tỉnh")
        hub.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND tỉnh")
        hub.cli("queue", "add", entry["id"], "--at", at_in(150 + 45), "--stations", "XL")
        wait_until(lambda: not _listed(hub, "XL")["online"], 140, "the hub shows XL offline during the cut")
        aired = wait_until(lambda: [r for r in station.rows() if r["title"] == "Tin tại xã" and r["status"] == "completed"]
                           if len(station.rows()) >= 3 else None, 120, "XL airs its own sessions while cut off")  # fmt: skip
        assert len(aired) == 3 and station.json("status")["daemon"]["running"]
        assert _listed(hub, "XL")["online"] is False and not hub.station_rows("XL")
        time.sleep(max(0.0, cut_at + 150 - time.monotonic()))
        proxy.set_cut(False)

        wait_until(lambda: _listed(hub, "XL")["online"], 120, "XL online again once the link is back")
        wait_until(lambda: len([r for r in hub.station_rows("XL") if r["title"] == "Tin tại xã"]) == 3, 90,
                   "XL's rows from the cut at the hub")  # fmt: skip
        rows = wait_until(lambda: [r for r in station.rows() if r["title"] == "Tin của tỉnh"
                                   and r["status"] == "completed"], 120, "the hub's session airs at XL")  # fmt: skip
        assert len(rows) == 1
        wait_until(lambda: _listed(hub, "XL")["unacked_rows"] == 0, 90, "every row acknowledged")
        at_hub = Counter((r["title"], r["started_at"]) for r in hub.station_rows("XL"))
        assert at_hub[("Tin tại xã", aired[0]["started_at"])] == 1 and max(at_hub.values()) == 1, at_hub
    finally:
        station.stop()
        proxy.close()


def test_kill_9_of_the_hub_and_the_stations_at_random_loses_and_doubles_no_row(tmp_path, radio_bin, hub):
    """Two stations air a session every 6 s for a minute while the hub and the stations are
    killed (kill -9) at random instants (the seed is printed) and restarted 1–3 s later; once
    all is quiet, each station's log book at the hub is its own log, row for row, each once,
    and every row acknowledged."""
    import random
    import signal

    seed = random.randrange(1_000_000)
    print(f"kill storm seed {seed}")
    rng = random.Random(seed)
    hub.serve()
    stations = []
    for code in ("KA", "KB"):
        station = _station(tmp_path, radio_bin, hub, code, token=hub.add_station(code))
        station.start()
        (entry,) = station.json("library", "add", str(make_tone(tmp_path / f"{code}.wav", seconds=2.0)), "--topic",
                                "nong-nghiep", "--title", f"Tin {code}")  # fmt: skip
        station.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND xã")
        for k in range(10):
            station.cli("queue", "add", entry["id"], "--at", at_in(8 + 6 * k))
        stations.append(station)
    try:
        kills = []
        until = time.monotonic() + 65
        while time.monotonic() < until:
            time.sleep(rng.uniform(3, 9))
            victim = rng.choice([hub, *stations])
            victim.stop(signal.SIGKILL)
            kills.append("hub" if victim is hub else victim.code)
            time.sleep(rng.uniform(1, 3))
            victim.serve() if victim is hub else victim.start()
        print("killed", kills)
        assert len(kills) >= 5

        def key(r: dict) -> tuple:
            return (r["title"], r["status"], r["started_at"], r["scheduled_at"])

        for station in stations:
            wait_until(lambda s=station: Counter(map(key, hub.station_rows(s.code))) == Counter(map(key, s.rows())),
                       120, f"{station.code}'s log at the hub is its own")  # fmt: skip
            at_hub = Counter(map(key, hub.station_rows(station.code)))
            assert max(at_hub.values()) == 1 and sum(at_hub.values()) >= 10, at_hub
        wait_until(lambda: all(s["unacked_rows"] == 0 for s in hub.json("hub", "station", "list")), 90, "all acked")
    finally:
        for station in stations:
            station.stop()
