"""Translations: English source strings, Vietnamese catalog.

The catalog is bound as the process-wide default gettext domain, so click's own
messages ("Usage:", "Options", error texts) are translated from the same catalog as
ours. The language is read from the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
at each lookup, so nothing is fixed at import time.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "radio"
LOCALE_DIR = Path(__file__).parent / "locale"

_gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
_gettext.textdomain(DOMAIN)


_local = threading.local()  # a language chosen for this thread (the daemon answering a CLI)


@functools.cache
def _translation(languages: tuple[str, ...]) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=list(languages), fallback=True)


def _(message: str) -> str:
    """Translate *message* into the user's language."""
    languages = getattr(_local, "languages", None)
    if languages:
        return _translation(languages).gettext(message)
    return _gettext.dgettext(DOMAIN, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    languages = getattr(_local, "languages", None)
    if languages:
        return _translation(languages).ngettext(singular, plural, n)
    return _gettext.dngettext(DOMAIN, singular, plural, n)


def user_languages(environ) -> list[str]:
    """The languages gettext would choose from *environ* (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(var):
            return [v for v in value.split(":") if v]
    return []


@contextmanager
def speaking(languages: list[str] | None) -> Iterator[None]:
    """Translate into *languages* in this thread (the daemon answering a CLI in the CLI's
    language); the rest of the process keeps its own."""
    saved = getattr(_local, "languages", None)
    _local.languages = tuple(languages) if languages else None
    try:
        yield
    finally:
        _local.languages = saved


def N_(message: str) -> str:
    """Mark *message* for extraction; it is translated later, where it is shown."""
    return message

