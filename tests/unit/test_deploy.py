"""The systemd unit in deploy/: it parses, it names what the docs say, and its ExecStart is a
command this voicebridge has."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys
from pathlib import Path

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
    installed = Path(sys.executable).parent / "voicebridge"
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "bots.cli"]

    done = subprocess.run(
        [*command, *args, "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert "Start every bot whose token is set" in done.stdout
    assert "--env-file" in done.stdout
