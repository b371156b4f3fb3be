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
