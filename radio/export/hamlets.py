"""The hamlet registry's requests shared by `radio hamlet` and the console: checking a
hamlet's fields and importing a CSV file."""

from __future__ import annotations

from dataclasses import dataclass, field

from radio.domain.usb import Hamlet, HamletRuleError, normalize_code, read_hamlet_csv, split_list, valid_language
from radio.errors import RadioError
from radio.i18n import N_, _
from radio.text import nfc


def parse_code(text: str) -> str:
    try:
        return normalize_code(text)
    except HamletRuleError:
        raise RadioError(
            _("'{code}' is not a hamlet code: use 1 to 32 letters, digits, - or _ (it names a folder)").format(code=text)
        ) from None


def parse_languages(text: str) -> tuple[str, ...]:
    codes = tuple(c.lower() for c in split_list(text))
    bad = [c for c in codes if not valid_language(c)]
    if bad:
        raise RadioError(_("'{value}' is not a language code (for example vi, hmn, km)").format(value=", ".join(bad)))
    if not codes:
        raise RadioError(_("at least one language is needed (for example vi)"))
    return codes


def parse_topics(taxonomy, text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(taxonomy.resolve(t).code for t in split_list(text)))


def build_hamlet(taxonomy, code: str, name: str, languages: str, topics: str, notes: str) -> Hamlet:
    name = nfc(name)
    if not name:
        raise RadioError(_("the hamlet's name is required"))
    return Hamlet(
        code=parse_code(code),
        name=name,
        languages=parse_languages(languages or "vi"),
        topics=parse_topics(taxonomy, topics or ""),
        notes=nfc(notes or ""),
    )


CSV_PROBLEMS = {
    "header": N_("the header must name the columns code and name (also allowed: languages, topics, notes); wrong: {detail}"),
    "columns": N_("more cells than the header has columns"),
}


@dataclass(frozen=True)
class HamletImport:
    added: int
    updated: int
    existing: list[str] = field(default_factory=list)  # codes already registered, left as they were
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message), sorted


def import_hamlets(app, text: str, update: bool = False) -> HamletImport:
    """Register the hamlets of a CSV text; bad rows are reported by line, good ones imported."""
    rows, shape = read_hamlet_csv(text)
    errors: list[tuple[int, str]] = [(p.line, _(CSV_PROBLEMS[p.kind]).format(detail=p.detail)) for p in shape]
    good: dict[str, Hamlet] = {}
    for row in rows:
        v = row.values
        try:
            h = build_hamlet(app.taxonomy, v.get("code", ""), v.get("name", ""), v.get("languages", ""),
                             v.get("topics", ""), v.get("notes", ""))  # fmt: skip
        except RadioError as err:
            errors.append((row.line, str(err)))
            continue
        if h.code in good:
            errors.append((row.line, _("code {code} appears twice in the file").format(code=h.code)))
            continue
        good[h.code] = h
    existing = [c for c in good if app.hamlets.exists(c)] if not update else []
    added, updated = app.hamlets.add_many([h for c, h in good.items() if c not in existing], replace=update)
    errors.sort()
    return HamletImport(added, updated, existing, errors)
