"""`radio export-usb` options on a plain folder: several hamlets, dry run, playlists, profiles,
the transcode cache, and the record kept for reports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from mutagen.mp3 import MP3


@pytest.fixture
def station(radio, tone):
    ids = []
    for n, (title, topic, language) in enumerate([
        ("Chính sách hỗ trợ hộ nghèo", "chinh-sach", "vi"),
        ("Mô hình trồng quế", "mo-hinh", "vi"),
        ("Tshaj tawm xov xwm", "chinh-sach", "hmn"),
    ], start=1):  # fmt: skip
        ids.append(radio.add(tone(seconds=2, freq=300 * n), topic=topic, title=title, language=language)["id"])
    radio("hamlet", "add", "A1", "--name", "Thôn A")
    radio("hamlet", "add", "B2", "--name", "Bản B", "--language", "hmn,vi", "--topics", "chinh-sach")
    radio("hamlet", "add", "C3", "--name", "Khối C", "--language", "km")
    return ids


def test_all_hamlets_go_to_dest_code_folders(radio, station, tmp_path):
    dest = tmp_path / "out"
    result = radio("export-usb", str(dest), "--all", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {p["hamlet"]: p["items"] for p in out["packages"]} == {"A1": 2, "B2": 2}
    assert out["skipped"] == ["C3"] and "C3" in result.stderr
    a = json.loads((dest / "A1" / "BANTIN" / "manifest.json").read_text())
    b = json.loads((dest / "B2" / "BANTIN" / "manifest.json").read_text())
    assert [i["item_id"] for i in a["items"]] == [station[0], station[1]]
    assert [i["item_id"] for i in b["items"]] == [station[0], station[2]]
    assert b["items"][1]["file"] == "002_tshaj-tawm-xov-xwm.mp3"
    for code in ("A1", "B2"):
        assert radio("usb", "verify", str(dest / code)).exit_code == 0
    records = radio.json("usb", "packages")
    assert sorted(r["hamlet"] for r in records) == ["A1", "B2"]
    assert {r["package_id"] for r in records} == {p["package_id"] for p in out["packages"]}


def test_record_counts_packages_per_hamlet_for_reports(radio, station, tmp_path):
    from radio.app import open_app

    (tmp_path / "s").mkdir()
    for _ in range(2):
        assert radio("export-usb", str(tmp_path / "s"), "--hamlet", "A1").exit_code == 0
    app = open_app(radio.home)
    try:
        now = datetime.now(timezone.utc)
        assert app.hamlets.package_counts(now - timedelta(days=1), now + timedelta(days=1)) == [("A1", "Thôn A", 2)]
        assert app.hamlets.package_counts(now + timedelta(days=1), now + timedelta(days=2)) == []
    finally:
        app.close()


def test_dry_run_writes_nothing(radio, station, tmp_path):
    dest = tmp_path / "stick"
    dest.mkdir()
    result = radio("export-usb", str(dest), "--hamlet", "A1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "001_chinh-sach-ho-tro-ho-ngheo.mp3" in result.output and "Space needed" in result.output
    assert list(dest.iterdir()) == []
    plan = radio.json("export-usb", str(dest), "--hamlet", "A1", "--dry-run")
    assert plan["sizes"] == "estimated" and plan["space"]["fits"]
    assert [i["file"] for i in plan["packages"][0]["items"]] == [
        "001_chinh-sach-ho-tro-ho-ngheo.mp3", "002_mo-hinh-trong-que.mp3"]  # fmt: skip
    assert radio.json("usb", "packages") == []


def test_playlist_in_its_own_order(radio, station, tmp_path):
    playlists = radio.home / "playlists"
    playlists.mkdir()
    (playlists / "tuan47.toml").write_text(f'title = "Tuần 47"\nitems = [{station[2]}, {station[0]}]\n', encoding="utf-8")
    (playlists / "le.txt").write_text(f"# lễ\n{station[1]}  # quế\n", encoding="utf-8")
    dest = tmp_path / "stick"
    dest.mkdir()
    out = radio.json("export-usb", str(dest), "--hamlet", "A1", "--playlist", "tuan47")
    manifest = json.loads((dest / "BANTIN" / "manifest.json").read_text())
    assert [i["item_id"] for i in manifest["items"]] == [station[2], station[0]]
    assert manifest["playlist"] == "tuan47" and out["packages"][0]["items"] == 2
    assert radio.json("export-usb", str(dest), "--hamlet", "A1", "--playlist", "le")["packages"][0]["items"] == 1
    missing = radio("export-usb", str(dest), "--hamlet", "A1", "--playlist", "khong")
    assert missing.exit_code == 1 and "le, tuan47" in missing.stderr


def test_playlist_with_an_unapproved_item_is_refused(radio, station, tone, tmp_path):
    draft = radio.add(tone(seconds=1), title="Nháp", approve=False)["id"]
    (radio.home / "playlists").mkdir()
    (radio.home / "playlists" / "p.txt").write_text(f"{station[0]}\n{draft}\n")
    (tmp_path / "s").mkdir()
    result = radio("export-usb", str(tmp_path / "s"), "--hamlet", "A1", "--playlist", "p")
    assert result.exit_code == 1 and f"#{draft} (not approved)" in result.stderr


def test_mono_profile_and_the_transcode_cache(radio, station, tmp_path):
    (tmp_path / "s").mkdir()
    assert radio("export-usb", str(tmp_path / "s"), "--hamlet", "A1", "--profile", "mono").exit_code == 0
    audio = MP3(tmp_path / "s" / "BANTIN" / "001_chinh-sach-ho-tro-ho-ngheo.mp3")
    assert audio.info.channels == 1 and audio.info.sample_rate == 44100
    cached = sorted((radio.home / "cache" / "usb").rglob("*.mp3"))
    assert len(cached) == 2 and all("1ch" in p.parent.name for p in cached)
    stamps = [p.stat().st_mtime_ns for p in cached]
    # Exported again (another stick): copied from the cache, not transcoded again.
    (tmp_path / "t").mkdir()
    assert radio("export-usb", str(tmp_path / "t"), "--hamlet", "A1", "--profile", "mono").exit_code == 0
    assert [p.stat().st_mtime_ns for p in sorted((radio.home / "cache" / "usb").rglob("*.mp3"))] == stamps
    plan = radio.json("export-usb", str(tmp_path / "t"), "--hamlet", "A1", "--profile", "mono", "--dry-run")
    assert plan["sizes"] == "exact"


def test_usage_errors(radio, station, tmp_path):
    assert radio("export-usb", str(tmp_path), "--all", "--hamlet", "A1").exit_code == 2
    assert radio("export-usb", str(tmp_path)).exit_code == 2
    result = radio("export-usb", str(tmp_path / "absent"), "--hamlet", "A1")
    assert result.exit_code == 1 and "is the stick mounted" in result.stderr
    result = radio("export-usb", str(tmp_path), "--hamlet", "ZZ")
    assert result.exit_code == 1 and "no hamlet with code ZZ" in result.stderr
    result = radio("export-usb", str(tmp_path), "--hamlet", "C3")
    assert result.exit_code == 1 and "nothing to export" in result.stderr
