"""`radio announce` and `radio tts` as real processes: real espeak-ng, real ffmpeg, a real
SQLite station home."""

from __future__ import annotations

import json
import subprocess
import wave
from datetime import datetime, timedelta, timezone

import pytest

from radio.app import open_app
from radio.domain.asrun import AsRunStatus
from tests.conftest import make_tone

NOTICE = (
    "UBND xã Đồng Tâm thông báo: từ 7h30 ngày 15/3/2025, Trạm y tế xã tiêm vắc xin cho trẻ dưới 5 tuổi. "
    "Mức hỗ trợ 1.500.000đ/người. Liên hệ SĐT 0912345678."
)


def run(radio_bin, env, *args, input=None):
    return subprocess.run(
        [radio_bin, *map(str, args)], capture_output=True, text=True, env=env, timeout=120, input=input
    )


@pytest.fixture
def station(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    assert run(radio_bin, subprocess_env, "--home", home, "init").returncode == 0

    def radio(*args, env=None, input=None):
        return run(radio_bin, env or subprocess_env, "--home", home, *args, input=input)

    radio.home = home
    return radio


def _seconds(path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_announce_imports_a_draft_that_keeps_its_text(station, tmp_path):
    result = station("announce", NOTICE, "--topic", "y-te", "--title", "Tiêm chủng tháng 3", "--json")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    assert entry["status"] == "draft" and entry["duplicate"] is False
    assert (entry["title"], entry["topic"], entry["language"]) == ("Tiêm chủng tháng 3", "y-te", "vi")
    assert entry["notice_text"] == NOTICE
    assert entry["loudness_lufs"] < -10 and entry["true_peak_dbtp"] <= -2.5
    assert len(entry["sha256"]) == 64 and entry["original_name"] == "tiem-chung-thang-3.wav"

    # the same object as `library add --json`
    added = json.loads(station("library", "add", make_tone(tmp_path / "t.wav", seconds=1.0), "--topic", "y-te",
                               "--json").stdout)[0]  # fmt: skip
    assert list(entry) == list(added)

    shown = station("library", "show", str(entry["id"])).stdout
    assert "Notice text (spoken by 'radio announce'):" in shown and NOTICE in shown
    stored = list((station.home / "media").rglob(f"{entry['sha256']}*"))
    assert len(stored) == 1

    # read twice by default: the clip is about twice as long as a single reading
    once = json.loads(
        station("announce", NOTICE, "--topic", "y-te", "--title", "Một lần", "--repeat", "1", "--chime", "none",
                "--json").stdout  # fmt: skip
    )[0]
    assert 1.9 * once["duration_s"] < entry["duration_s"] < 2.0 * once["duration_s"] + 5.0

    # approval is unchanged: the notice airs only once approved
    assert station("library", "approve", str(entry["id"]), "--by", "Chủ tịch UBND xã").returncode == 0


def test_the_same_notice_twice_is_the_existing_item(station):
    first = json.loads(station("announce", "Họp thôn lúc 19h", "--topic", "thong-bao", "--title", "Họp", "--json").stdout)
    again = station("announce", "Họp thôn lúc 19h", "--topic", "thong-bao", "--title", "Họp")
    assert again.returncode == 0
    assert f"already in the library as #{first[0]['id']}" in again.stdout


def test_the_notice_can_come_from_a_file_or_standard_input(station, tmp_path):
    notice = tmp_path / "thong-bao.txt"
    notice.write_bytes("\ufeffThông báo\nHọp dân lúc 14h00 ngày 20/6/2025.\n".encode())  # Notepad writes a BOM
    (entry,) = json.loads(
        station("announce", "--file", notice, "--topic", "thong-bao", "--title", "Họp dân", "--json").stdout
    )
    assert entry["notice_text"] == "Thông báo\nHọp dân lúc 14h00 ngày 20/6/2025."
    assert entry["path"] == str(notice)
    spoken = station("tts", "normalize", "--file", "-", input="Quý IV/2025")
    assert spoken.stdout == "Quý bốn năm hai nghìn không trăm hai mươi lăm\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "radio: error: the notice is empty\n"),
        (["... !!! ---"], "radio: error: the notice has nothing to read aloud (only punctuation or symbols)\n"),
        (["--file", "missing.txt"], "radio: error: cannot read missing.txt: No such file or directory\n"),
        (["Xin chào", "--chime", "99"], "radio: error: no item with id 99\n"),
        (["Xin chào", "--chime", "khong-co.mp3"], "radio: error: chime 'khong-co.mp3': no such file or library item\n"),
        (["Xin chào", "--topic", "khong-co"], None),
    ],
)
def test_bad_input_is_one_line_and_exit_1(station, args, message):
    if "--topic" not in args:
        args = [*args, "--topic", "thong-bao"]
    result = station("announce", *args, "--title", "T")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("radio: error: ")
    if message:
        assert result.stderr == message
    assert station("library", "list", "--json").stdout.strip() == "[]"


def test_a_file_that_is_not_utf8_is_refused(station, tmp_path):
    notice = tmp_path / "cp1258.txt"
    notice.write_bytes("Thông báo".encode("cp1258"))
    result = station("announce", "--file", notice, "--topic", "thong-bao", "--title", "T")
    assert result.returncode == 1
    assert result.stderr.startswith(f"radio: error: {notice} is not UTF-8 text")
    assert "save the notice as UTF-8" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_notice_over_the_cap_is_refused_with_the_reason(station):
    (station.home / "radio.toml").write_text("[tts]\nmax_chars = 100\n", encoding="utf-8")
    result = station("announce", "Bà con chú ý. " * 10, "--topic", "thong-bao", "--title", "Dài")
    assert result.returncode == 1
    assert result.stderr == (
        "radio: error: the notice has 139 characters, more than the 100 one announcement may hold"
        " ([tts] max_chars): split it into parts and announce each\n"
    )


def test_both_text_and_file_is_a_usage_error(station, tmp_path):
    result = station("announce", "Xin chào", "--file", tmp_path / "x.txt", "--topic", "thong-bao", "--title", "T")
    assert result.returncode == 2
    assert "not both" in result.stderr


def test_errors_speak_vietnamese(station, subprocess_env):
    env = dict(subprocess_env, LANG="vi_VN.UTF-8")
    result = station("announce", "", "--topic", "thong-bao", "--title", "T", env=env)
    assert result.returncode == 1
    assert result.stderr == "radio: lỗi: thông báo không có nội dung\n"
    assert "Đọc một thông báo đã soạn" in station("announce", "--help", env=env).stdout


def test_tts_normalize_needs_no_station(radio_bin, subprocess_env, tmp_path):
    result = run(radio_bin, subprocess_env, "--home", tmp_path / "none", "tts", "normalize", "Số 123/QĐ-UBND ngày 15/3/2025")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Số một trăm hai mươi ba, quyết định ủy ban nhân dân ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm\n"
    )
    assert not (tmp_path / "none").exists()


def test_the_station_table_replaces_the_shipped_one(station):
    (station.home / "abbreviations.toml").write_text('[abbreviations]\n"UBND" = "ủy ban"\n', encoding="utf-8")
    # the shipped table is gone: HĐND is only spelled (as any unknown capitals), km not a unit
    assert station("tts", "normalize", "UBND và HĐND 15km").stdout == "ủy ban và hát đê nờ dê mười lăm km\n"
    (station.home / "abbreviations.toml").write_text("[abbreviations\n", encoding="utf-8")
    bad = station("tts", "normalize", "UBND")
    assert bad.returncode == 1 and "abbreviations.toml: not valid TOML" in bad.stderr


def test_tts_say_renders_wav_and_mp3_in_each_voice(station, tmp_path):
    lengths = {}
    for voice in ("north", "central", "south"):
        out = tmp_path / f"{voice}.wav"
        result = station("tts", "say", "Bà con chú ý, 7h30 họp thôn.", "-o", out, "--voice", voice)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"wrote {out} (0:0")
        lengths[voice] = _seconds(out)
    assert all(1.0 < s < 10.0 for s in lengths.values())
    assert len({(tmp_path / f"{v}.wav").read_bytes() for v in lengths}) == 3  # three different voices
    slow = tmp_path / "slow.wav"
    station("tts", "say", "Bà con chú ý, 7h30 họp thôn.", "-o", slow, "--rate", "90", "--voice", "north")
    assert _seconds(slow) > 1.3 * lengths["north"]
    mp3 = tmp_path / "x.mp3"
    assert station("tts", "say", "Xin chào", "-o", mp3, "--repeat", "2", "--chime", "none").returncode == 0
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", mp3],
                           capture_output=True, text=True)  # fmt: skip
    assert probe.stdout.strip() == "mp3"
    assert not list(tmp_path.glob(".*part*"))
    assert station("tts", "say", "Xin chào", "-o", tmp_path / "x.ogg").returncode == 1


def test_chime_from_a_file_or_a_library_item(station, tmp_path):
    chime = make_tone(tmp_path / "chuong.mp3", seconds=3.0, freq=880)
    plain = tmp_path / "plain.wav"
    station("tts", "say", "Xin chào bà con", "-o", plain)
    with_file = tmp_path / "file.wav"
    assert station("tts", "say", "Xin chào bà con", "-o", with_file, "--chime", chime).returncode == 0
    assert 3.4 < _seconds(with_file) - _seconds(plain) < 4.0  # the chime and the lead-in
    (item,) = json.loads(station("library", "add", chime, "--topic", "thong-bao", "--json").stdout)
    with_item = tmp_path / "item.wav"
    assert station("tts", "say", "Xin chào bà con", "-o", with_item, "--chime", str(item["id"])).returncode == 0
    assert abs(_seconds(with_item) - _seconds(with_file)) < 0.1
    long = make_tone(tmp_path / "dai.wav", seconds=40.0)
    refused = station("tts", "say", "Xin chào", "-o", tmp_path / "l.wav", "--chime", long)
    assert refused.returncode == 1 and "is longer than 30 s" in refused.stderr


def test_a_command_voice_from_radio_toml(station):
    (station.home / "radio.toml").write_text(
        '[tts]\nengine = "command"\ncommand = "espeak-ng -v vi-vn-x-south -s {rate} -w {output} -f {text_file}"\n',
        encoding="utf-8",
    )
    result = station("announce", "Thông báo lúc 7h30", "--topic", "thong-bao", "--title", "Lệnh", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["duration_s"] > 3.0
    (station.home / "radio.toml").write_text('[tts]\nengine = "command"\ncommand = "false {output}"\n', encoding="utf-8")
    failed = station("announce", "Thông báo", "--topic", "thong-bao", "--title", "Hỏng")
    assert failed.returncode == 1 and failed.stderr.startswith("radio: error: false failed (exit code 1)")
    (station.home / "radio.toml").write_text('[tts]\nengine = "neural"\ncommand = "piper"\nrate = 20\n', encoding="utf-8")
    bad = station("tts", "say", "x", "-o", station.home / "x.wav")
    assert bad.returncode == 1
    assert "'tts.engine' must be one of: espeak-ng, command" in bad.stderr
    assert "'tts.command' must contain {output}" in bad.stderr
    assert "'tts.rate' must be between 80 and 300" in bad.stderr


def test_the_log_book_lists_the_notice_text(station):
    (entry,) = json.loads(station("announce", NOTICE, "--topic", "y-te", "--title", "Tiêm chủng", "--json").stdout)
    station("library", "approve", str(entry["id"]), "--by", "Chủ tịch UBND xã")
    app = open_app(station.home)
    try:
        at = datetime(2026, 12, 31, 0, 30, tzinfo=timezone.utc)
        app.as_run.record(
            app.library.get(entry["id"]), status=AsRunStatus.COMPLETED, occurrence_start=at, scheduled_at=at,
            slot_name="Buổi sáng", started_at=at, ended_at=at + timedelta(seconds=30), seconds_played=30.0,
        )  # fmt: skip
    finally:
        app.close()
    text = station("report", "logbook", "--week", "2026-W53").stdout
    assert "Nội dung thông báo (mục 1, «Tiêm chủng»): UBND xã Đồng Tâm thông báo: từ 7h30" in text
    data = json.loads(station("report", "logbook", "--week", "2026-W53", "--format", "json").stdout)
    items = [i for d in data["days"] for o in d["occurrences"] for i in o["items"]]
    assert [i["notice_text"] for i in items] == [NOTICE]


@pytest.mark.parametrize(
    ("args", "spoken"),
    [
        (["- Thông báo: họp lúc 7h30"], "- Thông báo: họp lúc bảy giờ ba mươi phút\n"),
        (["-5°C về đêm"], "âm năm độ xê về đêm\n"),
        (["-Thông báo số 12/TB-UBND"], "-Thông báo số mười hai, thông báo ủy ban nhân dân\n"),
        (["--", "- sau hai gạch"], "- sau hai gạch\n"),
    ],
)
def test_a_notice_that_begins_with_a_dash_is_text_not_an_option(radio_bin, subprocess_env, tmp_path, args, spoken):
    result = run(radio_bin, subprocess_env, "--home", tmp_path / "none", "tts", "normalize", *args)
    assert (result.returncode, result.stdout, result.stderr) == (0, spoken, "")


def test_the_notice_from_standard_input(radio_bin, subprocess_env, tmp_path):
    for args in ([], ["-"]):
        result = run(radio_bin, subprocess_env, "--home", tmp_path / "none", "tts", "normalize", *args,
                     input="- Kế hoạch 98/KH-UBND./.\n")  # fmt: skip
        assert (result.returncode, result.stdout) == (0, "- Kế hoạch chín mươi tám, kế hoạch ủy ban nhân dân.\n")
    unknown = run(radio_bin, subprocess_env, "tts", "normalize", "--bogus")
    assert unknown.returncode == 2 and "--bogus" in unknown.stderr


def test_announce_takes_a_notice_that_begins_with_a_dash(station):
    result = station("announce", "- Thông báo: họp dân lúc 7h30.", "--topic", "thong-bao", "--title", "- Họp dân")
    assert result.returncode == 0, result.stderr
    (item,) = json.loads(station("library", "list", "--json").stdout)
    assert (item["notice_text"], item["title"]) == ("- Thông báo: họp dân lúc 7h30.", "- Họp dân")
