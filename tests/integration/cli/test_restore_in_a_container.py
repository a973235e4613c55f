"""The container page's restore as it runs in the container compose makes for it: its script
(the `sh -c` of `docker compose run ... --user root`) run here, with the volume's /data and the
copy's /backup as folders of the test, and the image's user `voicebridge` as the one running
the tests. It must work on a volume the bot never started on (a new host, a bot moved into
compose), where /data holds nothing yet, as on one it used; the bot then finds the database."""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import re
import sqlite3
import stat
from pathlib import Path

from core.infra.storage.database_engines import head_revision
from tests.integration.cli.process import TIMEOUT, clean_env, voicebridge

PAGE = Path(__file__).parents[3] / "docs" / "operations" / "running.md"
COPY = "voicebridge-2026-11-28.db"  # the name the page gives the copy


def restore_commands() -> list[str]:
    """The page's shell blocks that restore a copy into the volume."""
    blocks = re.findall(r"```sh\n(.*?)```", PAGE.read_text(), re.DOTALL)
    return [block for block in blocks if "--user root" in block]


def script() -> str:
    [block] = restore_commands()
    [found] = re.findall(r"--entrypoint sh voicebridge -c '([^']*)'", block)
    return found


def in_folders(text: str, *, data: Path, backup: Path) -> str:
    """The script with the container's folders and user as this test has them."""
    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    text = text.replace("/backup/", f"{backup}/").replace("/data/", f"{data}/")
    return text.replace("-o voicebridge -g voicebridge", f"-o {me} -g {group}")


async def restore(command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "sh", "-c", command,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    return process.returncode or 0, out.decode()


async def test_the_restore_works_on_a_fresh_volume_and_on_one_the_bot_used(
    tmp_path: Path,
) -> None:
    home = tmp_path / "old-host"
    made = await voicebridge("db", "upgrade", cwd=tmp_path, env=clean_env(XDG_DATA_HOME=str(home)))
    assert made.code == 0, made.err
    with sqlite3.connect(home / "voicebridge" / "voicebridge.db") as db:
        db.execute(
            "INSERT INTO chat_usage (platform, chat_id, day, audio_seconds) "
            "VALUES ('telegram', '1', '2026-11-28', 42)"
        )
    backup = tmp_path / "checkout"
    backup.mkdir()
    copied = await voicebridge(
        "db", "backup", str(backup / COPY), cwd=tmp_path, env=clean_env(XDG_DATA_HOME=str(home))
    )
    assert copied.code == 0, copied.err
    data = tmp_path / "volume"  # as a new volume is mounted: empty
    data.mkdir()
    command = in_folders(script(), data=data, backup=backup)

    fresh = await restore(command)
    assert fresh == (0, "")
    database = data / "voicebridge" / "voicebridge.db"
    (database.parent / "voicebridge.db-wal").write_bytes(b"")  # the used volume's, left by a run
    again = await restore(command)
    found = await voicebridge("db", "current", cwd=tmp_path, env=clean_env(XDG_DATA_HOME=str(data)))

    assert again == (0, "")
    modes = [stat.S_IMODE(path.stat().st_mode) for path in (database.parent, database)]
    assert modes == [0o700, 0o600]
    assert sorted(p.name for p in database.parent.iterdir()) == ["voicebridge.db"]
    assert (found.code, found.text) == (0, f"{head_revision()}\n")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT audio_seconds FROM chat_usage").fetchall() == [(42,)]
