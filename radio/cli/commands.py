"""Every top-level command and group of `radio`, in the order `radio --help` lists them.

Each is imported only when it is run (or when `radio --help` lists them all), so that
`radio status` does not pay for the imports of `radio report`.
"""

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("radio.cli.init", "init"),
    "check": ("radio.cli.check", "check"),
    "topics": ("radio.cli.topics", "topics"),
    "library": ("radio.cli.library", "library"),
    "announce": ("radio.cli.announce", "announce"),
    "tts": ("radio.cli.tts", "tts"),
    "slot": ("radio.cli.schedule", "slot"),
    "source": ("radio.cli.source", "source"),
    "queue": ("radio.cli.schedule", "queue"),
    "emergency": ("radio.cli.schedule", "emergency"),
    "live": ("radio.cli.live", "live"),
    "daemon": ("radio.cli.daemon", "daemon"),
    "status": ("radio.cli.daemon", "status"),
    "clock": ("radio.cli.clock", "clock"),
    "log": ("radio.cli.daemon", "log_command"),
    "hamlet": ("radio.cli.hamlet", "hamlet"),
    "export-usb": ("radio.cli.usb", "export_usb"),
    "usb": ("radio.cli.usb", "usb"),
    "play": ("radio.cli.play", "play"),
    "render": ("radio.cli.play", "render"),
    "devices": ("radio.cli.play", "devices"),
    "stream": ("radio.cli.stream", "stream"),
    "report": ("radio.cli.report", "report"),
    "backup": ("radio.cli.backup", "backup"),
    "web": ("radio.cli.web", "web"),
    "user": ("radio.cli.user", "user"),
    "hub": ("radio.cli.hub", "hub"),
    "join": ("radio.cli.network", "join"),
    "sync": ("radio.cli.network", "sync"),
}
