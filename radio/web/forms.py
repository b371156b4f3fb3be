"""What the console's controls read and show in place of the CLI's codes: weekday boxes T2…CN,
the start-rule select, the period pickers, the language select, audit actions in words.

Each reader turns the form's fields into the code the shared services take (`mon,wed`,
`wait:60`, `2026Q4`, `hmn`) and refuses anything else with one translated line: a hostile
POST with a bad value stores nothing. The codes stay the CLI's contract; only the console
speaks in words.
"""

from __future__ import annotations

import re

from radio.domain.schedule import DAY_CODES, StartKind, StartRule
from radio.errors import RadioError
from radio.i18n import N_, _

DAY_LABELS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")  # Thứ Hai … Chủ Nhật, as calendars print them
WEEKDAYS = tuple((code, DAY_LABELS[n - 1]) for n, code in DAY_CODES.items())  # (mon, T2) … (sun, CN)

# The languages a commune airs (PRODUCT.md), by the code the library keeps; an item with
# another code keeps it and the select shows it as it is.
LANGUAGES = (
    ("vi", N_("Vietnamese")), ("tyz", N_("Tày")), ("nut", N_("Nùng")), ("hmn", N_("H'Mông")),
    ("ium", N_("Dao")), ("blt", N_("Thái")), ("mtq", N_("Mường")), ("km", N_("Khmer")), ("en", N_("English")),
)  # fmt: skip
_LANGUAGE_NAMES = dict(LANGUAGES) | {"tay": N_("Tày"), "dao": N_("Dao"), "tha": N_("Thái"), "khm": N_("Khmer")}

START_CHOICES = (("hard", N_("cut in at once")), ("soft", N_("wait for the bulletin on air to end")),
                 ("wait", N_("wait at most N seconds")))  # fmt: skip
MAX_WAIT_S = 3600

AUDIT_ACTIONS = {
    "login": N_("logged in"), "logout": N_("logged out"), "login.failed": N_("failed login"),
    "login.locked": N_("login locked after failed tries"),
    "item.add": N_("added a file"), "item.reject": N_("file refused"), "item.edit": N_("edited an item"),
    "item.approve": N_("approved an item"), "item.retire": N_("retired an item"),
    "queue.add": N_("queued for broadcast"), "queue.remove": N_("removed from the schedule"),
    "queue.move": N_("changed the air order"),
    "slot.add": N_("added a slot"), "slot.edit": N_("changed a slot"), "slot.remove": N_("removed a slot"),
    "hamlet.add": N_("added a hamlet"), "hamlet.import": N_("imported hamlets"), "hamlet.remove": N_("removed a hamlet"),
    "usb.export": N_("exported USB packages"), "usb.verify": N_("verified a stick"),
    "emergency": N_("emergency broadcast"), "clock.confirm": N_("confirmed the PC's clock"),
    "user.add": N_("added a user"), "user.disable": N_("disabled a user"), "user.enable": N_("enabled a user"),
    "user.passwd": N_("changed a password"), "user.role": N_("changed a user's role"),
}  # fmt: skip


def language_name(code: str) -> str:
    name = _LANGUAGE_NAMES.get(code)
    return _(name) if name else code


def language_choices(current: str = "") -> list[tuple[str, str]]:
    """The select's options; an item's own code outside the list stays offered, as it is."""
    out = [(code, _(name)) for code, name in LANGUAGES]
    if current and current not in dict(LANGUAGES):
        out.append((current, current))
    return out


def language_from_form(value: str, current: str = "") -> str:
    """One of the offered codes (or the item's own), else one clear error."""
    if value in dict(language_choices(current)):
        return value
    raise RadioError(_("choose a language from the list"))


def days_from_form(values: list[str]) -> str:
    """The weekday boxes (mon…sun) as the services' days text ('mon,wed,fri')."""
    if not values:
        raise RadioError(_("tick at least one day of the week"))
    if any(v not in DAY_CODES.values() for v in values) or len(values) > 7:
        raise RadioError(_("choose the days with the boxes T2 … CN"))
    return ",".join(sorted(set(values), key=list(DAY_CODES.values()).index))


def days_label(days: frozenset[int]) -> str:
    """T2–CN, T2–T6, or T2, T4, T6: what the schedule pages show for a slot's days."""
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_LABELS[ordered[0] - 1]}–{DAY_LABELS[ordered[-1] - 1]}"
    return ", ".join(DAY_LABELS[d - 1] for d in ordered)


def day_codes(days: frozenset[int]) -> set[str]:
    return {DAY_CODES[d] for d in days}


def start_from_form(kind: str, wait_text: str) -> str:
    """The start-rule select and its seconds as the services' text (hard, soft, wait:N)."""
    if kind in ("hard", "soft"):
        return kind
    if kind == "wait":
        text = wait_text.strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_WAIT_S):
            raise RadioError(_("the wait is a number of seconds from 1 to {max}").format(max=MAX_WAIT_S))
        return f"wait:{int(text)}"
    raise RadioError(_("choose how the slot starts from the list"))


def start_label(rule: StartRule) -> str:
    if rule.kind is StartKind.WAIT:
        return _("wait at most {n} seconds").format(n=rule.wait_s)
    return _(dict(START_CHOICES)[str(rule.kind)])


def audit_label(action: str) -> str:
    """An audit action in words; one this console does not know (a newer one) as written."""
    label = AUDIT_ACTIONS.get(action)
    return _(label) if label else action


def bounded_text(value: str, what: str, limit: int = 300) -> str:
    """A free-text field within *limit* characters and without control characters."""
    if len(value) > limit or re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value):
        raise RadioError(_("{what}: at most {n} characters of plain text").format(what=what, n=limit))
    return value
