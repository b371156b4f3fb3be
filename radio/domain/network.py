"""The rules of a network of stations, pure: which sessions a station should have, what a
sync may change (never a session about to start: the freeze window), what media to fetch
first, which as-run rows the hub acknowledges, and when a station counts as online.

The hub's server (network/hub_*.py) and the station's sync (network/station_sync.py) only
move data; every decision they take is one of these functions.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from radio.errors import RadioError
from radio.i18n import _

EVERY_STATION = "*"
HEARTBEAT_S = 30.0  # a station reports its health this often
OFFLINE_AFTER_S = 3 * HEARTBEAT_S + 5  # silent this long: offline (two lost beats are a bad link, not a dead PC)
BACK_ONLINE_WITHIN_S = 2.5 * HEARTBEAT_S  # an offline station is online again on two beats this close
FREEZE_MINUTES = 10  # default: a session starting this soon is never changed by a sync
HORIZON_DAYS = 8  # the hub sends the sessions of the next 8 days (at least 7 are asked for)
EMERGENCY_MAX_AGE_S = 600.0  # an emergency that reaches a station later than this is not aired
KEEP_ACKED_DAYS = 30
MEDIA_RETRY_MAX_S = 300.0  # a file the hub does not have is asked for again at most this far apart
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class EntryState(enum.StrEnum):
    """What became of a session the hub sent, at the station."""

    APPLIED = "applied"  # in the station's queue
    REMOVED = "removed"  # the hub removed it and the station did too
    SKIPPED = "skipped"  # arrived too late to air (an old emergency, a session already past)


def check_station_code(code: str) -> str:
    if not _CODE.match(code):
        raise RadioError(_("a station code is 1-32 letters, digits, '.', '_' or '-': {code!r}").format(code=code))
    return code


def check_hub_url(url: str) -> str:
    """A hub's address as `radio join` takes it: http(s)://HOST[:PORT][/PATH], nothing else
    (no query, no user, no spaces); returned without a trailing slash."""
    from urllib.parse import urlsplit

    problem = _("the hub's URL is https://HOST[:PORT] (or http:// on a trusted network): {url!r}").format(url=url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # a port out of range or not a number raises
    except ValueError:
        raise RadioError(problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password \
            or parts.query or parts.fragment or any(c.isspace() for c in url.strip()) or port == 0:  # fmt: skip
        raise RadioError(problem)
    return url.strip().rstrip("/")


def parse_targets(stations: str | None, every: bool) -> str | None:
    """The stations a hub's queue entry is for: "*" (--all), "A,B" (--stations), None: none given."""
    if every and stations:
        raise RadioError(_("give either --stations or --all"))
    if every:
        return EVERY_STATION
    if stations is None:
        return None
    codes = sorted({check_station_code(c.strip()) for c in stations.split(",") if c.strip()})
    if not codes:
        raise RadioError(_("--stations needs at least one station code"))
    return ",".join(codes)


def is_for(targets: str | None, code: str) -> bool:
    """Whether an entry with *targets* is meant for station *code*."""
    if not targets:
        return False
    return targets == EVERY_STATION or code in targets.split(",")


def token_hash(token: str) -> str:
    """How a station's token is stored and looked up: its sha256, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DesiredEntry:
    """A session the hub wants the station to have (one queued item at one instant)."""

    hub_id: int
    item_sha256: str
    at: datetime  # aware UTC
    priority: str | None = None
    position: int = 1
    slot_name: str | None = None  # queued at the hub into this slot's occurrence starting at *at*

    @property
    def emergency(self) -> bool:
        return self.priority == "emergency"


@dataclass(frozen=True)
class HeldEntry:
    """A hub session as the station holds it."""

    hub_id: int
    item_sha256: str
    at: datetime | None
    state: EntryState


@dataclass
class SyncPlan:
    add: list[DesiredEntry] = field(default_factory=list)
    emergencies: list[DesiredEntry] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)  # hub ids
    deferred: list[int] = field(default_factory=list)  # hub ids kept as they were (freeze window)
    skipped: list[DesiredEntry] = field(default_factory=list)


def frozen(at: datetime | None, now: datetime, freeze: timedelta) -> bool:
    """A session that starts within the freeze window, or has started: a sync leaves it alone."""
    return at is not None and at <= now + freeze


def plan_entries(held: Mapping[int, HeldEntry], desired: Sequence[DesiredEntry], now: datetime,
                 freeze: timedelta = timedelta(minutes=FREEZE_MINUTES),
                 emergency_max_age: timedelta = timedelta(seconds=EMERGENCY_MAX_AGE_S)) -> SyncPlan:  # fmt: skip
    """What a sync does to the station's hub sessions: new ones are added whenever they
    arrive; one removed or changed at the hub goes (a change is a removal and an addition)
    unless it is frozen, then it stays as it was and the hub is told (`deferred`)."""
    plan = SyncPlan()
    wanted = {d.hub_id: d for d in desired}
    for d in desired:
        have = held.get(d.hub_id)
        if have is None:
            if d.emergency:
                (plan.emergencies if now - d.at <= emergency_max_age else plan.skipped).append(d)
            elif d.at < now:
                plan.skipped.append(d)
            else:
                plan.add.append(d)
        elif have.state is EntryState.APPLIED and (have.at != d.at or have.item_sha256 != d.item_sha256):
            if d.emergency or have.at is None:
                continue  # an emergency aired once is history
            if have.at <= now:  # started or aired here: history; the hub's new version is a new session
                if d.at > now:
                    plan.add.append(d)
            elif frozen(have.at, now, freeze):
                plan.deferred.append(d.hub_id)
            else:
                plan.remove.append(d.hub_id)
                plan.add.append(d)
    for hub_id, have in held.items():
        if hub_id in wanted or have.state is not EntryState.APPLIED or have.at is None:
            continue
        if have.at < now - freeze:
            continue  # long aired: history, nothing to remove
        if frozen(have.at, now, freeze):
            plan.deferred.append(hub_id)
        else:
            plan.remove.append(hub_id)
    return plan


def media_to_fetch(desired: Sequence[DesiredEntry], have: set[str], now: datetime) -> list[str]:
    """The sha256 of every file the station lacks, emergencies first, then by when each is needed."""
    order: dict[str, tuple] = {}
    for d in desired:
        if d.item_sha256 in have:
            continue
        key = (0 if d.emergency else 1, d.at)
        if d.item_sha256 not in order or key < order[d.item_sha256]:
            order[d.item_sha256] = key
    return sorted(order, key=order.__getitem__)


def media_retry_after_s(failures: int) -> float:
    """How long a station waits before asking again for a file the hub answered it does not
    have (deleted there, not yet copied in): 2 s, doubling, at most MEDIA_RETRY_MAX_S. A
    station never hammers its hub over a 3G link for a file that is not coming."""
    return min(MEDIA_RETRY_MAX_S, 2.0 * 2 ** max(0, min(failures, 20) - 1))


def missing_within(desired: Sequence[DesiredEntry], have: set[str], now: datetime,
                   window: timedelta = timedelta(hours=24)) -> int:  # fmt: skip
    """How many files needed by sessions of the next *window* are not at the station."""
    return len({d.item_sha256 for d in desired if d.item_sha256 not in have and now <= d.at <= now + window})


def acked_through(acked: int, received: Iterable[int]) -> int:
    """The highest sequence number up to which the hub holds every row (rows may arrive
    out of order or twice; a gap holds the acknowledgement back until it is filled)."""
    seqs = set(received)
    while acked + 1 in seqs:
        acked += 1
    return acked


_ROW_TEXT = ("title", "topic", "language", "status")
_ROW_OPTIONAL_TEXT = ("item_sha256", "source", "approved_by", "slot_name", "reason", "relay_source")
_ROW_WIDTH = {"topic": 64, "language": 16, "status": 16, "relay_source": 32, "item_sha256": 64}  # the hub's columns
_FINAL_STATUSES = ("completed", "interrupted", "failed", "skipped", "missed")  # a station sends finished rows only
_ROW_MOMENTS = ("occurrence_start", "scheduled_at")
_ROW_OPTIONAL_MOMENTS = ("started_at", "ended_at")
_HEALTH_TEXT = ("sent_at", "on_air", "device", "revision")
_HEALTH_NUMBERS = ("clock_offset_s", "disk_free_mb", "unacked_rows", "missing_media")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_wire_row(row) -> None:
    """Refuse (ValueError, saying which field) an as-run row a station sent that is not one:
    the hub stores nothing of a batch with such a row in it."""
    if not isinstance(row, dict):
        raise ValueError("a row is a JSON object")
    uuid_text = row.get("uuid")
    if not isinstance(uuid_text, str) or not re.fullmatch(r"[0-9a-fA-F-]{32,36}", uuid_text):
        raise ValueError("uuid: a UUID")
    seq = row.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**62:
        raise ValueError("seq: a whole number from 1")
    for key in _ROW_TEXT:
        if not isinstance(row.get(key), str) or len(row[key]) > _ROW_WIDTH.get(key, 500) or "\x00" in row[key]:
            raise ValueError(f"{key}: a text of at most {_ROW_WIDTH.get(key, 500)} characters")
    for key in _ROW_OPTIONAL_TEXT:
        value, width = row.get(key), _ROW_WIDTH.get(key, 500)
        if value is not None and (not isinstance(value, str) or len(value) > width or "\x00" in value):
            raise ValueError(f"{key}: a text of at most {_ROW_WIDTH.get(key, 500)} characters, or null")
    if row["status"] not in _FINAL_STATUSES:
        raise ValueError(f"status: one of {', '.join(_FINAL_STATUSES)}")
    if not _number(row.get("seconds_played")) or row["seconds_played"] < 0:
        raise ValueError("seconds_played: a number of seconds")
    for key in _ROW_MOMENTS + _ROW_OPTIONAL_MOMENTS:
        value = row.get(key)
        if value is None and key in _ROW_OPTIONAL_MOMENTS:
            continue
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"{key}: an ISO 8601 time with its offset")


def check_health(health) -> None:
    """Refuse (ValueError) a heartbeat whose known fields have the wrong types: the station
    list sorts and shows them."""
    if not isinstance(health, dict):
        raise ValueError("a heartbeat is a JSON object")
    for key in _HEALTH_TEXT:
        if health.get(key) is not None and not isinstance(health[key], str):
            raise ValueError(f"{key}: a text or null")
    for key in _HEALTH_NUMBERS:
        if health.get(key) is not None and not _number(health[key]):
            raise ValueError(f"{key}: a number or null")
    for key in ("streams", "problems", "deferred"):
        if health.get(key) is not None and not isinstance(health[key], list):
            raise ValueError(f"{key}: a list")


def is_online(was_online: bool, last_seen: datetime | None, now: datetime) -> bool:
    """Online as shown now: a station marked online stays so until it has been silent for
    OFFLINE_AFTER_S (a beat or two lost on a bad link does not flap it)."""
    return was_online and last_seen is not None and now - last_seen <= timedelta(seconds=OFFLINE_AFTER_S)


def online_after_beat(was_online: bool, last_seen: datetime | None, now: datetime) -> bool:
    """Whether a station is online once a heartbeat arrives at *now*. One seen for the first
    time is; one that was offline is only when this beat follows the previous one closely
    (two in a row), so a link that lets one beat through in five stays offline."""
    if is_online(was_online, last_seen, now):
        return True
    if last_seen is None:
        return True
    return now - last_seen <= timedelta(seconds=BACK_ONLINE_WITHIN_S)


def clock_offset_s(sent: datetime, received: datetime, hub_time: datetime) -> float:
    """The station clock's offset from the hub's (positive: the station is ahead), from one
    exchange: the hub's time is taken as the middle of the round trip."""
    middle = sent + (received - sent) / 2
    return round((middle - hub_time).total_seconds(), 3)
