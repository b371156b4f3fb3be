"""What the CLI and the web console ask of relay sources (tiếp sóng): add, change, remove,
and listen to one before trusting it with the air.

One implementation of each request, like radio/scheduler/service.py for the schedule:
`radio source …` calls these, and so can the console's pages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from radio.domain.relay import (
    Resume, Source, check_code, check_source, kept_password, redacted_url, with_password, without_password,
)  # fmt: skip
from radio.domain.users import MAY_MANAGE_SOURCES, MAY_TEST_SOURCES, Role, require
from radio.errors import RadioError
from radio.i18n import _
from radio.scheduler.service import changed

if TYPE_CHECKING:  # the CLI imports this module: numpy and ffmpeg only when a source is tested
    from radio.media.listen import Heard

# The option names of a source's settings, as `radio source add|edit` and the console spell them.
SETTINGS = ("name", "url", "topic", "buffer_s", "no_data_s", "silence_s", "silence_dbfs", "resume")


def source_json(source: Source) -> dict:
    """A source as `--json` shows it: the address without its password."""
    return {**dataclasses.asdict(source), "url": redacted_url(source.url), "resume": str(source.resume)}


def _checked(app, source: Source) -> Source:
    """The source validated, its topic one of the station's (resolved like `library add --topic`)."""
    source = check_source(source)
    return dataclasses.replace(source, topic=app.taxonomy.resolve(source.topic).code)


def source_form(source: Source) -> dict:
    """A source as the console's edit form fills it: the address without its password."""
    return {**source_json(source), "url": without_password(source.url)}


def _may_manage(role: Role | None) -> None:
    require(role, MAY_MANAGE_SOURCES, _("only an administrator may add, change or remove relay sources"))


def add_source(app, code: str, url: str, name: str, *, topic: str | None = None, buffer_s: float | None = None,
               no_data_s: float | None = None, silence_s: float | None = None, silence_dbfs: float | None = None,
               resume: str | None = None, password: str | None = None, role: Role | None = None) -> Source:  # fmt: skip
    """A new source; the settings left out (None) take the defaults of radio.domain.relay.Source;
    *password* (if given) goes into the address as its user's."""
    _may_manage(role)
    if password:
        url = with_password(url.strip(), password)
    given = {"topic": topic, "buffer_s": buffer_s, "no_data_s": no_data_s, "silence_s": silence_s,
             "silence_dbfs": silence_dbfs, "resume": Resume(resume) if resume else None}  # fmt: skip
    new = Source(code=code, name=name, url=url, **{k: v for k, v in given.items() if v is not None})
    made = app.sources.add(_checked(app, new))
    changed(app)
    return made


def edit_source(app, code: str, *, password: str | None = None, role: Role | None = None, **changes) -> Source:
    """Change the settings given (not None) of the source *code*; see SETTINGS for their names.
    A new address naming the old user without a password keeps the old password; *password*
    (if given) replaces it."""
    _may_manage(role)
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise TypeError(f"not a source setting: {', '.join(sorted(unknown))}")
    old = app.sources.get(check_code(code))
    given = {k: v for k, v in changes.items() if v is not None}
    if password:
        given["url"] = with_password(given.get("url", old.url).strip(), password)
    elif "url" in given:
        given["url"] = kept_password(given["url"].strip(), old.url)
    if "resume" in given:
        given["resume"] = Resume(given["resume"])
    edited = app.sources.save(_checked(app, dataclasses.replace(old, **given)))
    changed(app)
    return edited


def remove_source(app, code: str, role: Role | None = None) -> Source:
    """Remove a source no slot relays (the repository refuses one that is)."""
    _may_manage(role)
    old = app.sources.get(check_code(code))
    app.sources.remove(old.code)
    changed(app)
    return old


@dataclass(frozen=True)
class SourceTest:
    """`radio source test`: what was heard from a source, and whether it may go on air."""

    source: Source
    heard: Heard
    error: str | None  # None: audio was heard, and not only silence

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_json(self) -> dict:
        h = self.heard
        return {"code": self.source.code, "url": redacted_url(self.source.url), "ok": self.ok, "codec": h.codec,
                "bitrate_kbps": h.bitrate_kbps, "sample_rate": h.sample_rate, "channels": h.channels,
                "seconds": h.seconds, "rms_dbfs": h.rms_dbfs, "peak_dbfs": h.peak_dbfs,
                "silent_share": h.silent_share, "error": self.error}  # fmt: skip


def test_source(app, code: str, seconds: float = 5.0, role: Role | None = None) -> SourceTest:
    """Listen to the source for *seconds*: its format and level, or why it cannot be relayed."""
    require(role, MAY_TEST_SOURCES, _("your account may not test relay sources"))
    from radio.media.listen import listen

    source = app.sources.get(check_code(code))
    heard = listen(source.url, seconds, source.silence_dbfs)
    error = heard.error
    if error is None and heard.silent_share is not None and heard.silent_share >= 1.0:
        error = _("only silence: every second heard was below the source's silence level of {level:g} dBFS "
                  "(peak {peak:g} dBFS)").format(level=source.silence_dbfs, peak=heard.peak_dbfs)  # fmt: skip
    return SourceTest(source, heard, error)


def failure(result: SourceTest) -> RadioError:
    """The one line a failed test ends with."""
    return RadioError(_("source {code} ({url}): {reason}").format(
        code=result.source.code, url=redacted_url(result.source.url), reason=result.error))  # fmt: skip

