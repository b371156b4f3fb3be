"""Playout benchmark on a real PulseAudio null sink, recorded from its monitor.

Prints, for radio's player and two naive baselines in the same run:
- hard-start onset error (median / max ms over N starts),
- gap/overlap at joins (samples),
- peak RSS and CPU seconds per hour of audio while playing a long rundown.

Usage: .venv/bin/python bench/playout_bench.py [--starts 20] [--rss-seconds 120]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from radio.audio.player import Player  # noqa: E402
from radio.audio.sd_output import SoundDeviceOutput  # noqa: E402
from radio.audio.testserver import SoundServer  # noqa: E402
from radio.domain.playout import Entry, EntryKind  # noqa: E402
from tests.soundserver import RATE, Monitor, locate, noise, onset, write_wav  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")
LEAD_S = 1.0


def wait_until(t: float) -> None:
    while (left := t - time.time()) > 0.002:
        time.sleep(left - 0.001)
    while time.time() < t:
        pass


def onsets(mon: Monitor, starts: int, start_fn) -> list[float]:
    errors = []
    for _ in range(starts):
        t = time.time() + LEAD_S
        start_fn(t)
        time.sleep(0.3)
        first = onset(mon.audio(), 0.005, start=mon.frame_at(t - 0.5))
        errors.append((mon.wall_time(first) - t) * 1000)
    return errors


def joins(mon: Monitor, signals, play_fn) -> list[int]:
    t = time.time() + LEAD_S
    play_fn(t)
    time.sleep(0.3)
    search = mon.audio()[mon.frame_at(t - 0.5):]
    found = [locate(search, s) for s in signals]
    return [found[i + 1] - found[i] - len(signals[i]) for i in range(len(signals) - 1)]


def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=20)
    ap.add_argument("--rss-seconds", type=int, default=120)
    ap.add_argument("--item-minutes", type=int, default=60)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="playout-bench-"))
    server = SoundServer(work / "pulse")
    server.start()
    os.environ.update(server.env)
    try:
        run(args, work, server)
    finally:
        server.stop()


def run(args, work: Path, server: SoundServer) -> None:
    import sounddevice as sd
    from pydub import AudioSegment

    short = write_wav(work / "short.wav", noise(RATE // 4, 1))
    lengths = [12000, 7001, 9999, 4801, 15000]
    signals = [noise(n, 10 + i) for i, n in enumerate(lengths)]
    paths = [write_wav(work / f"j{i}.wav", s) for i, s in enumerate(signals)]
    player = Player(lambda: SoundDeviceOutput("pulse", RATE, 1))
    results: dict[str, dict] = {}

    def paplay(path, t=None):
        if t:
            wait_until(t)
        subprocess.run(["paplay", f"--device={server.sink}", str(path)], check=True)

    def pydub_play(segments, t):
        arrays = [np.array(s.get_array_of_samples(), dtype=np.float32) / 32768 for s in segments]
        wait_until(t)
        for a in arrays:
            sd.play(a, RATE, device="pulse")
            sd.wait()

    with Monitor(server) as mon:
        print(f"onsets: {args.starts} starts each …", flush=True)
        ours = onsets(mon, args.starts, lambda t: player.play([Entry(EntryKind.ITEM, "s", str(short))], at=t))
        base_paplay = onsets(mon, args.starts, lambda t: paplay(short, t))
        seg = AudioSegment.from_file(short)
        base_pydub = onsets(mon, args.starts, lambda t: pydub_play([seg], t))
        print("joins …", flush=True)
        j_ours = joins(mon, signals, lambda t: player.play([Entry(EntryKind.ITEM, p.stem, str(p)) for p in paths], at=t))
        j_paplay = joins(mon, signals, lambda t: [paplay(p, t if i == 0 else None) for i, p in enumerate(paths)])
        segs = [AudioSegment.from_file(p) for p in paths]
        j_pydub = joins(mon, signals, lambda t: pydub_play(segs, t))
    for name, errs, js in (("radio player", ours, j_ours), ("paplay after sleep", base_paplay, j_paplay),
                           ("pydub load + play", base_pydub, j_pydub)):  # fmt: skip
        abs_errs = [abs(e) for e in errs]
        results[name] = {"onset_median_ms": statistics.median(abs_errs), "onset_max_ms": max(abs_errs),
                         "onset_mean_signed_ms": statistics.mean(errs), "joins": js}  # fmt: skip

    # Memory and CPU on a long rundown, played for real through `radio play`.
    minutes = args.item_minutes
    long_mp3 = work / "long.mp3"
    print(f"making a {minutes}-minute MP3 …", flush=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"anoisesrc=d={minutes * 60}:c=pink:a=0.1:r=44100", "-ac", "2", "-b:a", "128k", str(long_mp3)],
                   check=True)  # fmt: skip
    home = work / "home"
    env = {**os.environ, "LANG": "C.UTF-8"}
    subprocess.run([RADIO, "--home", str(home), "init"], env=env, check=True, capture_output=True)
    subprocess.run([RADIO, "--home", str(home), "library", "add", str(long_mp3), "--topic", "chinh-sach"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    rundown_ids = ["1"] * 3
    print(f"playing a {3 * minutes}-minute rundown for {args.rss_seconds} s …", flush=True)
    proc = subprocess.Popen([RADIO, "--home", str(home), "play", *rundown_ids, "--device", "pulse"], env=env,
                            stderr=subprocess.DEVNULL)  # fmt: skip  (stopped with SIGTERM: it fades out)
    samples = []
    began = time.monotonic()
    cpu_kids: dict[int, float] = {}
    settle = 10.0  # CPU is counted from here: start-up (imports, opening the station) is not playout
    mark = None
    engine = None
    while time.monotonic() - began < args.rss_seconds:
        time.sleep(1)
        if engine is None:  # the audio engine process `radio play` started for the rundown
            engine = next((k for k in children(proc.pid) if "radio.audio.engine" in cmdline(k)), None)
        samples.append((time.monotonic() - began, rss_mb(engine) if engine else 0.0, rss_mb(proc.pid)))
        for kid in children(engine) if engine else []:
            cpu_kids[kid] = max(cpu_kids.get(kid, 0.0), proc_cpu(kid))
        if mark is None and engine and time.monotonic() - began >= settle:
            mark = (time.monotonic(), proc_cpu(engine) + proc_cpu(proc.pid), sum(cpu_kids.values()))
    played = time.monotonic() - mark[0]
    cpu_self = proc_cpu(engine) + proc_cpu(proc.pid) - mark[1]
    peak = max(m for _, m, _ in samples)
    peak_cli = max(c for _, _, c in samples)
    hwm = [line for line in Path(f"/proc/{engine}/status").read_text().splitlines() if line.startswith("VmHWM")]
    proc.send_signal(signal.SIGTERM)  # SIGINT may be ignored when the bench runs in the background
    proc.wait(15)
    ffmpeg_cpu = sum(cpu_kids.values()) - mark[2]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-t", str(played), "-i", str(long_mp3), "-ar", str(RATE),
                    "-ac", "1", "-f", "f32le", "-y", "/dev/null"], check=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    alone = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    early = [m for s, m, _ in samples if 10 <= s <= 20]
    late = [m for s, m, _ in samples if s >= samples[-1][0] - 10]
    # The floor of any PortAudio player on this path: a stream of zeros, same device and blocks.
    floor_script = (
        "import resource,sys,time,sounddevice as sd\n"
        "dev=[i for i,d in enumerate(sd.query_devices()) if d['name']=='pulse'][0]\n"
        "cb=lambda out,frames,t,status: out.fill(0)\n"
        "with sd.OutputStream(device=dev,samplerate=%d,channels=1,dtype='float32',blocksize=4096,latency=0.2,"
        "callback=cb):\n"
        "    time.sleep(3); r0=resource.getrusage(resource.RUSAGE_SELF); time.sleep(float(sys.argv[1]))\n"
        "    r1=resource.getrusage(resource.RUSAGE_SELF)\n"
        "print((r1.ru_utime-r0.ru_utime)+(r1.ru_stime-r0.ru_stime))\n" % RATE
    )
    print("PortAudio floor: a stream of zeros …", flush=True)
    floor_s = float(subprocess.run([sys.executable, "-c", floor_script, str(played)], capture_output=True, text=True,
                                   check=True, env=env).stdout.strip())  # fmt: skip
    print("pydub: loading the long file …", flush=True)
    pyd = subprocess.run(
        [sys.executable, "-c", "import resource,sys;from pydub import AudioSegment;a=AudioSegment.from_file(sys.argv[1]);"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)", str(long_mp3)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pydub_rss = float(pyd.stdout.strip())

    print()
    print(f"machine: {os.cpu_count()} cores (shared with other work during the run)")
    print(f"{'':22} {'onset median':>13} {'onset max':>10} {'signed mean':>12}  joins (samples)")
    for name, r in results.items():
        print(f"{name:22} {r['onset_median_ms']:10.2f} ms {r['onset_max_ms']:7.2f} ms {r['onset_mean_signed_ms']:9.2f} ms"
              f"  {r['joins']}")
    print()
    print(f"radio play, {3 * minutes}-min rundown (3 x {minutes}-min MP3), {samples[-1][0]:.0f} s played "
          f"(CPU counted over the last {played:.0f} s, after {settle:.0f} s of start-up):")
    print(f"  RSS of the audio engine (the player): peak {peak:.1f} MB "
          f"({hwm[0].split(':')[1].strip() if hwm else '?'} high-water); "
          f"10-20 s: {max(early):.1f} MB, last 10 s: {max(late):.1f} MB")
    print(f"  RSS of the `radio play` process around it (database, CLI): peak {peak_cli:.1f} MB")
    per_hour = 3600 / played
    print(f"  CPU: radio (engine + CLI) {cpu_self * per_hour:.1f} s/h + its ffmpeg {ffmpeg_cpu * per_hour:.1f} s/h "
          f"= {(cpu_self + ffmpeg_cpu) * per_hour:.1f} s/h; ffmpeg decoding alone {alone * per_hour:.1f} s/h "
          f"(ratio {(cpu_self + ffmpeg_cpu) / alone:.2f})")
    print(f"  floor: a PortAudio stream of zeros on the same device and blocks {floor_s * per_hour:.1f} s/h; "
          f"radio above that floor {(cpu_self - floor_s) * per_hour:.1f} s/h; ffmpeg alone + floor "
          f"{(alone + floor_s) * per_hour:.1f} s/h (ratio of radio to that {(cpu_self + ffmpeg_cpu) / (alone + floor_s):.2f})")
    print(f"pydub AudioSegment.from_file of the {minutes}-min MP3: peak RSS {pydub_rss:.0f} MB")


if __name__ == "__main__":
    main()
