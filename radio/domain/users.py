"""Console users and their roles: who may do what in the web console.

Roles are cumulative: a viewer reads; an operator also uploads, edits, queues and exports;
an approver also approves and sends emergencies; an admin also manages users and slots.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from radio.errors import RadioError
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
    return password
