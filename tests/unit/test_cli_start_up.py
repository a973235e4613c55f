"""What `voicebridge transcribe`, `say` and `ask` load: a user pays it on every call.

The shell commands build `core.bootstrap.standalone`, which stores nothing; a fresh interpreter
that imports the commands and opens that runtime must not have loaded the database layer or
either bot library (together about half of the start-up time and a third of its memory).
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import asyncio, json, sys
from bots.cli import app, ask, say, summarise, transcribe
from core.bootstrap import standalone
from core.config import Settings

async def main():
    async with standalone(Settings(mimo_api_key="k", _env_file=None)) as runtime:
        assert runtime.transcription is not None

asyncio.run(main())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by_the_shell_commands() -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


def test_the_shell_commands_start_without_the_database_or_the_bot_libraries() -> None:
    loaded = loaded_by_the_shell_commands()
    assert "core" in loaded and "httpx" in loaded  # the probe did build the runtime
    assert loaded.isdisjoint({"sqlalchemy", "alembic", "aiosqlite", "asyncpg"})
    assert loaded.isdisjoint({"telegram", "discord"})
