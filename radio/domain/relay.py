"""Relay (tiếp sóng): the sources a station relays, and the rules of dead air and fallback.

Pure: no clock, no I/O. The player's relay feed (`radio/audio/relay.py`) applies these
rules to what it hears; the CLI and the console validate sources with them.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from radio.domain.streams import redact
from radio.errors import RadioError
from radio.i18n import _
from radio.text import nfc

DEFAULT_TOPIC = "tiep-song"
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_URL = re.compile(r"^(https?|rtmps?|rtsp|rtp|udp|srt)://\S+$")
_DEVICE = re.compile(r"^(alsa|pulse):\S+$")


class Resume(enum.StrEnum):
    """When the relay takes the air back from the fallback once its source returns."""

    ITEM_END = "item-end"  # at the end of the fallback item on air
    NOW = "now"  # at once, the fallback faded out


@dataclass(frozen=True)
class Source:
    """A stream or input the station relays (VOV1, the provincial station, a receiver)."""

    code: str
    name: str
    url: str
    topic: str = DEFAULT_TOPIC
    buffer_s: float = 4.0  # audio held ahead of the air: hiccups shorter than this never reach it
    no_data_s: float = 5.0  # nothing received this long: dead air, go to the fallback
    silence_s: float = 20.0  # below silence_dbfs this long: dead air (spoken programmes pause)
    silence_dbfs: float = -50.0
    resume: Resume = Resume.ITEM_END


def check_code(code: str) -> str:
    code = nfc(code).strip()
    if not _CODE.match(code):
        raise RadioError(_("'{code}' is not a source code: use 1-32 lower-case letters, digits, - or _ "
                           "(for example vov1)").format(code=code))  # fmt: skip
    return code


def check_url(url: str) -> str:
    """What ffmpeg can read as a live source: a network stream or a capture device."""
    url = nfc(url).strip()
    if not (_URL.match(url) or _DEVICE.match(url)):
        raise RadioError(_("'{url}' is not a source address: use http(s)://… (Icecast, HLS .m3u8), rtmp://, "
                           "rtsp://, rtp://, udp://, srt://, or alsa:DEVICE / pulse:SOURCE for a receiver wired "
                           "into the sound card").format(url=redacted_url(url)))  # fmt: skip
    return url


def _positive(value: float, what: str, low: float, high: float) -> float:
    if not (math.isfinite(value) and low <= value <= high):
        raise RadioError(_("{what} must be between {low} and {high} (got {value})").format(
            what=what, low=low, high=high, value=value))  # fmt: skip
    return float(value)


def check_source(source: Source) -> Source:
    """The source with its text normalised, or RadioError naming the first bad field."""
    name = nfc(source.name).strip()
    if not name:
        raise RadioError(_("a source needs a name (--name)"))
    buffer_s = _positive(source.buffer_s, "--buffer", 0.5, 30.0)
    no_data_s = _positive(source.no_data_s, "--no-data", 1.0, 120.0)
    silence_s = _positive(source.silence_s, "--silence", 1.0, 600.0)
    silence_dbfs = _positive(source.silence_dbfs, "--silence-level", -90.0, -10.0)
    return replace(source, code=check_code(source.code), name=name, url=check_url(source.url),
                   topic=nfc(source.topic).strip() or DEFAULT_TOPIC, buffer_s=buffer_s, no_data_s=no_data_s,
                   silence_s=silence_s, silence_dbfs=silence_dbfs, resume=Resume(source.resume))  # fmt: skip


def ffmpeg_input(url: str) -> list[str]:
    """ffmpeg's input arguments for a source address (a device is a format, not a URL)."""
    if url.startswith(("alsa:", "pulse:")):
        kind, _sep, device = url.partition(":")
        return ["-fflags", "+nobuffer", "-f", kind, "-i", device]
    # start within a second: probe a little (a live stream arrives in real time: ffmpeg's
    # default format probe waits for 64 kB of it, 8 s of a 64 kbit/s stream) and pass audio
    # on without buffering it
    args = ["-formatprobesize", "8192", "-probesize", "8192", "-analyzeduration", "0", "-fflags", "+nobuffer"]
    if url.startswith(("http://", "https://")):
        # a server that stops sending without closing: give up on the read, we reconnect
        args += ["-rw_timeout", "4000000"]
    return [*args, "-i", url]


def level_dbfs(rms: float) -> float:
    return 20 * math.log10(rms) if rms > 1e-10 else -200.0


@dataclass(frozen=True)
class RelayRules:
    """The thresholds the relay feed watches, from the source (and the station's defaults)."""

    no_data_s: float
    silence_s: float
    silence_dbfs: float
    buffer_s: float
    resume: Resume
    retry_s: float = 3.0  # how often a source in trouble is tried again

    @classmethod
    def of(cls, source: Source) -> RelayRules:
        return cls(source.no_data_s, source.silence_s, source.silence_dbfs, source.buffer_s, source.resume)


def dead_air(rules: RelayRules, since_data_s: float, silent_s: float) -> str | None:
    """Why the relay is dead air now (None: it is not): *since_data_s* since audio last
    arrived, *silent_s* of audio in a row below the silence level."""
    if since_data_s >= rules.no_data_s:
        return _("no audio from the source for {n:g} s").format(n=rules.no_data_s)
    if silent_s >= rules.silence_s:
        return _("only silence from the source for {n:g} s (below {level:g} dBFS)").format(
            n=rules.silence_s, level=rules.silence_dbfs)  # fmt: skip
    return None


def back(rules: RelayRules, heard_s: float, silent_s: float) -> bool:
    """Whether a source being retried is back: it has sent a buffer's worth of audio
    (*heard_s*) since it reconnected, and its latest second is not all below the silence
    level (*silent_s*: the audio in a row below it, up to now)."""
    return heard_s >= rules.buffer_s and silent_s < min(1.0, rules.silence_s)


def url_password(url: str) -> str | None:
    """The password written in a source address (http://user:PASSWORD@host/…), if any."""
    try:
        return unquote(urlsplit(url).password or "") or None
    except ValueError:
        return None


def redacted_url(url: str) -> str:
    """The address as messages, lists and logs show it: its password as ***."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if not (sep and at and ":" in userinfo):
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{hostport}{slash}{path}"


def redact_password(text: str, url: str) -> str:
    """*text* (a message from ffmpeg, say) with the password of *url* masked, however spelled."""
    password = url_password(url)
    if not password:
        return text
    return redact(text.replace(url, redacted_url(url)), password)


def _userinfo(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, userinfo, host-and-path rest, path) of an address with '@', else None."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if not (sep and at):
        return None
    return scheme, userinfo, hostport, slash + path


def without_password(url: str) -> str:
    """The address as a form shows it for editing: the user kept, the password left out."""
    parts = _userinfo(url)
    if parts is None or ":" not in parts[1]:
        return url
    scheme, userinfo, hostport, path = parts
    return f"{scheme}://{userinfo.partition(':')[0]}@{hostport}{path}"


def with_password(url: str, password: str) -> str:
    """*url* with *password* (percent-encoded) as its user's; an address without a user gets none."""
    from urllib.parse import quote

    parts = _userinfo(url)
    if parts is None:
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise RadioError(_("a password goes with a network address (http://…), not with {url}").format(url=url))
        return f"{scheme}://:{quote(password, safe='')}@{rest}"
    scheme, userinfo, hostport, path = parts
    return f"{scheme}://{userinfo.partition(':')[0]}:{quote(password, safe='')}@{hostport}{path}"


def kept_password(new_url: str, old_url: str) -> str:
    """An edited address that names the old user without a password keeps the old password
    (the form never shows it back, so an untouched password field means "unchanged")."""
    old_password = url_password(old_url)
    new, old = _userinfo(new_url), _userinfo(old_url)
    if old_password is None or new is None or old is None or ":" in new[1]:
        return new_url
    if new[1] != old[1].partition(":")[0]:
        return new_url
    if _server(new_url) != _server(old_url):  # never sent to another server than the one it was given for
        raise RadioError(_("the address now points to another server ({server}): give the password again (a saved "
                           "password is kept only for the same scheme, host and port)").format(
            server=_server(new_url)[1] or new_url))  # fmt: skip
    return with_password(new_url, old_password)


def _server(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of an address: where a password is sent."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", url, None
