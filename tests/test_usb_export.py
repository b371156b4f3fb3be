"""`radio export-usb` and `radio usb verify` on a real FAT32 filesystem (fusefat), with the
directory order read back by mtools, independently of radio's code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

FOLDER = "BANTIN"


@pytest.fixture
def station(radio, tone):
    """Four approved items in several topics and priorities, and two hamlets."""
    titles = [
        ("Chính sách hỗ trợ hộ nghèo", "chinh-sach", "normal"),
        ("Đường làng ngõ xóm sạch đẹp", "chinh-sach", "normal"),
        ("Cảnh báo mưa lũ", "chinh-sach", "emergency"),
        ("Mô hình nuôi bò sinh sản", "mo-hinh", "priority"),
    ]
    items = []
    for n, (title, topic, priority) in enumerate(titles, start=1):
        items.append(radio.add(tone(seconds=2, freq=200 + 100 * n), topic=topic, title=title, priority=priority))
    radio("hamlet", "add", "DT01", "--name", "Xóm Đồng Tâm")
    radio("hamlet", "add", "DT02", "--name", "Thôn Bản Pục", "--topics", "mo-hinh")
    return items


EXPECTED = [
    "001_canh-bao-mua-lu.mp3",
    "002_mo-hinh-nuoi-bo-sinh-san.mp3",
    "003_chinh-sach-ho-tro-ho-ngheo.mp3",
    "004_duong-lang-ngo-xom-sach-dep.mp3",
]


def mp3s(names):
    return [n for n in names if n.endswith(".mp3")]


def test_export_to_fat32_writes_play_order(radio, station, fat32):
    fs = fat32(64)
    out = radio.json("export-usb", str(fs.mount), "--hamlet", "dt01", "--date", "2026-11-23")
    (package,) = out["packages"]
    folder = fs.mount / FOLDER
    assert package["items"] == 4 and package["folder"] == str(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in manifest["items"]] == EXPECTED
    assert manifest["hamlet"] == {"code": "DT01", "name": "Xóm Đồng Tâm"} and manifest["station"]
    listing = (folder / "00_DANH_SACH.txt").read_bytes()
    assert listing.startswith(b"\xef\xbb\xbf") and "Cảnh báo mưa lũ".encode() in listing
    assert (folder / "playlist.m3u8").read_text(encoding="utf-8").splitlines()[2] == EXPECTED[0]
    audio = MP3(folder / EXPECTED[0])
    assert (audio.info.sample_rate, audio.info.channels) == (44100, 2)
    assert audio.info.bitrate_mode == BitrateMode.CBR and round(audio.info.bitrate / 1000) == 128
    tags = ID3(folder / EXPECTED[0])
    assert tags.version == (2, 3, 0) and str(tags["TIT2"]) == "Cảnh báo mưa lũ" and str(tags["TRCK"]) == "1/4"

    verify = radio("usb", "verify", str(fs.mount))
    assert verify.exit_code == 0, verify.output
    assert "in play order" in verify.output
    # Read back by mtools from the unmounted image: the player's order.
    order = fs.order(FOLDER)
    assert mp3s(order) == EXPECTED
    assert order[-1] == "manifest.json"
    assert not [n for n in order if n.startswith(".")]
    assert radio.json("usb", "packages")[0]["hamlet"] == "DT01"


def test_second_export_replaces_only_our_files_and_keeps_order(radio, station, fat32, tone):
    fs = fat32(64)
    (fs.mount / "Nhac cua thon.mp3").write_bytes(b"the hamlet's own music")
    (fs.mount / "GHI CHU").mkdir()
    (fs.mount / "GHI CHU" / "loa.txt").write_text("loa cụm 3")
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    # The library changes: one item retired, a new one with a longer title added.
    radio("library", "retire", str(station[0]["id"]))
    radio.add(tone(seconds=2, freq=900), topic="chinh-sach", title="Hướng dẫn đăng ký hộ cận nghèo năm 2027",
              priority="priority")  # fmt: skip
    result = radio("export-usb", str(fs.mount), "--hamlet", "DT01")
    assert result.exit_code == 0, result.output
    expected = [
        "001_canh-bao-mua-lu.mp3",
        "002_huong-dan-dang-ky-ho-can-ngheo-nam-2027.mp3",
        "003_mo-hinh-nuoi-bo-sinh-san.mp3",
        "004_duong-lang-ngo-xom-sach-dep.mp3",
    ]
    assert radio("usb", "verify", str(fs.mount)).exit_code == 0
    assert (fs.mount / "Nhac cua thon.mp3").read_bytes() == b"the hamlet's own music"
    assert (fs.mount / "GHI CHU" / "loa.txt").read_text() == "loa cụm 3"
    assert fs.order(FOLDER) == [*expected, "00_DANH_SACH.txt", "playlist.m3u8", "manifest.json"]
    assert set(fs.order("")) >= {"Nhac cua thon.mp3", "GHI CHU", FOLDER}


def test_foreign_file_in_the_folder_is_kept_and_reported(radio, station, fat32):
    fs = fat32(64)
    (fs.mount / FOLDER).mkdir()
    (fs.mount / FOLDER / "bai-hat.mp3").write_bytes(b"x" * 1000)
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    assert (fs.mount / FOLDER / "bai-hat.mp3").read_bytes() == b"x" * 1000
    report = radio("usb", "verify", str(fs.mount), "--json")
    assert report.exit_code == 1
    problems = json.loads(report.stdout)["problems"]
    assert [(p["kind"], p["file"]) for p in problems] == [("extra", "bai-hat.mp3")]
    # A foreign file under one of our names is never overwritten: nothing is written at all.
    (fs.mount / FOLDER / "bai-hat.mp3").unlink()
    for name in os.listdir(fs.mount / FOLDER):
        (fs.mount / FOLDER / name).unlink()
    (fs.mount / FOLDER / EXPECTED[0]).write_bytes(b"theirs")
    result = radio("export-usb", str(fs.mount), "--hamlet", "DT01")
    assert result.exit_code == 1 and "not written by radio" in result.stderr
    assert os.listdir(fs.mount / FOLDER) == [EXPECTED[0]]


def test_stick_too_small_writes_nothing(radio, station, fat32):
    fs = fat32(40)
    free = os.statvfs(fs.mount)  # fusefat reports nothing here; radio reads the FAT itself
    assert free.f_blocks == 0 or free.f_bavail >= 0
    filler = fs.mount / "day.bin"
    with filler.open("wb") as f:  # leave about 60 KB free: less than one 2 s item at 128 kbps x 4
        f.write(b"\0" * (38 * 1024 * 1024))
    from radio.export.space import free_space

    left = free_space(fs.mount).free
    assert left is not None and left < 2 * 1024 * 1024
    if left > 100 * 1024:
        with (fs.mount / "day2.bin").open("wb") as f:
            f.write(b"\0" * (left - 60 * 1024))
    result = radio("export-usb", str(fs.mount), "--hamlet", "DT01")
    assert result.exit_code == 1
    assert "not enough space" in result.stderr and "nothing was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (fs.mount / FOLDER).exists()
    dry = radio("export-usb", str(fs.mount), "--hamlet", "DT01", "--dry-run")
    assert dry.exit_code == 1 and "Space needed" in dry.output


def test_interrupted_export_never_looks_complete(radio, station, fat32, tone, radio_bin, subprocess_env):
    fs = fat32(128)
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    first = json.loads((fs.mount / FOLDER / "manifest.json").read_text())
    # A bigger second package, transcoded beforehand so the kill lands while writing the stick.
    for n in range(8):
        radio.add(tone(seconds=40, freq=300 + 50 * n), topic="chinh-sach", title=f"Bản tin số {n + 1}")
    (fs.mount.parent / "warm").mkdir()
    assert radio("export-usb", str(fs.mount.parent / "warm"), "--hamlet", "DT01").exit_code == 0
    proc = subprocess.Popen(
        [radio_bin, "--home", str(radio.home), "export-usb", str(fs.mount), "--hamlet", "DT01"],
        env=subprocess_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    folder = fs.mount / FOLDER
    while time.monotonic() < deadline:
        names = os.listdir(folder) if folder.exists() else []
        if "005_ban-tin-so-1.mp3" in names and not (folder / "manifest.json").exists():
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    names = os.listdir(folder)
    assert "manifest.json" not in names, "the export finished before it could be interrupted"
    assert "manifest.incomplete.json" in names
    report = radio("usb", "verify", str(fs.mount), "--json")
    assert report.exit_code == 1
    assert json.loads(report.stdout)["problems"][0]["kind"] == "incomplete"
    # The next export cleans up everything the interrupted one wrote, and completes.
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    assert radio("usb", "verify", str(fs.mount)).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["package_id"] != first["package_id"] and len(manifest["items"]) == 12
    order = fs.order(FOLDER)
    assert order == [*(i["file"] for i in manifest["items"]), "00_DANH_SACH.txt", "playlist.m3u8", "manifest.json"]


def test_verify_reports_tampering_precisely(radio, station, fat32):
    fs = fat32(64)
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    folder = fs.mount / FOLDER
    with (folder / EXPECTED[1]).open("r+b") as f:  # one byte changed in place
        f.seek(-100, os.SEEK_END)
        byte = f.read(1)
        f.seek(-100, os.SEEK_END)
        f.write(bytes([byte[0] ^ 0xFF]))
    (folder / EXPECTED[3]).unlink()
    (fs.mount / ".Trash-1000").mkdir()
    (folder / "._001_canh-bao-mua-lu.mp3").write_bytes(b"mac")
    report = radio("usb", "verify", str(fs.mount), "--json")
    assert report.exit_code == 1
    kinds = {(p["kind"], p["file"]) for p in json.loads(report.stdout)["problems"]}
    assert kinds == {
        ("checksum", EXPECTED[1]),
        ("missing", EXPECTED[3]),
        ("hidden", ".Trash-1000"),
        ("hidden", "BANTIN/._001_canh-bao-mua-lu.mp3"),
    }
    text = radio("usb", "verify", str(fs.mount))
    assert f"checksum mismatch: {EXPECTED[1]}" in text.output and f"missing: {EXPECTED[3]}" in text.output


def test_verify_detects_directory_order_not_play_order(radio, station, fat32):
    fs = fat32(64)
    assert radio("export-usb", str(fs.mount), "--hamlet", "DT01").exit_code == 0
    folder = fs.mount / FOLDER
    # Someone copies the files back in the wrong order: the freed slots are refilled 3, 1.
    saved = {n: (folder / n).read_bytes() for n in (EXPECTED[0], EXPECTED[2])}
    for n in saved:
        (folder / n).unlink()
    for n in (EXPECTED[2], EXPECTED[0]):
        (folder / n).write_bytes(saved[n])
    report = radio("usb", "verify", str(fs.mount), "--json")
    assert report.exit_code == 1
    (problem,) = json.loads(report.stdout)["problems"]
    assert problem["kind"] == "order"
    assert mp3s(fs.order(FOLDER)) != EXPECTED


def test_no_manifest_is_not_a_package(radio, tmp_path):
    (tmp_path / "stick").mkdir()
    result = radio("usb", "verify", str(tmp_path / "stick"))
    assert result.exit_code == 1 and "no manifest.json" in result.output
