"""The package writer's promises, at every point an export can stop: the hamlet's files are never
touched, and a package is complete (manifest present and correct) or visibly incomplete."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from radio.domain.library import Item, ItemStatus, Priority
from radio.domain.usb import PROFILES, Hamlet, manifest, plan_package, render_list, render_m3u8
from radio.export.verify import verify
from radio.export.writer import Contents, PackageError, write_package


class PulledOut(Exception):
    pass


def item(n: int) -> Item:
    return Item(
        id=n, sha256=f"{n:064x}", title=f"Bản tin số {n}", topic="chinh-sach", language="vi", source=None,
        priority=Priority.NORMAL, status=ItemStatus.APPROVED, duration_s=10.0, loudness_lufs=None,
        true_peak_dbtp=None, sample_rate=44100, channels=1, codec="mp3", media_path="x", original_name="x",
        added_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
    )  # fmt: skip


def export(folder: Path, cache: Path, ids: list[int], stop_after: int | None = None) -> dict:
    items = [item(n) for n in ids]
    for n in ids:
        (cache / f"{n}.mp3").write_bytes(bytes([n % 256]) * (3000 + 17 * n))
    plan = plan_package(Hamlet("DT01", "Xóm Đồng Tâm"), items, date(2026, 11, 23), PROFILES["standard"])
    created = datetime(2026, 11, 23, tzinfo=timezone.utc)
    contents = Contents({n: cache / f"{n}.mp3" for n in ids}, "Đài xã",
                        render_list(plan, "Đài xã", {}, "P", created), render_m3u8(plan))  # fmt: skip
    written = []

    def file_done(name):
        written.append(name)
        if stop_after is not None and len(written) >= stop_after:
            raise PulledOut

    return write_package(folder, plan, f"P{len(ids)}", contents,
                         lambda a, x: manifest(plan, "P", "Đài xã", created, a, x),
                         check_order=False, file_done=file_done)  # fmt: skip


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }  # fmt: skip


foreign_names = st.lists(
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ._-]{0,20}", fullmatch=True).filter(lambda n: not n.startswith("manifest")),
    max_size=4, unique_by=str.lower,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(st.integers(1, 30), min_size=1, max_size=6, unique=True),
    second=st.lists(st.integers(1, 30), min_size=1, max_size=6, unique=True),
    stop=st.integers(1, 7),
    in_root=foreign_names,
    in_folder=foreign_names,
)
def test_interrupted_and_repeated_exports_keep_the_hamlets_files(first, second, stop, in_root, in_folder):
    base = Path(tempfile.mkdtemp())
    try:
        stick, cache = base / "stick", base / "cache"
        folder = stick / "BANTIN"
        folder.mkdir(parents=True)
        cache.mkdir()
        for name in in_root:
            (stick / f"root-{name}").write_text(f"theirs {name}")
        for name in in_folder:
            (folder / f"x-{name}").write_text(f"theirs {name}")
        theirs = snapshot(stick)

        export(folder, cache, first)
        assert verify(stick).manifest is not None
        with pytest.raises(PulledOut):  # the stick is pulled out after `stop` files
            export(folder, cache, second, stop_after=min(stop, len(second)))
        report = verify(stick)
        assert not (folder / "manifest.json").exists()
        assert [p.kind for p in report.problems if p.kind in ("incomplete", "no-manifest")]
        after = export(folder, cache, second)
        now = snapshot(stick)
        assert {k: v for k, v in now.items() if k in theirs} == theirs  # the hamlet's files, untouched
        ours = {f"BANTIN/{e['file']}" for e in [*after["items"], *after["files"]]} | {"BANTIN/manifest.json"}
        assert set(now) == set(theirs) | ours  # nothing of the interrupted export is left
        report = verify(stick)
        assert {p.kind for p in report.problems} <= {"extra"}
        assert {p.file for p in report.problems} == {f"x-{n}" for n in in_folder}
    finally:
        shutil.rmtree(base)


def test_a_foreign_manifest_stops_the_export(tmp_path):
    folder = tmp_path / "BANTIN"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"something": "else"}')
    (tmp_path / "c").mkdir()
    with pytest.raises(PackageError, match="not written by radio"):
        export(folder, tmp_path / "c", [1])
    assert os.listdir(folder) == ["manifest.json"]
