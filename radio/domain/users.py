"""Console users and their roles: who may do what in the web console.

Roles are cumulative: a viewer reads; an operator also uploads, edits, queues and exports;
an approver also approves and sends emergencies; an admin also manages users and slots.

The rules below are the one place that decides who may do what with a field; the console
only hides what they refuse, the services enforce them (a role of None is the station's own
command line, which may do everything).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from radio.domain.library import Priority
from radio.errors import ForbiddenError, RadioError
from radio.i18n import N_, _


class Role(enum.StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what *needed* may (roles are cumulative)."""
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.APPROVER: 2, Role.ADMIN: 3}

ROLE_LABELS = {
    Role.VIEWER: N_("viewer"),
    Role.OPERATOR: N_("operator"),
    Role.APPROVER: N_("approver"),
    Role.ADMIN: N_("administrator"),
}

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # longer ones are refused when set, and never checked at login
MAX_DISPLAY_LENGTH = 200
# The commonest passwords of at least 8 characters (worldwide lists and Vietnamese habits):
# the first ones an attacker tries.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 0123456789 12341234 11223344 87654321 98765432 123123123 147258369
11111111 00000000 88888888 66666666 99999999 12344321 01234567 123456789a 1234qwer 1q2w3e4r
1qaz2wsx qwertyui qwertyuiop asdfghjk zxcvbnm1 password password1 password123 passw0rd p@ssw0rd
abc12345 abcd1234 12345abc iloveyou admin123 admin1234 administrator letmein1 welcome1 sunshine
matkhau matkhau1 matkhau123 matkhau@123 mat-khau anhyeuem emyeuanh yeuemnhieu vietnam1 vietnam123
hanoi123 saigon123 truyenthanh phatthanh radio123 ubndxa123
""".split())
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


@dataclass(frozen=True)
class User:
    id: int
    name: str  # the login name: lower-case ASCII
    display: str  # shown and recorded, e.g. as the approver: "Nguyễn Văn An, Chủ tịch UBND xã"
    role: Role
    disabled: bool
    session_epoch: int  # bumped on password change and disable: older sessions end
    created_at: datetime


def check_user_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise RadioError(
            _("'{name}' is not a valid user name (lower-case letters, digits, '.', '_' or '-', at most 32)").format(
                name=name
            )
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RadioError(_("the password must have at least {n} characters").format(n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RadioError(_("the password must have at most {n} characters").format(n=MAX_PASSWORD_LENGTH))
    if not password.strip() or len(set(password)) == 1:
        raise RadioError(_("the password is only blanks or one repeated character: choose another"))
    if password.lower() in COMMON_PASSWORDS:
        raise RadioError(_("this password is among the first ones an attacker tries: choose another"))
    return password


def check_display(display: str) -> str:
    if len(display) > MAX_DISPLAY_LENGTH:
        raise RadioError(_("the display name must have at most {n} characters").format(n=MAX_DISPLAY_LENGTH))
    return display


# Who may do what beyond a field: the console's routes name the least role, and the services
# check it again (a route is one way in; the rule is the service's).
MAY_WRITE_NOTICES = Role.OPERATOR  # like uploading a recording: it enters as a draft
MAY_APPROVE = Role.APPROVER  # content the commune makes airs only with the leadership's approval
MAY_TEST_SOURCES = Role.OPERATOR  # listening to a source changes nothing
MAY_MANAGE_SOURCES = Role.ADMIN  # what a relay slot airs, like the slots themselves
MAY_CONFIRM_CLOCK = Role.APPROVER  # it lifts a hold on the schedule: the leadership's call


def require(role: Role | None, needed: Role, message: str) -> None:
    """Refuse with *message* unless *role* may do what *needed* may (None: the command line)."""
    if role is not None and not role.allows(needed):
        raise ForbiddenError(message)


# Who may do what with an item's or a queue entry's priority. An emergency interrupts what
# is on air: it is the approver's call, whichever route or field asks for it.
def priorities_for(role: Role | None) -> list[Priority]:
    """The priorities *role* may give (None: the station's command line, all of them)."""
    return [p for p in Priority if may_give_priority(role, p)]


def may_give_priority(role: Role | None, priority: Priority | None) -> bool:
    return priority is not Priority.EMERGENCY or role is None or role.allows(Role.APPROVER)


def check_priority(role: Role | None, priority: Priority | None, had: Priority | None = None) -> None:
    """Refuse giving *priority* (to an item that *had* another, or to a new queue entry or
    item when *had* is None) if *role* may not; keeping an item's own priority is no change."""
    if priority is not None and priority is not had and not may_give_priority(role, priority):
        raise ForbiddenError(_("only an approver may set the emergency priority"))


def check_queue_priorities(role: Role | None, given: Priority | None, items_own: list[Priority]) -> None:
    """Queueing: the entries' priority is *given*, else each item's own; an operator may
    queue neither an emergency priority nor an emergency item at its own priority."""
    for priority in [given] if given is not None else items_own:
        check_priority(role, priority)


def check_remove_entries(role: Role | None, priorities: list[Priority | None]) -> None:
    """Taking an emergency broadcast off the queue is the approver's call too."""
    if Priority.EMERGENCY in priorities and not may_give_priority(role, Priority.EMERGENCY):
        raise ForbiddenError(_("only an approver may remove an emergency broadcast"))


# An operator's edit of these fields of an approved item sends it back to draft: they decide
# what airs, when, where (hamlets' topics and languages) and under which title it is logged
# and streamed. Only the source is bookkeeping. An approver's own edit keeps the approval.
FIELDS_NEEDING_APPROVAL = frozenset({"title", "topic", "language", "priority", "valid_from", "valid_until"})


def edit_needs_new_approval(role: Role | None, changed: set[str]) -> bool:
    if role is None or role.allows(Role.APPROVER):
        return False
    return bool(changed & FIELDS_NEEDING_APPROVAL)
