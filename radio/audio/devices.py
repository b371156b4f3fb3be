"""The sound card side: listing output devices and finding the configured one.

PortAudio reads the device list once when initialized; it is re-read before each
rundown so that a device plugged in (or a sound server restarted) since is found.
"""

from __future__ import annotations

from dataclasses import dataclass

from radio.audio.output import DeviceError
from radio.i18n import _


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    channels: int
    default_rate: float
    is_default: bool

    def json(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "host_api": self.host_api,
            "max_output_channels": self.channels,
            "default_samplerate": self.default_rate,
            "default": self.is_default,
        }


def _sd(refresh: bool = False):
    try:
        import sounddevice
    except OSError as err:  # libportaudio missing
        raise DeviceError(
            _("the PortAudio library is missing (Debian/Ubuntu: sudo apt-get install libportaudio2): {reason}").format(
                reason=err
            )
        ) from err
    if refresh:
        sounddevice._terminate()
        sounddevice._initialize()
    return sounddevice


def output_devices(refresh: bool = True) -> list[Device]:
    sd = _sd(refresh)
    try:
        default = sd.default.device[1]
        if default is None or default < 0:
            default = sd.query_hostapis(0)["default_output_device"]
    except Exception:  # no host API at all
        default = -1
    apis = [api["name"] for api in sd.query_hostapis()]
    return [
        Device(i, d["name"], apis[d["hostapi"]], d["max_output_channels"], d["default_samplerate"], i == default)
        for i, d in enumerate(sd.query_devices())
        if d["max_output_channels"] > 0
    ]


def resolve_device(spec: str | int | None, devices: list[Device]) -> Device:
    """The device named by *spec*: an index, an exact name, or a unique part of a name.

    "" or None is the system default. Raises DeviceError naming the available devices.
    """
    if not devices:
        raise DeviceError(_("no audio output device is available (is the sound server running?)"))
    text = "" if spec is None else str(spec).strip()
    if text == "":
        for device in devices:
            if device.is_default:
                return device
        return devices[0]
    if text.lstrip("-").isdigit():
        for device in devices:
            if device.index == int(text):
                return device
    else:
        exact = [d for d in devices if d.name == text]
        if exact:
            return exact[0]
        partial = [d for d in devices if text.lower() in d.name.lower()]
        if len(partial) == 1:
            return partial[0]
    names = ", ".join(f"{d.index}: {d.name}" for d in devices)
    raise DeviceError(_("no output device '{device}'; available: {names}").format(device=text, names=names))
