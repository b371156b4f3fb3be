"""A real PulseAudio sound server with a null sink, for machines without a sound card.

The tests and the benchmark start one (and `make run` may, on a machine with no sound
card): it runs as the current user (root included) with no systemd and no D-Bus, on an
explicit socket. PortAudio reaches it through ALSA's pulse plugin, the sink's monitor
source records what came out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _


class SoundServer:
    def __init__(self, root: Path, sink: str = "radio_test", rate: int = 48000, channels: int = 2,
                 clock: bool = True) -> None:  # fmt: skip
        self.root = Path(root)
        self.with_clock = clock  # False: a null sink alone, as a desktop server with no other client
        self.sink = sink
        self.rate = rate
        self.channels = channels
        self.socket = self.root / "native"
        self.proc: subprocess.Popen | None = None

    @property
    def monitor(self) -> str:
        return f"{self.sink}.monitor"

    @property
    def env(self) -> dict[str, str]:
        """What a client (pactl, parec, PortAudio through ALSA) needs to find this server."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
            "PULSE_STATE_PATH": str(self.root / "state"),
            "PULSE_COOKIE": str(self.root / "cookie"),
        }

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("pulseaudio")
        if binary is None:
            raise RadioError(_("pulseaudio is not installed (Debian/Ubuntu: sudo apt-get install pulseaudio)"))
        for sub in ("runtime", "state"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        script = self.root / "server.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            f"load-module module-null-sink sink_name={self.sink} rate={self.rate} channels={self.channels}\n"
            f"set-default-sink {self.sink}\n"
        )
        env = {**os.environ, **self.env, "HOME": str(self.root)}
        self.proc = subprocess.Popen(
            [binary, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--system=no",
             "--disallow-exit", "-F", str(script), "--log-target=file:" + str(self.root / "server.log")],  # fmt: skip
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal stops the daemon, not its sound server
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RadioError(_("the test sound server exited at start; see {log}").format(log=self.root / "server.log"))
            probe = subprocess.run(["pactl", "info"], env={**os.environ, **self.env}, capture_output=True)
            if probe.returncode == 0:
                if self.with_clock:
                    self._start_clock()
                return
            time.sleep(0.1)
        self.stop()
        raise RadioError(_("the test sound server did not start in {s} s").format(s=timeout))

    def _start_clock(self) -> None:
        """A silent low-latency stream, always playing: alone, a null sink renders in 2 s
        blocks, so its clients would be called back in bursts, unlike a sound card's steady
        clock. With this stream it renders in small blocks, like real hardware."""
        self.clock = subprocess.Popen(
            ["pacat", "--playback", f"--device={self.sink}", "--raw", "--format=s16le", "--rate=8000",
             "--channels=1", "--latency-msec=10"],  # fmt: skip
            env={**os.environ, **self.env}, stdin=open("/dev/zero", "rb"),  # noqa: SIM115 - endless silence, closed with the child
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def _stop_clock(self) -> None:
        clock = getattr(self, "clock", None)
        if clock is not None and clock.poll() is None:
            clock.kill()
            clock.wait()
        self.clock = None

    def kill(self) -> None:
        """Kill it abruptly (a crashed sound server)."""
        self._stop_clock()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        self._stop_clock()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def freeze(self) -> None:
        """Stop the server's process (SIGSTOP): a sound server or card that hangs."""
        import signal

        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGCONT)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
