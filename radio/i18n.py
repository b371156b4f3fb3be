"""Translations: English source strings, Vietnamese catalog.

The catalog is bound as the process-wide default gettext domain, so click's own
messages ("Usage:", "Options", error texts) are translated from the same catalog as
ours. The language is read from the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
at each lookup, so nothing is fixed at import time.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

DOMAIN = "radio"
LOCALE_DIR = Path(__file__).parent / "locale"

_gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
_gettext.textdomain(DOMAIN)


def _(message: str) -> str:
    """Translate *message* into the user's language."""
    return _gettext.dgettext(DOMAIN, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext.dngettext(DOMAIN, singular, plural, n)


def N_(message: str) -> str:
    """Mark *message* for extraction; it is translated later, where it is shown."""
    return message

