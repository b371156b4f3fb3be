"""The one rundown builder: what the player airs for a show, `radio play` and `radio render`.

Library items (each with the gain that brings it to the station's loudness target),
framed by the station's jingles (the opening one left out when rejoining or resuming), a
relay session's source after the items until the session's end, and its fallback items.

What cannot air is never a reason to air nothing: a jingle whose file is missing is left
out and named in `problems` (the daemon logs it, `radio status` and the console show it);
an item whose file is missing stays in the rundown, so that it gets its `failed` as-run row
at its turn (the player reports an entry it cannot decode), and is named too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from radio.domain.library import Item
from radio.domain.playout import Entry, EntryKind, build_rundown, item_entry, timeline
from radio.domain.relay import RelayRules, Source
from radio.errors import RadioError
from radio.i18n import _


@dataclass(frozen=True)
class Rundown:
    """A rundown and what each of its entries is."""

    entries: list[Entry]
    items: dict[int, Item] = field(default_factory=dict)  # index -> library item (jingles have none)
    relays: dict[int, Source] = field(default_factory=dict)  # index -> the source it relays
    fallbacks: dict[int, Item] = field(default_factory=dict)  # index -> fallback item
    problems: tuple[str, ...] = ()  # parts that cannot air, each with why


def jingle(settings, which: str) -> tuple[str | None, str | None]:
    """The configured jingle *which* ("open" or "close"): (its absolute path, or None) and
    (why it cannot air, or None). Relative paths are in the station home."""
    value = settings.playout.jingle_open if which == "open" else settings.playout.jingle_close
    if not value:
        return None, None
    path = settings.station_home.resolve(value)
    if not path.is_file():
        what = _("opening jingle") if which == "open" else _("closing jingle")
        return None, _("the {what} {path} (radio.toml [playout]) does not exist").format(what=what, path=path)
    return str(path), None


def jingle_problems(settings) -> list[str]:
    """What is wrong with the configured jingles (checked at the daemon's start and by `radio check`)."""
    return [problem for which in ("open", "close") if (problem := jingle(settings, which)[1])]


def build(app, items: Sequence[Item], *, offset_s: float = 0.0, opening: bool = True, closing: bool = True,
          relay: tuple[Source, datetime, datetime] | None = None,
          fallbacks: Callable[[], Sequence[Item]] = tuple) -> Rundown:  # fmt: skip
    """The rundown of *items* in order, the first from *offset_s*; with *relay* (source, when
    the items begin, until) the source airs after the items until *until* if they leave it a
    second or more (`domain.playout.timeline`), and then *fallbacks()* on dead air."""
    settings = app.settings
    problems: list[str] = []

    def entry(item: Item, offset: float = 0.0) -> Entry:
        path = app.media.path(item.media_path)
        if not Path(path).is_file():
            problems.append(_("the file of {title} (#{id}) is missing: {path}").format(
                title=item.title, id=item.id, path=path))  # fmt: skip
        return item_entry(item, str(path), settings.audio.loudness_target_lufs, settings.audio.true_peak_max_dbtp,
                          offset)  # fmt: skip

    entries = [entry(item, offset_s if n == 0 else 0.0) for n, item in enumerate(items)]
    if relay is not None:
        source, begins, until = relay
        start = begins + timedelta(seconds=sum(timeline(entries, begins.timestamp())))
        if (until - start).total_seconds() >= 1.0:  # else the items fill the session
            entries.append(Entry(EntryKind.RELAY, source.name, source.url, duration_s=(until - start).total_seconds(),
                                 until=until.timestamp(), relay=RelayRules.of(source)))  # fmt: skip
        else:
            relay = None
    open_path = close_path = None
    if opening:
        open_path, problem = jingle(settings, "open")
        problems += [problem] if problem else []
    if closing:
        close_path, problem = jingle(settings, "close")
        problems += [problem] if problem else []
    rundown = build_rundown(entries, open_path, close_path)
    relays = {i: relay[0] for i, e in enumerate(rundown) if e.kind is EntryKind.RELAY} if relay else {}
    fallback_of: dict[int, Item] = {}
    if relays:
        for item in fallbacks():
            fallback_of[len(rundown)] = item
            rundown.append(replace(entry(item), kind=EntryKind.FALLBACK))
    by_item = iter(items)
    mapping = {i: next(by_item) for i, e in enumerate(rundown) if e.kind is EntryKind.ITEM}
    return Rundown(rundown, mapping, relays, fallback_of, tuple(problems))


def for_ids(app, ids: Sequence[int], offset_s: float = 0.0, jingles: bool = True) -> list[Entry]:
    """`radio play` / `radio render`: library items *ids* in that order. A missing jingle
    or file is the user's error here (they are testing the chain), not a reason to go on."""
    made = build(app, app.library.get_many(list(ids)), offset_s=offset_s, opening=jingles, closing=jingles)
    if made.problems:
        raise RadioError(made.problems[0])
    return made.entries
