"""A station's HTTP client for its hub: the station starts every exchange.

Media are fetched into `<media>/.incoming/<sha256>.part`, resumed after a cut with an HTTP
Range from the size already there, hashed once complete and kept under their content
address only when the hash is the one asked for (a wrong file is dropped, never aired).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _

CHUNK = 256 * 1024


class HubUnreachable(RadioError):
    """The hub did not answer (down, the link cut, a timeout): the station carries on alone."""


class HubRefused(RadioError):
    """The hub answered no: a revoked or wrong token, another station's path."""


@dataclass(frozen=True)
class HubLink:
    url: str  # https://hub.example:8470
    station: str
    token: str
    cafile: str | None = None

    def __repr__(self) -> str:  # the token is never printed nor logged
        return f"HubLink({self.url!r}, {self.station!r})"


def trust_context(cafile: str | None) -> ssl.SSLContext:
    """The TLS context that trusts the system's authorities and *cafile* (the hub's own CA):
    a CA file missing or not PEM is a RadioError naming it, never a traceback."""
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError, ValueError) as err:
        raise RadioError(_("the hub's CA file {path} cannot be used: {reason}").format(
            path=cafile, reason=getattr(err, "strerror", None) or err)) from None  # fmt: skip


class HubClient:
    def __init__(self, link: HubLink, timeout_s: float = 20.0) -> None:
        self.link = link
        self.timeout_s = timeout_s
        self._context = trust_context(link.cafile) if link.url.startswith("https") else None

    def _request(self, path: str, body: dict | None = None, headers: dict | None = None,
                 timeout_s: float | None = None):  # fmt: skip
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.link.url.rstrip("/") + path, data=data, method="POST" if data else "GET")
        request.add_header("Authorization", f"Bearer {self.link.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            return urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s, context=self._context)
        except urllib.error.HTTPError as err:
            if err.code in (401, 403):
                raise HubRefused(_("the hub refused station {code}'s token (HTTP {status}): ask for a new one")
                                 .format(code=self.link.station, status=err.code)) from None  # fmt: skip
            failure = HubUnreachable(_("the hub answered HTTP {status} to {path}").format(status=err.code, path=path))
            failure.status = err.code
            raise failure from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            reason = getattr(err, "reason", err)
            if isinstance(reason, ssl.SSLCertVerificationError):  # not a bad link: retrying will not help
                raise HubRefused(_("the hub's certificate is not trusted ({reason}): give its CA with "
                                   "'radio join … --ca FILE'").format(reason=reason.verify_message)) from None  # fmt: skip
            raise HubUnreachable(_("cannot reach the hub at {url}: {reason}").format(url=self.link.url, reason=reason)) \
                from None  # fmt: skip

    def _json(self, path: str, body: dict | None = None, timeout_s: float | None = None) -> dict:
        try:
            with self._request(path, body, timeout_s=timeout_s) as response:
                return json.loads(response.read())
        except (OSError, ValueError, http.client.HTTPException) as err:
            if isinstance(err, RadioError):
                raise
            raise HubUnreachable(_("cannot reach the hub at {url}: {reason}").format(url=self.link.url, reason=err)) \
                from None  # fmt: skip

    def state(self, since: str | None = None, wait_s: float = 0.0) -> dict:
        query = f"?since={since}&wait={wait_s:g}" if since else ""
        return self._json(f"/v1/stations/{self.link.station}/state{query}", timeout_s=self.timeout_s + wait_s)

    def library(self) -> dict:
        """The hub's whole library (metadata and approvals): {"revision": R, "items": [...]}."""
        import gzip

        try:
            with self._request(f"/v1/stations/{self.link.station}/library", headers={"Accept-Encoding": "gzip"},
                               timeout_s=self.timeout_s * 3) as response:  # fmt: skip
                body = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                return json.loads(body)
        except (OSError, ValueError, EOFError, http.client.HTTPException) as err:
            if isinstance(err, RadioError):
                raise
            raise HubUnreachable(_("cannot reach the hub at {url}: {reason}").format(url=self.link.url, reason=err)) \
                from None  # fmt: skip

    def send_rows(self, rows: list[dict]) -> tuple[int, int | None]:
        """Send as-run rows: (the highest contiguous sequence the hub holds, and the sequence to
        renumber the unacknowledged rows from when the hub holds other rows under theirs)."""
        answer = self._json(f"/v1/stations/{self.link.station}/asrun", {"rows": rows})
        try:
            return int(answer["acked"]), (int(answer["next_seq"]) if answer.get("next_seq") is not None else None)
        except (KeyError, TypeError, ValueError):
            raise HubUnreachable(_("the hub's answer to the as-run rows is not understood")) from None

    def heartbeat(self, health: dict) -> dict:
        return self._json(f"/v1/stations/{self.link.station}/heartbeat", health)

    def fetch_media(self, sha256: str, part: Path) -> Path:
        """Download the file *sha256* into *part*, resuming from what *part* already holds;
        returns *part* once complete and verified (RadioError if the bytes are not that file)."""
        part.parent.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            response = self._request(f"/v1/media/{sha256}", headers=headers)
        except HubUnreachable as err:
            if getattr(err, "status", None) != 416:
                raise
            response = None  # the part is whole already (or longer: checked below)
        if response is not None:
            with response, part.open("ab" if response.status == 206 else "wb") as out:
                try:  # read1: whatever has arrived, so that a cut loses nothing already received
                    while data := response.read1(CHUNK):
                        out.write(data)
                except (OSError, http.client.HTTPException) as err:  # cut in the middle: what arrived stays for the next try
                    out.write(getattr(err, "partial", b"") or b"")
                    out.flush()
                    raise HubUnreachable(_("the download of {sha} was cut: {reason}").format(
                        sha=sha256[:12], reason=err)) from None  # fmt: skip
                out.flush()
                os.fsync(out.fileno())
        digest = hashlib.sha256()
        with part.open("rb") as f:
            while data := f.read(1 << 20):
                digest.update(data)
        if digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            raise HubUnreachable(_("the file {sha} arrived damaged: fetched again at the next sync").format(
                sha=sha256[:12]))  # fmt: skip
        return part
