"""`radio export-usb`, the job: choose the items, plan the packages, check, transcode, write, record.

Nothing is written to DEST until every package has been planned, every file sized, and
the free space checked for all of them at once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from radio.domain.usb import (
    FAT32_MAX_FILE,
    Hamlet,
    PackagePlan,
    Profile,
    SpaceCheck,
    manifest,
    plan_package,
    render_list,
    render_m3u8,
    select_items,
    space_needed,
)
from radio.domain.library import why_not_airable
from radio.errors import RadioError
from radio.library.playlists import load_playlist
from radio.export.space import free_space
from radio.export.transcode import Encoded, Loudness, TranscodeCache, default_workers
from radio.export.writer import Contents, conflicts, id3_tag, previous_package, write_package
from radio.i18n import _, ngettext
from radio.faults import disk_full, is_enospc
from radio.storage.hamlet_repo import PackageRecord


@dataclass(frozen=True)
class Target:
    hamlet: Hamlet
    folder: Path  # the package folder (…/BANTIN)
    plan: PackagePlan


@dataclass(frozen=True)
class ExportPlan:
    dest: Path
    targets: tuple[Target, ...]
    skipped: tuple[Hamlet, ...]  # nothing to put on their stick
    profile: Profile
    on: date
    space: SpaceCheck
    exact: bool  # sizes measured (transcoded) rather than estimated

    @property
    def items(self) -> dict:
        return {e.item.id: e.item for t in self.targets for e in t.plan.entries}


@dataclass
class Progress:
    """Callbacks the CLI fills in to draw its progress bars."""

    transcode_start: Callable[[int], None] = lambda n: None
    transcoded: Callable[[Encoded], None] = lambda e: None
    write_start: Callable[[int, int], None] = lambda files, total_bytes: None
    wrote_bytes: Callable[[int], None] = lambda n: None
    wrote_file: Callable[[str], None] = lambda name: None
    warning: Callable[[str], None] = lambda message: None


def cache_for(app) -> TranscodeCache:
    audio = app.settings.audio
    return TranscodeCache(
        app.settings.usb_cache_dir,
        lambda item: app.media.path(item.media_path),
        Loudness(audio.loudness_target_lufs, audio.true_peak_max_dbtp),
    )


def _items_for(app, hamlets: Sequence[Hamlet], on: date, playlist: str | None) -> dict[str, list]:
    if playlist:
        pl = load_playlist(app.settings.playlists_dir, playlist)
        items = app.library.get_many(list(pl.item_ids))
        bad = [(i, why_not_airable(i, on)) for i in items]
        bad = [f"#{i.id} ({reason})" for i, reason in bad if reason]
        if bad:
            raise RadioError(
                _("playlist {name} holds items that may not go out on {date}: {items}").format(
                    name=pl.name, date=on.isoformat(), items=", ".join(bad)
                )
            )
        return {h.code: items for h in hamlets}
    library = app.library.list(status="approved")
    order = [t.code for t in app.taxonomy]
    return {h.code: select_items(library, h, on, order) for h in hamlets}


def package_folder(dest: Path, hamlet: Hamlet, several: bool, folder_name: str) -> Path:
    return (dest / hamlet.code if several else dest) / folder_name


def plan_export(
    app, dest: Path, hamlets: Sequence[Hamlet], on: date, profile: Profile,
    playlist: str | None = None, encoded: dict[int, Encoded] | None = None,
) -> ExportPlan:  # fmt: skip
    """Plan every package; sizes from *encoded* (exact) or the cache, else estimated from duration."""
    several = len(hamlets) > 1
    chosen = _items_for(app, hamlets, on, playlist)
    cache = cache_for(app)
    album = app.settings.station.name
    targets: list[Target] = []
    skipped: list[Hamlet] = []
    exact = True
    for hamlet in hamlets:
        items = chosen[hamlet.code]
        if not items:
            skipped.append(hamlet)
            continue
        sizes = {}
        for n, item in enumerate(items, start=1):
            found = (encoded or {}).get(item.id) or cache.cached(item, profile)
            if found:
                sizes[item.id] = found.bytes + len(id3_tag(item.title, album, n, len(items)))
            else:
                exact = False
        plan = plan_package(hamlet, items, on, profile, sizes, playlist)
        targets.append(Target(hamlet, package_folder(dest, hamlet, several, app.settings.usb.folder), plan))
    space = free_space(dest)
    needed = sum(space_needed((e.bytes for e in t.plan.entries), space.cluster) for t in targets)
    freed = sum(previous_package(t.folder).present_bytes(t.folder) for t in targets if t.folder.is_dir())
    return ExportPlan(dest, tuple(targets), tuple(skipped), profile, on, SpaceCheck(needed, freed, space.free), exact)


def check(plan: ExportPlan) -> None:
    """Everything that must hold before the first byte is written to DEST."""
    for t in plan.targets:
        big = [e.file for e in t.plan.entries if e.bytes > FAT32_MAX_FILE]
        if big:
            raise RadioError(
                _("{names}: larger than 4 GiB, which FAT32 sticks cannot hold").format(names=", ".join(big))
            )
        previous = previous_package(t.folder) if t.folder.is_dir() else None
        if previous and (in_the_way := conflicts(t.folder, t.plan, previous)):
            raise RadioError(
                _("files not written by radio are in the way in {folder}: {names}; move them away").format(
                    folder=t.folder, names=", ".join(in_the_way)
                )
            )
    if not plan.space.fits:
        raise RadioError(
            _("not enough space on {dest}: the packages need {needed}, {free} is free "
              "(short by {short}); nothing was written").format(
                dest=plan.dest, needed=human_bytes(plan.space.needed - plan.space.freed),
                free=human_bytes(plan.space.free or 0), short=human_bytes(plan.space.short_by),
            )
        )  # fmt: skip


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@dataclass(frozen=True)
class Written:
    target: Target
    package_id: str
    manifest: dict
    created: datetime


WRITERS = 8  # packages written at once for several hamlets: overlaps the per-file fsyncs


def _record(app, written: Sequence[Written], on: date, profile: Profile, playlist: str | None) -> None:
    app.hamlets.record_packages([
        (
            PackageRecord(
                id=w.package_id, hamlet_code=w.target.hamlet.code, hamlet_name=w.target.hamlet.name,
                created_at=w.created, content_date=on, profile=profile.name, playlist=playlist,
                items=len(w.manifest["items"]), bytes=w.manifest["total_bytes"],
                duration_s=w.manifest["total_duration_s"], destination=str(w.target.folder),
            ),
            [(e["position"], e["item_id"], e["file"], e["sha256"]) for e in w.manifest["items"]],
        )
        for w in written
    ])  # fmt: skip


def run_export(
    app, dest: Path, hamlets: Sequence[Hamlet], on: date, profile: Profile,
    playlist: str | None = None, progress: Progress | None = None,
) -> tuple[ExportPlan, list[Written]]:  # fmt: skip
    progress = progress or Progress()
    if len(hamlets) == 1 and not dest.is_dir():
        raise RadioError(_("{dest} is not a folder (is the stick mounted?)").format(dest=dest))
    first = plan_export(app, dest, hamlets, on, profile, playlist)
    if not first.targets:
        raise RadioError(_("nothing to export: no approved items match on {date}").format(date=on.isoformat()))
    check(first)  # on estimates: fail early, before spending time transcoding
    if first.space.free is None:
        progress.warning(
            _("{dest} does not tell its free space; writing without checking it").format(dest=dest)
        )
    items = list(first.items.values())
    progress.transcode_start(len(items))
    encoded = cache_for(app).encode_all(items, profile, default_workers(app.settings.usb.transcode_workers), progress.transcoded)
    plan = plan_export(app, dest, hamlets, on, profile, playlist, encoded)
    check(plan)

    station = app.settings.station.name
    topic_names = {t.code: t.name for t in app.taxonomy}
    audio = {item_id: e.path for item_id, e in encoded.items()}
    fat = free_space(dest).fat
    progress.write_start(
        sum(len(t.plan.entries) for t in plan.targets),
        sum(encoded[e.item.id].bytes for t in plan.targets for e in t.plan.entries),
    )
    lock = threading.Lock()

    def locked(fn):
        def call(*args):
            with lock:
                fn(*args)

        return call

    wrote_bytes, wrote_file = locked(progress.wrote_bytes), locked(progress.wrote_file)

    def write_one(target: Target) -> Written:
        created = datetime.now(timezone.utc).replace(microsecond=0)
        package_id = f"{target.hamlet.code}-{created:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        local = created.astimezone(app.settings.zone)
        contents = Contents(
            audio, station, render_list(target.plan, station, topic_names, package_id, local), render_m3u8(target.plan)
        )
        try:
            data = write_package(
                target.folder, target.plan, package_id, contents,
                lambda a, x: manifest(target.plan, package_id, station, created, a, x),
                check_order=fat, progress=wrote_bytes, file_done=wrote_file,
            )  # fmt: skip
        except OSError as err:
            if is_enospc(err):  # the space check passed, yet the stick filled (inodes, a lying driver)
                raise disk_full(target.folder, _("the package for {code} is incomplete").format(
                    code=target.hamlet.code)) from err  # fmt: skip
            raise
        return Written(target, package_id, data, created)

    written: list[Written] = []
    try:
        if len(plan.targets) == 1:
            written.append(write_one(plan.targets[0]))
        else:
            # Several packages (often several sticks mounted under DEST): written side by side,
            # so one stick's flush does not wait for another's.
            with ThreadPoolExecutor(max_workers=min(WRITERS, len(plan.targets))) as pool:
                futures = [pool.submit(write_one, t) for t in plan.targets]
            errors = [f.exception() for f in futures if f.exception() is not None]
            written.extend(f.result() for f in futures if f.exception() is None)
            if errors:
                raise errors[0]
    finally:
        # Only complete packages are recorded, all in one transaction.
        if written:
            _record(app, written, on, profile, playlist)
    return plan, written


def skipped_message(skipped: Sequence[Hamlet]) -> str:
    return ngettext(
        "no items for {n} hamlet, nothing written for it: {codes}",
        "no items for {n} hamlets, nothing written for them: {codes}",
        len(skipped),
    ).format(n=len(skipped), codes=", ".join(h.code for h in skipped))
