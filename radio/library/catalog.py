"""Editing, approving and retiring library items, and their public (JSON) form."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from radio.domain import library as rules
from radio.domain.library import Item, Priority
from radio.domain.topics import Taxonomy
from radio.domain.users import MAY_APPROVE, Role, check_priority, edit_needs_new_approval, require
from radio.i18n import _
from radio.text import nfc

if TYPE_CHECKING:  # the CLI lists its commands without loading the database layer
    from radio.storage.library_repo import LibraryRepository


def item_json(item: Item) -> dict[str, Any]:
    """The stable JSON form of an item, for `--json` output."""
    return {
        "id": item.id,
        "title": item.title,
        "topic": item.topic,
        "language": item.language,
        "source": item.source,
        "priority": str(item.priority),
        "status": str(item.status),
        "duration_s": item.duration_s,
        "loudness_lufs": item.loudness_lufs,
        "true_peak_dbtp": item.true_peak_dbtp,
        "sha256": item.sha256,
        "sample_rate": item.sample_rate,
        "channels": item.channels,
        "codec": item.codec,
        "original_name": item.original_name,
        "added_at": item.added_at.isoformat(),
        "valid_from": item.valid_from.isoformat() if item.valid_from else None,
        "valid_until": item.valid_until.isoformat() if item.valid_until else None,
        "approved_by": item.approved_by,
        "approved_at": item.approved_at.isoformat() if item.approved_at else None,
        "retired_at": item.retired_at.isoformat() if item.retired_at else None,
        "notice_text": item.notice_text,
    }


_UNSET: Any = object()


def edit_item(
    repo: LibraryRepository,
    taxonomy: Taxonomy,
    item_id: int,
    *,
    title: str | None = None,
    topic: str | None = None,
    language: str | None = None,
    source: str | None = None,
    priority: Priority | None = None,
    valid_from: date | None = _UNSET,
    valid_until: date | None = _UNSET,
    role: Role | None = None,
) -> Item:
    """Change an item's fields as *role* may (None: the station's command line). An emergency
    priority is the approver's; an operator's change to a field that decides what airs sends
    an approved item back to draft (`domain.users.FIELDS_NEEDING_APPROVAL`)."""
    item = repo.get(item_id)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = rules.check_title(nfc(title))
    if topic is not None:
        changes["topic"] = taxonomy.resolve(topic).code
    if language is not None:
        changes["language"] = rules.check_language(language)
    if source is not None:
        changes["source"] = rules.check_source(nfc(source))
    if priority is not None:
        check_priority(role, priority, had=item.priority)
        changes["priority"] = priority
    if valid_from is not _UNSET:
        changes["valid_from"] = valid_from
    if valid_until is not _UNSET:
        changes["valid_until"] = valid_until
    changes = {k: v for k, v in changes.items() if getattr(item, k) != v}
    edited = dataclasses.replace(item, **changes)
    rules.check_validity_window(edited.valid_from, edited.valid_until)
    if edit_needs_new_approval(role, set(changes)):
        edited = rules.back_to_draft(edited)
    return repo.save(edited) if changes else item


def approve_items(repo: LibraryRepository, ids: list[int], by: str, role: Role | None = None) -> list[Item]:
    """Approve as *by*, if *role* may (None: the station's command line)."""
    require(role, MAY_APPROVE, _("only an approver may approve content for the air"))
    now = datetime.now(timezone.utc)
    items = repo.get_many(ids)
    approved = [rules.approve(item, nfc(by), now) for item in items]
    return [repo.save(item) for item in approved]


def retire_items(repo: LibraryRepository, ids: list[int]) -> list[Item]:
    now = datetime.now(timezone.utc)
    items = repo.get_many(ids)
    return [repo.save(rules.retire(item, now)) for item in items]
