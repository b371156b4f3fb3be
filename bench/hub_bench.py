"""The hub under a province's load (issue 20): one `radio hub serve` on a real PostgreSQL
(a cluster started here, as the tests do) and N light sync clients (threads speaking the
stations' protocol through radio.network.client, not full daemons).

Figures, each with its baseline in the same run (one client):
- a sync round: one new session queued for every station at once, until every client's
  long poll has returned it (p50/p95/max and the whole round);
- emergency fan-out: one emergency for all, until each client has its state, fetched the
  media (Range, verified) and acknowledged with a heartbeat (p95);
- as-run ingestion: every client posts rows in batches of 500 (rows/s);
- hub RSS after all that, and its CPU while N long polls sit idle for 30 s;
- the consolidated airtime report `--by station` over R rows (generated in PostgreSQL; the
  daily rollup kept by triggers), and its query from the rows as the baseline;
- the hub's library of L items (metadata): catalog size, one station's state size, and a
  library round (one item edited until every station has fetched the new catalog).

Usage: .venv/bin/python bench/hub_bench.py [--stations 350] [--rows-per-station 300] [--report-rows 10000000] [--library-items 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from radio.app import open_app  # noqa: E402
from radio.domain.library import Priority  # noqa: E402
from radio.domain.network import token_hash  # noqa: E402
from radio.network.client import HubClient, HubLink  # noqa: E402
from tests.conftest import make_tone  # noqa: E402
from tests.networktools import Hub, env_for, wait_until  # noqa: E402
from tests.pgserver import PgCluster  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")


class Client(threading.Thread):
    """One light station: long-polls its state and notes when each hub entry first arrives."""

    def __init__(self, link: HubLink, media_dir: Path) -> None:
        super().__init__(daemon=True)
        self.client = HubClient(link, timeout_s=60)
        self.media_dir = media_dir
        self.seen: dict[int, float] = {}  # hub entry id -> monotonic time it arrived
        self.acked: dict[int, float] = {}  # emergency id -> fetched, verified and acknowledged
        self.revision = None
        self.library_revision = None
        self.catalogs: dict[str, float] = {}  # library revision -> monotonic time its catalog was fetched
        self.catalog_bytes = 0
        self.stopped = False
        self.errors = 0

    def run(self) -> None:
        while not self.stopped:
            try:
                state = self.client.state(self.revision, 25.0 if self.revision else 0.0)
            except Exception:
                self.errors += 1
                time.sleep(0.5)
                continue
            now = time.monotonic()
            self.revision = state["revision"]
            if state.get("library_revision") != self.library_revision:  # as a station does: the catalog anew
                try:  # as sent (gzip), not parsed: 350 stations' JSON parsing in one bench process is not the hub's
                    with self.client._request(f"/v1/stations/{self.client.link.station}/library",
                                              headers={"Accept-Encoding": "gzip"}) as response:  # fmt: skip
                        self.catalog_bytes = len(response.read())
                except Exception:
                    self.errors += 1
                    continue
                self.catalogs[state["library_revision"]] = time.monotonic()
                self.library_revision = state["library_revision"]
            for e in state["entries"]:
                if e["hub_id"] not in self.seen:
                    self.seen[e["hub_id"]] = now
                    if e["priority"] == "emergency":
                        self.client.fetch_media(e["item_sha256"], self.media_dir / f"{self.name}.part")
                        (self.media_dir / f"{self.name}.part").unlink()
                        self.client.heartbeat({"on_air": "emergency", "device": "ok"})
                        self.acked[e["hub_id"]] = time.monotonic()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, 50):.2f} s, p95 {pct(values, 95):.2f} s, max {max(values):.2f} s"


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_round(app, hub: Hub, clients: list[Client], codes: list[str], item_id: int, label: str) -> list[float]:
    """One new session per station, queued in one go; seconds until each client has its own."""
    at = datetime.now(timezone.utc) + timedelta(hours=2)
    start = time.monotonic()
    entries = []
    for code in codes:
        (entry,) = app.schedule.enqueue([item_id], at=at, stations=code)
        entries.append(entry.id)
    wait_until(lambda: all(e in c.seen for c, e in zip(clients, entries)), 120, f"{label}: every station", 0.05)
    return [c.seen[e] - start for c, e in zip(clients, entries)]


def library_round(app, clients: list[Client], item_id: int) -> list[float]:
    """One edit of one item at the hub; seconds until every client has fetched the new catalog."""
    import dataclasses

    from radio.network.hub_state import library_catalog

    start = time.monotonic()
    item = app.library.get(item_id)
    app.library.save(dataclasses.replace(item, title=item.title + " (sửa)"))
    revision = library_catalog(app).revision
    wait_until(lambda: all(revision in c.catalogs for c in clients), 120, "the new catalog everywhere", 0.05)
    return [c.catalogs[revision] - start for c in clients]


def add_library(db_url: str, n: int) -> None:
    """*n* approved items in the hub's library (metadata only: no station fetches their files)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as con:
        con.execute(text(
            "INSERT INTO items (sha256, title, topic, language, source, priority, status, duration_s, loudness_lufs,"
            " true_peak_dbtp, sample_rate, channels, codec, media_path, original_name, added_at, approved_by,"
            " approved_at) SELECT md5(g::text) || md5((g + 1)::text), 'Bản tin số ' || g || ' về chính sách giảm nghèo',"
            " (ARRAY['chinh-sach','nong-nghiep','y-te','thong-bao'])[1 + g % 4], 'vi', 'Sở Văn hoá tỉnh', 'normal',"
            " 'approved', 180.5, -19.0, -2.1, 44100, 1, 'mp3', 'x/' || g || '.mp3', 'ban-tin-' || g || '.mp3',"
            " now(), 'Phó Giám đốc Sở', now() FROM generate_series(1, :n) g"), {"n": n})  # fmt: skip
    engine.dispose()


def emergency(app, clients: list[Client], item_id: int) -> list[float]:
    start = time.monotonic()
    (entry,) = app.schedule.enqueue([item_id], at=datetime.now(timezone.utc), priority=Priority.EMERGENCY,
                                    stations="*")  # fmt: skip
    wait_until(lambda: all(entry.id in c.acked for c in clients), 120, "emergency acknowledged everywhere", 0.05)
    return [c.acked[entry.id] - start for c in clients]


def ingest(hub: Hub, links: list[HubLink], rows_per_station: int) -> float:
    def rows(seq0: int, n: int) -> list[dict]:
        return [{"uuid": f"{seq0 + k:08x}-0000-4000-8000-{os.getpid():012x}", "seq": seq0 + k, "item_sha256": None,
                 "title": "Bản tin", "topic": "chinh-sach", "language": "vi",
                 "occurrence_start": "2026-12-01T00:00:00+00:00", "scheduled_at": "2026-12-01T00:00:00+00:00",
                 "started_at": "2026-12-01T00:00:00+00:00", "ended_at": "2026-12-01T00:05:00+00:00",
                 "seconds_played": 300.0, "status": "completed"} for k in range(n)]  # fmt: skip

    def post(link: HubLink) -> None:
        client = HubClient(link, timeout_s=120)
        for seq0 in range(1, rows_per_station + 1, 500):
            client.send_rows(rows(seq0, min(500, rows_per_station - seq0 + 1)))

    threads = [threading.Thread(target=post, args=(link,)) for link in links]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(links) * rows_per_station / (time.monotonic() - start)


def report_rows(db_url: str, codes: list[str], n: int) -> None:
    """*n* as-run rows spread over the stations and December, generated inside PostgreSQL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as con:
        con.execute(text(
            "INSERT INTO as_run (title, topic, language, occurrence_start, scheduled_at, started_at, ended_at,"
            " seconds_played, status, station) SELECT 'Tin ' || (g % 500), (ARRAY['chinh-sach','nong-nghiep',"
            "'y-te','thong-bao'])[1 + g % 4], 'vi', t, t, t, t + interval '5 minutes', 300.0, 'completed',"
            " (CAST(:codes AS text[]))[1 + g % :k] FROM (SELECT g, timestamp '2026-12-01' + (g % 2678400) * interval '1 second'"
            " AS t FROM generate_series(1, :n) g) s"), {"codes": codes, "k": len(codes), "n": n})  # fmt: skip
        con.execute(text("ANALYZE as_run"))
    engine.dispose()


def report_query_times(home: Path) -> str:
    """The report's query alone, in this process: from the daily rollup, and from the rows
    (the baseline: what every report read before the rollup), best of 3 each."""
    from radio.domain import reports as rules
    from radio.reports.airtime import airtime

    app = open_app(home)
    try:
        period = rules.month(2026, 12, app.settings.zone)
        best = {}
        for use_rollup in (True, False):
            times = []
            for _ in range(3):
                start = time.monotonic()
                report = airtime(app.engine, period, ("station",), use_rollup=use_rollup)
                times.append(time.monotonic() - start)
            best[use_rollup] = (min(times), report.total.airings)
    finally:
        app.close()
    return (f"airtime query --by station: rollup {best[True][0]:.3f} s, rows (baseline) {best[False][0]:.2f} s; "
            f"airings {best[True][1]:,} = {best[False][1]:,}")


def media_over_cuts(hub: Hub, link: HubLink, sha: str, size: int, tmp: Path) -> str:
    """A big file through a proxy throttled to about 2 MB/s whose link is cut (every connection
    reset, new ones refused for a second) every 10 s: fetched again and again until whole."""
    from tests.faultproxy import FaultProxy

    proxy = FaultProxy(hub.port)
    proxy.delay_s = 0.03  # per 64 kB chunk
    stop = threading.Event()
    cuts = []

    def cutter() -> None:
        while not stop.wait(10):
            cuts.append(time.monotonic())
            proxy.set_cut(True)
            time.sleep(1)
            proxy.set_cut(False)

    threading.Thread(target=cutter, daemon=True).start()
    client = HubClient(HubLink(proxy.url, link.station, link.token), timeout_s=30)
    part = tmp / "big.part"
    start, tries = time.monotonic(), 0
    while True:
        tries += 1
        try:
            client.fetch_media(sha, part)
            break
        except Exception:
            time.sleep(0.5)
    elapsed = time.monotonic() - start
    stop.set()
    proxy.close()
    resent = (proxy.bytes_down - size) / size * 100
    return (f"{size / 1e6:.0f} MB over a link cut every 10 s: whole and verified after {tries} tries, "
            f"{elapsed:.0f} s, {len(cuts)} cuts, re-sent {resent:.1f} % of the bytes")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=350)
    parser.add_argument("--rows-per-station", type=int, default=300)
    parser.add_argument("--report-rows", type=int, default=10_000_000)
    parser.add_argument("--media-mb", type=int, default=50)
    parser.add_argument("--library-items", type=int, default=3000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    tmp.chmod(0o755)  # PostgreSQL, run as its own user when this runs as root, reaches its cluster below
    (tmp / "pg").mkdir()
    cluster = PgCluster(tmp / "pg")
    cluster.start()
    try:
        db = cluster.new_database()
        hub = Hub(RADIO, tmp / "hub", env_for(tmp), db)
        app = open_app(hub.home)
        codes = [f"X{n:03d}" for n in range(args.stations)] + ["BASE"]
        tokens = {c: f"token-{c}-{os.urandom(8).hex()}" for c in codes}
        for c in codes:
            app.stations.add(c, f"Trạm {c}", token_hash(tokens[c]))
        (item,) = hub.json("library", "add", str(make_tone(tmp / "alarm.wav", seconds=2.0)), "--topic", "thong-bao")
        item_id = item["id"]
        hub.cli("library", "approve", item_id, "--by", "bench")
        add_library(db, args.library_items)
        hub.serve()
        pid = hub.proc.pid
        media = tmp / "media"
        media.mkdir()
        links = {c: HubLink(hub.url, c, tokens[c]) for c in codes}
        base = Client(links["BASE"], media)
        base.start()
        wait_until(lambda: base.revision, 30, "baseline client")
        base_round = run_round(app, hub, [base], ["BASE"], item_id, "baseline")
        base_emergency = emergency(app, [base], item_id)
        clients = [Client(links[c], media) for c in codes[:-1]]
        for c in clients:
            c.start()
        wait_until(lambda: all(c.revision for c in clients), 120, "every client has its state")
        time.sleep(2)
        cpu0, t0 = cpu_s(pid), time.monotonic()
        time.sleep(30)
        idle_cpu = (cpu_s(pid) - cpu0) / (time.monotonic() - t0) * 100
        round_s = run_round(app, hub, clients, codes[:-1], item_id, "round")
        fan = emergency(app, clients + [base], item_id)
        lib_round = library_round(app, clients + [base], item_id)
        base_rate = ingest(hub, [links["BASE"]], args.rows_per_station)
        rate = ingest(hub, [links[c] for c in codes[:-1]], args.rows_per_station)
        rss = rss_mb(pid)
        for c in clients + [base]:
            c.stopped = True
        print(f"stations: {args.stations} light clients, hub on PostgreSQL ({cluster.data})")
        print(f"idle hub CPU with {args.stations} long polls: {idle_cpu:.1f} % of one core; hub RSS {rss:.0f} MB")
        print(f"sync round (one new session each): {fmt(round_s)}; baseline 1 client {base_round[0]:.2f} s")
        print(f"emergency fan-out, fetched + acked: {fmt(fan)}; baseline 1 client {base_emergency[0]:.2f} s")
        print(f"as-run ingestion: {rate:,.0f} rows/s ({args.stations} x {args.rows_per_station}); "
              f"baseline 1 client {base_rate:,.0f} rows/s")  # fmt: skip
        from radio.network.hub_state import desired_state, library_catalog

        catalog = library_catalog(app)
        state_bytes = len(json.dumps(desired_state(app, codes[0])).encode("utf-8"))
        print(f"library of {args.library_items + 1:,} items: catalog {catalog.json_bytes / 1e6:.2f} MB JSON, "
              f"{len(catalog.body) / 1e3:.0f} kB gzip (sent to each station only when the library changes); "
              f"one station's state {state_bytes / 1e3:.1f} kB")  # fmt: skip
        print(f"library round (one item edited, until every station has fetched the new catalog): {fmt(lib_round)}")
        print(f"client errors: {sum(c.errors for c in clients)}")
        if args.media_mb:
            big = make_tone(tmp / "big.wav", seconds=args.media_mb * 1e6 / 88200, rate=44100)
            (entry,) = hub.json("library", "add", str(big), "--topic", "thong-bao")
            hub.cli("library", "approve", entry["id"], "--by", "bench")  # any station may fetch an approved item
            import hashlib

            sha = hashlib.sha256(big.read_bytes()).hexdigest()
            print(media_over_cuts(hub, links["BASE"], sha, big.stat().st_size, tmp))
        hub.stop()
        app.close()
        if args.report_rows:
            start = time.monotonic()
            report_rows(db, codes[:-1], args.report_rows)
            print(f"generated {args.report_rows:,} rows (rollup kept by the triggers) in {time.monotonic() - start:.0f} s")
            for by in (["--by", "station"], ["--by", "station", "--by", "topic"]):
                times = []
                for _ in range(3):
                    start = time.monotonic()
                    done = subprocess.run([RADIO, "--home", str(hub.home), "report", "airtime", "--month", "2026-12",
                                           *by, "--format", "json"], capture_output=True, text=True)  # fmt: skip
                    assert done.returncode == 0, done.stderr
                    times.append(time.monotonic() - start)
                print(f"airtime report {' '.join(by)} over {args.report_rows:,} rows: best {min(times):.2f} s "
                      f"(whole command), runs {', '.join(f'{t:.2f}' for t in times)}")  # fmt: skip
            print(report_query_times(hub.home))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
