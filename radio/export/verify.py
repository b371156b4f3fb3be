"""Checking a package on a stick: what a hamlet's player will actually find.

Every problem is one precise line (which file, what is wrong). The directory order is
read with readdir, which on FAT returns the entries in on-disk order — the order a
cheap player plays them in.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from radio.domain.usb import (
    JOURNAL_NAME,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    MAX_NAME,
    is_hidden_name,
)
from radio.export.space import free_space
from radio.export.writer import read_json
from radio.i18n import _

NAME_RULE = re.compile(r"\d{3,}_[a-z0-9-]+\.mp3")


@dataclass(frozen=True)
class Problem:
    kind: str  # stable key for scripts
    file: str | None
    message: str


@dataclass
class Report:
    folder: Path
    manifest: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    order_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, file: str | None, message: str) -> None:
        self.problems.append(Problem(kind, file, message))


def find_package(path: Path) -> Path:
    """*path* itself if it holds a manifest or journal, else the one child folder that does."""
    if (path / MANIFEST_NAME).exists() or (path / JOURNAL_NAME).exists():
        return path
    try:
        children = sorted(p for p in path.iterdir() if p.is_dir() and not is_hidden_name(p.name))
    except OSError:
        return path
    found = [p for p in children if (p / MANIFEST_NAME).exists() or (p / JOURNAL_NAME).exists()]
    return found[0] if len(found) == 1 else path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path) -> Report:
    folder = find_package(path)
    report = Report(folder)
    if not folder.is_dir():
        report.add("missing-folder", None, _("{path} is not a folder").format(path=folder))
        return report
    for where in {path, folder}:
        for name in os.listdir(where):
            if is_hidden_name(name):
                rel = name if where == path else f"{where.relative_to(path)}/{name}"
                report.add("hidden", rel, _("hidden file or folder a player may count: {name}").format(name=rel))
    if (folder / JOURNAL_NAME).exists():
        if (folder / MANIFEST_NAME).exists():
            report.notes.append(_("{name} is left over from the last export (harmless)").format(name=JOURNAL_NAME))
        else:
            report.add("incomplete", JOURNAL_NAME, _("an export to this stick did not finish: the package is incomplete"))
            return report
    if not (folder / MANIFEST_NAME).exists():
        report.add("no-manifest", MANIFEST_NAME, _("no {name}: this is not a complete package").format(name=MANIFEST_NAME))
        return report
    manifest = read_json(folder / MANIFEST_NAME)
    if not manifest or manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("items"), list):
        report.add("bad-manifest", MANIFEST_NAME, _("{name} is damaged or not written by radio").format(name=MANIFEST_NAME))
        return report
    report.manifest = manifest

    listed: list[str] = []
    for entry in [*manifest["items"], *(manifest.get("files") or [])]:
        name = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(name, str) or "/" in name or "\\" in name:
            report.add("bad-manifest", MANIFEST_NAME, _("{name} lists an invalid file entry").format(name=MANIFEST_NAME))
            continue
        listed.append(name)
        file = folder / name
        if not file.is_file():
            report.add("missing", name, _("missing: {name}").format(name=name))
            continue
        size = file.stat().st_size
        if size != entry.get("bytes"):
            report.add("size", name, _("wrong size: {name} has {size} bytes, the manifest says {expected}").format(
                name=name, size=size, expected=entry.get("bytes")))  # fmt: skip
        elif _sha256(file) != entry.get("sha256"):
            report.add("checksum", name, _("checksum mismatch: {name} is damaged or was changed").format(name=name))
    audio = [e["file"] for e in manifest["items"] if isinstance(e, dict) and isinstance(e.get("file"), str)]
    for name in audio:
        if len(name) > MAX_NAME or not NAME_RULE.fullmatch(name):
            report.add("name", name, _("file name a cheap player may not read: {name}").format(name=name))

    on_disk = os.listdir(folder)
    known = {n.lower() for n in [*listed, MANIFEST_NAME, JOURNAL_NAME]}
    for name in on_disk:
        if name.lower() not in known and not is_hidden_name(name):
            report.add("extra", name, _("not part of the package (a player may play it): {name}").format(name=name))
    if free_space(folder).fat:
        report.order_checked = True
        present = {n.lower() for n in on_disk}
        disk_order = [n for n in on_disk if n in set(audio)]
        expected = [n for n in audio if n.lower() in present]
        if disk_order != expected:
            first = next(i for i, (a, b) in enumerate(zip(disk_order, expected)) if a != b)
            report.add("order", disk_order[first], _(
                "directory order is not play order: position {n} holds {found}, expected {expected}"
            ).format(n=first + 1, found=disk_order[first], expected=expected[first]))  # fmt: skip
    else:
        report.notes.append(_("not a FAT filesystem: the directory order was not checked"))
    return report


def report_json(report: Report) -> dict:
    m = report.manifest or {}
    return {
        "path": str(report.folder),
        "ok": report.ok,
        "package_id": m.get("package_id"),
        "hamlet": m.get("hamlet"),
        "items": len(m.get("items") or []),
        "order_checked": report.order_checked,
        "problems": [{"kind": p.kind, "file": p.file, "message": p.message} for p in report.problems],
        "notes": report.notes,
    }
