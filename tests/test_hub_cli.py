"""The hub's commands and its database on both engines: SQLite in the home (a small
commune) and a real PostgreSQL (a province); the as-run rows stations send, stored once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime

import pytest
from sqlalchemy import text

from tests.conftest import Radio
from tests.networktools import Hub, at_in, env_for
from tests.webtools import console  # noqa: F401 - the fixture

pytest_plugins = ["tests.pgserver"]


def _one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_commune_hub_on_sqlite(tmp_path, tone):
    hub = Radio(tmp_path / "hub")
    assert hub("hub", "init").exit_code == 0
    assert (tmp_path / "hub" / "radio.db").exists()
    made = hub.json("hub", "station", "add", "XA", "--name", "Xã Đông")
    assert len(made["token"]) >= 40
    assert "duplicate" not in _one_line_error(hub("hub", "station", "add", "XA", "--name", "lại"))
    assert [s["code"] for s in hub.json("hub", "station", "list")] == ["XA"]
    listed = hub.json("hub", "station", "list")[0]
    for key in ("code", "name", "online", "last_seen", "on_air", "device", "clock_offset_s", "unacked_rows",
                "missing_media"):  # fmt: skip
        assert key in listed
    assert made["token"] not in json.dumps(listed)
    item = hub.add(tone())["id"]
    assert "no station ZZ" in _one_line_error(hub("queue", "add", item, "--at", at_in(3600), "--stations", "ZZ"))
    queued = hub.json("queue", "add", item, "--at", at_in(3600), "--stations", "XA")
    assert len(queued) == 1
    assert _one_line_error(hub("hub", "station", "add", "bad code!", "--name", "x"))
    assert hub("slot", "add", "Sáng", "--at", "06:00").exit_code == 0
    assert "no station ZZ" in _one_line_error(hub("queue", "add", item, "--slot", "Sáng", "--stations", "ZZ"))


def test_a_station_not_joined_says_so_in_one_line(radio):
    assert "joined no hub" in _one_line_error(radio("sync", "--once"))
    assert "https://" in _one_line_error(radio("join", "ftp://x", "--station", "A", "--token", "t"))


def test_hub_init_refuses_a_database_that_is_not_postgresql(tmp_path):
    hub = Radio(tmp_path / "hub")
    assert "postgresql://" in _one_line_error(hub("hub", "init", "--db", "mysql://x/y"))


def _post(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _row(seq: int) -> dict:
    return {"uuid": str(uuid.UUID(int=seq)), "seq": seq, "item_sha256": None, "title": f"Tin {seq}",
            "topic": "chinh-sach", "language": "vi", "occurrence_start": "2026-12-01T00:00:00+00:00",
            "scheduled_at": "2026-12-01T00:00:00+00:00", "started_at": "2026-12-01T00:00:00+00:00",
            "ended_at": "2026-12-01T00:01:00+00:00", "seconds_played": 60.0, "status": "completed"}  # fmt: skip


def test_a_province_hub_on_postgresql_stores_each_row_once_and_acks_what_is_contiguous(tmp_path, radio_bin,
                                                                                      pg_database):  # fmt: skip
    hub = Hub(radio_bin, tmp_path / "hub", env_for(tmp_path), pg_database)
    token = hub.add_station("XA")
    hub.serve()
    try:
        url = f"{hub.url}/v1/stations/XA/asrun"
        assert _post(url, token, {"rows": [_row(1), _row(2), _row(4)]})["acked"] == 2  # 3 is missing
        assert _post(url, token, {"rows": [_row(1), _row(2), _row(4)]})["acked"] == 2  # sent again: no change
        assert _post(url, token, {"rows": [_row(3)]})["acked"] == 4
        rows = hub.json("log", "--station", "XA", "--from", "2026-12-01", "--to", "2026-12-01")
        assert sorted(r["title"] for r in rows) == ["Tin 1", "Tin 2", "Tin 3", "Tin 4"]
        report = json.loads(hub.cli("report", "airtime", "--month", "2026-12", "--by", "station", "--format",
                                    "json").stdout)  # fmt: skip
        assert [(g["station"], g["airings"], g["seconds"]) for g in report["groups"]] == [("XA", 4, 240.0)]
        programme = json.loads(hub.cli("report", "programme", "--half", "2026H2", "--format", "json").stdout)
        aired = {t["topic"]: t for t in programme["topics"]}
        assert aired["chinh-sach"]["airings"] == 4
    finally:
        hub.stop()
    from sqlalchemy import create_engine

    engine = create_engine(pg_database.replace("postgresql://", "postgresql+psycopg://"))
    with pytest.raises(Exception, match="never deleted"), engine.begin() as con:
        con.execute(text("DELETE FROM as_run"))
    with pytest.raises(Exception, match="final once completed"), engine.begin() as con:
        con.execute(text("UPDATE as_run SET title = 'sửa' WHERE station_seq = 1"))
    engine.dispose()


def test_the_console_shows_the_hubs_stations_sortable(tmp_path, radio_bin, subprocess_env):
    from datetime import datetime, timezone

    from radio.app import open_app
    from tests.webtools import add_users, start_console, stop_console

    hub = Radio(tmp_path / "hub")
    assert hub("hub", "init").exit_code == 0
    for code, name in (("XA", "Xã An"), ("XB", "Xã Bình"), ("XC", "Xã Cường")):
        hub.json("hub", "station", "add", code, "--name", name)
    app = open_app(hub.home)
    app.stations.heartbeat("XB", {"on_air": "Bản tin trưa", "device": "ok", "clock_offset_s": -42.5,
                                  "unacked_rows": 3, "missing_media": 1, "disk_free_mb": 900}, datetime.now(timezone.utc))  # fmt: skip
    app.close()
    add_users(hub.home, [("chi", "viewer", "Lê Văn Chí")])
    console = start_console(radio_bin, subprocess_env, hub.home)
    try:
        page = console.client("chi").get("/stations?sort=name&desc=1").text
        assert 'href="/stations"' in page and "1/3 trạm trực tuyến" in page  # (the console speaks Vietnamese)
        assert page.index("Xã Cường") < page.index("Xã Bình") < page.index("Xã An")
        assert "Bản tin trưa" in page and "-42.5" in page
        by_offset = console.client("chi").get("/stations?sort=clock_offset_s").text
        assert by_offset.index("Xã Bình") < by_offset.index("Xã An")  # stations never heard of come last
    finally:
        stop_console(console)


def test_a_station_console_has_no_stations_page(console):
    page = console.client("chi").get("/stations").text
    assert "không phải đài trung tâm" in page and 'href="/stations"' not in page


def test_tls_hub_and_a_station_joining_with_its_ca(tmp_path, radio_bin, tone):
    """`hub serve --tls-cert/--tls-key` with a self-signed certificate; the station trusts it
    with `join --ca`, and a station without it is refused in one line."""
    import subprocess

    from tests.networktools import Station

    cert, key = tmp_path / "hub.pem", tmp_path / "hub.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, None)
    token = hub.add_station("XT")
    hub.spawn("hub", "serve", "--listen", f"127.0.0.1:{hub.port}", "--tls-cert", str(cert), "--tls-key", str(key))
    url = f"https://127.0.0.1:{hub.port}"
    try:
        import ssl
        import time

        context = ssl.create_default_context(cafile=str(cert))
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/v1/media/x", context=context, timeout=2)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        station = Station(radio_bin, tmp_path / "st", env, "XT")
        refused = station.cli("join", url, "--station", "XT", "--token", token, check=False)
        assert refused.returncode == 1 and "certificate is not trusted" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        station.cli("join", url, "--station", "XT", "--token", token, "--ca", str(cert))
        done = station.cli("sync", "--once", check=False)
        assert done.returncode == 0, done.stderr
        assert "in step" in done.stdout
    finally:
        hub.stop()


def _fetch(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_a_station_fetches_only_the_media_its_own_sessions_air(tmp_path, radio_bin, tone):
    """A's token gets the file of A's session; the file only B's session airs answers 404,
    word for word as a sha256 the hub has never heard of (it leaks nothing)."""
    import hashlib

    hub = Hub(radio_bin, tmp_path / "hub", env_for(tmp_path), None)
    token_a, token_b = hub.add_station("A"), hub.add_station("B")
    files = {}
    for code, freq in (("A", 440), ("B", 660)):
        path = tone(f"tin-{code}.wav", freq=freq)
        (entry,) = hub.json("library", "add", str(path), "--topic", "chinh-sach")
        hub.cli("queue", "add", entry["id"], "--at", at_in(3600), "--stations", code)
        files[code] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.read_bytes())
    (common,) = hub.json("library", "add", str(tone("chung.wav", freq=880)), "--topic", "chinh-sach")
    hub.cli("queue", "add", common["id"], "--at", at_in(7200), "--all")
    hub.serve()
    try:
        media = f"{hub.url}/v1/media/"
        assert _fetch(media + files["A"][0], token_a) == (200, files["A"][1])
        assert _fetch(media + files["B"][0], token_b) == (200, files["B"][1])
        refused = _fetch(media + files["B"][0], token_a)
        assert refused[0] == 404 and files["B"][1] not in refused[1]
        assert refused == _fetch(media + "0" * 64, token_a)  # the same answer as for no such file
        assert _fetch(media + files["A"][0], token_b)[0] == 404
        assert _fetch(media + common["sha256"], token_a)[0] == 200  # a session for --all: every station
    finally:
        hub.stop()


def test_a_topic_made_at_the_hub_is_listed_at_the_station_after_a_sync(tmp_path, radio_bin):
    """The hub's topics.toml gains a topic and renames one: after `sync --once` the station's
    `radio topics` lists both as the hub has them, and keeps a topic of its own."""
    from radio.app import load_taxonomy
    from radio.domain.topics import Topic
    from tests.networktools import Station

    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, None)
    token = hub.add_station("XT")
    shipped = load_taxonomy(tmp_path / "nowhere")
    renamed = Topic(shipped.topics[0].code, "Giảm nghèo bền vững", True)
    hub_topics = shipped.merged_with([renamed, Topic("chuyen-doi-so", "Chuyển đổi số", False)])
    (hub.home / "topics.toml").write_text(hub_topics.to_toml(), encoding="utf-8")
    station = Station(radio_bin, tmp_path / "st", env, "XT")
    own = shipped.merged_with([Topic("hoi-lhpn", "Hội Liên hiệp Phụ nữ xã", False)])
    (station.home / "topics.toml").write_text(own.to_toml(), encoding="utf-8")
    hub.serve()
    try:
        station.join(hub.url, token)
        assert "chuyen-doi-so" not in station.cli("topics").stdout
        done = station.cli("sync", "--once", check=False)
        assert done.returncode == 0, done.stderr
        listed = {t["code"]: t["name"] for t in station.json("topics")}
        assert listed["chuyen-doi-so"] == "Chuyển đổi số"
        assert listed[renamed.code] == "Giảm nghèo bền vững"
        assert listed["hoi-lhpn"] == "Hội Liên hiệp Phụ nữ xã"
        assert "Chuyển đổi số" in station.cli("topics").stdout
    finally:
        hub.stop()


def test_a_slot_session_at_the_hub_reaches_stations_at_the_occurrence(tmp_path, radio_bin, tone):
    """`queue add --slot Trưa --stations …` at the hub: a station with a slot of that name at
    the same time gets the item in its own slot's occurrence; one without it, a one-off at
    the occurrence's instant; a station not named, nothing."""
    from tests.networktools import Station

    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, None)
    tokens = {code: hub.add_station(code) for code in ("XA", "XB", "XC")}
    hub.cli("slot", "add", "Trưa", "--at", "11:30")
    (entry,) = hub.json("library", "add", str(tone("trua.wav")), "--topic", "chinh-sach", "--title", "Tin trưa")
    hub.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND xã")
    (queued,) = hub.json("queue", "add", entry["id"], "--slot", "Trưa", "--stations", "XA,XB")
    instant = datetime.fromisoformat(queued["date"] + "T11:30:00+07:00")
    hub.serve()
    try:
        stations = {code: Station(radio_bin, tmp_path / f"st-{code}", env, code) for code in tokens}
        stations["XA"].cli("slot", "add", "Trưa", "--at", "11:30")
        for code, station in stations.items():
            station.join(hub.url, tokens[code])
            done = station.cli("sync", "--once", check=False)
            assert done.returncode == 0, done.stderr
        (in_slot,) = stations["XA"].json("queue", "list")
        assert (in_slot["title"], in_slot["slot"], in_slot["date"], in_slot["at"]) == ("Tin trưa", "Trưa",
                                                                                       queued["date"], None)  # fmt: skip
        (one_off,) = stations["XB"].json("queue", "list")
        assert one_off["title"] == "Tin trưa" and one_off["slot"] is None
        assert datetime.fromisoformat(one_off["at"]) == instant
        assert stations["XC"].json("queue", "list") == []
    finally:
        hub.stop()


def test_stations_name_the_commune_they_serve_and_reports_group_by_it(tmp_path):
    """A merged commune runs several former sites: `--commune` on add and edit, listed, and
    `report airtime --by commune` (rows sent up by two sites of one commune count together)."""
    from radio.app import open_app

    hub = Radio(tmp_path / "hub")
    assert hub("hub", "init").exit_code == 0
    made = hub.json("hub", "station", "add", "DONG-A", "--name", "Trạm Đông A", "--commune", "Xa\u0303 Đông")
    assert made["commune"] == "Xã Đông"  # NFC, as typed on any keyboard
    hub.json("hub", "station", "add", "DONG-B", "--name", "Trạm Đông B")
    edited = hub.json("hub", "station", "edit", "DONG-B", "--commune", "Xã Đông")
    assert edited["commune"] == "Xã Đông" and edited["name"] == "Trạm Đông B"
    hub.json("hub", "station", "add", "TAY", "--name", "Trạm Tây", "--commune", "Phường Tây")
    assert {s["code"]: s["commune"] for s in hub.json("hub", "station", "list")} == {
        "DONG-A": "Xã Đông", "DONG-B": "Xã Đông", "TAY": "Phường Tây"}
    assert "Xã Đông" in hub("hub", "station", "list").stdout
    assert _one_line_error(hub("hub", "station", "edit", "NONE", "--commune", "x"))
    assert hub("hub", "station", "edit", "TAY").exit_code == 2
    app = open_app(hub.home)
    try:
        for code, seqs in (("DONG-A", (1, 2)), ("DONG-B", (1,)), ("TAY", (1,))):
            app.stations.ingest(code, [{**_row(seq), "uuid": str(uuid.uuid4())} for seq in seqs])
    finally:
        app.close()
    report = json.loads(hub("report", "airtime", "--month", "2026-12", "--by", "commune", "--format", "json").stdout)
    assert [(g["commune"], g["airings"], g["seconds"]) for g in report["groups"]] == [
        ("Xã Đông", 3, 180.0), ("Phường Tây", 1, 60.0)]
    table = hub("report", "airtime", "--month", "2026-12", "--by", "commune").stdout
    assert "Xã/phường" in table and "Xã Đông" in table


def test_a_row_the_hub_holds_for_one_station_is_acknowledged_once_to_another(tmp_path):
    """A PC re-joined under another code sends again rows the hub already has: acknowledged
    (the outbox is not stuck on them) and stored once, under the station that sent them first."""
    from sqlalchemy import func, select

    from radio.app import open_app
    from radio.storage.tables import AsRunRow

    hub = Radio(tmp_path / "hub")
    assert hub("hub", "init").exit_code == 0
    for code in ("OLD", "NEW"):
        hub.json("hub", "station", "add", code, "--name", f"Trạm {code}")
    app = open_app(hub.home)
    try:
        rows = [_row(1), _row(2)]
        assert app.stations.ingest("OLD", rows).acked == 2
        assert app.stations.ingest("NEW", rows).acked == 2
        assert app.stations.ingest("NEW", [{**_row(3), "uuid": str(uuid.uuid4())}]).acked == 3
        with app.sessions() as session:
            held = dict(session.execute(select(AsRunRow.station, func.count()).group_by(AsRunRow.station)).all())
        assert held == {"OLD": 2, "NEW": 1}
    finally:
        app.close()
