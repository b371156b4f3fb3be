"""Sessions, login throttling and roles.

- A session is a signed cookie (itsdangerous, HMAC-SHA1 over a key kept in the station
  home, mode 0600) holding the user's id, their session epoch and the CSRF token; it is
  HttpOnly, SameSite=Strict and expires after `[web] session_hours` (the signature carries
  the time it was issued, so an old cookie is refused even if a browser kept it). A password
  change or a disable bumps the user's epoch in the database: their older cookies stop
  working at once.
- Visitors who are not logged in get an anonymous session too, only to carry the CSRF
  token of the login form.
- Throttling: 5 failed logins lock the account, and the address they came from, for a
  minute. Counted in this process's memory (the console is one process), each attempt
  before its password is checked (`Throttle.begin`), so parallel guesses gain nothing.
- Logging out bumps the user's session epoch like a password change: every cookie of that
  account, this one and any copy of it, is refused from then on.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "radio_session"
KEY_NAME = "web-secret.key"
MAX_FAILURES = 5
LOCK_S = 60.0


def load_secret(home: Path) -> bytes:
    """The station's signing key, made on first use (32 random bytes, readable by its owner only)."""
    path = home / KEY_NAME
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key


@dataclass
class Session:
    user_id: int | None
    epoch: int
    csrf: str

    def dump(self) -> dict:
        return {"u": self.user_id, "e": self.epoch, "c": self.csrf}


def new_session(user_id: int | None = None, epoch: int = 0) -> Session:
    return Session(user_id, epoch, secrets.token_urlsafe(32))


class SessionCodec:
    def __init__(self, secret: bytes, max_age_s: float) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="radio-session")
        self.max_age_s = max_age_s

    def encode(self, session: Session) -> str:
        return self.serializer.dumps(session.dump())

    def decode(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self.serializer.loads(value, max_age=self.max_age_s)
        except (SignatureExpired, BadSignature):
            return None
        try:
            user_id = data["u"]
            return Session(int(user_id) if user_id is not None else None, int(data["e"]), str(data["c"]))
        except (KeyError, TypeError, ValueError):
            return None

    def cookie_header_args(self, secure: bool) -> dict:
        return {
            "key": COOKIE, "max_age": int(self.max_age_s), "path": "/", "httponly": True,
            "samesite": "strict", "secure": secure,
        }  # fmt: skip


@dataclass
class _Counter:
    attempts: list[float] = field(default_factory=list)  # failed or still being checked
    locked_until: float = 0.0
    refused: int = 0  # attempts refused during the current or last lock, not yet reported


@dataclass
class Attempt:
    """A login attempt admitted by the throttle, already counted as a failure until it succeeds."""

    keys: tuple[str, ...]
    at: float
    locked: tuple[str, ...] = ()  # keys this attempt's count locked
    refused_before: int = 0  # attempts refused during the lock that ended before this one


@dataclass(frozen=True)
class Refused:
    wait_s: float
    first: bool  # the first refusal of this lock: the only one written to the audit log


class Throttle:
    """Failed logins per account and per address; 5 within 15 minutes lock both for a minute.

    Check and count are one step under one lock: an attempt is counted *before* its password
    is checked (argon2 takes tens of ms), so guesses sent in parallel cannot get more than
    `max_failures` passwords checked; an attempt that then succeeds takes its count back.
    The console is one process, so its memory is the one place that counts.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, lock_s: float = LOCK_S, clock=time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.clock = clock
        self._counters: dict[str, _Counter] = {}
        self._lock = threading.Lock()

    def begin(self, *keys: str) -> Attempt | Refused:
        """Admit and count an attempt, or refuse it while any of *keys* is locked."""
        now = self.clock()
        with self._lock:
            counters = [self._counters.setdefault(k, _Counter()) for k in keys]
            wait = max(c.locked_until - now for c in counters)
            if wait > 0:
                locked = [c for c in counters if c.locked_until > now]
                first = all(c.refused == 0 for c in locked)
                for c in locked:
                    c.refused += 1
                self._forget_old(now)
                return Refused(wait, first)
            attempt = Attempt(keys, now, refused_before=max(c.refused for c in counters))
            newly_locked = []
            for key, c in zip(keys, counters):
                c.refused = 0
                c.attempts = [t for t in c.attempts if now - t < 15 * 60] + [now]
                if len(c.attempts) >= self.max_failures:
                    c.locked_until = now + self.lock_s
                    newly_locked.append(key)
            attempt.locked = tuple(newly_locked)
            self._forget_old(now)
            return attempt

    def failed(self, attempt: Attempt) -> None:
        """The attempt's password was wrong: its count stays; a lock it made stands."""
        with self._lock:
            for key in attempt.locked:
                counter = self._counters.get(key)
                if counter is not None:
                    counter.attempts = []

    def succeeded(self, attempt: Attempt, clear: tuple[str, ...] = ()) -> None:
        """The password was right: the attempt's count is taken back, and the failures of
        *clear* (the account) start again from zero. A lock it made stands for its minute:
        guesses sent beside it were refused, and stay refused."""
        with self._lock:
            for key in attempt.keys:
                counter = self._counters.get(key)
                if counter is not None and attempt.at in counter.attempts:
                    counter.attempts.remove(attempt.at)
            for key in clear:
                if (counter := self._counters.get(key)) is not None:
                    counter.attempts = []

    def _forget_old(self, now: float) -> None:
        if len(self._counters) > 10_000:  # bounded memory under a flood of names
            for key in [k for k, c in self._counters.items() if c.locked_until < now][:5_000]:
                del self._counters[key]
