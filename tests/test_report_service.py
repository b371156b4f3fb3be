"""The CLI and the web console give the same reports: both call radio/reports/service.py.

Real processes: `radio announce` (espeak-ng, ffmpeg), `radio report`, `radio log` and a
running `radio web`. The console's log book once lacked the spoken notices' texts that
the CLI's had (issue 18, fault 8).
"""

from __future__ import annotations

import html
import json
import io
import re
import subprocess
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook

from radio.app import open_app
from radio.domain.asrun import AsRunStatus
from radio.domain.relay import Source

NOTICE = "UBND xã thông báo: từ 7h30 ngày 15/3/2025, Trạm y tế xã tiêm vắc xin cho trẻ dưới 5 tuổi."
WEEK = "2026-W53"
DAY = "2026-12-31"


def cli(radio_bin, env, home, *args):
    done = subprocess.run([radio_bin, "--home", str(home), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def _cells(xlsx: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(xlsx)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _air_a_week(home, notice_id: int, tone_id: int) -> None:
    app = open_app(home)
    try:
        at = datetime(2026, 12, 31, 0, 30, tzinfo=timezone.utc)  # 07:30 in Hà Nội
        for n, item_id in enumerate((notice_id, tone_id)):
            start = at + timedelta(seconds=30 * n)
            app.as_run.record(app.library.get(item_id), status=AsRunStatus.COMPLETED, occurrence_start=at,
                              scheduled_at=start, slot_name="Buổi sáng", started_at=start,
                              ended_at=start + timedelta(seconds=30), seconds_played=30.0)  # fmt: skip
        relay_at = at + timedelta(hours=4)
        segment = app.as_run.record_relay(Source("vov1", "VOV1", "https://x/vov1"), status=AsRunStatus.PLAYING,
                                          occurrence_start=relay_at, scheduled_at=relay_at, started_at=relay_at)  # fmt: skip
        app.as_run.finish(segment.id, AsRunStatus.INTERRUPTED, relay_at + timedelta(seconds=12.25), 12.25)
    finally:
        app.close()


def test_the_console_and_the_cli_give_the_same_log_book_with_the_notice_texts(console, radio_bin, subprocess_env,
                                                                                tmp_path, tone):  # fmt: skip
    home = console.home
    (notice,) = json.loads(cli(radio_bin, subprocess_env, home, "announce", NOTICE, "--topic", "y-te",
                                             "--title", "Tiêm chủng", "--json").stdout)  # fmt: skip
    cli(radio_bin, subprocess_env, home, "library", "approve", notice["id"], "--by", "Chủ tịch UBND xã")
    (music,) = json.loads(cli(radio_bin, subprocess_env, home, "library", "add", tone(seconds=1.0),
                                            "--topic", "y-te", "--json").stdout)  # fmt: skip
    _air_a_week(home, notice["id"], music["id"])

    out = tmp_path / "so-nhat-ky.xlsx"
    cli(radio_bin, subprocess_env, home, "report", "logbook", "--week", WEEK, "-o", out)
    from_cli = _cells(out.read_bytes())
    reply = console.client("chi").get(f"/reports/logbook.xlsx?kind=week&value={WEEK}")
    assert reply.status == 200
    from_console = _cells(reply.body)

    line = "Nội dung thông báo (mục 1, «Tiêm chủng»): " + NOTICE
    assert line in [c for row in from_console for c in row]  # the fault: missing from the console's
    assert from_console == from_cli
    titles = [row[3] for row in from_cli if row and isinstance(row[0], int)]
    assert titles == ["Tiêm chủng", music["title"], "Tiếp sóng VOV1"]

    pdf = console.client("chi").get(f"/reports/logbook.pdf?kind=week&value={WEEK}")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")

    # the airtime and programme files too: one service, the same cells from either
    for args, query in ((("airtime", "--month", "2026-12"), "airtime.xlsx?kind=month&value=2026-12"),
                        (("programme", "--half", "2026H2"), "programme.xlsx?kind=half&value=2026H2")):  # fmt: skip
        out = tmp_path / f"{args[0]}.xlsx"
        cli(radio_bin, subprocess_env, home, "report", *args, "-o", out)
        reply = console.client("chi").get(f"/reports/{query}")
        assert reply.status == 200 and _cells(reply.body) == _cells(out.read_bytes())
        if args[0] == "airtime":
            assert ["Y tế, bảo hiểm", 2, 1] in [row[:3] for row in _cells(reply.body)]  # two airings, 1 minute


def test_the_console_log_page_shows_the_rows_of_radio_log(console, radio_bin, subprocess_env, tone):
    home = console.home
    (first,) = json.loads(cli(radio_bin, subprocess_env, home, "library", "add", tone(seconds=1.0),
                                            "--topic", "y-te", "--json").stdout)  # fmt: skip
    (second,) = json.loads(cli(radio_bin, subprocess_env, home, "library", "add",
                                             tone(seconds=1.0, freq=500), "--topic", "y-te", "--json").stdout)  # fmt: skip
    _air_a_week(home, first["id"], second["id"])

    vi = {**subprocess_env, "LANGUAGE": "vi"}  # the console speaks Vietnamese
    table = cli(radio_bin, vi, home, "log", "--from", DAY).stdout.splitlines()
    page = console.client("chi").get(f"/log?from={DAY}&to={DAY}").text
    rows = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r'<tr class="\w+">(.*?)</tr>', page)]  # fmt: skip
    assert len(rows) == 3 == len(table) - 2  # heading and rule above the CLI's rows
    for row, line in zip(rows, table[2:]):
        assert re.fullmatch(r"\s*".join(re.escape(c) for c in row if c) + r"\s*", line), (row, line)
    assert rows[0][:3] == ["31/12/2026", "07:30:00.000", "07:30:30.000"]
    assert rows[2][4] == "tiếp sóng: vov1" and rows[2][6] == "0:12" and rows[2][7] == "bị ngắt"
