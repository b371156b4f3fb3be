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
  minute. Counted in this process's memory (the console is one process).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from radio.home import WEB_KEY_NAME as KEY_NAME  # noqa: F401  (the name callers used)
from radio.home import StationHome

COOKIE = "radio_session"
MAX_FAILURES = 5
LOCK_S = 60.0


def load_secret(home: Path) -> bytes:
    """The station's signing key, made on first use (32 random bytes, readable by its owner only)."""
    path = StationHome(home).web_key
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
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class Throttle:
    """Failed logins per account and per address; 5 within the window lock both for a minute."""

    def __init__(self, max_failures: int = MAX_FAILURES, lock_s: float = LOCK_S, clock=time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.clock = clock
        self._counters: dict[str, _Counter] = {}
        self._lock = threading.Lock()

    def locked_for(self, *keys: str) -> float:
        """Seconds until every one of *keys* may try again (0: none is locked)."""
        now = self.clock()
        with self._lock:
            return max((c.locked_until - now for k in keys if (c := self._counters.get(k))), default=0.0)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                counter = self._counters.setdefault(key, _Counter())
                counter.failures = [t for t in counter.failures if now - t < 15 * 60] + [now]
                if len(counter.failures) >= self.max_failures:
                    counter.locked_until = now + self.lock_s
                    counter.failures = []
            if len(self._counters) > 10_000:  # bounded memory under a flood of names
                for key in [k for k, c in self._counters.items() if c.locked_until < now][:5_000]:
                    del self._counters[key]

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._counters.pop(key, None)
