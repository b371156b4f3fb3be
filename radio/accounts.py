"""Console accounts: adding users, passwords (argon2id), disabling, and checking a login.

The one implementation behind `radio user …` and the console's Users page. argon2 is
imported only when a password is hashed or checked, so the CLI starts fast.
"""

from __future__ import annotations

from radio.domain.users import Role, User, check_display, check_password, check_user_name
from radio.errors import RadioError
from radio.i18n import _
from radio.storage.user_repo import AuditRepository, UserRepository
from radio.text import nfc


def _hasher():
    from argon2 import PasswordHasher

    # argon2id at one of OWASP's settings (12 MiB, 3 passes, 1 lane): a login costs the old
    # broadcast PC ~12 MB for a few tens of ms, not the 64 MB of the library's default.
    # Hashes made with other parameters are re-hashed at the next login.
    return PasswordHasher(time_cost=3, memory_cost=12288, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


# A hash to check against when the user does not exist, so a wrong name costs as much time
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH: list[str] = []


def verify_login(users: UserRepository, name: str, password: str) -> User | None:
    """The user if *password* is theirs and the account is enabled, else None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    found = users.password_hash(nfc(name).lower())
    if found is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hasher.hash("not a password of anyone"))
        try:
            hasher.verify(_DUMMY_HASH[0], password)
        except VerificationError:
            pass
        return None
    user, stored = found
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user.disabled:
        return None
    if hasher.check_needs_rehash(stored):
        users.update(user.name, password_hash=hasher.hash(password))
    return user


def add_user(users: UserRepository, audit: AuditRepository, actor: str, name: str, role: Role,
             display: str | None, password: str, address: str | None = None) -> User:  # fmt: skip
    name = check_user_name(nfc(name).lower())
    display = check_display(nfc(display)) if display else name
    user = users.add(name, display, role, hash_password(password))
    audit.record(actor, "user.add", f"{name} ({role}, {display})", address)
    return user


def set_password(users: UserRepository, audit: AuditRepository, actor: str, name: str, password: str,
                 address: str | None = None) -> User:  # fmt: skip
    """A new password; every open session of the user ends."""
    user = users.update(nfc(name).lower(), password_hash=hash_password(password), end_sessions=True)
    audit.record(actor, "user.passwd", user.name, address)
    return user


def end_sessions(users: UserRepository, name: str) -> User:
    """Every open session of *name* ends (logging out: the cookie is refused from now on)."""
    return users.update(name, end_sessions=True)


def set_disabled(users: UserRepository, audit: AuditRepository, actor: str, name: str, disabled: bool = True,
                 address: str | None = None) -> User:  # fmt: skip
    """Disable (or enable again) an account; a disabled user's sessions end at once."""
    name = nfc(name).lower()
    if disabled and name == actor:
        raise RadioError(_("you cannot disable your own account"))
    user = users.update(name, disabled=disabled, end_sessions=disabled)
    audit.record(actor, "user.disable" if disabled else "user.enable", user.name, address)
    return user


def set_role(users: UserRepository, audit: AuditRepository, actor: str, name: str, role: Role,
             display: str | None = None, address: str | None = None) -> User:  # fmt: skip
    name = nfc(name).lower()
    if name == actor and role is not Role.ADMIN:
        raise RadioError(_("you cannot take the administrator role from yourself"))
    user = users.update(name, role=role, display=check_display(nfc(display)) if display else None, end_sessions=True)
    audit.record(actor, "user.role", f"{user.name} ({role}, {user.display})", address)
    return user


def user_json(user: User) -> dict:
    return {
        "name": user.name,
        "display": user.display,
        "role": str(user.role),
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
    }


def approver_names(users: UserRepository) -> list[str]:
    """Who approves drafts, as the console names them to an operator waiting on one: the
    active approvers' display names (the administrators' when the station has no approver)."""
    active = [u for u in users.list() if not u.disabled and u.role.allows(Role.APPROVER)]
    approvers = [u for u in active if u.role is Role.APPROVER] or active
    return [u.display for u in approvers]
