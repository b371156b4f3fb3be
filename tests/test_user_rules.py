"""The pure rules behind the console's security (issue 17): who may give which priority, which
edits need a new approval, passwords, what a stored file is served as, bidi controls, and the
login throttle's arithmetic on a fake clock."""

from __future__ import annotations

import pytest

from radio.domain.library import Priority, served_as
from radio.domain.users import (
    FIELDS_NEEDING_APPROVAL, Role, check_password, check_priority, check_queue_priorities, edit_needs_new_approval,
    priorities_for,
)  # fmt: skip
from radio.errors import ForbiddenError, RadioError
from radio.text import nfc
from radio.web.auth import Attempt, Refused, Throttle


def test_only_approvers_and_the_command_line_give_the_emergency_priority():
    assert Priority.EMERGENCY not in priorities_for(Role.OPERATOR)
    assert priorities_for(Role.APPROVER) == priorities_for(None) == list(Priority)
    with pytest.raises(ForbiddenError):
        check_priority(Role.OPERATOR, Priority.EMERGENCY)
    check_priority(Role.OPERATOR, Priority.EMERGENCY, had=Priority.EMERGENCY)  # keeping it is no change
    with pytest.raises(ForbiddenError):
        check_queue_priorities(Role.OPERATOR, None, [Priority.NORMAL, Priority.EMERGENCY])
    check_queue_priorities(Role.OPERATOR, Priority.PRIORITY, [Priority.EMERGENCY])
    check_queue_priorities(Role.ADMIN, Priority.EMERGENCY, [])


def test_an_operators_edit_of_what_airs_needs_a_new_approval():
    assert FIELDS_NEEDING_APPROVAL == {"title", "topic", "language", "priority", "valid_from", "valid_until"}
    assert edit_needs_new_approval(Role.OPERATOR, {"title"})
    assert not edit_needs_new_approval(Role.OPERATOR, {"source"})
    assert not edit_needs_new_approval(Role.APPROVER, {"title", "priority"})
    assert not edit_needs_new_approval(None, {"valid_until"})


@pytest.mark.parametrize("password", ["1234567", "12345678", "PASSWORD", "        ", "zzzzzzzzzz", "x" * 1025])
def test_weak_passwords_are_refused(password):
    with pytest.raises(RadioError):
        check_password(password)


def test_good_passwords_pass():
    for password in ("mat-khau-dai-1", "ab" * 512, "Đài xã 2026!"):
        assert check_password(password) == password


def test_stored_files_are_served_as_their_measured_codec():
    assert served_as("mp3") == ("audio/mpeg", ".mp3")
    assert served_as("pcm_s16le") == ("audio/wav", ".wav")
    assert served_as("html") == served_as(None) == ("application/octet-stream", ".bin")


def test_bidi_controls_are_removed_at_the_nfc_edge():
    assert nfc("Tho\u0302ng ba\u0301o \u202egpj.exe\u202c \u2066x\u2069") == "Thông báo gpj.exe x"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_counts_before_the_check_and_one_refusal_per_lock_is_first():
    clock = Clock()
    throttle = Throttle(max_failures=5, lock_s=60, clock=clock)
    admitted = [throttle.begin("user:an", "addr:x") for _ in range(5)]  # all in flight at once
    assert all(isinstance(a, Attempt) for a in admitted)
    refused = [throttle.begin("user:an", "addr:x") for _ in range(20)]
    assert all(isinstance(r, Refused) for r in refused)
    assert [r.first for r in refused] == [True] + [False] * 19
    throttle.succeeded(admitted[-1], clear=("user:an",))  # the right one among them: the lock stands
    assert isinstance(throttle.begin("user:an", "addr:y"), Refused)
    clock.now += 61
    after = throttle.begin("user:an", "addr:x")
    assert isinstance(after, Attempt) and after.refused_before == 21
