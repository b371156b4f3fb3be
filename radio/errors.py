"""Errors a user can cause or fix. Each carries one human line; the CLI prints it.

Anything that is not a RadioError is a bug, and is shown with its traceback.
"""

from __future__ import annotations


class RadioError(Exception):
    """A failure the user can understand and act on; ``str(err)`` is the whole message."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class NotFoundError(RadioError):
    """A thing named by the user (item, slot, hamlet, …) does not exist."""


class ForbiddenError(RadioError):
    """The user's role may not do this (the console answers 403)."""


class ConfigError(RadioError):
    """radio.toml is invalid; ``problems`` holds every problem found, one line each."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


class MediaError(RadioError):
    """An audio file cannot be used; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StorageError(RadioError):
    """The station database or media store cannot be used."""


class DiskFullError(StorageError):
    """No space is left on the disk holding ``path``; the message says where and what to do."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class DamagedDatabaseError(StorageError):
    """The station database file is damaged; the message names it and the newest backup."""

    def __init__(self, message: str, path: str, backup: str | None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup
