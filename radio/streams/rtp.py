"""RTP G.711 to LAN paging speakers and IP amplifiers: one 20 ms packet per tick of the hub.

Each packet is the 12-byte RTP header and 160 G.711 bytes (8 kHz), payload type 0 (PCMU)
or 8 (PCMA); sequence numbers and timestamps run on for as long as the sender lives (across
items and sessions), so a receiver never sees a jump. UDP has no connection: "connected"
means the last packets left without an error from the network stack.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from pathlib import Path

import numpy as np

from radio.domain.streams import CODECS, RTP_SAMPLES, RtpTarget, rtp_header, sdp
from radio.i18n import _
from radio.streams.g711 import ENCODERS, To8k
from radio.streams.state import StreamState

log = logging.getLogger("radio.streams")


def open_socket(target: RtpTarget, ttl: int) -> socket.socket:
    """A UDP socket for *target* (multicast: with *ttl*); nothing is sent by opening it."""
    info = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_DGRAM)[0]
    sock = socket.socket(info[0], socket.SOCK_DGRAM)
    sock.setblocking(False)
    if target.multicast:
        if info[0] == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    if info[0] == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xB8)  # DSCP EF: voice, as paging systems mark it
    return sock


def write_sdp(path: Path, target: RtpTarget, codec: str, ttl: int, session_name: str) -> None:
    """The receivers' SDP file, written to a temporary name and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(sdp(target, codec, ttl, session_name, session_id=int(time.time())), encoding="utf-8")
    os.replace(tmp, path)


class RtpSender:
    def __init__(self, label: str, target: RtpTarget, codec: str, ttl: int, rate: int, channels: int,
                 between_sessions: str = "silence") -> None:  # fmt: skip
        self.state = StreamState(label, "rtp", target.redacted())
        self.target = target
        self.payload_type = CODECS[codec]
        self.encode = ENCODERS[codec]
        self.channels = channels
        self.resample = To8k(rate)
        self.disconnect_between = between_sessions == "disconnect"
        self.ssrc = int.from_bytes(os.urandom(4), "big")
        self.sequence = int.from_bytes(os.urandom(2), "big")
        self.timestamp = int.from_bytes(os.urandom(4), "big")
        self.marker = True
        self.ttl = ttl
        self.sock: socket.socket | None = None
        self.address = None

    def start(self) -> None:
        try:
            self.sock = open_socket(self.target, self.ttl)
            self.address = socket.getaddrinfo(self.target.host, self.target.port, type=socket.SOCK_DGRAM)[0][4]
        except OSError as err:
            self.state.down(_("cannot open a socket to {target}: {reason}").format(
                target=self.target.redacted(), reason=err.strerror or err))  # fmt: skip

    def push(self, block: np.ndarray, active: bool) -> None:
        """One 20 ms block of the programme (at the playout rate): one packet."""
        mono = block.mean(axis=1) if block.ndim == 2 and block.shape[1] > 1 else block.reshape(-1)
        samples = self.resample(mono)
        if len(samples) != RTP_SAMPLES:  # only on a block that is not 20 ms long (never in the hub)
            samples = np.resize(samples, RTP_SAMPLES)
        if self.disconnect_between and not active:
            self.timestamp += RTP_SAMPLES  # time goes on for the receiver's clock
            self.marker = True
            if self.state.connected:
                self.state.idle()
            return
        packet = rtp_header(self.payload_type, self.sequence, self.timestamp, self.ssrc, self.marker) + self.encode(samples)
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + RTP_SAMPLES) & 0xFFFFFFFF
        if self.sock is None:
            self.start()
            if self.sock is None:
                return
        try:
            self.sock.sendto(packet, self.address)
        except OSError as err:  # unreachable network, refused (ICMP), full buffer: the packet is lost
            self.state.down(_("cannot send to {target}: {reason}").format(target=self.target.redacted(),
                                                                         reason=err.strerror or err))  # fmt: skip
            self.marker = True
            return
        self.marker = False
        self.state.up()
        self.state.sent(len(packet))

    def title(self, text: str, at: float) -> None:
        """RTP carries no titles."""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
