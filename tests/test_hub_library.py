"""The hub's whole library reaches every station (metadata and approvals, not the media):
an operator at a station sees the province's approved bulletins, marked "not yet on this
PC", queues one and the next sync fetches its file. Real processes: `radio hub serve` on a
real PostgreSQL and a station's `radio sync --once`."""

from __future__ import annotations

import gzip
import hashlib
import json
import urllib.request

from tests.networktools import Hub, Station, at_in, env_for
from tests.webtools import add_user, start_console, stop_console

pytest_plugins = ["tests.pgserver"]


def _state(hub: Hub, code: str, token: str) -> dict:
    request = urllib.request.Request(f"{hub.url}/v1/stations/{code}/state", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _library(hub: Hub, code: str, token: str) -> str:
    """The catalog the hub serves that station's token, as text."""
    request = urllib.request.Request(f"{hub.url}/v1/stations/{code}/library", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return (gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body).decode()


def test_a_station_sees_the_hubs_approved_bulletins_and_fetches_one_when_queued(tmp_path, radio_bin, pg_database,
                                                                                 tone):  # fmt: skip
    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, pg_database)
    bulletin = tone("ban-tin-tinh.wav", freq=550)
    (approved,) = hub.json("library", "add", str(bulletin), "--topic", "chinh-sach", "--title", "Bản tin của tỉnh")
    hub.cli("library", "approve", approved["id"], "--by", "Sở Văn hoá")
    same_file = tone("nhap.wav", freq=770)
    (draft,) = hub.json("library", "add", str(same_file), "--topic", "y-te", "--title", "Bản nháp",
                        "--source", "Phòng Y tế (nháp)")  # fmt: skip
    hub.serve()
    station = Station(radio_bin, tmp_path / "st", env, "XA")
    token = hub.add_station("XA")
    # an approved bulletin the hub schedules for the station: it arrives with the session
    (sent,) = hub.json("library", "add", str(tone("theo-lich.wav", freq=660)), "--topic", "chinh-sach",
                       "--title", "Bản tin theo lịch")  # fmt: skip
    hub.cli("library", "approve", sent["id"], "--by", "Sở Văn hoá")
    (session,) = hub.json("queue", "add", sent["id"], "--at", at_in(3600), "--stations", "XA")
    station.join(hub.url, token)
    # the station's own bulletin happens to be the file the hub holds as a draft
    (own,) = station.json("library", "add", str(same_file), "--topic", "y-te", "--title", "Tin của xã")
    station.cli("library", "approve", own["id"], "--by", "Chủ tịch UBND xã")
    try:
        catalog = _library(hub, "XA", token)
        assert "Bản nháp" not in catalog and "Phòng Y tế (nháp)" not in catalog  # nothing of a draft to any token
        assert station.cli("sync", "--once", check=False).returncode == 0
        kept_own = station.json("library", "show", own["id"])
        assert (kept_own["title"], kept_own["status"]) == ("Tin của xã", "approved"), kept_own  # the station's own

        listed = {i["title"]: i for i in station.json("library", "list")}
        assert "Bản nháp" not in listed  # a draft at the hub is not the stations' yet
        mine = listed["Bản tin của tỉnh"]
        assert (mine["status"], mine["approved_by"], mine["sha256"]) == ("approved", "Sở Văn hoá", approved["sha256"])
        assert mine["on_this_pc"] is False and not station.has_sha(approved["sha256"])
        assert "(not yet on this PC)" in station.cli("library", "list").stdout
        add_user(radio_bin, env, station.home, "binh", "operator")
        console = start_console(radio_bin, env, station.home)
        try:  # the operator at the console sees it too, and why it is not playable yet
            page = console.client("binh").get("/library").text
        finally:
            stop_console(console)
        marked = page.split('class="meta absent"')
        assert len(marked) == 2 and "Bản tin của tỉnh" in marked[0].rsplit("<li", 1)[1]  # that item, marked once

        # the operator queues it here; the next sync fetches and verifies its file
        station.cli("queue", "add", mine["id"], "--at", at_in(3600))
        assert station.cli("sync", "--once", check=False).returncode == 0
        (kept,) = [p for p in (station.home / "media").rglob(f"{approved['sha256']}*") if p.is_file()]
        assert hashlib.sha256(kept.read_bytes()).hexdigest() == approved["sha256"]
        assert station.json("library", "show", mine["id"])["title"] == "Bản tin của tỉnh"
        assert {i["title"]: i for i in station.json("library", "list")}["Bản tin của tỉnh"]["on_this_pc"] is True

        # an edit at the hub moves every station's revision, and the station follows it
        before = _state(hub, "XA", token)["revision"]
        hub.cli("library", "edit", approved["id"], "--title", "Bản tin của tỉnh (sửa)")
        assert _state(hub, "XA", token)["revision"] != before
        hub.cli("library", "approve", draft["id"], "--by", "Sở Văn hoá")
        assert station.cli("sync", "--once", check=False).returncode == 0
        titles = {i["title"]: i for i in station.json("library", "list")}
        assert titles["Bản tin của tỉnh (sửa)"]["id"] == mine["id"] and "Bản tin của tỉnh" not in titles
        assert "Bản nháp" not in titles and titles["Tin của xã"]["id"] == own["id"]  # the station's own stays its own

        # the hub retires its bulletin: the station's copy of it is retired too, its own item not;
        # so is the copy that came with a session (no longer scheduled) before any catalog listed it
        came = next(i for i in station.json("library", "list") if i["sha256"] == sent["sha256"])
        assert came["status"] == "approved" and came["on_this_pc"] is True, came
        hub.cli("queue", "remove", str(session["id"]))
        hub.cli("library", "retire", approved["id"])
        hub.cli("library", "retire", draft["id"])
        hub.cli("library", "retire", sent["id"])
        assert station.cli("sync", "--once", check=False).returncode == 0
        assert station.json("library", "show", mine["id"])["status"] == "retired"
        assert station.json("library", "show", came["id"])["status"] == "retired"
        assert station.json("library", "show", own["id"])["status"] == "approved"
    finally:
        hub.stop()
