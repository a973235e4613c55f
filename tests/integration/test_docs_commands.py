"""Every shell command the documentation shows is run here, checked against what it names, or
listed with the reason it cannot run here: a renamed flag, a removed subcommand, a moved file or
an extra gone from pyproject.toml fails a test before a reader pastes the command.

The commands are those of README.md's and docs/'s fenced shell blocks (tests/docs_commands.py
cuts them out). Every one gets the checks that need nothing running:
- `voicebridge ...`: each subcommand, the first argument of a command that takes one of a few
  (`db upgrade`), and each flag appear in the real command's `--help` at that level;
- `python -m bench ...`, `python -m tests.breaks ...` and `mkdocs ...` the same against theirs:
  bench's `--only` among its choices, a break among those `--list` lists;
- `pip install -e '.[extra]'`: each extra is in pyproject.toml's;
- a file of the repository it names (also under the systemd page's `/opt/voicebridge`, and a
  program under `.venv/bin`) is there.
Then each is RUN here (in a scratch checkout whose `.venv` is this one, with a home of its own,
MiMo's stand-in where it needs MiMo, up to where it needs a real token or answer), run as
written by another test (ELSEWHERE), or NOT_RUN with its reason. A command in none of them
fails `test_every_command_shown_is_run_or_listed`, as does an entry no page shows any more. The
run prints what it ran and what it did not, and why: `pytest -rA` shows it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from bots.version import running_version
from core.infra.storage.database_engines import head_revision
from tests.audio_factory import make_audio
from tests.db_fixtures import migrated_sqlite_at
from tests.docs_commands import (
    ROOT,
    Block,
    DocCommand,
    all_commands,
    blocks,
    commands,
    extras_named,
    flags,
    in_repository,
    project_extras,
    simple_commands,
)
from tests.integration.cli.process import TIMEOUT, clean_env
from tests.integration.cli.test_backup import sqlite_commands
from tests.integration.cli.test_restore_in_a_container import restore_commands
from tests.standins.mimo import FakeMimo
from tests.voicebridge_process import DEVNULL, PIPE, STDOUT, start

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class DocRun:
    """Run here, in a scratch checkout: its exit code (None: any but 0), what its output says,
    what it needs made first (`database`: the bot's SQLite database in the home's data folder;
    a file name: a short recording, a text, or a copy of the database, by its extension), the
    files it must leave in the checkout, MiMo's stand-in in its environment, or the repository
    itself as its folder (`here`)."""

    code: int | None
    says: str = ""
    needs: tuple[str, ...] = ()
    makes: tuple[str, ...] = ()
    mimo: bool = False
    here: bool = False


@dataclass(frozen=True)
class Elsewhere:
    """Run as written by `test`, which reads the blocks `runs` returns."""

    test: str
    runs: Callable[[], list[str]]


@dataclass(frozen=True)
class NotRun:
    why: str


Handling = DocRun | Elsewhere | NotRun

VENV = "makes a virtual environment: the tests run in one, whose bin/ stands for .venv/bin here"
PIP = "installs from the package index (the network); the extras it names are checked"
CONTAINER = (
    "needs a container engine, which the test machines lack: .ci/image builds the image and runs "
    "its voicebridge inside it; the voicebridge command a run or exec names is checked"
)
ROOT_ONLY = (
    "needs root (a system user, /opt, /etc, systemd): its voicebridge, files and extras are checked"
)
POSTGRES = (
    "needs a PostgreSQL server; the migrations run on one in tests/integration/test_migrations.py "
    "when TEST_DATABASE_URL is set, as CI sets it"
)
BENCH = "a benchmark: minutes of the whole machine; its --only choice and flags are checked"

ON_A_FRESH_START = DocRun(code=None, says="TELEGRAM_BOT_TOKEN")  # run: no bot to start yet
ASKS_FOR_THE_KEY = DocRun(code=None, says="MiMo API key")  # init: the first question, no answer
DOCTOR_WITHOUT_SETTINGS = DocRun(code=1, says="MIMO_API_KEY")
IMPORT_WITHOUT_EXPORT = DocRun(code=None, says="ChatExport_2026-11-26")

# What each command the docs show gets here, by its text as shown (continuations joined, the
# comment dropped, one part of a `&&` chain).
COMMANDS: dict[str, Handling] = {
    "python3 -m venv .venv": NotRun(VENV),
    "python3.13 -m venv .venv-3.13": NotRun(VENV),
    "sudo python3 -m venv /opt/voicebridge/.venv": NotRun(ROOT_ONLY),
    ".venv/bin/pip install -q -e '.[voice]'": NotRun(PIP),
    ".venv/bin/pip install -q -e '.[dev]'": NotRun(PIP),
    ".venv/bin/pip install -q -e '.[docs]'": NotRun(PIP),
    ".venv/bin/pip install -e '.[dev,bench]'": NotRun(PIP),
    ".venv-3.13/bin/pip install -q -e '.[dev]'": NotRun(PIP),
    ".venv/bin/pytest": NotRun("the suite this test is part of"),
    ".venv-3.13/bin/pytest": NotRun("the suite, on another Python (.ci/run runs it)"),
    ".venv/bin/mkdocs serve": NotRun("serves the site until stopped; its flags are checked"),
    "NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict": NotRun(
        ".ci/run builds the site strictly after the tests; its flags are checked"
    ),
    # The quick start, and the command line's page.
    ".venv/bin/voicebridge init": ASKS_FOR_THE_KEY,
    "voicebridge init": ASKS_FOR_THE_KEY,
    ".venv/bin/voicebridge doctor": DOCTOR_WITHOUT_SETTINGS,
    "voicebridge doctor": DOCTOR_WITHOUT_SETTINGS,
    ".venv/bin/voicebridge run": ON_A_FRESH_START,
    "voicebridge run": ON_A_FRESH_START,
    "voicebridge --version": DocRun(code=0, says=f"voicebridge {running_version()}\n"),
    "voicebridge transcribe meeting.m4a": DocRun(code=0, needs=("meeting.m4a",), mimo=True),
    "voicebridge transcribe *.m4a --format srt --output-dir subs": DocRun(
        code=0, needs=("meeting.m4a",), makes=("subs/meeting.srt",), mimo=True
    ),
    "voicebridge transcribe call.ogg -f srt -f vtt -f json": DocRun(
        code=0, needs=("call.ogg",), makes=("call.srt", "call.vtt", "call.json"), mimo=True
    ),
    "cat memo.ogg | voicebridge transcribe - --language zh": DocRun(
        code=0, needs=("memo.ogg",), mimo=True
    ),
    'voicebridge say "晚上好" --voice 茉莉 --style happy -o hi.mp3': DocRun(
        code=0, makes=("hi.mp3",), mimo=True
    ),
    "voicebridge say - -o story.ogg --subtitles story.srt < story.txt": DocRun(
        code=0, needs=("story.txt",), makes=("story.ogg", "story.srt"), mimo=True
    ),
    "voicebridge say --list-voices": DocRun(code=0, says="茉莉", mimo=True),
    'voicebridge ask meeting.m4a "What was decided about the launch date?" --json': DocRun(
        code=0, says='"answer"', needs=("meeting.m4a",), mimo=True
    ),
    "voicebridge summarise meeting.m4a": DocRun(code=0, needs=("meeting.m4a",), mimo=True),
    "voicebridge summarise call.ogg --in de --json": DocRun(code=0, needs=("call.ogg",), mimo=True),
    "voicebridge db upgrade": DocRun(code=0, says=head_revision()),
    "voicebridge db backup": DocRun(code=0, needs=("database",), makes=("voicebridge-*.db",)),
    "voicebridge db purge": DocRun(code=0, needs=("database",)),
    "voicebridge find telegram:-1001234567890 invoice": DocRun(code=0, needs=("database",)),
    "voicebridge import telegram ChatExport_2026-11-26": IMPORT_WITHOUT_EXPORT,
    "voicebridge import telegram ~/Downloads/Telegram\\ Desktop/ChatExport_2026-11-26": (
        IMPORT_WITHOUT_EXPORT
    ),
    'eval "$(_VOICEBRIDGE_COMPLETE=bash_source voicebridge)"': DocRun(code=0),
    'eval "$(_VOICEBRIDGE_COMPLETE=zsh_source voicebridge)"': NotRun(
        "zsh's own script, for zsh (bash's runs here)"
    ),
    "_VOICEBRIDGE_COMPLETE=fish_source voicebridge | source": NotRun(
        "fish's own script, for fish (bash's runs here)"
    ),
    # Developing.
    ".venv/bin/python -m tests.breaks": NotRun(
        "plants every break in a copy of HEAD and runs its guards: minutes"
    ),
    ".venv/bin/python -m tests.breaks --list": DocRun(
        code=0, says="claims-done-taken-over", here=True
    ),
    ".venv/bin/python -m tests.breaks claims-done-taken-over --all": NotRun(
        "the whole suite with one break planted; the break's name and --all are checked"
    ),
    # Operations.
    ".venv/bin/voicebridge db backup": Elsewhere(
        "tests/integration/cli/test_backup.py", sqlite_commands
    ),
    "sudo -u voicebridge XDG_DATA_HOME=/var/lib /opt/voicebridge/.venv/bin/voicebridge db backup"
    " --env-file /etc/voicebridge/voicebridge.env /var/lib/voicebridge/backup-$(date +%F).db": (
        NotRun(ROOT_ONLY)
    ),
    "DB=~/.local/share/voicebridge/voicebridge.db": Elsewhere(
        "tests/integration/cli/test_backup.py", sqlite_commands
    ),
    'test -s "$DB"': Elsewhere("tests/integration/cli/test_backup.py", sqlite_commands),
    '(umask 077 && sqlite3 "file:$DB?mode=rw" ".backup voicebridge-$(date +%F).db")': Elsewhere(
        "tests/integration/cli/test_backup.py", sqlite_commands
    ),
    "install -m 600 voicebridge-2026-11-25.db ~/.local/share/voicebridge/voicebridge.db": DocRun(
        code=0, needs=("database", "voicebridge-2026-11-25.db")
    ),
    "rm -f ~/.local/share/voicebridge/voicebridge.db-wal"
    " ~/.local/share/voicebridge/voicebridge.db-shm": DocRun(code=0),
    "pg_dump --format=custom --file=voicebridge-$(date +%F).dump"
    ' "postgresql://voicebridge@dbhost/voicebridge"': NotRun(POSTGRES),
    "createuser voicebridge --pwprompt": NotRun(POSTGRES),
    "voicebridge db copy postgresql+asyncpg://voicebridge:PASSWORD@dbhost:5432/voicebridge": (
        NotRun(f"{POSTGRES}; the copy, in tests/integration/cli/test_db_copy.py")
    ),
    "createdb -O voicebridge voicebridge": NotRun(POSTGRES),
    "export DATABASE_URL=postgresql+asyncpg://voicebridge:PASSWORD@dbhost:5432/voicebridge": (
        NotRun(POSTGRES)
    ),
    "sudo useradd --system --home-dir /var/lib/voicebridge voicebridge": NotRun(ROOT_ONLY),
    'sudo git clone "$(git remote get-url origin)" /opt/voicebridge': NotRun(ROOT_ONLY),
    "sudo /opt/voicebridge/.venv/bin/pip install -q -e '/opt/voicebridge[voice]'": NotRun(
        ROOT_ONLY
    ),
    "sudo install -d -m 700 -o voicebridge -g voicebridge /etc/voicebridge /var/lib/voicebridge": (
        NotRun(ROOT_ONLY)
    ),
    "sudo -u voicebridge /opt/voicebridge/.venv/bin/voicebridge init"
    " --env-file /etc/voicebridge/voicebridge.env": NotRun(ROOT_ONLY),
    "sudo -u voicebridge XDG_DATA_HOME=/var/lib /opt/voicebridge/.venv/bin/voicebridge doctor"
    " --env-file /etc/voicebridge/voicebridge.env": NotRun(ROOT_ONLY),
    "sudo cp /opt/voicebridge/deploy/voicebridge.service /etc/systemd/system/": NotRun(ROOT_ONLY),
    "sudo systemctl daemon-reload": NotRun(ROOT_ONLY),
    "sudo systemctl enable --now voicebridge": NotRun(ROOT_ONLY),
    "journalctl -u voicebridge -f": NotRun("follows systemd's journal until stopped"),
    # In a container.
    "cp .env.example .env": NotRun("copies the settings template, which is checked to be there"),
    "chmod 600 .env": NotRun("makes the settings file the reader's alone: nothing to check"),
    "git pull": NotRun("fetches the project's newest commits (the network)"),
    'docker compose run --rm --no-deps --user root --volume "$PWD:/backup:ro" --entrypoint sh'
    " voicebridge -c 'install -d -m 700 -o voicebridge -g voicebridge /data/voicebridge && install"
    " -m 600 -o voicebridge -g voicebridge /backup/voicebridge-2026-11-28.db"
    " /data/voicebridge/voicebridge.db && rm -f /data/voicebridge/voicebridge.db-wal"
    " /data/voicebridge/voicebridge.db-shm'": Elsewhere(
        "tests/integration/cli/test_restore_in_a_container.py (its script)", restore_commands
    ),
    "git log --oneline --grep='^Release ' -G '^version = ' -- pyproject.toml": DocRun(
        code=0, says=f"Release {version('voicebridge')}", here=True
    ),
}

# Commands handled alike whatever their arguments, by their form.
FORMS: list[tuple[re.Pattern[str], Handling]] = [
    (re.compile(r"(TEST_DATABASE_URL=\S+ )?\.venv/bin/python -m bench( .*)?"), NotRun(BENCH)),
    (re.compile(r"(PIP_CERT=\S+ )?docker compose .*"), NotRun(CONTAINER)),
    (re.compile(r"(docker|podman) build .*"), NotRun(CONTAINER)),
]

# Whole blocks handled alike whatever their commands say elsewhere, by their first command.
BLOCKS: dict[tuple[str, str], Handling] = {
    # `voicebridge db upgrade` on PostgreSQL: the same command runs here on SQLite.
    ("docs/operations/database.md", "createuser voicebridge --pwprompt"): NotRun(POSTGRES),
}


CONTRIBUTING = ROOT / "docs" / "contributing" / "index.md"


def recipe_blocks() -> list[Block]:
    """The contributing page's recipe for a new migration."""
    return [block for block in blocks([CONTRIBUTING]) if "command.revision" in block.text]


def the_recipe() -> list[str]:
    return [block.text for block in recipe_blocks()]


def handling(command: DocCommand) -> Handling | None:
    first = commands(command.block)[0]
    if (command.page, first.text) in BLOCKS:
        return BLOCKS[(command.page, first.text)]
    if command.block in recipe_blocks():
        here = Path(__file__).relative_to(ROOT)
        return Elsewhere(f"{here}::test_the_migration_recipe_runs_as_written", the_recipe)
    if command.text in COMMANDS:
        return COMMANDS[command.text]
    return next((handled for form, handled in FORMS if form.fullmatch(command.text)), None)


def described(handled: Handling) -> str:
    if isinstance(handled, DocRun):
        return "run here (test_a_command_that_can_run_here_does_what_the_docs_say)"
    if isinstance(handled, Elsewhere):
        return f"run as written by {handled.test}"
    return f"not run: {handled.why}"


def test_every_command_shown_is_run_or_listed() -> None:
    shown = all_commands()
    unlisted = [f"{c.where}: {c.text}" for c in shown if handling(c) is None]
    assert not unlisted, "shown in the docs, neither run nor listed in COMMANDS:\n" + "\n".join(
        unlisted
    )
    texts = {c.text for c in shown}
    assert [text for text in COMMANDS if text not in texts] == []  # no page shows them any more
    for command in shown:
        handled = handling(command)
        if isinstance(handled, Elsewhere):  # that test still reads this block
            read = [text.strip() for text in handled.runs()]
            assert command.block.text.strip() in read, (command.where, handled.test)
    width = max(len(c.where) for c in shown)
    print(f"\n{len(shown)} commands in {len({c.block for c in shown})} blocks:")
    for command in shown:
        handled = handling(command)
        assert handled is not None
        print(f"{command.where:<{width}}  {command.text}\n{'':<{width}}    {described(handled)}")


# The checks of what each command names.


class Helps:
    """The `--help` (and tests.breaks' `--list`) of each program, asked once."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._said: dict[tuple[str, ...], tuple[int, str]] = {}

    async def voicebridge(self, *path: str) -> tuple[int, str]:
        key = ("voicebridge", *path)
        if key not in self._said:
            process = await start(
                *path, "--help", cwd=self._folder, env=clean_env(), stdout=PIPE, stderr=STDOUT
            )
            out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
            self._said[key] = (await process.wait(), (out or b"").decode())
        return self._said[key]

    async def program(self, *argv: str) -> tuple[int, str]:
        if argv not in self._said:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=ROOT, env=clean_env(), stdin=DEVNULL, stdout=PIPE, stderr=STDOUT
            )
            out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
            self._said[argv] = (await process.wait(), out.decode())
        return self._said[argv]


def mentions(help_text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text) is not None


def takes_a_value(help_text: str, flag: str) -> bool:
    """Whether the help shows `flag` followed by its value's name (`--env-file PATH`)."""
    shown = rf"(?<![\w-]){re.escape(flag)}(?:,\s*-[\w-]+)*[ =]([A-Z][A-Z_]*|\[|\{{)"
    return re.search(shown, help_text) is not None


def subcommands(help_text: str) -> list[str]:
    """The commands a Click group's help lists (empty for a command)."""
    listed = help_text.partition("\nCommands:\n")[2]
    return re.findall(r"^  (\S+)", listed, re.M)


def choices_of_first_argument(help_text: str) -> list[str]:
    """The values the usage line offers its first argument (`{upgrade|current}`), if it does."""
    usage = help_text.strip().splitlines()[0]
    offered = re.search(r"\{([^}]*)\}", usage)
    return re.split(r"[|,]", offered[1]) if offered else []


async def voicebridge_problems(words: list[str], helps: Helps) -> list[str]:
    """What `voicebridge WORDS...` names that its parser does not have, level by level."""
    path: list[str] = []
    code, said = await helps.voicebridge()
    problems = [] if code == 0 else [f"voicebridge --help: exit {code}: {said}"]
    value_next = argument_seen = False
    for word in words:
        shown_as = " ".join(["voicebridge", *path])
        if value_next:
            value_next = False
        elif word.startswith("-") and word != "-":
            flag = word.split("=", 1)[0]
            if not mentions(said, flag):
                problems.append(f"{shown_as} has no {flag} (its --help)")
            value_next = "=" not in word and takes_a_value(said, flag)
        elif argument_seen or word == "SUBSTITUTED":
            continue
        elif listed := subcommands(said):
            if word not in listed:
                problems.append(f"{shown_as} has no command {word!r} (it has {listed})")
                break
            path.append(word)
            code, said = await helps.voicebridge(*path)
            if code != 0:
                problems.append(f"{shown_as} {word} --help: exit {code}: {said}")
                break
        else:
            offered = choices_of_first_argument(said)
            if offered and word not in offered:
                problems.append(f"{shown_as}: {word!r} is none of {offered}")
            argument_seen = True
    return problems


async def module_problems(module: str, words: list[str], helps: Helps) -> list[str]:
    """`python -m bench` and `python -m tests.breaks`: their flags, bench's `--only` choice and
    the breaks named, against their --help and the breaks' --list."""
    code, said = await helps.program(sys.executable, "-m", module, "--help")
    if code != 0:
        return [f"python -m {module} --help: exit {code}: {said.strip().splitlines()[-1:]}"]
    problems = [f"python -m {module} has no {f}" for f in flags(words) if not mentions(said, f)]
    for before, word in itertools.pairwise(words):
        if before == "--only" and module == "bench":
            offered = re.search(r"--only \{([^}]*)\}", said)
            if offered is None or word not in offered[1].split(","):
                problems.append(f"python -m bench --only has no {word!r}")
    if module == "tests.breaks":
        _, listed = await helps.program(sys.executable, "-m", module, "--list")
        names = [word for word in words if not word.startswith("-")]
        problems += [f"tests.breaks has no break {name!r}" for name in names if name not in listed]
    return problems


async def mkdocs_problems(words: list[str], helps: Helps) -> tuple[list[str], str | None]:
    mkdocs = VENV_BIN / "mkdocs"
    if not mkdocs.exists():
        return [], "mkdocs is not installed here (the docs extras): its flags were not checked"
    sub = [word for word in words if not word.startswith("-")][:1]
    code, said = await helps.program(str(mkdocs), *sub, "--help")
    if code != 0:
        return [f"mkdocs {' '.join(sub)} --help: exit {code}: {said}"], None
    return [f"mkdocs {sub[0]} has no {f}" for f in flags(words) if not mentions(said, f)], None


def installed_by(block: Block, before: DocCommand) -> set[str]:
    """The distributions the block's `pip install` of the project's extras brings, up to
    `before`: a program of theirs under .venv/bin is there once they ran."""
    extras = project_extras()
    names: set[str] = set()
    for command in commands(block):
        if command == before:
            break
        for simple in simple_commands(command.text):
            for _, named in extras_named(simple.words):
                for extra in named:
                    names |= {
                        re.split(r"[<>=!~\[;, ]", r, maxsplit=1)[0] for r in extras.get(extra, [])
                    }
    return names


# `docker compose run` and `exec` options that take a value, as compose.yaml's pages use them.
_COMPOSE_VALUES = {"--user", "-u", "--volume", "-v", "--entrypoint", "--env", "-e", "--workdir",
                   "-w", "--name"}  # fmt: skip


def in_the_container(words: list[str]) -> list[str] | None:
    """What `voicebridge` gets from `docker compose run [options] voicebridge ARGS...` (the
    image's entry point is voicebridge) or `docker compose exec [options] SERVICE voicebridge
    ARGS...`; None for another program or service."""
    if words[1:2] != ["compose"]:
        return None
    rest = words[2:]
    while rest and rest[0] not in ("run", "exec"):
        rest = rest[2:] if rest[0] == "--profile" else rest[1:]
    if not rest:
        return None
    how, rest = rest[0], rest[1:]
    other_program = "--entrypoint" in rest
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in _COMPOSE_VALUES else rest[1:]
    if not rest or not rest[0].startswith("voicebridge") or other_program:
        return None
    if how == "run":
        return rest[1:]
    return rest[2:] if rest[1:2] == ["voicebridge"] else None


def venv_program(word: str) -> str | None:
    """The program a path under the quick start's `.venv/bin` names (also under /opt)."""
    for prefix in (".venv/bin/", "/opt/voicebridge/.venv/bin/"):
        if word.startswith(prefix):
            return word.removeprefix(prefix)
    return None


async def test_what_each_command_names_is_there(tmp_path: Path) -> None:
    """Subcommands, flags, extras, files and programs: as the docs name them, they exist."""
    helps = Helps(tmp_path)
    extras = project_extras()
    problems: list[str] = []
    notes: set[str] = set()
    for command in all_commands():
        found: list[str] = []
        for simple in simple_commands(command.text):
            words = simple.words
            for path, named in extras_named(words):
                if path not in (".", "/opt/voicebridge"):
                    found.append(f"installs {path!r}, not this checkout")
                found += [f"no extra {e!r} in pyproject.toml" for e in named if e not in extras]
            for word in words:
                if (program := venv_program(word)) is not None:
                    if not (VENV_BIN / program).exists() and program not in installed_by(
                        command.block, command
                    ):
                        found.append(f".venv/bin/{program} is neither here nor installed before")
                elif (path := in_repository(word)) is not None and not (ROOT / path).exists():
                    found.append(f"{path} is not in the repository")
            if simple.name == "voicebridge":
                found += await voicebridge_problems(words[1:], helps)
            elif simple.name == "docker" and (inside := in_the_container(words)) is not None:
                found += await voicebridge_problems(inside, helps)
            elif simple.name.startswith("python") and words[1:2] == ["-m"] and len(words) > 2:
                if words[2] in ("bench", "tests.breaks"):
                    found += await module_problems(words[2], words[3:], helps)
            elif simple.name == "mkdocs":
                more, note = await mkdocs_problems(words[1:], helps)
                found += more
                notes |= {note} if note else set()
        problems += [f"{command.where}: {command.text}\n    {problem}" for problem in found]
    for note in sorted(notes):
        print(note)
    assert not problems, "\n".join(problems)


# The commands run here.


@dataclass(frozen=True)
class Ran:
    command: DocCommand
    code: int
    said: str
    made: list[str]


async def made_for(need: str, checkout: Path, home: Path, factory: pytest.TempPathFactory) -> None:
    if need == "database":
        await migrated_sqlite_at(home / ".local/share/voicebridge/voicebridge.db", factory)
    elif need.endswith((".m4a", ".ogg")):
        make_audio(checkout / need, fmt=need.rsplit(".", 1)[1], seconds=2)
    elif need.endswith(".txt"):
        (checkout / need).write_text("Once upon a time. The end.\n")
    elif need.endswith(".db"):
        await migrated_sqlite_at(checkout / need, factory)
    else:
        raise AssertionError(f"nothing makes {need!r}")


async def ran_as_shown(
    command: DocCommand, run: DocRun, folder: Path, mimo: FakeMimo, factory: pytest.TempPathFactory
) -> Ran:
    """`command` run as the page shows it, in a checkout of its own (its `.venv` this one's, on
    PATH as an activated one would be), with a home of its own and nothing from this shell but
    PATH; what it needs made first. By bash; a `voicebridge` with nothing for a shell to do but
    split its words is started as the other tests start it (tests/voicebridge_process.py),
    forked from a process that has imported it, which spares a new interpreter's CPU."""
    checkout, home = folder / "checkout", folder / "home"
    checkout.mkdir(parents=True)
    home.mkdir()
    (checkout / ".venv").symlink_to(VENV_BIN.parent)
    for need in run.needs:
        await made_for(need, checkout, home, factory)
    env = clean_env(HOME=str(home), PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    if run.mimo:
        env |= {"MIMO_API_KEY": mimo.api_key, "MIMO_BASE_URL": mimo.base_url}
    cwd = ROOT if run.here else checkout
    if run.here and not (ROOT / ".venv").exists():
        # The tests run in a virtual environment of another name (CI's other Pythons), or in a
        # copy (`python -m tests.breaks`): the checkout's `.venv` is this one, and the modules
        # are the repository's.
        cwd, env["PYTHONPATH"] = checkout, str(ROOT)
    words = shlex.split(command.text)
    just_words = not re.search(r"[$`|&;<>*?~(){}]", command.text)
    if just_words and "voicebridge" in (words[0], venv_program(words[0])):
        forked = await start(
            *words[1:], cwd=cwd, env=env, stdin=DEVNULL, stdout=PIPE, stderr=STDOUT
        )
        out, _ = await asyncio.wait_for(forked.communicate(), TIMEOUT)
        made = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*") if p.is_file())
        return Ran(command, await forked.wait(), (out or b"").decode(errors="replace"), made)
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", command.text, cwd=cwd, env=env, stdin=DEVNULL, stdout=PIPE, stderr=STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    made = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*") if p.is_file())
    return Ran(command, await process.wait(), out.decode(errors="replace"), made)


def failures(done: Ran, run: DocRun) -> list[str]:
    found = []
    expected = done.code != 0 if run.code is None else done.code == run.code
    if not expected:
        found.append(f"exit {done.code}, not {'non-zero' if run.code is None else run.code}")
    if run.says not in done.said:
        found.append(f"does not say {run.says!r}")
    checkout_files = [name for name in done.made if not name.startswith(".venv")]
    for pattern in run.makes:
        if not any(Path(name).match(pattern) for name in checkout_files):
            found.append(f"made no {pattern} (made {checkout_files})")
    return found


def runnable() -> list[DocCommand]:
    """The commands marked Run, each once, in the order the pages show them."""
    found: dict[str, DocCommand] = {}
    for command in all_commands():
        if isinstance(handling(command), DocRun):
            found.setdefault(command.text, command)
    return list(found.values())


@pytest.mark.parametrize("command", runnable(), ids=lambda c: f"{c.where} {c.text}")
async def test_a_command_that_can_run_here_does_what_the_docs_say(
    command: DocCommand, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Up to where it needs a real token or answer, or against MiMo's stand-in."""
    run = handling(command)
    assert isinstance(run, DocRun)
    if command.text.startswith("git ") and not (ROOT / ".git").exists():
        pytest.skip("needs the repository's history, which a copy of its files has not")
    async with FakeMimo(answer_text="The launch moves to Friday.") as mimo:
        done = await ran_as_shown(command, run, tmp_path, mimo, tmp_path_factory)
    last = done.said.strip().splitlines()[-1:] or [""]
    print(f"{command.where}: {command.text}\n    exit {done.code}: {last[0][:100]}")
    wrong = failures(done, run)
    assert not wrong, "\n".join([*wrong, f"it said: {done.said}"])


# The contributing page's recipe for a new migration.


async def test_the_migration_recipe_runs_as_written(tmp_path: Path) -> None:
    """Pasted into a shell in a checkout, the recipe writes the next migration after the newest
    and leaves `db upgrade` working, the scratch database at the new revision. Run in a copy of
    the checkout's migrations (PYTHONPATH names it, so that `voicebridge` reads the copy too):
    the repository's own folder never gets the new file."""
    [block] = recipe_blocks()
    checkout = tmp_path / "checkout"
    shutil.copytree(
        ROOT / "migrations", checkout / "migrations", ignore=shutil.ignore_patterns("__pycache__")
    )
    (checkout / ".venv").symlink_to(VENV_BIN.parent)
    ours = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    newest = head_revision()
    following = f"{int(newest) + 1:04d}"
    env = clean_env(HOME=str(tmp_path), PYTHONPATH=str(checkout))

    shell = await asyncio.create_subprocess_exec(
        "bash", "-e", "-c", block.text, cwd=checkout, env=env,
        stdin=DEVNULL, stdout=PIPE, stderr=STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(shell.communicate(), TIMEOUT)
    said = out.decode()

    assert await shell.wait() == 0, said
    new = [
        p
        for p in (checkout / "migrations" / "versions").glob("*.py")
        if p.name not in ours and not p.name.startswith("__")
    ]
    assert [p.name for p in new] == [f"{following}_what_changed.py"], said
    written = new[0].read_text()
    # Quoted as ruff quotes it where the lint extras are installed, else as Alembic does.
    assert re.search(rf"^revision: str = [\"']{following}[\"']$", written, re.MULTILINE)
    assert re.search(rf"^down_revision: .* = [\"']{newest}[\"']$", written, re.MULTILINE)
    assert (checkout / "dev.db").exists()
    current = await asyncio.create_subprocess_exec(
        ".venv/bin/voicebridge", "db", "current", cwd=checkout,
        env=env | {"DATABASE_URL": "sqlite+aiosqlite:///dev.db"}, stdout=PIPE, stderr=STDOUT,
    )  # fmt: skip
    shown, _ = await asyncio.wait_for(current.communicate(), TIMEOUT)
    assert await current.wait() == 0, shown
    assert following in shown.decode()
    # The repository's migrations are as they were: the recipe wrote into the copy.
    assert sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py")) == ours
