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

from radio.domain.library import AUDIO_SUFFIXES, Item
from radio.domain.network import HORIZON_DAYS
from radio.home import StationHome
from radio.network.client import HubUnreachable
from radio.network.wire import item_from_wire

APPLIED_NAME = "hub-library.json"  # beside the link file: the catalog applied here (revision, its files)


def stored_suffix(original_name: str | None) -> str:
    """The suffix the media store keeps for a file of that name (see MediaStore.receive)."""
    suffix = Path(original_name or "").suffix.lower()
    return suffix if suffix in AUDIO_SUFFIXES else ""


def expected_relpath(sha: str, original_name: str | None) -> str:
    """Where the store will keep the file *sha* once fetched (MediaStore.keep)."""
    return f"{sha[:2]}/{sha}{stored_suffix(original_name)}"


def _applied_path(app) -> Path:
    return StationHome(app.settings.home).hub_link.with_name(APPLIED_NAME)


def applied(app) -> dict:
    """{"revision": R, "shas": [...]} of the catalog applied here ({} before the first)."""
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
    apply_catalog(app, catalog["items"])
    path = _applied_path(app)
    tmp = path.with_suffix(".tmp")
    shas = sorted(i["sha256"] for i in catalog["items"] if i.get("status") == "approved")
    tmp.write_text(json.dumps({"revision": catalog["revision"], "shas": shas}), encoding="utf-8")
    tmp.replace(path)
    return []


def apply_catalog(app, wired: list[dict]) -> tuple[int, int]:
    """Add the hub's approved items this station does not know and bring those it knows to
    the hub's metadata and approval (an approval withdrawn or a retirement included);
    (added, updated)."""
    library = app.library
    here = {i.sha256: i for i in library.list()}
    added = updated = 0
    for data in wired:
        existing = here.get(data["sha256"])
        if existing is None:
            if data.get("status") == "approved":  # a draft or a retired item is not for the stations yet
                library.add(item_from_wire(data, expected_relpath(data["sha256"], data.get("original_name"))))
                added += 1
            continue
        wanted = dataclasses.replace(item_from_wire(data, existing.media_path), id=existing.id)
        if wanted != existing:
            library.save(wanted)
            updated += 1
    return added, updated


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
