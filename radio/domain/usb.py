"""The rules of a hamlet's USB stick, without any I/O.

Cheap USB MP3 players play files in FAT directory order (the order they were written),
count hidden files, and read only short, plain names reliably. So a package is one
folder of ``NNN_ascii-title.mp3`` files written in play order, a Vietnamese list for
people (``00_DANH_SACH.txt``), a playlist, and a manifest written last.

This module decides *what* goes on a stick and under which names; radio/export/ does
the writing. Stdlib only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from radio.domain.library import Item, Priority, why_not_airable
from radio.text import fold_ascii, format_duration, nfc

MAX_NAME = 64  # characters, extension included
FAT32_MAX_FILE = 4 * 1024**3 - 1  # bytes: the largest file FAT32 can hold
LIST_NAME = "00_DANH_SACH.txt"
PLAYLIST_NAME = "playlist.m3u8"
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = "manifest.incomplete.json"  # present only while an export is under way
MANIFEST_FORMAT = "radio-usb-package"
MANIFEST_VERSION = 1
# Names players (or the PCs the stick visits) treat as files, though nobody meant them to play.
HIDDEN_NAMES = frozenset({"system volume information", "$recycle.bin", "recycled", "recycler"})

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}


# --- hamlets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hamlet:
    """A hamlet (thôn, xóm, khối, bản) that receives a stick.

    ``topics`` empty means every topic; ``languages`` are the languages its people get.
    """

    code: str
    name: str
    languages: tuple[str, ...] = ("vi",)
    topics: tuple[str, ...] = ()
    notes: str = ""


class HamletRuleError(ValueError):
    """A hamlet field breaks a rule; the message says which and why (English msgid-free)."""


def normalize_code(text: str) -> str:
    """Hamlet codes are folder names on the stick: ASCII letters, digits, - and _; upper case.

    FAT compares names case-insensitively, so codes are kept in one case.
    """
    code = fold_ascii(text).upper().strip()
    if not CODE_PATTERN.fullmatch(code):
        raise HamletRuleError(text)
    return code


def split_list(text: str | None) -> tuple[str, ...]:
    """'a, b ,,c' -> ('a', 'b', 'c'), duplicates dropped, order kept."""
    if not text:
        return ()
    parts = [nfc(p) for p in re.split(r"[,;]", text)]
    return tuple(dict.fromkeys(p for p in parts if p))


def valid_language(code: str) -> bool:
    return bool(LANGUAGE_PATTERN.fullmatch(code))


# CSV import: the columns, in the order a template lists them. Only code and name are required.
CSV_COLUMNS = ("code", "name", "languages", "topics", "notes")
CSV_ALIASES = {
    "ma": "code", "mã": "code", "ma thon": "code", "mã thôn": "code",
    "ten": "name", "tên": "name", "ten thon": "name", "tên thôn": "name",
    "language": "languages", "ngon ngu": "languages", "ngôn ngữ": "languages",
    "topic": "topics", "chu de": "topics", "chủ đề": "topics",
    "note": "notes", "ghi chu": "notes", "ghi chú": "notes",
}  # fmt: skip


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: Mapping[str, str]


@dataclass(frozen=True)
class CsvProblem:
    line: int
    kind: str  # a stable key: "header", "missing", "columns"
    detail: str = ""


def read_hamlet_csv(text: str) -> tuple[list[CsvRow], list[CsvProblem]]:
    """Split a CSV (as Excel writes it: comma or semicolon, BOM or not) into rows by column name.

    Only the shape is checked here; field rules are checked by whoever builds Hamlets.
    Line numbers are those a spreadsheet shows (the header is line 1).
    """
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[CsvRow] = []
    problems: list[CsvProblem] = []
    header: list[str] | None = None
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [CSV_ALIASES.get(nfc(h).lower(), nfc(h).lower()) for h in record]
            unknown = [h for h in header if h not in CSV_COLUMNS]
            missing = [c for c in ("code", "name") if c not in header]
            if missing or unknown:
                problems.append(CsvProblem(line, "header", ", ".join(missing + unknown)))
                return [], problems
            continue
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append(CsvProblem(line, "columns", str(len(record))))
            continue
        values = {h: nfc(record[i]) if i < len(record) else "" for i, h in enumerate(header)}
        rows.append(CsvRow(line, values))
    if header is None:
        problems.append(CsvProblem(1, "header", "code, name"))
    return rows, problems


# --- profiles ------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How items are encoded for a stick. Old players like MP3 CBR at 44.1 kHz."""

    name: str
    bitrate_kbps: int
    sample_rate: int
    channels: int

    @property
    def key(self) -> str:
        """Identifies the encoding in the transcode cache."""
        return f"mp3-cbr{self.bitrate_kbps}-{self.sample_rate}-{self.channels}ch"

    def estimated_bytes(self, seconds: float) -> int:
        return int(seconds * self.bitrate_kbps * 1000 / 8) + 4096


PROFILES: dict[str, Profile] = {
    "standard": Profile("standard", 128, 44100, 2),
    "mono": Profile("mono", 64, 44100, 1),
}


# --- selection and order -------------------------------------------------------------


def play_order_key(item: Item, topic_order: Sequence[str]) -> tuple:
    """Priority first (emergency, priority, normal), then topic (taxonomy order), then date added
    (oldest first, so a series plays in order), then id."""
    rank = topic_order.index(item.topic) if item.topic in topic_order else len(topic_order)
    return (PRIORITY_RANK[item.priority], rank, item.topic, item.added_at, item.id)


def select_items(items: Iterable[Item], hamlet: Hamlet, on: date, topic_order: Sequence[str]) -> list[Item]:
    """The approved items valid on *on* in the hamlet's topics and languages, in play order."""
    chosen = [
        i
        for i in items
        if why_not_airable(i, on) is None
        and (not hamlet.topics or i.topic in hamlet.topics)
        and (not hamlet.languages or i.language in hamlet.languages)
    ]
    return sorted(chosen, key=lambda i: play_order_key(i, topic_order))


# --- names ---------------------------------------------------------------------------


def ascii_slug(title: str) -> str:
    """Vietnamese title -> lower-case ASCII words joined by '-', FAT-safe ('đ' -> 'd')."""
    return re.sub(r"[^a-z0-9]+", "-", fold_ascii(title)).strip("-")


def file_name(position: int, title: str, item_id: int, width: int = 3) -> str:
    """``NNN_ascii-title.mp3``, at most MAX_NAME characters, cut at a word boundary."""
    prefix = f"{position:0{width}d}_"
    room = MAX_NAME - len(prefix) - len(".mp3")
    slug = ascii_slug(title) or f"bai-{item_id}"
    if len(slug) > room:
        cut = slug[: room + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut[1:] else slug[:room]
        slug = slug[:room].strip("-") or f"bai-{item_id}"
    return f"{prefix}{slug}.mp3"


def file_names(items: Sequence[Item]) -> list[str]:
    """One unique name per item in play order. The number prefix makes them unique; FAT compares
    without case, and every name is lower case."""
    width = max(3, len(str(len(items))))
    names = [file_name(n, item.title, item.id, width) for n, item in enumerate(items, start=1)]
    assert len({n.lower() for n in names}) == len(names)
    return names


def is_hidden_name(name: str) -> bool:
    """Names a player may count although they are not meant to play (dot files, Windows folders)."""
    return name.startswith(".") or name.lower() in HIDDEN_NAMES


# --- plans and space -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One audio file of a package, in play order."""

    position: int
    file: str
    item: Item
    bytes: int  # size on the stick (estimated until transcoded)


@dataclass(frozen=True)
class PackagePlan:
    hamlet: Hamlet
    entries: tuple[Entry, ...]
    on: date
    profile: Profile
    playlist: str | None = None

    @property
    def audio_bytes(self) -> int:
        return sum(e.bytes for e in self.entries)

    @property
    def duration_s(self) -> float:
        return sum(e.item.duration_s for e in self.entries)


def plan_package(
    hamlet: Hamlet, items: Sequence[Item], on: date, profile: Profile, sizes: Mapping[int, int] | None = None,
    playlist: str | None = None,
) -> PackagePlan:  # fmt: skip
    """Name *items* (already in play order) for *hamlet*; sizes by item id, else estimated."""
    sizes = sizes or {}
    entries = tuple(
        Entry(n, name, item, sizes.get(item.id, profile.estimated_bytes(item.duration_s)))
        for n, (name, item) in enumerate(zip(file_names(items), items), start=1)
    )
    return PackagePlan(hamlet, entries, on, profile, playlist)


def too_big_for_fat32(plan: PackagePlan) -> list[Entry]:
    return [e for e in plan.entries if e.bytes > FAT32_MAX_FILE]


def on_disk(size: int, cluster: int) -> int:
    """Space a file of *size* bytes takes on a filesystem of *cluster*-byte clusters."""
    cluster = max(cluster, 1)
    return -(-size // cluster) * cluster if size else 0


@dataclass(frozen=True)
class SpaceCheck:
    needed: int  # bytes the new package takes on the stick
    freed: int  # bytes our previous package frees
    free: int | None  # bytes free now; None when the filesystem does not say

    @property
    def fits(self) -> bool:
        return self.free is None or self.needed <= self.free + self.freed

    @property
    def short_by(self) -> int:
        return 0 if self.free is None else max(0, self.needed - self.free - self.freed)


METADATA_ALLOWANCE = 64 * 1024  # list, playlist, manifest and journal: small text files


def space_needed(file_sizes: Iterable[int], cluster: int, folders: int = 1) -> int:
    """Clusters for every file, the text files, and one directory cluster per folder."""
    audio = sum(on_disk(s, cluster) for s in file_sizes)
    return audio + 4 * on_disk(METADATA_ALLOWANCE // 4, cluster) + folders * cluster


# --- what the hamlet reads -----------------------------------------------------------


def render_list(
    plan: PackagePlan, station: str, topic_name: Mapping[str, str], package_id: str, created: datetime
) -> str:
    """00_DANH_SACH.txt: always Vietnamese (the hamlet reads it), CRLF for Windows Notepad.

    The caller writes it UTF-8 with a BOM.
    """
    lines = [
        station.upper(),
        f"DANH SÁCH BÀI PHÁT – {plan.hamlet.name} ({plan.hamlet.code})",
        f"Ngày: {plan.on.strftime('%d/%m/%Y')}    Mã gói: {package_id}",
        f"Chuẩn bị lúc: {created.strftime('%d/%m/%Y %H:%M')}",
        "",
    ]
    width = len(str(len(plan.entries)))
    for e in plan.entries:
        lines.append(
            f"{e.position:>{width}}. {e.item.title} – {topic_name.get(e.item.topic, e.item.topic)}"
            f" – {format_duration(e.item.duration_s)}"
        )
        lines.append(f"{' ' * width}  Tệp: {e.file}")
    lines += [
        "",
        f"Tổng cộng: {len(plan.entries)} bài, thời lượng {format_duration(plan.duration_s)}",
        "",
        "Các tệp được ghi theo đúng thứ tự phát. Xin đừng sao chép lại hay đổi tên tệp.",
    ]
    return "\r\n".join(lines) + "\r\n"


def render_m3u8(plan: PackagePlan) -> str:
    lines = ["#EXTM3U"]
    for e in plan.entries:
        lines += [f"#EXTINF:{int(round(e.item.duration_s))},{e.item.title}", e.file]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class WrittenFile:
    file: str
    bytes: int
    sha256: str


def manifest(
    plan: PackagePlan, package_id: str, station: str, created: datetime,
    audio: Sequence[WrittenFile], extra: Sequence[WrittenFile],
) -> dict:  # fmt: skip
    """The manifest: written last, so a stick without one is an incomplete package."""
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "package_id": package_id,
        "station": station,
        "hamlet": {"code": plan.hamlet.code, "name": plan.hamlet.name},
        "created": created.isoformat(),
        "date": plan.on.isoformat(),
        "profile": plan.profile.name,
        "playlist": plan.playlist,
        "items": [
            {
                "position": e.position,
                "file": w.file,
                "item_id": e.item.id,
                "title": e.item.title,
                "topic": e.item.topic,
                "duration_s": round(e.item.duration_s, 3),
                "bytes": w.bytes,
                "sha256": w.sha256,
            }
            for e, w in zip(plan.entries, audio, strict=True)
        ],
        "files": [{"file": w.file, "bytes": w.bytes, "sha256": w.sha256} for w in extra],
        "total_bytes": sum(w.bytes for w in [*audio, *extra]),
        "total_duration_s": round(plan.duration_s, 3),
    }


def manifest_files(data: Mapping) -> list[str]:
    """Every file a manifest (or journal) says we wrote; tolerant of a damaged one."""
    names: list[str] = []
    for key in ("items", "files"):
        for entry in data.get(key) or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("file"), str):
                names.append(entry["file"])
            elif isinstance(entry, str):
                names.append(entry)
    return [n for n in names if safe_member(n)]


def safe_member(name: str) -> bool:
    """A name we may touch inside the package folder: plain, no path, not one of our control files."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")
