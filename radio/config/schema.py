"""The settings schema: one frozen dataclass per radio.toml section.

Each setting is a dataclass field whose metadata holds its help text and check, so the
same schema validates radio.toml and renders the commented radio.toml that `radio init`
writes (both in ``radio/config/toml_file.py``). Adding a setting is adding one field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from radio.i18n import N_, _
from radio.home import StationHome

Check = Callable[[Any], str | None]


def setting(default: Any, help: str, check: Check | None = None, secret: bool = False) -> Any:
    """A field with its help text and check; *secret*: kept out of repr (it may hold a password)."""
    return field(default=default, repr=not secret, metadata={"help": help, "check": check})


def _in_range(low: float, high: float) -> Check:
    def check(value: float) -> str | None:
        if not low <= value <= high:
            return _("must be between {low} and {high}").format(low=low, high=high)
        return None

    return check


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return _("unknown time zone (for example: Asia/Ho_Chi_Minh)")
    return None


@dataclass(frozen=True)
class StationSettings:
    name: str = setting("Đài truyền thanh xã", N_("Station name, shown on reports and USB packages"))
    commune: str = setting("", N_("Commune (xã/phường/thị trấn)"))
    province: str = setting("", N_("Province (tỉnh/thành phố)"))
    timezone: str = setting("Asia/Ho_Chi_Minh", N_("Time zone of the schedule and reports"), _timezone)


@dataclass(frozen=True)
class AudioSettings:
    loudness_target_lufs: float = setting(
        -16.0, N_("Loudness every item is brought to, in LUFS (EBU R128)"), _in_range(-40.0, -5.0)
    )
    true_peak_max_dbtp: float = setting(
        -1.0, N_("Highest true peak allowed after the loudness gain, in dBTP"), _in_range(-12.0, 0.0)
    )


def _usb_profile(value: str) -> str | None:
    from radio.domain.usb import PROFILES

    if value not in PROFILES:
        return _("must be one of: {names}").format(names=", ".join(PROFILES))
    return None


def _pattern(regex: str, message: str) -> Check:
    """A check that the whole value matches *regex*; *message* (a msgid) says what it must be."""

    def check(value: str) -> str | None:
        import re

        return None if re.fullmatch(regex, value) else _(message)

    return check


_folder_name = _pattern(r"[A-Za-z0-9_-]{1,32}", N_("must be 1 to 32 ASCII letters, digits, - or _"))


@dataclass(frozen=True)
class UsbSettings:
    profile: str = setting("standard", N_("Encoding for USB sticks: standard (MP3 128 kbps stereo) or mono (64 kbps)"), _usb_profile)
    folder: str = setting("BANTIN", N_("The one folder on each stick that holds the bulletins"), _folder_name)
    transcode_workers: int = setting(0, N_("Transcodes run at once for USB export (0: one per CPU core)"), _in_range(0, 64))


def _one_of(*choices: int) -> Check:
    def check(value: int) -> str | None:
        if value not in choices:
            return _("must be one of {choices}").format(choices=", ".join(map(str, choices)))
        return None

    return check


@dataclass(frozen=True)
class PlayoutSettings:
    device: str = setting("", N_("Output device: a name (or part of it) or an index from 'radio devices'; empty: the default output; none: no sound card (a station heard only through its [[stream]] outputs)"))
    sample_rate: int = setting(48000, N_("Output sample rate, in Hz"), _one_of(22050, 32000, 44100, 48000, 96000))
    channels: int = setting(1, N_("Output channels: 1 (mono, as most loudspeaker networks) or 2"), _in_range(1, 2))
    fade_out_s: float = setting(0.5, N_("Fade-out when a broadcast is interrupted, in seconds"), _in_range(0.0, 10.0))
    emergency_fade_s: float = setting(
        0.3, N_("Fade-out of what is on air when an emergency broadcast starts (the alarm starts during it), in seconds"),
        _in_range(0.0, 5.0),
    )
    jingle_open: str = setting("", N_("Opening jingle played before each session (a file, relative to the station home); empty: none"))
    jingle_close: str = setting("", N_("Closing jingle played after each session; empty: none"))
    latency_s: float = setting(0.2, N_("Output buffer length, in seconds (longer is safer on a busy PC)"), _in_range(0.02, 2.0))
    buffer_s: float = setting(2.0, N_("Audio decoded ahead of the output, in seconds"), _in_range(0.5, 30.0))
    device_grace_s: float = setting(
        2.5, N_("How long the sound device may stay silent beyond its own buffer before it is reopened, in seconds"),
        _in_range(0.5, 60.0),
    )


@dataclass(frozen=True)
class ScheduleSettings:
    max_minutes: int = setting(
        45, N_("Default maximum length of a slot, in minutes (the province's cap)"), _in_range(1, 24 * 60)
    )
    catch_up_minutes: float = setting(
        10.0, N_("A session missed while the daemon was down still airs if at most this many minutes late"),
        _in_range(0.0, 24 * 60.0),
    )
    preroll_s: float = setting(
        5.0, N_("Seconds before a session that the on_air command runs (to switch on the transmitter)"),
        _in_range(0.0, 120.0),
    )
    on_air: str = setting("", N_("Command run before each session (e.g. switch the amplifier relay on); empty: none"))
    off_air: str = setting("", N_("Command run after each session (e.g. switch the amplifier relay off); empty: none"))
    reserve_mb: int = setting(
        16, N_("Disk space the daemon holds in reserve, in MB: released when the disk fills, so the as-run log goes on"),
        _in_range(0, 4096),
    )


_clock_time = _pattern(r"([01]\d|2[0-3]):[0-5]\d", N_("must be a time of day HH:MM (for example 03:00)"))


@dataclass(frozen=True)
class BackupSettings:
    at: str = setting("03:00", N_("Time of the daemon's daily backup of the database (HH:MM, station time)"), _clock_time)
    keep: int = setting(7, N_("Daily backups kept in backups/ (the oldest beyond this are removed)"), _in_range(1, 366))


VOICES = ("north", "central", "south")


def _choice(*choices: str) -> Check:
    def check(value: str) -> str | None:
        if value not in choices:
            return _("must be one of: {names}").format(names=", ".join(choices))
        return None

    return check


def _command_template(value: str) -> str | None:
    import shlex

    if not value:
        return None
    try:
        words = shlex.split(value)
    except ValueError as err:
        return _("is not a valid command line: {reason}").format(reason=err)
    if not any("{output}" in w for w in words):
        return _("must contain {output}, where the engine writes its WAV file")
    return None


@dataclass(frozen=True)
class TtsSettings:
    engine: str = setting(
        "espeak-ng", N_("Speech engine for spoken notices: espeak-ng, or command (a voice installed by hand)"),
        _choice("espeak-ng", "command"),
    )
    voice: str = setting("north", N_("Voice: north (vi), central (vi-vn-x-central) or south (vi-vn-x-south)"), _choice(*VOICES))
    rate: int = setting(150, N_("Speaking rate, in words per minute"), _in_range(80, 300))
    command: str = setting(
        "", N_("For engine = command: the command line; {output} is the WAV to write, {text} the text, {text_file} a file holding it, {voice} and {rate} as above; the text is also on its input"),
        _command_template,
    )
    repeat: int = setting(2, N_("How many times a notice is read (by custom, twice)"), _in_range(1, 5))
    pause_s: float = setting(2.0, N_("Silence between two readings, in seconds"), _in_range(0.0, 30.0))
    chime: str = setting("", N_("Chime before a notice: a file (relative to the station home); empty: the built-in two-tone chime; none: no chime"))
    max_chars: int = setting(5000, N_("Longest notice text, in characters (a longer one must be split into parts)"), _in_range(100, 100_000))


def _stream_kind(value: str) -> str | None:
    from radio.domain.streams import KINDS

    if value not in KINDS:
        return _("unknown stream kind '{kind}' (must be one of: {names})").format(kind=value, names=", ".join(KINDS))
    return None


@dataclass(frozen=True)
class StreamSettings:
    """One `[[stream]]` table: the programme sent to IP loudspeakers besides the sound card."""

    kind: str = setting("icecast", N_("icecast (an MP3 stream on an Icecast server) or rtp (G.711 to IP speakers)"), _stream_kind)
    url: str = setting("", N_("icecast://source:PASSWORD@HOST:PORT/MOUNT, or rtp://HOST:PORT (a multicast group too)"), secret=True)
    name: str = setting("", N_("The stream's name (Icecast: shown to listeners; RTP: the SDP session name)"))
    description: str = setting("", N_("Icecast: the stream's description"))
    bitrate: int = setting(64, N_("Icecast: MP3 bit rate, in kbit/s"), _in_range(48, 128))
    channels: int = setting(1, N_("Icecast: 1 (mono, as IP loudspeakers) or 2"), _in_range(1, 2))
    sample_rate: int = setting(44100, N_("Icecast: MP3 sample rate, in Hz"), _one_of(22050, 24000, 32000, 44100, 48000))
    codec: str = setting("pcmu", N_("RTP: pcmu (G.711 μ-law) or pcma (G.711 A-law)"), _choice("pcmu", "pcma"))
    ttl: int = setting(16, N_("RTP multicast: how many routers the packets may cross"), _in_range(1, 255))
    sdp: str = setting("", N_("RTP: the SDP file written for receivers (relative to the station home); empty: streams/NAME.sdp"))
    between_sessions: str = setting(
        "silence", N_("Between sessions: silence (keep sending silence: receivers stay connected) or disconnect"),
        _choice("silence", "disconnect"),
    )

    @property
    def target(self):
        """Where it sends (IcecastTarget or RtpTarget); validated when the settings were read."""
        from radio.domain.streams import parse_target

        return parse_target(self.kind, self.url)

    @property
    def label(self) -> str:
        """How messages and `radio status` name it: its name, else its URL without the password."""
        return self.name or self.target.redacted()


@dataclass(frozen=True)
class NetworkSettings:
    freeze_minutes: int = setting(
        10, N_("A session starting within this many minutes is never changed or removed by a sync with the hub"),
        _in_range(0, 24 * 60),
    )


@dataclass(frozen=True)
class LibrarySettings:
    max_duration_minutes: int = setting(
        180, N_("Longest audio file the library accepts, in minutes (longer ones are refused before they are analysed)"),
        _in_range(1, 24 * 60),
    )
    parallel_analyses: int = setting(
        2, N_("Files analysed at once by every import of the station together (the CLI and the web console)"),
        _in_range(1, 64),
    )
    analysis_timeout_minutes: float = setting(
        15.0, N_("An analysis taking longer than this is stopped and its file refused, in minutes"),
        _in_range(0.5, 24 * 60.0),
    )


def _live_input(value: str) -> str | None:
    if value and not (value.startswith(("alsa:", "pulse:")) and len(value.split(":", 1)[1].strip()) > 0):
        return _("must be alsa:DEVICE (for example alsa:hw:1) or pulse:SOURCE; empty: none")
    return None


@dataclass(frozen=True)
class LiveSettings:
    input: str = setting("", N_("Capture input of 'radio live start' (the studio microphone on the line in): alsa:DEVICE or pulse:SOURCE; empty: --input must be given"), _live_input)
    topic: str = setting("thong-bao", N_("Topic of live segments in the as-run log and of their recordings"))
    no_audio_s: float = setting(
        5.0, N_("A live input that sends nothing this long (a dropped browser link, a capture device gone) ends the segment, in seconds"),
        _in_range(1.0, 120.0),
    )
    latency_s: float = setting(0.05, N_("Output buffer while live, in seconds (short: the speaker hears the loudspeakers)"), _in_range(0.01, 1.0))
    max_minutes: int = setting(120, N_("Longest live segment, in minutes"), _in_range(1, 24 * 60))
    record: bool = setting(True, N_("Record each live segment into the library as a draft item"))


@dataclass(frozen=True)
class WebSettings:
    max_upload_mb: int = setting(300, N_("Largest audio file the web console accepts, in MB"), _in_range(1, 4096))
    session_hours: float = setting(12.0, N_("A web console login lasts this many hours"), _in_range(0.1, 24 * 30.0))
    https: bool = setting(False, N_("Serve the console over HTTPS with the station's own certificate (a phone's microphone needs it)"))


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one station. Built once, passed to whoever needs it."""

    home: Path
    station: StationSettings = StationSettings()
    audio: AudioSettings = AudioSettings()
    playout: PlayoutSettings = PlayoutSettings()
    usb: UsbSettings = UsbSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    backup: BackupSettings = BackupSettings()
    tts: TtsSettings = TtsSettings()
    library: LibrarySettings = LibrarySettings()
    web: WebSettings = WebSettings()
    live: LiveSettings = LiveSettings()
    network: NetworkSettings = NetworkSettings()
    streams: tuple[StreamSettings, ...] = ()

    @property
    def station_home(self) -> StationHome:
        """The layout of the home: where each of the station's files lives."""
        return StationHome(self.home)

    @property
    def config_path(self) -> Path:
        return self.station_home.config_file

    @property
    def database_path(self) -> Path:
        return self.station_home.database

    @property
    def media_dir(self) -> Path:
        return self.station_home.media_dir

    @property
    def usb_cache_dir(self) -> Path:
        return self.station_home.usb_cache_dir

    @property
    def playlists_dir(self) -> Path:
        return self.station_home.playlists_dir

    @property
    def backup_dir(self) -> Path:
        return self.station_home.backups_dir

    @property
    def locks_dir(self) -> Path:
        """Lock files shared by the station's processes (the analysis slots)."""
        return self.station_home.locks_dir

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.station.timezone)
