"""Backups as the backups page tells a new user to take them, its commands pasted from the
checkout: the database the bot really uses is copied, readable by its owner only, and nothing
else is made, not even where the path is wrong."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from tests.integration.cli.process import TIMEOUT, clean_env, voicebridge

PAGE = Path(__file__).parents[3] / "docs" / "operations" / "backups.md"


def sqlite_commands() -> list[str]:
    """The shell blocks of the page's SQLite section that take a backup, in order."""
    section = PAGE.read_text().split("## SQLite", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [block for block in blocks if "backup" in block and "sudo" not in block]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def user(home: Path) -> dict[str, str]:
    """A user's environment: their own home, the data folder where the bot keeps its database
    by default (~/.local/share/voicebridge), and the English the page is in."""
    return clean_env(HOME=str(home))


def checkout(tmp_path: Path, name: str) -> Path:
    """A folder like the checkout of the quick start: its `.venv` is this one."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return folder


def made_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".venv")


async def shell(command: str, *, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "sh", "-c", command, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    return process.returncode or 0, out.decode()


def the_database(home: Path) -> Path:
    return home / ".local" / "share" / "voicebridge" / "voicebridge.db"


async def test_the_pages_commands_back_up_the_real_database_privately_and_make_nothing_else(
    tmp_path: Path, home: Path, user: dict[str, str]
) -> None:
    made = await voicebridge("db", "upgrade", cwd=tmp_path, env=user)
    assert made.code == 0, made.err
    database = the_database(home)
    db = sqlite3.connect(database)
    with db:
        db.execute(
            "INSERT INTO chat_usage (platform, chat_id, day, audio_seconds) "
            "VALUES ('telegram', '1', '2026-11-26', 42)"
        )
    db.close()
    commands = sqlite_commands()
    assert len(commands) == 2, commands  # voicebridge's, and SQLite's own program

    for number, command in enumerate(commands):
        folder = checkout(tmp_path, f"checkout-{number}")
        code, said = await shell(command, cwd=folder, env=user)

        assert code == 0, said
        [backup] = made_in(folder)  # the copy, and nothing else: no voicebridge.db here
        assert re.fullmatch(r"voicebridge-\d{4}-\d\d-\d\d\.db", backup), backup
        assert stat.S_IMODE((folder / backup).stat().st_mode) == 0o600
        copy = sqlite3.connect(folder / backup)
        [(seconds,)] = copy.execute("SELECT audio_seconds FROM chat_usage").fetchall()
        copy.close()
        assert seconds == 42
    assert made_in(database.parent) == ["voicebridge.db"]


async def test_where_there_is_no_database_the_pages_commands_make_none(
    tmp_path: Path, home: Path, user: dict[str, str]
) -> None:
    for number, command in enumerate(sqlite_commands()):
        folder = checkout(tmp_path, f"checkout-{number}")
        code, said = await shell(command, cwd=folder, env=user)

        assert code != 0, said
        assert made_in(folder) == []
    assert os.listdir(home) == []  # no data folder made, no database
    told = await voicebridge("db", "backup", cwd=checkout(tmp_path, "again"), env=user)
    assert told.err == (
        f"voicebridge: no database at {the_database(home)} (DATABASE_URL): nothing to back up\n"
    )


async def test_a_backup_never_replaces_a_file(tmp_path: Path, user: dict[str, str]) -> None:
    assert (await voicebridge("db", "upgrade", cwd=tmp_path, env=user)).code == 0
    (tmp_path / "mine.db").write_text("a file of mine")

    done = await voicebridge("db", "backup", "mine.db", cwd=tmp_path, env=user)

    assert done.code == 3
    assert done.err == "voicebridge: mine.db is there already: name another file\n"
    assert (tmp_path / "mine.db").read_text() == "a file of mine"
