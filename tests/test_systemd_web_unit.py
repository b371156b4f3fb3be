"""The console's unit: same user and home as the daemon, loopback by default, and hardening
that `systemd-analyze security` rates at most 2.5."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO

UNIT = REPO / "systemd" / "radio-web.service"


def _service():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNIT)
    return parser["Service"]


def test_the_unit_serves_the_console_on_the_loopback_as_the_radio_user():
    service = _service()
    assert service["ExecStart"].endswith("radio web --listen 127.0.0.1:8080")
    assert service["User"] == "radio" and service["Environment"]
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["IPAddressDeny"] == "any" and service["IPAddressAllow"] == "localhost"
    assert service["Restart"] == "always"
    text = UNIT.read_text()
    assert "ReadWritePaths=/var/lib/radio" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_rates_the_exposure_at_most_2_5():
    out = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(UNIT)], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for radio-web\.service: ([\d.]+)", out.stdout + out.stderr)
    assert match, out.stdout + out.stderr
    assert float(match.group(1)) <= 2.5
