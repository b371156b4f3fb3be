"""The service unit: notify + watchdog, restart, a dedicated user, and hardening that
`systemd-analyze security` rates at most 2.5."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO

UNIT = REPO / "systemd" / "radio.service"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNIT)
    return parser


def test_the_unit_runs_the_daemon_as_a_notify_service_with_a_watchdog():
    service = _unit()["Service"]
    assert service["Type"] == "notify"
    assert service["ExecStart"].endswith("radio daemon")
    assert service["Restart"] == "always"
    assert int(service["WatchdogSec"]) > 0
    assert service["User"] == "radio" and "audio" in service["SupplementaryGroups"]
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/radio"
    assert service["PrivateTmp"] == "yes" and service["NoNewPrivileges"] == "yes"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_rates_the_exposure_at_most_2_5():
    out = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(UNIT)], capture_output=True, text=True
    )
    match = re.search(r"Overall exposure level for radio\.service: ([\d.]+)", out.stdout + out.stderr)
    assert match, out.stdout + out.stderr
    assert float(match.group(1)) <= 2.5


def test_the_streams_drop_in_opens_only_the_network():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(REPO / "systemd" / "radio-streams.conf")
    service = dict(parser["Service"])
    assert service == {"PrivateNetwork": "no", "IPAddressDeny": "", "IPAddressAllow": "any",
                       "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6"}  # fmt: skip
