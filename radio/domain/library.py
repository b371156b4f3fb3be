"""Library items and the rules of their life: draft -> approved -> retired.

Content the commune produces must be approved by the commune People's Committee
leadership before it airs (Thông tư 39/2020/TT-BTTTT); who approved and when is kept.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date, datetime

from radio.domain.units import Dbtp, Db, ItemId, Lufs, Seconds
from radio.errors import RadioError
from radio.i18n import N_, _
from radio.text import nfc


class Priority(enum.StrEnum):
    NORMAL = "normal"  # thông thường: fits into a regular session
    PRIORITY = "priority"  # ưu tiên: goes first
    EMERGENCY = "emergency"  # khẩn cấp: interrupts what is on air


# The file name suffixes of audio: the only ones the library imports from a folder or an upload,
# and the only ones the media store keeps on a stored file.
AUDIO_SUFFIXES = frozenset(
    ".mp3 .mp2 .wav .ogg .oga .opus .m4a .m4b .aac .mp4 .3gp .flac .wma .asf .amr .aif .aiff "
    ".ac3 .mka .webm .au .caf .wv .ape".split()
)

# What the console serves a stored file as, from the codec the import measured (never from
# a file name): (media type, file name suffix). Anything else is sent as a download.
_CODEC_MEDIA = {"mp3": ("audio/mpeg", ".mp3"), "mp2": ("audio/mpeg", ".mp2"), "mp1": ("audio/mpeg", ".mp3"),
                "aac": ("audio/mp4", ".m4a"), "alac": ("audio/mp4", ".m4a"), "vorbis": ("audio/ogg", ".ogg"),
                "opus": ("audio/ogg", ".opus"), "flac": ("audio/flac", ".flac"), "amr_nb": ("audio/amr", ".amr"),
                "amr_wb": ("audio/amr-wb", ".awb"), "ac3": ("audio/ac3", ".ac3"), "wmav1": ("audio/x-ms-wma", ".wma"),
                "wmav2": ("audio/x-ms-wma", ".wma")}  # fmt: skip
DOWNLOAD = ("application/octet-stream", ".bin")


def served_as(codec: str | None) -> tuple[str, str]:
    """(media type, suffix) of an item's stored file for the browser, by its measured codec."""
    if codec and codec.startswith("pcm_"):
        return "audio/wav", ".wav"
    return _CODEC_MEDIA.get(codec or "", DOWNLOAD)


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


PRIORITY_LABELS = {
    Priority.NORMAL: N_("normal"),
    Priority.PRIORITY: N_("priority"),
    Priority.EMERGENCY: N_("emergency"),
}
STATUS_LABELS = {
    ItemStatus.DRAFT: N_("draft"),
    ItemStatus.APPROVED: N_("approved"),
    ItemStatus.RETIRED: N_("retired"),
}


class RuleError(RadioError):
    """An action the library's rules do not allow."""


@dataclass(frozen=True)
class Item:
    """One bulletin in the library, as recorded at import and edited since."""

    id: ItemId
    sha256: str
    title: str
    topic: str
    language: str
    source: str | None
    priority: Priority
    status: ItemStatus
    duration_s: Seconds
    loudness_lufs: Lufs | None
    true_peak_dbtp: Dbtp | None
    sample_rate: int | None
    channels: int | None
    codec: str | None
    media_path: str
    original_name: str
    added_at: datetime
    valid_from: date | None = None
    valid_until: date | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    retired_at: datetime | None = None
    notice_text: str | None = None  # the typed notice a spoken item was made from (radio announce)


def approve(item: Item, by: str, at: datetime) -> Item:
    """draft -> approved, recording who and when. Approving an approved item is a no-op."""
    if item.status is ItemStatus.RETIRED:
        raise RuleError(_("item {id} is retired and cannot be approved").format(id=item.id))
    if not by.strip():
        raise RuleError(_("the approver's name is required"))
    if item.status is ItemStatus.APPROVED:
        return item
    return dataclasses.replace(item, status=ItemStatus.APPROVED, approved_by=by, approved_at=at)


def back_to_draft(item: Item) -> Item:
    """An approved item whose airing fields changed needs a new approval."""
    if item.status is not ItemStatus.APPROVED:
        return item
    return dataclasses.replace(item, status=ItemStatus.DRAFT, approved_by=None, approved_at=None)


MAX_TITLE_LENGTH = 300  # the log book's cell and the stream's title; a page of text is not a title


def check_title(title: str) -> str:
    """A typed title: not empty, at most MAX_TITLE_LENGTH characters, else a RuleError."""
    if not title:
        raise RuleError(_("the title is empty"))
    if len(title) > MAX_TITLE_LENGTH:
        raise RuleError(_("the title has {n} characters; at most {max} are allowed").format(
            n=len(title), max=MAX_TITLE_LENGTH))  # fmt: skip
    return title


MAX_SOURCE_LENGTH = 200  # who sent it (a commune office, a district station): a name, not a letter


def check_source(source: str | None) -> str | None:
    """A typed source (optional): at most MAX_SOURCE_LENGTH characters, else a RuleError."""
    if source and len(source) > MAX_SOURCE_LENGTH:
        raise RuleError(_("the source has {n} characters; at most {max} are allowed").format(
            n=len(source), max=MAX_SOURCE_LENGTH))  # fmt: skip
    return source or None


def retire(item: Item, at: datetime) -> Item:
    """Any status -> retired. The item stays in the library (logs refer to it) but never airs."""
    if item.status is ItemStatus.RETIRED:
        return item
    return dataclasses.replace(item, status=ItemStatus.RETIRED, retired_at=at)


def check_validity_window(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise RuleError(
            _("the validity window ends ({until}) before it starts ({start})").format(
                until=valid_until.isoformat(), start=valid_from.isoformat()
            )
        )


def check_language(value: str) -> str:
    """A language code as the library keeps it (vi, hmn, km, …), or a RuleError."""
    import re

    code = nfc(value).lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
        raise RuleError(_("'{value}' is not a language code (for example vi, hmn, km)").format(value=value))
    return code


def why_not_airable(item: Item, on: date) -> str | None:
    """None if *item* may air on *on*; otherwise the reason, for the as-run log and warnings."""
    if item.status is ItemStatus.DRAFT:
        return _("not approved")
    if item.status is ItemStatus.RETIRED:
        return _("retired")
    if item.valid_from and on < item.valid_from:
        return _("not valid before {date}").format(date=item.valid_from.isoformat())
    if item.valid_until and on > item.valid_until:
        return _("expired on {date}").format(date=item.valid_until.isoformat())
    return None


def loudness_gain(item_lufs: Lufs | None, item_peak: Dbtp | None, target: Lufs, peak_max: Dbtp) -> Db:
    """The gain that brings an item to the station target without its true peak passing *peak_max*.

    Items whose loudness could not be measured (silence) get no gain.
    """
    if item_lufs is None:
        return Db(0.0)
    gain = target - item_lufs
    if item_peak is not None:
        gain = min(gain, peak_max - item_peak)
    return Db(round(gain, 2))
