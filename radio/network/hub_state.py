"""What the hub tells one station: its desired state, and the revision that names it.

The state is computed from the same tables the CLI and the console edit (queue entries
with `stations`, the library, the relay sources); the revision is a digest of it, so a
station asks "anything newer than R?" and the hub answers at once when it differs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from radio.domain.library import ItemStatus
from radio.domain.network import HORIZON_DAYS
from radio.home import TOPICS_NAME
from radio.network.wire import item_to_wire, source_to_wire, topic_to_wire

HISTORY = timedelta(hours=1)  # sessions this old are still sent: a station rejoining learns what it missed


def desired_state(app, code: str, now: datetime | None = None) -> dict:
    """Sessions for *code* (one-offs, slot entries at their occurrence's instant, emergencies, 8 days ahead), the items they air
    (metadata and approval), the relay sources, the hub's topics (code, name, poverty) and the
    revision of the hub's whole library (fetched apart, only when it moves: see library_catalog)."""
    now = now or datetime.now(timezone.utc)
    entries, item_ids = app.stations.desired_entries(code, now, timedelta(days=HORIZON_DAYS), HISTORY,
                                                     app.settings.zone)  # fmt: skip
    items = app.library.get_many(item_ids) if item_ids else []
    state = {
        "station": code,
        "library_revision": library_catalog(app).revision,
        "entries": [{"hub_id": e.hub_id, "item_sha256": e.item_sha256, "at": e.at.isoformat(),
                     "priority": e.priority, "position": e.position, "slot": e.slot_name}
                    for e in entries],  # fmt: skip
        "items": [item_to_wire(i) for i in items],
        "sources": [source_to_wire(s) for s in app.sources.all()],
        "topics": [topic_to_wire(t) for t in app.taxonomy.topics],
    }
    state["revision"] = revision_of(state)
    return state


def media_allowed(app, code: str, sha: str) -> bool:
    """Whether station *code* may fetch the file *sha*: an approved item of the hub's library,
    which every station sees and may queue, or one a session meant for it airs. The hub answers
    any other (a draft another station's session airs) as it answers an unknown one, so a token
    learns nothing of what other stations air."""
    if sha in library_catalog(app).shas:
        return True
    return app.stations.uses_media(code, sha, datetime.now(timezone.utc), timedelta(days=HORIZON_DAYS), HISTORY,
                                   app.settings.zone)  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    """The hub's whole library as every station sees it: each item's metadata and approval
    (retired ones too, so a retirement reaches the stations), never the media."""

    changes: int  # library_changes.n it was built at
    revision: str
    shas: frozenset[str]  # the approved items: a station may fetch their files (never a draft's)
    body: bytes  # the JSON answer, gzip-compressed once for all stations
    json_bytes: int


_catalogs: dict[str, Catalog] = {}
_catalog_lock = threading.Lock()


def catalog_entry(item) -> dict:
    """An item as every station sees it: an approved one whole (metadata, approval); any other
    by its file's hash and status alone, so a station can withdraw a copy it got from the hub
    while nothing of a draft (title, source, a notice's text) reaches any token."""
    if item.status is ItemStatus.APPROVED:
        return item_to_wire(item)
    return {"sha256": item.sha256, "status": str(item.status),
            "retired_at": item.retired_at.isoformat() if item.retired_at else None}  # fmt: skip


def library_catalog(app) -> Catalog:
    """The catalog at the library's current change count: built once per change (one read of
    the library, one JSON, one gzip) and shared by every station's state and download."""
    changes = app.stations.library_changes()
    key = str(app.engine.url)
    with _catalog_lock:
        cached = _catalogs.get(key)
        if cached is not None and cached.changes == changes:
            return cached
        items = [catalog_entry(i) for i in app.library.list()]
        body = json.dumps(items, sort_keys=True, ensure_ascii=False).encode("utf-8")
        revision = hashlib.sha256(body).hexdigest()[:16]
        wrapped = b'{"revision": "' + revision.encode() + b'", "items": ' + body + b"}"
        catalog = Catalog(changes, revision, frozenset(i["sha256"] for i in items if i["status"] == "approved"),
                          gzip.compress(wrapped, compresslevel=6), len(wrapped))  # fmt: skip
        _catalogs[key] = catalog
        return catalog


def topics_stamp(app) -> tuple | None:
    """When the hub's own topics.toml last changed: the long polls wake on it too."""
    path = app.settings.home / TOPICS_NAME
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def revision_of(state: dict) -> str:
    body = json.dumps({k: v for k, v in state.items() if k != "revision"}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


SUMMARY_KEYS = ("code", "name", "commune", "online", "last_seen", "on_air", "device", "clock_offset_s",
                "unacked_rows", "missing_media", "disk_free_mb")  # fmt: skip
"""What `radio hub station list` and the console's Stations page show, in that order."""


def station_summary(s, zone) -> dict:
    """One station as its last heartbeat left it (`Station` of storage/network_repo.py)."""
    h = s.health
    return {
        "code": s.code, "name": s.name, "commune": s.commune, "online": s.online,
        "last_seen": s.last_seen.astimezone(zone).isoformat(timespec="seconds") if s.last_seen else None,
        "on_air": h.get("on_air"), "device": h.get("device"), "clock_offset_s": h.get("clock_offset_s"),
        "unacked_rows": h.get("unacked_rows"), "missing_media": h.get("missing_media"),
        "disk_free_mb": h.get("disk_free_mb"), "deferred": h.get("deferred", []), "revoked": s.revoked,
        "acked_seq": s.acked_seq,
    }  # fmt: skip
