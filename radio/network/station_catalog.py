"""A station's view of the hub's whole library: every item's metadata and approval, so an
operator at the station sees the province's and the commune's bulletins and queues them like
the station's own.

An item of the hub that this PC does not hold yet is in the station's library under the path
its file will have once fetched (content-addressed), and is listed as "not yet on this PC".
Once the operator queues it here, the next sync fetches its file (Range, sha256 verified),
as it does for the sessions the hub sends. The catalog is fetched again only when the
state's `library_revision` moves.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path

from radio.domain.library import AUDIO_SUFFIXES, Item, ItemStatus
from radio.domain.network import HORIZON_DAYS
from radio.home import StationHome
from radio.network.client import HubUnreachable
from radio.network.wire import item_from_wire


def stored_suffix(original_name: str | None) -> str:
    """The suffix the media store keeps for a file of that name (see MediaStore.receive)."""
    suffix = Path(original_name or "").suffix.lower()
    return suffix if suffix in AUDIO_SUFFIXES else ""


def expected_relpath(sha: str, original_name: str | None) -> str:
    """Where the store will keep the file *sha* once fetched (MediaStore.keep)."""
    return f"{sha[:2]}/{sha}{stored_suffix(original_name)}"


def _applied_path(app) -> Path:
    return StationHome(app.settings.home).hub_library


def applied(app) -> dict:
    """{"revision": R, "shas": [...]} of the catalog applied here and the files of the items
    this station holds as copies of the hub's ({} before the first)."""
    try:
        return json.loads(_applied_path(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def sync_catalog(app, client, revision: str | None) -> list[str]:
    """Fetch and apply the hub's catalog when *revision* is not the one applied here; the
    problems met (the hub cut off: tried again at the next round)."""
    if not revision or revision == applied(app).get("revision"):
        return []
    try:
        catalog = client.library()
    except HubUnreachable as err:
        return [str(err)]
    copies = apply_catalog(app, catalog["items"], set(applied(app).get("shas", [])))
    _write_applied(app, catalog["revision"], copies)
    return []


def _write_applied(app, revision: str | None, shas: set[str]) -> None:
    path = _applied_path(app)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"revision": revision, "shas": sorted(shas)}), encoding="utf-8")
    tmp.replace(path)


def note_copy(app, sha: str) -> None:
    """An item the hub's state brought (a session's, fetched before any catalog listed it) is
    a copy of the hub's: the next catalog keeps it in step — a withdrawn approval or a
    retirement reaches it once the hub no longer schedules it."""
    done = applied(app)
    known = set(done.get("shas", []))
    if sha not in known:
        _write_applied(app, done.get("revision"), known | {sha})


def apply_catalog(app, wired: list[dict], from_hub: set[str]) -> set[str]:
    """Add the hub's approved items this station does not know, and bring the copies it got
    from the hub (*from_hub*: their files' hashes) to the hub's metadata and approval — an
    approval withdrawn or a retirement included. A station's own item is the station's: never
    touched, even when the hub holds the same file. The hashes of the hub's copies now here."""
    library = app.library
    here = {i.sha256: i for i in library.list()}
    new, changed, copies = [], [], set()
    for data in wired:
        sha = data["sha256"]
        existing = here.get(sha)
        if existing is not None and sha not in from_hub:
            continue  # the station's own
        if data.get("status") != ItemStatus.APPROVED.value:  # the hub's drafts and retired items: hash and status
            if existing is not None:
                copies.add(sha)
                if existing.status is ItemStatus.APPROVED:
                    retired = data.get("retired_at")
                    changed.append(dataclasses.replace(
                        existing, status=ItemStatus(data["status"]), approved_by=None, approved_at=None,
                        retired_at=datetime.fromisoformat(retired) if retired else existing.retired_at))  # fmt: skip
            continue
        copies.add(sha)
        if existing is None:
            new.append(item_from_wire(data, expected_relpath(sha, data.get("original_name"))))
        else:
            wanted = dataclasses.replace(item_from_wire(data, existing.media_path), id=existing.id)
            if wanted != existing:
                changed.append(wanted)
    library.add_many(new)  # one transaction each, not a commit per item beside the playout's writes
    library.save_many(changed)
    return copies


def queued_but_absent(app, now: datetime) -> list[Item]:
    """Items of the hub's library queued here (by the operator) for the next days whose file
    this PC does not hold yet: to fetch now. (A station's own item whose file went missing
    is not the hub's to mend.)"""
    hub_items = set(applied(app).get("shas", []))
    if not hub_items:
        return []
    zone = app.settings.zone
    end = now + timedelta(days=HORIZON_DAYS)
    entries = app.schedule.entries_between(now.astimezone(zone).date(), end.astimezone(zone).date(), now, end)
    ids = sorted({e.item_id for e in entries})
    items = app.library.get_many(ids) if ids else []
    return [i for i in items if i.sha256 in hub_items and not app.media.path(i.media_path).is_file()]
