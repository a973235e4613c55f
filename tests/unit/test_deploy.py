"""The systemd unit in deploy/: it parses, it names what the docs say, and its ExecStart is a
command this voicebridge has."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.voicebridge_process import installed

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "voicebridge.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd's keys keep their case
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_restarts_after_failures_but_not_after_a_wrong_setting() -> None:
    service = unit()["Service"]

    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a setting is wrong: restarting won't fix it
    assert service["KillSignal"] == "SIGTERM"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_s_exec_start_is_a_command_voicebridge_has() -> None:
    program, *args = shlex.split(unit()["Service"]["ExecStart"])
    assert Path(program).name == "voicebridge"
    done = subprocess.run(
        [*installed(), *args, "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert "Start every bot whose token is set" in done.stdout
    assert "--env-file" in done.stdout


def test_what_the_service_creates_is_its_own_and_the_system_is_read_only_to_it() -> None:
    service = unit()["Service"]

    assert service["UMask"] == "0077"  # the database, its journal, exports: 600
    assert service["ProtectSystem"] == "strict"
    # ...but the data folder, which systemd makes (and gives to the user) as a state directory.
    assert service["StateDirectory"] == "voicebridge"
    assert service["Environment"] == "XDG_DATA_HOME=/var/lib"
    for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert service[hardening] == "yes", hardening


def test_systemd_rates_the_unit_s_exposure_ok() -> None:
    """What docs/operations/running.md says `systemd-analyze security` rates the unit, measured
    where systemd is installed (with `--offline`, as systemd 252 and later have it)."""
    documented = re.search(
        r"rates it (\d\.\d)\s+OK", (UNIT.parents[1] / "docs/operations/running.md").read_text()
    )
    assert documented is not None
    assert float(documented[1]) <= 4.0
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here: nothing rates the unit")
    done = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(UNIT)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    rated = re.search(r"Overall exposure level for \S+: (\d+\.\d) (\w+)", done.stdout)
    assert rated is not None, done.stdout + done.stderr
    assert (rated[1], rated[2]) == (documented[1], "OK")


def test_the_invite_link_asks_for_the_permissions_the_docs_explain() -> None:
    from bots.discord.application.invite_link import INVITE_PERMISSIONS, invite_link

    page = (UNIT.parents[1] / "docs/getting-started/discord.md").read_text()
    documented = re.search(r"oauth2/authorize\?client_id=APP_ID&\S*permissions=(\d+)", page)

    assert documented is not None
    assert INVITE_PERMISSIONS.value == int(documented[1])
    assert invite_link(42).replace("42", "APP_ID", 1) in page
