"""A live segment's recording is filed whole: its end is heard before its feed closes the file.

The player's event for the segment's end reaches the desk while the feed may still be
writing (and closing its capture input) on the feeder's thread; under load the filing ran
first and read a header that counted no audio ("no audio could be decoded"): the segment's
recording was lost. Real files, the real importer and database; the feed's writer is a real
`Recording` closed by another thread, as the feeder closes it."""

from __future__ import annotations

import threading
import time
import wave
from datetime import datetime, timezone
from types import SimpleNamespace

import numpy as np

from radio.app import open_app
from radio.audio.events import Ended
from radio.audio.live_input import Recording, mend_recording, recording_complete
from radio.domain.live import Speaker
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.scheduler.live import LiveDesk

RATE, CHANNELS = 48000, 2


def _voice(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.repeat((0.3 * np.sin(2 * np.pi * 300.0 * t)).astype(np.float32)[:, None], CHANNELS, axis=1)


def _filed(app) -> list:
    return [i for i in app.library.list() if i.title.startswith("Live: ")]


def test_a_recording_still_being_closed_when_its_end_is_heard_is_filed_whole(radio, tmp_path):
    app = open_app(radio.home)
    try:
        path = tmp_path / "20261206T174805-2.wav"
        recording = Recording(str(path), RATE, CHANNELS)
        recording.write(_voice(3.0))  # what aired; the header still counts nothing (written at close)
        assert not recording_complete(str(path))
        ended = Ended(0, Entry(EntryKind.LIVE, "Live", "pulse:mic", record=str(path)),
                      datetime.now(timezone.utc), Outcome.INTERRUPTED, 3.0, "live stopped")  # fmt: skip
        closer = threading.Timer(1.0, lambda: (recording.write(_voice(0.5)), recording.close()))
        closer.start()  # the feeder thread: its last queued blocks, then the close, a second later
        desk = LiveDesk(SimpleNamespace(app=app))
        desk._file_recording(Speaker("Anh Ba", "pulse:mic", "root", "chinh-sach"), ended)
        closer.join()
        (item,) = _filed(app)
        assert abs(item.duration_s - 3.5) < 0.05, item.duration_s  # all of it, the last blocks too
        assert item.status.value == "draft" and not path.exists()
    finally:
        app.close()


def test_a_recording_whose_writer_died_is_mended_to_whole_frames(tmp_path):
    path = tmp_path / "20261206T174805-1.wav"
    recording = Recording(str(path), RATE, CHANNELS)
    recording.write(_voice(1.0))
    recording._wav._file.flush()  # a kill -9 here: the data is on disk, the header counts none
    with path.open("ab") as raw:
        raw.write(b"\x01\x02\x03")  # and a frame cut short
    assert mend_recording(str(path)) == RATE * CHANNELS * 2
    assert recording_complete(str(path))
    with wave.open(str(path), "rb") as wav:
        assert wav.getnframes() == RATE and len(wav.readframes(RATE + 10)) == RATE * CHANNELS * 2


def test_waiting_for_a_recording_gives_up_on_a_dead_writer_and_mends_it(tmp_path):
    from radio.audio.live_input import await_recording

    path = tmp_path / "20261206T174805-3.wav"
    recording = Recording(str(path), RATE, CHANNELS)
    recording.write(_voice(0.5))
    recording._wav._file.flush()  # never closed: its feed is stuck
    started = time.monotonic()
    await_recording(str(path), within_s=0.5)
    assert time.monotonic() - started < 5.0 and recording_complete(str(path))
    with wave.open(str(path), "rb") as wav:
        assert wav.getnframes() == RATE // 2
