"""What each `voicebridge` command loads: a user pays it on every call, and so does the suite,
which starts `voicebridge` as a process a hundred times and more.

A fresh interpreter runs the command, then names the top-level packages it loaded. The shell
commands build `core.bootstrap.standalone`, which stores nothing: neither the database layer
nor either bot library (together about half of the start-up time and a third of its memory).
Help, the version and the database's commands load no bot library, no HTTP client and no
server; `run` loads the library of each platform it starts, and aiohttp only for a server of
its own (Telegram's webhook, OPS_LISTEN) or Discord (a quarter of a second of CPU each start).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHELL_COMMANDS = """
import asyncio, json, sys
from bots.cli import voicebridge_command
from bots.cli.recordings import ask_command, summarise_command, transcribe_command
from bots.cli.voices import say_command
from core.bootstrap import standalone
from core.config import Settings

async def main():
    async with standalone(Settings(mimo_api_key="k", _env_file=None)) as runtime:
        assert runtime.transcription is not None

asyncio.run(main())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

# Each command as the installed script runs it (`bots.cli.main`), its exit code checked, then
# what it loaded.
COMMANDS = """
import json, sys
from bots.cli import main
for argv, code in json.loads(sys.argv[1]):
    assert main(argv) == code, (argv, code)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

# What `voicebridge run` loads before its event loop (`bots.cli.operations.run_command._starting`):
# the code of the whole start, so that a signal meanwhile ends it at once, with the garbage
# collector off as `run` turns it off, and on again for the bots. One start after another in one
# process, what was loaded named after each.
RUN_START = """
import gc, json, sys
from bots.cli.operations.run_command import _starting
from core.config import Settings

for settings in json.loads(sys.argv[1]):
    gc.disable()
    _starting(Settings(_env_file=None, **settings))
    assert gc.isenabled(), "the bots would run without the garbage collector"
    print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

ROOT = Path(__file__).parents[2]
BOT_LIBRARIES = {"telegram", "discord"}
DATABASE = {"sqlalchemy", "alembic", "aiosqlite", "asyncpg"}
TELEGRAM = {"telegram_bot_token": "123456:" + "A" * 35, "mimo_api_key": "k"}


def packages_loaded(program: str, *args: str, **settings: str) -> set[str]:
    """The packages `program` loaded, run with nothing of the developer's shell but `settings`
    (no .env: it runs in no folder that has one)."""
    return loaded_each_time(program, *args, **settings)[-1]


def loaded_each_time(program: str, *args: str, **settings: str) -> list[set[str]]:
    """The packages loaded by each time `program` printed them."""
    done = subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)} | settings,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [set(json.loads(line)) for line in done.stdout.splitlines() if line.startswith("[")]


def test_the_shell_commands_start_without_the_database_or_the_bot_libraries() -> None:
    modules = packages_loaded(SHELL_COMMANDS)
    assert "core" in modules and "httpx" in modules  # the probe did build the runtime
    assert modules.isdisjoint(DATABASE)
    assert modules.isdisjoint(BOT_LIBRARIES)


def test_help_and_the_version_load_no_library_of_the_work() -> None:
    helps = [[*command, "--help"] for command in ([], ["init"], ["run"], ["db"], ["doctor"])]
    modules = packages_loaded(COMMANDS, json.dumps([[["--version"], 0], *[[h, 0] for h in helps]]))
    assert "click" in modules and "bots" in modules  # the commands did run
    assert modules.isdisjoint(BOT_LIBRARIES | DATABASE | {"aiohttp", "httpx", "pydantic"})


def test_the_database_commands_load_no_bot_library_nor_any_http(tmp_path: Path) -> None:
    """`db current` on a file that is not there: said after the settings and the database
    layer are loaded, where a database that is there would be read."""
    missing = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    modules = packages_loaded(COMMANDS, json.dumps([[["db", "current"], 2]]), DATABASE_URL=missing)
    assert "pydantic_settings" in modules and "sqlalchemy" in modules  # it got that far
    assert modules.isdisjoint(BOT_LIBRARIES | {"aiohttp", "httpx"})


@pytest.mark.parametrize(
    "serving",
    [{"ops_listen": "127.0.0.1:9"}, {"telegram_webhook_url": "https://bot.example/hook"}],
    ids=["OPS_LISTEN", "webhook"],
)
def test_run_loads_the_platforms_it_starts_and_a_server_only_when_it_serves(
    serving: dict[str, str],
) -> None:
    """Telegram on polling, then (in the same process) a start that serves."""
    polling, served = loaded_each_time(RUN_START, json.dumps([TELEGRAM, TELEGRAM | serving]))
    assert {"telegram", "sqlalchemy", "core"} <= polling
    assert polling.isdisjoint({"discord", "aiohttp"})
    assert "aiohttp" in served and "discord" not in served
