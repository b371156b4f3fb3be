"""Parameter types shared by commands: dates, durations shown to people."""

from __future__ import annotations

from datetime import date

import click

from radio.i18n import _
from radio.text import nfc, parse_day


class DateParam(click.ParamType):
    """A calendar date: YYYY-MM-DD, or DD/MM/YYYY as written in Vietnam."""

    name = "date"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        text = nfc(str(value))
        try:
            return parse_day(text)
        except ValueError:
            pass
        self.fail(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=text), param, ctx)


class TextParam(click.ParamType):
    """Free text, NFC-normalized."""

    name = "text"

    def convert(self, value, param, ctx) -> str:
        return nfc(str(value))


DATE = DateParam()
TEXT = TextParam()
