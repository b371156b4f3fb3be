"""`radio library add` with real ffmpeg, real files of many formats and a real SQLite file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import make_tone

FORMATS = {
    "mp3": [],
    "wav": [],
    "ogg": ["-c:a", "libvorbis"],
    "opus": ["-c:a", "libopus"],
    "m4a": ["-c:a", "aac"],
    "flac": [],
    "wma": ["-c:a", "wmav2"],
}


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_every_common_format_is_imported_with_its_measurements(radio, tmp_path, ext):
    path = make_tone(tmp_path / f"ban-tin.{ext}", seconds=3.0, extra=FORMATS[ext])
    (entry,) = radio.json("library", "add", path, "--topic", "chinh-sach")
    assert entry["status"] == "draft"
    assert entry["topic"] == "chinh-sach"
    assert entry["language"] == "vi"
    assert entry["priority"] == "normal"
    assert abs(entry["duration_s"] - 3.0) < 0.1
    # a sine at -12 dBFS: EBU R128 integrated loudness is about -15 LUFS, true peak about -12 dBTP
    assert -17.0 < entry["loudness_lufs"] < -13.0
    assert -13.5 < entry["true_peak_dbtp"] < -10.5
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["title"] == "ban-tin"


def test_file_is_kept_in_the_store_after_the_source_is_gone(radio, tone):
    source = tone("tin.mp3", seconds=1.0)
    (entry,) = radio.json("library", "add", source, "--topic", "y-te")
    source.unlink()  # the USB stick is removed
    stored = list((radio.home / "media").rglob(f"{entry['sha256']}*"))
    assert len(stored) == 1
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == entry["sha256"]
    assert not list((radio.home / "media" / ".incoming").iterdir())


def test_title_comes_from_the_tags_else_the_file_name_in_nfc(radio, tmp_path):
    tagged = make_tone(
        tmp_path / "x.mp3", seconds=1.0, extra=["-metadata", "title=Chính sách hỗ trợ hộ nghèo"]
    )
    nfd_name = unicodedata.normalize("NFD", "02_Gương điển hình.wav")
    untagged = make_tone(tmp_path / nfd_name, seconds=1.2)
    entries = radio.json("library", "add", tagged, untagged, "--topic", "mo-hinh")
    assert [e["title"] for e in entries] == ["Chính sách hỗ trợ hộ nghèo", "Gương điển hình"]
    assert unicodedata.is_normalized("NFC", entries[1]["title"])
    assert unicodedata.is_normalized("NFC", entries[1]["original_name"])


def test_given_title_and_options_are_recorded_in_nfc(radio, tone):
    nfd_title = unicodedata.normalize("NFD", "Thông báo của UBND xã")
    (entry,) = radio.json(
        "library", "add", tone(seconds=1.0), "--topic", "thong-bao", "--title", nfd_title,
        "--language", "HMN", "--source", "UBND huyện", "--priority", "emergency",
        "--valid-from", "2026-11-01", "--valid-until", "30/11/2026",
    )  # fmt: skip
    assert entry["title"] == unicodedata.normalize("NFC", nfd_title)
    assert entry["language"] == "hmn"
    assert entry["source"] == "UBND huyện"
    assert entry["priority"] == "emergency"
    assert (entry["valid_from"], entry["valid_until"]) == ("2026-11-01", "2026-11-30")


def test_same_content_twice_is_stored_once_and_reported_as_the_existing_id(radio, tone, tmp_path):
    first = tone("a.mp3", seconds=1.0)
    copy = tmp_path / "copy-with-other-name.mp3"
    copy.write_bytes(first.read_bytes())
    (one,) = radio.json("library", "add", first, "--topic", "chinh-sach")
    result = radio("library", "add", copy, "--topic", "tin-dung")
    assert result.exit_code == 0
    assert f"already in the library as #{one['id']}" in result.stdout
    assert len(radio.json("library", "list")) == 1
    assert len([p for p in (radio.home / "media").rglob("*") if p.is_file()]) == 1


def _bad_files(tmp_path: Path, tone) -> dict[str, Path]:
    bad = tmp_path / "bad"
    bad.mkdir()
    text = bad / "not-audio.mp3"
    text.write_text("Đây không phải là âm thanh\n", encoding="utf-8")
    empty = bad / "empty.wav"
    empty.touch()
    good = tone("good-for-truncation.mp3", seconds=8.0)
    truncated = bad / "truncated.mp3"
    truncated.write_bytes(good.read_bytes()[:4000])
    image = bad / "picture.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", str(image)], check=True
    )
    garbage = bad / "garbage.ogg"
    garbage.write_bytes(os.urandom(20_000))
    return {"text": text, "empty": empty, "truncated": truncated, "image": image, "garbage": garbage}


def test_each_kind_of_bad_file_is_rejected_with_one_line_naming_it(radio, tmp_path, tone):
    bad = _bad_files(tmp_path, tone)
    for kind, path in bad.items():
        result = radio("library", "add", path, "--topic", "chinh-sach")
        assert result.exit_code == 1, kind
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (kind, result.stderr)
        assert str(path) in lines[0]
        assert "Traceback" not in result.output
    reasons = {kind: radio("library", "add", p, "--topic", "y-te").stderr for kind, p in bad.items()}
    assert "empty file" in reasons["empty"]
    assert "truncated" in reasons["truncated"]
    assert "no audio stream" in reasons["image"]
    assert "the file is damaged or is not a sound recording" in reasons["text"]  # a plain reason
    assert not any("ffmpeg" in r or "Invalid" in r for r in reasons.values()), reasons
    assert radio.json("library", "list") == []
    assert not [p for p in (radio.home / "media").rglob("*") if p.is_file()]


def test_unreadable_and_missing_files_are_rejected(radio, tone, tmp_path):
    locked = tone("locked.wav", seconds=1.0)
    locked.chmod(0)
    result = radio("library", "add", locked, tmp_path / "missing.mp3", "--topic", "y-te")
    locked.chmod(0o644)
    assert result.exit_code == 1
    assert "missing.mp3: no such file" in result.stderr
    if os.geteuid() != 0:  # root reads anything
        assert "locked.wav: cannot be read" in result.stderr


def test_a_mixed_folder_imports_the_good_reports_duplicates_and_rejects_the_broken(radio, tmp_path, tone):
    known = radio.add(tone("known.mp3", seconds=1.0, freq=300), approve=False)
    folder = tmp_path / "usb"
    make_tone(folder / "01 tin sang.mp3", seconds=1.5, freq=500)
    make_tone(folder / "sub" / "02 tin chieu.ogg", seconds=1.5, freq=700, extra=["-c:a", "libvorbis"])
    (folder / "03 again.mp3").write_bytes((tmp_path / "src" / "known.mp3").read_bytes())
    (folder / "04 broken.mp3").write_bytes(b"\xff\xfb" + os.urandom(3000))
    (folder / "ghi-chu.txt").write_text("notes", encoding="utf-8")
    (folder / "._01 tin sang.mp3").write_bytes(b"AppleDouble")
    (folder / ".Trash-1000").mkdir()
    make_tone(folder / ".Trash-1000" / "deleted.mp3", seconds=1.0)

    result = radio("library", "add", folder, "--topic", "chinh-sach", "--json")
    assert result.exit_code == 1
    import json

    entries = json.loads(result.stdout)
    by_name = {Path(e["path"]).name: e for e in entries}
    assert set(by_name) == {"01 tin sang.mp3", "02 tin chieu.ogg", "03 again.mp3", "04 broken.mp3"}
    assert by_name["01 tin sang.mp3"]["title"] == "tin sang"
    assert by_name["02 tin chieu.ogg"]["status"] == "draft"
    assert by_name["03 again.mp3"]["id"] == known["id"] and by_name["03 again.mp3"]["duplicate"]
    assert by_name["04 broken.mp3"]["status"] == "rejected"
    assert by_name["04 broken.mp3"]["error"]
    assert "04 broken.mp3" in result.stderr
    assert "ghi-chu.txt" in result.stderr  # reported as skipped, not silently ignored
    assert len(radio.json("library", "list")) == 3


def test_all_good_files_exit_zero(radio, tone):
    result = radio("library", "add", tone(seconds=1.0), tone(seconds=1.1), "--topic", "y-te")
    assert result.exit_code == 0
    assert result.stdout.count("added #") == 2


def test_silence_is_imported_with_unmeasurable_loudness(radio, tmp_path):
    path = tmp_path / "silence.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "2", str(path)],
        check=True,
    )
    (entry,) = radio.json("library", "add", path, "--topic", "y-te")
    assert entry["loudness_lufs"] is None
    assert abs(entry["duration_s"] - 2.0) < 0.05


def test_unknown_topic_lists_the_nearest_codes(radio, tone):
    result = radio("library", "add", tone(seconds=1.0), "--topic", "chinh-sachh")
    assert result.exit_code == 1
    assert "unknown topic 'chinh-sachh'" in result.stderr
    assert "chinh-sach" in result.stderr.split("nearest:")[1]
    assert radio.json("library", "list") == []


def test_topic_may_be_given_by_its_vietnamese_name(radio, tone):
    (entry,) = radio.json("library", "add", tone(seconds=1.0), "--topic", "Tín dụng chính sách")
    assert entry["topic"] == "tin-dung"


def test_a_file_longer_than_the_cap_is_refused_before_it_is_decoded(radio, tmp_path):
    """Hours of silence in a few megabytes (issue 17): refused by what its header says."""
    from tests.hostile import silence_mp3

    path = silence_mp3(tmp_path / "bom.mp3", minutes=4 * 60)
    assert path.stat().st_size < 16_000_000
    result = radio("library", "add", path, "--topic", "chinh-sach")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert str(path) in line and "longer than 180 minutes" in line and "max_duration_minutes" in line
    assert radio.json("library", "list") == []


def test_a_header_that_lies_about_the_length_does_not_get_past_the_cap(radio, tmp_path):
    from tests.hostile import silence_mp3

    (radio.home / "radio.toml").write_text("[library]\nmax_duration_minutes = 2\n", encoding="utf-8")
    liar = silence_mp3(tmp_path / "liar.mp3", minutes=20, lying_header=True)  # says 1 minute
    result = radio("library", "add", liar, "--topic", "chinh-sach")
    assert result.exit_code == 1
    assert "longer than 2 minutes" in result.stderr
    honest = silence_mp3(tmp_path / "short.mp3", minutes=1)
    result = radio("library", "add", honest, "--topic", "chinh-sach")
    assert result.exit_code == 0, result.stderr


def test_analysis_runs_in_the_background_and_is_stopped_at_its_time_limit(tmp_path):
    """The measuring ffmpeg runs at nice 19 in the idle I/O class, decodes at most a second
    past the cap, and a pass over the time limit is killed and the file refused."""
    import pytest

    from radio.errors import MediaError
    from radio.media.analyze import analyze, ffmpeg_command
    from tests.hostile import silence_mp3

    argv = ffmpeg_command(tmp_path / "x.mp3", 600)
    assert argv[argv.index("-n") + 1] == "19" and argv[argv.index("-c") + 1] == "3"
    decoding = argv[argv.index("-i"):]
    assert decoding[decoding.index("-t") + 1] == "601"
    long = silence_mp3(tmp_path / "long.mp3", minutes=60)  # seconds of work; the limit is 0.2 s
    with pytest.raises(MediaError, match="the analysis took longer than"):
        analyze(long, "long.mp3", timeout_s=0.2)
