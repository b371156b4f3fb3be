"""How library items and relay sources travel between hub and station (JSON), both ways."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from radio.domain.library import Item, ItemStatus, Priority
from radio.domain.relay import Resume, Source
from radio.domain.topics import Topic

_DATES = ("valid_from", "valid_until")
_MOMENTS = ("added_at", "approved_at", "retired_at")


def item_to_wire(item: Item) -> dict:
    data = dataclasses.asdict(item)
    for key in _DATES + _MOMENTS:
        data[key] = data[key].isoformat() if data[key] else None
    data["priority"], data["status"] = str(item.priority), str(item.status)
    for key in ("id", "media_path"):  # the station has its own ids and its own store
        data.pop(key)
    return data


def item_from_wire(data: dict, media_path: str) -> Item:
    fields = {f.name for f in dataclasses.fields(Item)}
    values = {k: v for k, v in data.items() if k in fields}
    for key in _DATES:
        values[key] = date.fromisoformat(values[key]) if values.get(key) else None
    for key in _MOMENTS:
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    values["priority"], values["status"] = Priority(values["priority"]), ItemStatus(values["status"])
    return Item(id=0, media_path=media_path, **values)


def source_to_wire(source: Source) -> dict:
    data = dataclasses.asdict(source)
    data["resume"] = str(source.resume)
    return data


def source_from_wire(data: dict) -> Source:
    fields = {f.name for f in dataclasses.fields(Source)}
    values = {k: v for k, v in data.items() if k in fields}
    values["resume"] = Resume(values["resume"])
    return Source(**values)


def topic_to_wire(topic: Topic) -> dict:
    return {"code": topic.code, "name": topic.name, "poverty": topic.poverty}


def topic_from_wire(data: dict) -> Topic:
    return Topic(code=str(data["code"]), name=str(data["name"]), poverty=bool(data.get("poverty", False)))
