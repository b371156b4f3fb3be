"""The audio engine's protocol: entries and events as JSON, for both sides of the pipe.

Kept apart from engine.py so that the daemon can speak to an engine without importing
what the engine holds (numpy, PortAudio).
"""

from __future__ import annotations

from dataclasses import asdict

from radio.audio.events import Event, Started
from radio.domain.playout import Entry, EntryKind
from radio.domain.relay import RelayRules, Resume


def entry_to_json(entry: Entry) -> dict:
    data = asdict(entry)
    data["kind"] = str(entry.kind)
    return data


def entry_from_json(data: dict) -> Entry:
    relay = data.get("relay")
    if relay is not None:
        relay = RelayRules(**{**relay, "resume": Resume(relay["resume"])})
    return Entry(**{**data, "kind": EntryKind(data["kind"]), "relay": relay})


def event_to_json(event: Event) -> dict:
    if isinstance(event, Started):
        return {"event": "started", "index": event.index, "at": event.at.timestamp()}
    return {"event": "ended", "index": event.index, "at": event.at.timestamp(), "status": str(event.status),
            "played_s": event.played_s, "reason": event.reason}  # fmt: skip


def relay_key(entry: Entry) -> tuple[str, float | None]:
    """What makes two relay entries the same relay: the source's address and the session's end
    (an engine holding its input airs the rundown that relays it, held_inputs.py)."""
    return entry.path, entry.until


def relay_keys(rundown) -> set[tuple[str, float | None]]:
    return {relay_key(e) for e in rundown if e.kind is EntryKind.RELAY}
