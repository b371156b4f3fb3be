"""radio.toml: read and validated into Settings (every problem reported at once, the
nearest key suggested for a misspelt one), and rendered, commented, for `radio init`.

Both walk the schema of ``radio/config/schema.py``: a setting added there is read,
checked and written here without a change.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from radio.config.schema import Settings, StreamSettings
from radio.errors import ConfigError
from radio.home import CONFIG_NAME, StationHome
from radio.i18n import N_, _
from radio.text import nfc

__all__ = ["CONFIG_NAME", "SECTIONS", "exposed_password", "load_settings", "render_config", "settings_from_mapping"]

SECTIONS: dict[str, type] = {
    name: typing.get_type_hints(Settings)[name] for name in ("station", "audio", "playout", "schedule", "backup", "usb", "tts", "library", "web", "live", "network")
}
SECTION_HELP = {
    "station": N_("The station"),
    "audio": N_("Sound processing"),
    "playout": N_("Playout: the sound card and what is aired"),
    "usb": N_("USB packages for the hamlets"),
    "schedule": N_("The daily schedule and the broadcast daemon"),
    "backup": N_("Daily backups of the station database"),
    "tts": N_("Spoken notices (radio announce, radio tts)"),
    "library": N_("Importing audio into the library (radio library add, uploads)"),
    "web": N_("The web console (radio web)"),
    "live": N_("Live on air: the studio microphone and the console's (radio live)"),
    "network": N_("The link to a hub (radio join, radio sync)"),
}
STREAM_TABLE = "stream"  # [[stream]]: any number of tables, each a StreamSettings


def _type_ok(value: Any, expected: Any) -> tuple[bool, Any]:
    """Whether a TOML value fits the field type; ints are accepted for floats."""
    if expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return True, float(value)
    if expected is int and isinstance(value, int) and not isinstance(value, bool):
        return True, value
    if expected is str and isinstance(value, str):
        return True, nfc(value)
    if expected is bool and isinstance(value, bool):
        return True, value
    if typing.get_origin(expected) is list and isinstance(value, list):
        return True, [nfc(v) if isinstance(v, str) else v for v in value]
    return False, value


def _type_name(expected: Any) -> str:
    names = {str: N_("text"), float: N_("number"), int: N_("whole number"), bool: N_("true or false")}
    return _(names.get(expected, N_("list")))


def _nearest(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    return _(" (did you mean '{key}'?)").format(key=close[0]) if close else ""


def settings_from_mapping(home: Path, data: dict[str, Any], source: str) -> Settings:
    """Validate parsed TOML into Settings, collecting every problem before failing."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for section_name, value in data.items():
        if section_name == STREAM_TABLE:
            continue
        if section_name not in SECTIONS:
            problems.append(
                _("unknown section [{section}]").format(section=section_name)
                + _nearest(section_name, list(SECTIONS))
            )
        elif not isinstance(value, dict):
            problems.append(_("[{section}] must be a table").format(section=section_name))
    for section_name, cls in SECTIONS.items():
        given = data.get(section_name, {})
        if not isinstance(given, dict):
            continue
        values = _table(cls, given, section_name, problems)
        sections[section_name] = cls(**values)
    streams = _streams(data.get(STREAM_TABLE, []), problems)
    if problems:
        raise ConfigError(source, problems)
    return Settings(home=home, streams=streams, **sections)


def _table(cls: type, given: dict, where_prefix: str, problems: list[str]) -> dict[str, Any]:
    """The checked values of one table of *cls*'s fields (problems collected)."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in given.items():
        where = f"{where_prefix}.{key}"
        if key not in fields:
            problems.append(_("unknown setting '{key}'").format(key=where) + _nearest(key, list(fields)))
            continue
        ok, value = _type_ok(raw, hints[key])
        if not ok:
            problems.append(_("'{key}' must be {type}").format(key=where, type=_type_name(hints[key])))
            continue
        check = fields[key].metadata.get("check")
        reason = check(value) if check else None
        if reason:
            problems.append(f"'{where}' {reason}")
            continue
        values[key] = value
    return values


def _streams(given: Any, problems: list[str]) -> tuple[StreamSettings, ...]:
    """The [[stream]] tables; a URL is checked against its kind, and never quoted back."""
    from radio.domain.streams import BadTarget, parse_target

    if not isinstance(given, list) or not all(isinstance(t, dict) for t in given):
        problems.append(_("[[stream]] must be tables, each starting with a [[stream]] line"))
        return ()
    streams = []
    for n, table in enumerate(given, start=1):
        where = f"stream[{n}]"
        before = len(problems)
        values = _table(StreamSettings, table, where, problems)
        if len(problems) > before:
            continue
        stream = StreamSettings(**values)
        if not stream.url:
            problems.append(_("'{key}' is missing").format(key=f"{where}.url"))
            continue
        try:
            parse_target(stream.kind, stream.url)
        except BadTarget as err:
            problems.append(f"'{where}.url' {err}")
            continue
        streams.append(stream)
    labels = [s.label for s in streams]
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        problems.append(_("two streams are named '{name}' (give each a different name)").format(name=label))
    return tuple(streams)


def exposed_password(settings: Settings) -> bool:
    """radio.toml holds a stream password and others may read it."""
    import stat

    if not any(s.kind == "icecast" for s in settings.streams):
        return False
    try:
        mode = settings.config_path.stat().st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IROTH)


def load_settings(home: Path) -> Settings:
    """Settings of the station at *home*: radio.toml if present, else the defaults."""
    path = StationHome(home).config_file
    if not path.exists():
        return Settings(home=home)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(str(path), [_("not valid TOML: {reason}").format(reason=err)]) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(str(path), [_("cannot be read: {reason}").format(reason=err)]) from err
    return settings_from_mapping(home, data, str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def render_config(overrides: dict[str, dict[str, Any]] | None = None) -> str:
    """A commented radio.toml with every setting at its default (or the given value)."""
    overrides = overrides or {}
    lines = [
        "# " + _("radio station settings. Lines starting with # are comments."),
        "# " + _("Remove the # in front of a setting to change it."),
    ]
    for section_name, cls in SECTIONS.items():
        lines += ["", f"# {_(SECTION_HELP[section_name])}", f"[{section_name}]"]
        for f in dataclasses.fields(cls):
            lines.append(f"# {_(f.metadata['help'])}")
            if f.name in overrides.get(section_name, {}):
                lines.append(f"{f.name} = {_toml_value(overrides[section_name][f.name])}")
            else:
                lines.append(f"# {f.name} = {_toml_value(f.default)}")
    lines += ["", "# " + _("Streams to IP loudspeakers, any number (see docs/commands-streams.md), for example:"),
              "# [[stream]]", '# kind = "icecast"', '# url = "icecast://source:PASSWORD@127.0.0.1:8000/radio"',
              "# bitrate = 64", "# [[stream]]", '# kind = "rtp"', '# url = "rtp://239.255.0.1:5004"', '# codec = "pcmu"']
    return "\n".join(lines) + "\n"
