"""The daemon's log lines: for a person at a terminal, or for the journal.

In a terminal (`radio daemon` in the foreground, `make run`) an operator reads the lines as
they come: the station's time of day (not the PC's zone, not UTC beside +07:00 times) and
the message in the user's language — "06:09:53 đang phát: Bản tin sáng (#3)". The message
is the format string given to the logger, looked up in the catalog (marked with N_ where
it is logged); times passed as arguments are shown as the station's time of day.

Under systemd the journal adds its own timestamps and the lines stay in English, level
and logger first, times as ISO 8601: stable for grep and for a bug report.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from radio.i18n import N_, _

LEVEL_WORDS = {logging.WARNING: N_("warning"), logging.ERROR: N_("error"), logging.CRITICAL: N_("error")}


def _render(record: logging.LogRecord, message: str, show_time) -> str:
    args = record.args
    if isinstance(args, tuple):
        args = tuple(show_time(a) if isinstance(a, datetime) else a for a in args)
    try:
        return message % args if args else message
    except (TypeError, ValueError):  # a translation whose placeholders do not fit: the original
        return record.getMessage()


class ConsoleFormatter(logging.Formatter):
    """'HH:MM:SS message' in the station's zone and the user's language."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        super().__init__()
        self.zone = zone

    def station_time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        message = _(record.msg) if isinstance(record.msg, str) else str(record.msg)
        text = _render(record, message, self.station_time)
        if record.levelno in LEVEL_WORDS:
            text = f"{_(LEVEL_WORDS[record.levelno])}: {text}"
        line = f"{self.station_time(datetime.fromtimestamp(record.created).astimezone())} {text}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JournalFormatter(logging.Formatter):
    """'LEVEL logger: message' in English, times as ISO 8601 (journald adds its own stamp)."""

    def format(self, record: logging.LogRecord) -> str:
        text = _render(record, str(record.msg), lambda moment: moment.isoformat())
        line = f"{record.levelname} {record.name}: {text}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
