"""`voicebridge run` as a service manager runs it: a real process, stopped by a signal or failing
to start, each time with one line and an exit code a supervisor can act on."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from bots.cli.command_line_wording import text
from bots.version import running_version
from core.infra.storage.database_engines import MIGRATIONS_DIR, head_revision
from tests.integration.cli.conftest import Silent
from tests.integration.cli.process import TIMEOUT, clean_env, env, voicebridge
from tests.integration.conftest import free_ports
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.voicebridge_process import Started, start

TOKEN = "123456:" + "A" * 35


async def run_started(cwd: Path, settings: dict[str, str], *, anew: bool = False) -> Started:
    return await start(
        "run",
        cwd=cwd,
        env=settings,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        anew=anew,
    )


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
@pytest.mark.parametrize("waiting_for", ["Telegram", "PostgreSQL"])
async def test_a_signal_while_a_service_never_answers_stops_the_bot_at_once(
    mimo: FakeMimo, silent: Silent, cwd: Path, sent: signal.Signals, waiting_for: str
) -> None:
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=silent.url,
        DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
    )
    if waiting_for == "PostgreSQL":
        server = silent.url.removeprefix("http://")
        settings["DATABASE_URL"] = f"postgresql+asyncpg://vb:pw@{server}/vb"
    process = await run_started(cwd, settings)
    try:
        await asyncio.wait_for(silent.connected.wait(), TIMEOUT)  # waiting for its answer
        process.send_signal(sent)
        # Without the fix it waits for Telegram a minute (the safety net is far below that).
        _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    lines = err.decode().splitlines()
    assert process.returncode == 0, lines
    assert "Traceback" not in err.decode()
    assert lines[-1].endswith("voicebridge stopped while starting; nothing was running yet")


@pytest.mark.parametrize("hanging", ["Telegram", "Discord", "the database"])
async def test_a_service_that_never_answers_is_named_while_the_start_still_waits(
    mimo: FakeMimo, silent: Silent, cwd: Path, hanging: str
) -> None:
    """It accepts the connection and says nothing: the log names it and its setting within
    5 s (a quarter of the patience, when that is shorter), long before the start gives up."""
    settings = env(mimo, DATABASE_URL=sqlite_in(cwd), STARTUP_PATIENCE_SECONDS="600")
    if hanging == "Telegram":
        settings |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": silent.url}
    elif hanging == "Discord":
        settings |= {"DISCORD_BOT_TOKEN": "MTA0.some.token", "DISCORD_API_URL": silent.url}
    else:  # PostgreSQL accepting the connection and never answering
        server = silent.url.removeprefix("http://")
        settings |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": silent.url,
                     "DATABASE_URL": f"postgresql+asyncpg://vb:pw@{server}/vb"}  # fmt: skip
    process = await run_started(cwd, settings)
    said: list[str] = []
    try:
        assert process.stderr is not None
        while not any("still waiting for" in line for line in said):
            line = await asyncio.wait_for(process.stderr.readline(), TIMEOUT)
            assert line, said  # it ended: it gave up, or failed, without saying
            said.append(line.decode().rstrip())
        assert process.returncode is None  # still waiting, as it said
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    setting = f"{hanging.upper()}_API_URL"
    if hanging == "the database":
        server = silent.url.removeprefix("http://")
        setting = f"DATABASE_URL (postgresql+asyncpg://vb:[REDACTED]@{server}/vb)"
    assert said[-1].endswith(
        f"still waiting for {hanging} to answer after 5 s (check {setting}); trying for up to 600 s"
    ), said


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_a_signal_while_the_command_menu_is_published_stops_the_bot_cleanly(
    mimo: FakeMimo, cwd: Path, sent: signal.Signals
) -> None:
    """Started (Telegram answered, the updates begun), not yet ready: stopped all the same,
    exit code 0 and no traceback, as a service manager expects."""
    async with FakeBotApi() as bot_api:
        released = bot_api.hold("setMyCommands")
        settings = env(
            mimo,
            TELEGRAM_BOT_TOKEN=bot_api.token,
            TELEGRAM_API_URL=bot_api.root,
            DATABASE_URL=sqlite_in(cwd),
        )
        process = await run_started(cwd, settings)
        try:
            await bot_api.wait_until(lambda: bool(bot_api.waiting), what="the command menu")
            process.send_signal(sent)
            _, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT)
        finally:
            released.set()
            if process.returncode is None:
                process.kill()
                await process.wait()

    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()


class Starting:
    """`voicebridge run` in a process of its own, its log read line by line as it comes."""

    def __init__(self, process: Started) -> None:
        self.process = process
        self.lines: list[str] = []

    async def until_logged(self, said: str) -> None:
        """Until a line of the log holds `said` (the process still running then)."""
        assert self.process.stderr is not None
        async with asyncio.timeout(TIMEOUT):
            while not any(said in line for line in self.lines):
                line = await self.process.stderr.readline()
                assert line, f"ended before saying {said!r}: {self.lines}"
                self.lines.append(line.decode().rstrip("\n"))

    async def stopped_by(self, sent: signal.Signals) -> int:
        """Sends `sent`, then reads the rest until the process ends: its exit code. The safety
        net is far below what a start waits for (STARTUP_PATIENCE_SECONDS, SQLite's lock)."""
        self.process.send_signal(sent)
        _, err = await asyncio.wait_for(self.process.communicate(), timeout=STOPS_WITHIN)
        self.lines += err.decode().splitlines()
        return self.process.returncode or 0

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


STOPS_WITHIN = 20  # seconds; a safety net, not a measurement


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process's write lock on the SQLite file, held for the block: a migration waits
    for it (up to SQLite's busy timeout, 30 s)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


MOMENTS = {
    # what the test waits for in the log before the signal, and what the bot is doing then
    "loading": "starting: Telegram",  # the first line: the bots' libraries load after it
    "migrating": "migrating",  # waiting for the database's write lock, which the test holds
    "retrying": "is not reachable",  # Telegram and Discord both out of reach, tried again
}


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
@pytest.mark.parametrize("moment", list(MOMENTS))
async def test_a_signal_at_any_moment_of_the_start_ends_it_with_exit_code_0(
    mimo: FakeMimo, cwd: Path, sent: signal.Signals, moment: str
) -> None:
    telegram_port, discord_port = free_ports(2)  # nothing listens there
    database = cwd / "voicebridge.db"
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{telegram_port}",
        DISCORD_BOT_TOKEN="MTA0.some.token",
        DISCORD_API_URL=f"http://127.0.0.1:{discord_port}/api/v10",
        DATABASE_URL=sqlite_in(cwd),
        LOG_LEVEL="DEBUG" if moment == "migrating" else "INFO",
    )
    with locked(database) if moment == "migrating" else contextlib.nullcontext():
        # Loading: a new interpreter, which has the bots' libraries to load (a forked one has
        # them loaded already, and the signal would fall after the loading it is about).
        start = Starting(await run_started(cwd, settings, anew=moment == "loading"))
        try:
            await start.until_logged(MOMENTS[moment])
            code = await start.stopped_by(sent)
        finally:
            start.kill()

    assert code == 0, start.lines
    assert not [line for line in start.lines if "Traceback" in line]
    # At DEBUG, asyncio may say which selector a loop (the migration's thread's) took after it.
    said = [line for line in start.lines if " DEBUG asyncio: " not in line]
    assert said[-1].endswith("voicebridge stopped while starting; nothing was running yet")


async def test_both_platforms_out_of_reach_are_named_within_the_patience(
    mimo: FakeMimo, cwd: Path
) -> None:
    telegram_port, discord_port = free_ports(2)  # nothing listens there
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{telegram_port}",
        DISCORD_BOT_TOKEN="MTA0.some.token",
        DISCORD_API_URL=f"http://127.0.0.1:{discord_port}/api/v10",
        DATABASE_URL=sqlite_in(cwd),
        STARTUP_PATIENCE_SECONDS="2.5",
    )

    code, lines = await run_once("run", cwd=cwd, settings=settings)

    assert code == 6
    assert lines[-1].startswith("voicebridge: cannot reach Telegram (NetworkError: "), lines
    assert " or Discord (ClientConnectorError: " in lines[-1]
    assert lines[-1].endswith("; check the network, TELEGRAM_API_URL and DISCORD_API_URL")
    for platform in ("Telegram", "Discord"):
        # Tried at once and again, each wait cut to the time left: 1 s, then 1.5 s, not 2.
        waits = [
            float(line.rsplit("trying again in ", 1)[1].removesuffix(" s"))
            for line in lines
            if f"{platform} is not reachable" in line
        ]
        assert len(waits) >= 2 and sum(waits) <= 2.5, (platform, lines)


async def test_a_first_start_logs_what_it_connects_to_and_its_migrations_in_one_line_each(
    mimo: FakeMimo, bot_api: FakeBotApi, discord_api: FakeDiscord, cwd: Path
) -> None:
    settings = env(
        mimo,
        TELEGRAM_BOT_TOKEN=bot_api.token,
        TELEGRAM_API_URL=bot_api.root,
        DISCORD_BOT_TOKEN=discord_api.token,
        DISCORD_API_URL=discord_api.api_url,
        DATABASE_URL=sqlite_in(cwd),
    )
    logs = []
    for _ in range(2):  # the first start migrates, the second finds nothing to do
        start = Starting(await run_started(cwd, settings))
        try:
            await start.until_logged("voicebridge is running")
            assert await start.stopped_by(signal.SIGTERM) == 0, start.lines
        finally:
            start.kill()
        logs.append(start.lines)

    first, second = logs
    database = cwd / "voicebridge.db"
    assert first[0].endswith(
        f"INFO bots.cli.operations.run_command: voicebridge {running_version()} starting: "
        f"Telegram (polling {bot_api.root}), Discord ({discord_api.api_url}); "
        f"the database: SQLite at {database}; "
        f"settings from the environment only (no .env in {cwd})"
    )
    migrated = [line for line in first if "at revision" in line]
    assert len(migrated) == 1 and migrated[0].endswith(
        f"database: sqlite+aiosqlite:///{database} at revision {head_revision()}, "
        f"{len(list(MIGRATIONS_DIR.glob('versions/0*.py')))} applied"
    )
    assert next(line for line in second if "at revision" in line).endswith(", 0 applied")
    for lines in logs:
        assert not [line for line in lines if " alembic." in line]  # one line, not eighteen
        assert not [line for line in lines if " discord." in line or " telegram." in line]
        assert not [line for line in lines if "TELEGRAM_INLINE_CACHE_CHAT" in line]  # doctor
        assert not [line for line in lines if "Traceback" in line]
        for secret in (mimo.api_key, bot_api.token, discord_api.token):
            assert not [line for line in lines if secret in line]


def sqlite_in(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'voicebridge.db'}"


async def run_once(*args: str, cwd: Path, settings: dict[str, str]) -> tuple[int, list[str]]:
    done = await voicebridge(*args, cwd=cwd, env=settings)
    assert "Traceback" not in done.err, done.err
    return done.code, done.err.splitlines()


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        (
            "DATABASE_URL",
            "postgres://ann:s3cret-pw@db.example:5432/voicebridge",
            "DATABASE_URL is invalid: write postgresql+asyncpg://... instead of postgres://... "
            "(the installed driver)",
        ),
        (
            "DATABASE_URL",
            "sqlite:///x.db",
            "DATABASE_URL is invalid: write sqlite+aiosqlite://... instead of sqlite://... (the "
            "installed driver)",
        ),
        (
            "DATABASE_URL",
            "nonsense",
            "DATABASE_URL is invalid: expected a URL such as "
            "sqlite+aiosqlite:////home/me/voicebridge.db or "
            "postgresql+asyncpg://USER:PASSWORD@HOST:5432/voicebridge",
        ),
        (
            "MIMO_BASE_URL",
            "api.xiaomimimo.com",
            "MIMO_BASE_URL is invalid: expected a URL with its scheme, such as "
            "https://api.xiaomimimo.com/v1 (got 'api.xiaomimimo.com')",
        ),
        (
            "TELEGRAM_API_URL",
            "api.telegram.org",
            "TELEGRAM_API_URL is invalid: expected a URL with its scheme, such as "
            "https://api.telegram.org (got 'api.telegram.org')",
        ),
        (
            "DISCORD_API_URL",
            "discord.com/api/v10",
            "DISCORD_API_URL is invalid: expected a URL with its scheme, such as "
            "https://discord.com/api/v10 (got 'discord.com/api/v10')",
        ),
        (
            "DISCORD_GATEWAY_URL",
            "https://gateway.discord.gg",
            "DISCORD_GATEWAY_URL is invalid: expected a URL with its scheme, such as "
            "wss://gateway.discord.gg (got 'https://gateway.discord.gg')",
        ),
        (
            "DISCORD_BOT_TOKEN",
            "MTk4NjIyNDgzNDcxOTI1MjQ4",
            "DISCORD_BOT_TOKEN does not look like a bot token (expected three parts joined by "
            "dots, such as MTk4NjIy.Cl2FMQ.ZnCjm1XV..., as the developer portal's Bot → Reset "
            "Token gives it)",
        ),
        (
            "LOG_LEVEL",
            "verbose",
            "LOG_LEVEL is invalid: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got "
            "'verbose')",
        ),
    ],
)
async def test_a_setting_that_cannot_work_is_one_line_naming_it(
    mimo: FakeMimo, cwd: Path, setting: str, value: str, said: str
) -> None:
    settings = env(mimo, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=sqlite_in(cwd)) | {setting: value}

    # A token is judged when the bots start; the database commands need none.
    commands = [["run"]] if setting.endswith("_TOKEN") else [["run"], ["db", "upgrade"]]
    for args in commands:
        code, lines = await run_once(*args, cwd=cwd, settings=settings)
        assert (code, lines) == (2, [f"voicebridge: {said}"])
    assert list(cwd.iterdir()) == []


async def test_postgresql_out_of_reach_is_tried_again_then_named_in_one_line(
    mimo: FakeMimo, cwd: Path
) -> None:
    [port] = free_ports()  # a PostgreSQL that is not running
    url = f"postgresql+asyncpg://voicebridge:s3cret-pw@127.0.0.1:{port}/voicebridge"
    settings = env(mimo, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url, STARTUP_PATIENCE_SECONDS="1.5")

    code, lines = await run_once("run", cwd=cwd, settings=settings)

    assert code == 6
    retries = [line for line in lines if "the database is not reachable" in line]
    assert retries and all("WARNING" in line for line in retries), lines
    assert lines[-1] == (
        f"voicebridge: cannot reach the database (ConnectionRefusedError: [Errno 111] Connect call "
        f"failed ('127.0.0.1', {port})); check the network and DATABASE_URL "
        f"(postgresql+asyncpg://voicebridge:[REDACTED]@127.0.0.1:{port}/voicebridge)"
    )
    assert not any("s3cret-pw" in line for line in lines)


async def test_db_commands_on_a_database_that_is_not_there_say_so(
    mimo: FakeMimo, cwd: Path
) -> None:
    settings = clean_env(DATABASE_URL=sqlite_in(cwd))
    path = cwd / "voicebridge.db"

    for action in ("current", "purge"):
        code, lines = await run_once("db", action, cwd=cwd, settings=settings)
        assert (code, lines[-1]) == (
            2,
            f"voicebridge: no database at {path} (DATABASE_URL): voicebridge db upgrade (or run) "
            "creates it",
        )
    assert not path.exists()  # reading it did not make an empty one

    sqlite3.connect(path).close()  # there, and empty: never migrated
    code, lines = await run_once("db", "purge", cwd=cwd, settings=settings)
    assert code == 2
    assert lines[-1] == (
        f"voicebridge: the database sqlite+aiosqlite:///{path} has no tables yet, so nothing "
        "to purge: voicebridge db upgrade (or run) creates them"
    )


def test_every_command_that_can_fail_unexpectedly_has_the_verbose_option_it_promises() -> None:
    """'run with -v to see where' (cli.unexpected) must name an option that exists."""
    from bots.cli.voicebridge_command import voicebridge as group

    assert "-v" in text("cli.unexpected", error="x")
    for name, cmd in group.commands.items():
        # A group of commands (`import`) runs nothing itself: each of its commands does.
        inner = cmd.commands if isinstance(cmd, click.Group) else {name: cmd}
        for each, runs in inner.items():
            options = {opt for param in runs.params for opt in param.opts}
            assert "-v" in options, each


async def test_settings_come_from_the_env_file_named_on_any_command(
    mimo: FakeMimo, cwd: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "etc" / "voicebridge.env"
    elsewhere.parent.mkdir()
    elsewhere.write_text("LOG_LEVEL=verbose\n")  # read, it stops the start in one line
    settings = env(mimo, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=sqlite_in(cwd))
    (cwd / ".env").write_text("LOG_LEVEL=INFO\n")  # what the current folder has is not read

    after_command = await run_once("run", "--env-file", str(elsewhere), cwd=cwd, settings=settings)
    before_it = await run_once(
        "--env-file", str(elsewhere), "db", "upgrade", cwd=cwd, settings=settings
    )
    missing = await run_once("run", "--env-file", "nope.env", cwd=cwd, settings=settings)

    said = "voicebridge: LOG_LEVEL is invalid: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    for code, lines in (after_command, before_it):
        assert code == 2 and lines[-1].startswith(said), lines
    assert missing == (2, ["voicebridge: --env-file nope.env: no such file"])


async def test_env_file_dev_null_reads_as_an_empty_file(mimo: FakeMimo, cwd: Path) -> None:
    """`--env-file /dev/null`: the settings from the environment alone, whatever .env the
    current folder holds (here one that would stop every command)."""
    (cwd / ".env").write_text("LOG_LEVEL=verbose\n")
    settings = env(mimo, DATABASE_URL=sqlite_in(cwd))

    upgraded = await voicebridge("--env-file", "/dev/null", "db", "upgrade", cwd=cwd, env=settings)
    checked = await voicebridge("doctor", "--env-file", "/dev/null", cwd=cwd, env=settings)
    folder = await run_once("run", "--env-file", str(cwd), cwd=cwd, settings=settings)

    assert (upgraded.code, upgraded.err) == (0, ""), upgraded.err
    assert upgraded.text.startswith("created at ")
    assert "✓ settings: from /dev/null and the environment (which wins)" in checked.text
    assert folder == (2, [f"voicebridge: --env-file {cwd}: a folder, not a settings file"])


async def test_a_name_in_the_env_file_that_is_no_setting_stops_the_start_unless_ignored(
    mimo: FakeMimo, cwd: Path
) -> None:
    """TELEGRAM_TOKEN for TELEGRAM_BOT_TOKEN: the bot would start without Telegram."""
    env_file = cwd / ".env"
    env_file.write_text("TELEGRAM_TOKEN=" + TOKEN + "\n")
    env_file.chmod(0o600)
    settings = env(mimo, DATABASE_URL=sqlite_in(cwd))

    refused = await run_once("run", cwd=cwd, settings=settings)
    ignored = await run_once("run", cwd=cwd, settings=settings | {"IGNORED_ENV_NAMES": "*"})

    assert refused == (2, [
        f"voicebridge: {env_file}: TELEGRAM_TOKEN is not a setting: did you mean "
        "TELEGRAM_BOT_TOKEN? Correct it, or list a name meant for another program in "
        "IGNORED_ENV_NAMES."
    ])  # fmt: skip
    # Past the names, the start goes on (and finds no token, the typo having been kept).
    assert ignored[1][-1] == (
        "voicebridge: no bot to start: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN"
    )


async def test_a_name_in_the_environment_almost_a_setting_stops_the_start_as_in_a_file(
    mimo: FakeMimo, cwd: Path
) -> None:
    """ALLOWED_USER for ALLOWED_USERS, handed in as environment (compose does so with .env):
    the bot would serve everyone. A name of another program's is let be."""
    settings = env(mimo, DATABASE_URL=sqlite_in(cwd), TELEGRAM_BOT_TOKEN=TOKEN,
                   ALLOWED_USER="telegram:777", COMPOSE_PROFILES="replicas")  # fmt: skip

    refused = await run_once("run", cwd=cwd, settings=settings)

    assert refused == (2, [
        "voicebridge: the environment: ALLOWED_USER is not a setting: did you mean "
        "ALLOWED_USERS? Correct it, or list a name meant for another program in "
        "IGNORED_ENV_NAMES."
    ])  # fmt: skip


async def test_the_database_and_its_folder_are_private_and_an_exposed_env_file_is_warned_of(
    mimo: FakeMimo, cwd: Path, tmp_path: Path
) -> None:
    """Transcripts, logged messages and voice samples are the chats', not the machine's: the
    data folder 700, the database and its write-ahead log 600, whatever the umask."""
    data = tmp_path / "xdg"
    (cwd / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n")
    (cwd / ".env").chmod(0o644)
    async with FakeBotApi(token=TOKEN) as bot_api:
        settings = env(mimo, TELEGRAM_API_URL=bot_api.root, XDG_DATA_HOME=str(data))
        process = await start(
            "run", cwd=cwd, env=settings, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            umask=0o022,
        )  # fmt: skip
        try:
            await bot_api.wait_until(
                lambda: any(call.method == "getUpdates" for call in bot_api.calls),
                what="the bot polling",
                timeout=TIMEOUT,
            )
            folder = data / "voicebridge"
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    assert process.returncode == 0, err.decode()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert modes == {"voicebridge.db": 0o600, "voicebridge.db-wal": 0o600,
                     "voicebridge.db-shm": 0o600}  # fmt: skip
    warned = [line for line in err.decode().splitlines() if "chmod 600" in line]
    assert len(warned) == 1 and "WARNING" in warned[0], err.decode()
