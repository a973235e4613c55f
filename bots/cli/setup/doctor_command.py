"""`voicebridge doctor`: the set-up checked before the bots start, one line a check.

Each line is ✓, ✗ or !, the service or the part checked, what was found and, after a ✗ or a !, what
to fix: the setting to change is named in every line that can fail, a service that does not answer
in time included. Every service is asked once, at the same time, without retries: the settings,
MiMo (the key tried with a token of text, then its list of the models offered, and a tiny request
to each model the bot uses that the list does not name, or to every one where there is no list:
`bots.cli.setup.mimo_doctor_checks`), Telegram (getMe, and the inline cache chat), Discord (the
token, its intents, the voice libraries, and the invite link), the database (a file it may create,
reachable, its migrations), ffmpeg, who may use the bot (! when everyone may) and the daily budget.
The settings file is read too: a name in it that is no setting is named, with the closest one, as is
a name of the environment that is almost a setting's (compose hands a container its `.env` so), and
a file others may read is said. `voicebridge init` asks the same questions of the key and the tokens
it is given. Exit code 0 only when no check failed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.common_options import run as run_command
from bots.cli.common_options import verbose_option
from bots.cli.exit_codes import ExitCode
from bots.cli.settings_file import (
    chosen_env_file,
    exposed,
    misspelt_in_environment,
    not_settings,
    settings_source,
)
from bots.cli.setup.mimo_doctor_checks import check_mimo
from bots.doctor_check_lines import Check, Person, failed, passed, reason, warned
from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings
    from core.domain.rules.quotas_rules import Allowlist

__all__ = [
    "FIND_DISCORD_ID",
    "check_discord",
    "check_telegram",
    "discord_owner",
    "doctor",
    "telegram_senders",
]

# Each service's answer, at most: a check that hangs says so instead of holding up the rest.
ANSWER_SECONDS = 20.0


@click.command(short_help="Check the set-up: settings, MiMo, the platforms, the database, ffmpeg.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=ANSWER_SECONDS,
    show_default=True,
    help="Seconds each service has to answer before its line says it did not.",
)
@verbose_option
def doctor(timeout: float, verbose: int) -> int:
    """Check the settings and every service the bots need, one line each (✓, ✗ or !, and what
    to fix, with the setting to change), without starting the bots: exit code 0 unless a check
    failed. It reads MiMo's list of the models it offers and names each model the bot uses that
    MiMo no longer offers, with the one MiMo names instead, so a retired model is found before a
    chat meets it (where MiMo has no list, as behind some gateways, it sends one tiny request
    for each model instead: a token of text, half a second of silence, "OK" spoken). It creates
    nothing: a database that is not there yet is reported, not made."""
    return run_command(lambda settings: _doctor(settings, timeout), verbose=verbose)


@dataclass(frozen=True)
class Asked:
    """A service's check, and what its line says when the service does not answer in time."""

    name: str  # "MiMo", "Telegram"...
    where: str  # the address asked (never a password)
    setting: str  # where the address is set
    check: Awaitable[list[Check]]


async def _doctor(settings: Settings, seconds: float) -> int:
    from core.infra.log_redaction import Redactor

    env_file = chosen_env_file()
    checks = settings_checks(settings, env_file)
    mimo_check = check_mimo(settings, env_file=env_file)
    mimo = Asked("MiMo", settings.mimo_base_url, "MIMO_BASE_URL", mimo_check)
    asked = [mimo, *_platforms(settings, checks), _database(settings)]
    for found in await asyncio.gather(*(_in_time(one, seconds) for one in asked)):
        checks.extend(found)
    checks += [await asyncio.to_thread(_ffmpeg, settings), *access_checks(settings)]
    redactor = Redactor(settings.secret_values())
    for check in checks:
        click.echo(redactor.redact(check.line))
    return ExitCode.OK if all(check.ok for check in checks) else ExitCode.FAILED


async def _in_time(asked: Asked, seconds: float) -> list[Check]:
    try:
        async with asyncio.timeout(seconds):
            return await asked.check
    except TimeoutError:
        return [failed(asked.name, f"no answer from {asked.where} in {seconds:g} s: check that "
                       f"it runs, the network, and {asked.setting}")]  # fmt: skip


def settings_checks(settings: Settings, env_file: Path) -> list[Check]:
    """Where the settings came from; a line for each name of the settings file that is no
    setting and each name of the environment that is almost one, and one when others may read
    the file."""
    name = "settings"
    fix = "list a name meant for another program in IGNORED_ENV_NAMES"
    where = f"{env_file.resolve()}; {fix}"
    found = [failed(name, f"{line} ({where})") for line in not_settings(settings, env_file)]
    found += [failed(name, f"{line} (in the environment; {fix})")
              for line in misspelt_in_environment(settings, env_file)]  # fmt: skip
    found = found or [passed(name, settings_source(env_file))]
    advice = exposed(env_file)
    return found if advice is None else [*found, failed(env_file.name, advice)]


def _platforms(settings: Settings, checks: list[Check]) -> list[Asked]:
    """The checks of the platforms whose tokens are set; a token missing or malformed is said
    in `checks` at once."""
    asked: list[Asked] = []
    platforms = (
        ("Telegram", settings.telegram_token, check_telegram, settings.telegram_api_url,
         "TELEGRAM_API_URL"),
        ("Discord", settings.discord_token, check_discord, settings.discord_api_url,
         "DISCORD_API_URL"),
    )  # fmt: skip
    tried = False
    for name, token_of, check, url, setting in platforms:
        try:
            token = token_of()
        except errors.ConfigError as exc:
            checks.append(failed(name, str(exc)))
            tried = True
            continue
        if token is not None:
            asked.append(Asked(name, url, setting, check(settings, token)))
            tried = True
    if not tried:
        checks.append(failed("bot tokens", "none set: set TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN "
                             "or both (in .env or the environment)"))  # fmt: skip
    return asked


async def check_telegram(settings: Settings, token: str) -> list[Check]:
    """The Telegram token `token`, asked about at TELEGRAM_API_URL."""
    from bots import doctor_platform_checks as platforms

    return await platforms.telegram(
        token=token,
        api_url=settings.telegram_api_url,
        inline_cache_chat=settings.telegram_inline_cache_chat,
    )


async def check_discord(settings: Settings, token: str) -> list[Check]:
    """The Discord token `token`, its intents (each with what is lost without it) and the invite
    link, asked at DISCORD_API_URL."""
    from bots import doctor_platform_checks as platforms

    return await platforms.discord(
        token=token, api_url=settings.discord_api_url,
        members_intent=settings.discord_members_intent,
    )  # fmt: skip


async def telegram_senders(settings: Settings, token: str) -> list[Person]:
    """Who wrote to the Telegram bot `token` in private, newest first; `NoSenders` when its
    updates cannot be read."""
    from bots import doctor_platform_checks as platforms

    return await platforms.telegram_senders(token=token, api_url=settings.telegram_api_url)


async def discord_owner(settings: Settings, token: str) -> Person | None:
    """The owner of the Discord bot `token`'s application, when Discord says."""
    from bots import doctor_platform_checks as platforms

    return await platforms.discord_owner(token=token, api_url=settings.discord_api_url)


def _database(settings: Settings) -> Asked:
    from bots.run_plan import database_named

    named = database_named(settings.database_url)
    return Asked("the database", named, "DATABASE_URL", _database_check(settings))


async def _database_check(settings: Settings) -> list[Check]:
    """The database, named the same way on every line, whatever it is found to be (`SQLite at
    /path`, `PostgreSQL at host:5432/name`: no user, no password), as the line said when it does
    not answer in time and as `run` logs it."""
    from bots.run_plan import database_named
    from core.infra.storage import current_revision
    from core.infra.storage.database_engines import check_connection, head_revision, known_revision
    from core.infra.storage.sqlite_setup import sqlite_file, sqlite_unwritable

    name, url = "the database", settings.database_url
    named = database_named(url)
    path = sqlite_file(url)
    if path is not None:
        problem = await asyncio.to_thread(sqlite_unwritable, path)
        if problem is not None:
            return [failed(name, f"{named} cannot be created: {problem}; name in DATABASE_URL a "
                           "file in a folder you may write (sqlite+aiosqlite:////home/me/"
                           "voicebridge.db), or unset it for the data folder")]  # fmt: skip
        if not path.exists():
            return [passed(name, f"{named} is not there yet; voicebridge run creates it, readable "
                           "by you only")]  # fmt: skip
        if os.name != "nt" and path.stat().st_mode & 0o077:
            return [failed(name, f"{named} holds what chats left (transcripts, logged messages, "
                           f"voices) and other users of this machine may read it: chmod 600 "
                           f"{path}")]  # fmt: skip
    try:
        await check_connection(url)
        revision = await current_revision(url)
    except errors.ConfigError as exc:
        return [failed(name, str(exc))]
    except (OSError, TimeoutError) as exc:
        return [failed(name, f"cannot reach {named} ({reason(exc)}): check that it runs, "
                       "and DATABASE_URL")]  # fmt: skip
    head = head_revision()
    if revision == head:
        return [passed(name, f"{named}, migrations current ({head})")]
    if revision is not None and not known_revision(revision):
        return [failed(name, f"{named} is at {revision}, a newer release's migration: "
                       "upgrade voicebridge here too")]  # fmt: skip
    return [passed(name, f"{named} at {revision or 'no migration yet'}; voicebridge run (or "
                   f"db upgrade) brings it to {head}")]  # fmt: skip


def _ffmpeg(settings: Settings) -> Check:
    from core.infra.audio.ffmpeg_binary import choose_ffmpeg, ffmpeg_version, keeps_timestamps

    try:
        exe = choose_ffmpeg(settings.ffmpeg_binary)
    except errors.ConfigError as exc:
        return failed("ffmpeg", str(exc))
    version = ffmpeg_version(exe)
    if not keeps_timestamps(exe):
        pauses = "it cannot compact the pauses of long recordings (6.1 or later can): unset "
        return failed("ffmpeg", f"{exe}, {version}; {pauses}FFMPEG_BINARY for the bundled build")
    return passed("ffmpeg", f"{exe}, {version}; compacts pauses")


# Where each platform shows a person's id, for a line that asks for one.
FIND_TELEGRAM_ID = "@userinfobot on Telegram replies with yours"
FIND_DISCORD_ID = (
    "in Discord, turn on Settings → Advanced → Developer Mode, then right-click your name → "
    "Copy User ID"
)


def access_checks(settings: Settings) -> list[Check]:
    """Who may use the bot, and what a day may cost at most: a bot everyone may use is a
    warning naming the settings that close it, and so is one without a budget besides."""
    from core.domain.rules.quotas_rules import Allowlist

    allowlist = Allowlist.parse(settings.allowed_chats, settings.allowed_users)
    audio, speech = settings.daily_budget_audio_seconds, settings.daily_budget_tts_chars
    if allowlist.is_open:
        who = warned("allowlist", "everyone may use the bot, on your MiMo balance: set "
                     "ALLOWED_USERS to your own id (telegram:ID, discord:ID; voicebridge init "
                     "finds it), or ALLOWED_CHATS")  # fmt: skip
    else:
        who = _allowed_on_each_platform(allowlist, _platforms_set(settings))
    if not audio and not speech:
        none = "none: no cap on what a day costs, every chat together; set "
        caps = "DAILY_BUDGET_AUDIO_SECONDS and DAILY_BUDGET_TTS_CHARS"
        budget = warned if allowlist.is_open else passed
        return [who, budget("budget", f"{none}{caps}")]
    each = [
        f"{audio:,} s of audio" if audio else "no cap on audio (DAILY_BUDGET_AUDIO_SECONDS 0)",
        f"{counted(speech, 'character')} of speech"
        if speech
        else "no cap on speech (DAILY_BUDGET_TTS_CHARS 0)",
    ]
    return [who, passed("budget", f"{' and '.join(each)} a day, every chat together")]


def _platforms_set(settings: Settings) -> list[str]:
    """The platforms whose bot token is set (malformed counts: it is meant to run); both
    where neither is."""
    tokens = {"telegram": settings.telegram_bot_token, "discord": settings.discord_bot_token}
    named = [p for p, token in tokens.items() if token and token.get_secret_value().strip()]
    return named or list(tokens)


def _allowed_on_each_platform(allowlist: Allowlist, platforms: list[str]) -> Check:
    """Who may use each platform's bot, counted apart: an entry without a platform counts on
    both. A platform with a bot and nobody on the list is a warning: that bot serves no one."""
    words, nobody = [], []
    for platform in platforms:
        users = [e for e in allowlist.users if e.partition(":")[0] in (platform, e)]
        chats = [e for e in allowlist.chats if e.partition(":")[0] in (platform, e)]
        found = [counted(len(ids), noun) for ids, noun in ((users, "user"), (chats, "chat")) if ids]
        words.append(f"on {platform.title()} {' and '.join(found) or 'no one'}")
        if not found:
            nobody.append(platform)
    listed = f"who may use the bot: {', '.join(words)}"
    if not nobody:
        return passed("allowlist", f"{listed} (ALLOWED_USERS, ALLOWED_CHATS)")
    platform = nobody[0]
    where = FIND_DISCORD_ID if platform == "discord" else FIND_TELEGRAM_ID
    add = f"add {platform}:ID to ALLOWED_USERS ({where}), or a chat to ALLOWED_CHATS"
    return warned("allowlist", f"{listed}: the {platform.title()} bot serves nobody; {add}")


def counted(count: int, noun: str) -> str:
    """`1 user`, `2 users`, `1,000 characters`: doctor's lines are English only."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
