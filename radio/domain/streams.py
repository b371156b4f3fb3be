"""Stream outputs, the pure part: where a `[[stream]]` of radio.toml sends, how it is named
in messages (never with its password), the SDP that RTP receivers read, the RTP header.

Standard library only. The senders are in radio/streams/.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from radio.i18n import _

KINDS = ("icecast", "rtp")
CODECS = {"pcmu": 0, "pcma": 8}  # G.711 and its static RTP payload type (RFC 3551)
RTP_RATE = 8000
RTP_PACKET_S = 0.02
RTP_SAMPLES = 160  # 20 ms at 8 kHz: one byte each
RTP_HEADER = 12
ICECAST_RATES = (22050, 24000, 32000, 44100, 48000)
BETWEEN = ("silence", "disconnect")


class BadTarget(ValueError):
    """The URL does not name a place to send to; the message never holds the password."""


@dataclass(frozen=True)
class IcecastTarget:
    host: str
    port: int
    mount: str  # starts with /
    user: str
    password: str

    def redacted(self) -> str:
        secret = ":***" if self.password else ""
        return f"icecast://{quote(self.user)}{secret}@{_hostport(self.host, self.port)}{self.mount}"

    def status_url(self) -> str:
        return f"http://{_hostport(self.host, self.port)}/status-json.xsl"


@dataclass(frozen=True)
class RtpTarget:
    host: str
    port: int

    @property
    def multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False

    def redacted(self) -> str:
        return f"rtp://{_hostport(self.host, self.port)}"


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_target(kind: str, url: str) -> IcecastTarget | RtpTarget:
    """The target of a stream of *kind*; BadTarget (password-free message) if *url* is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        parts, port, host = None, None, None
    if kind == "icecast":
        form = "icecast://source:PASSWORD@HOST:PORT/MOUNT"
        if parts is None or parts.scheme != "icecast" or not host:
            raise BadTarget(_("must look like {form}").format(form=form))
        mount = parts.path
        if not mount or mount == "/" or parts.query or parts.fragment:
            raise BadTarget(_("needs a mount point after the host, like {form}").format(form=form))
        if not parts.password:
            raise BadTarget(_("needs the source password, like {form}").format(form=form))
        return IcecastTarget(host, port or 8000, mount, unquote(parts.username or "source"), unquote(parts.password))
    if kind == "rtp":
        form = "rtp://HOST:PORT"
        if parts is None or parts.scheme != "rtp" or not host or not port:
            raise BadTarget(_("must look like {form}").format(form=form))
        if parts.path not in ("", "/") or parts.username or parts.query:
            raise BadTarget(_("must look like {form}").format(form=form))
        return RtpTarget(host, port)
    raise BadTarget(_("unknown stream kind '{kind}'").format(kind=kind))


def redact(text: str, password: str | None) -> str:
    """*text* with every spelling of *password* replaced (for messages from elsewhere)."""
    if not password:
        return text
    for spelled in {password, quote(password, safe=""), quote(password)}:
        text = text.replace(spelled, "***")
    return text


def sdp(target: RtpTarget, codec: str, ttl: int, session_name: str, origin_ip: str = "127.0.0.1",
        session_id: int = 0) -> str:  # fmt: skip
    """The SDP description (RFC 4566) a receiver loads to play an RTP G.711 stream."""
    pt = CODECS[codec]
    family = "IP6" if ":" in target.host else "IP4"
    connection = f"{target.host}/{ttl}" if target.multicast and family == "IP4" else target.host
    name = session_name.replace("\r", " ").replace("\n", " ") or "radio"
    return "\r\n".join([
        "v=0",
        f"o=- {session_id} 1 IN {family} {origin_ip}",
        f"s={name}",
        f"c=IN {family} {connection}",
        "t=0 0",
        f"m=audio {target.port} RTP/AVP {pt}",
        f"a=rtpmap:{pt} {codec.upper()}/{RTP_RATE}",
        f"a=ptime:{int(RTP_PACKET_S * 1000)}",
        "a=sendonly",
        "",
    ])  # fmt: skip


def rtp_header(payload_type: int, sequence: int, timestamp: int, ssrc: int, marker: bool = False) -> bytes:
    """The 12-byte RTP header (RFC 3550): version 2, no padding, extension or CSRC."""
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type, sequence & 0xFFFF,
                       timestamp & 0xFFFFFFFF, ssrc & 0xFFFFFFFF)  # fmt: skip


def parse_rtp_header(packet: bytes) -> dict:
    first, second, seq, ts, ssrc = struct.unpack("!BBHII", packet[:RTP_HEADER])
    return {"version": first >> 6, "marker": bool(second & 0x80), "payload_type": second & 0x7F,
            "sequence": seq, "timestamp": ts, "ssrc": ssrc}  # fmt: skip
