"""`voicebridge doctor`: the set-up checked before the bots start, one line a check.

Each line is ✓ or ✗, what was found and, after a ✗, what to fix. Every service is asked once,
at the same time, without retries: the settings, MiMo (one tiny authenticated request), Telegram
(getMe, and the inline cache chat), Discord (the token, its intents, the voice libraries, and
the invite link), the database (a file it may create, reachable, its migrations), ffmpeg and the
allowlist. The settings file is read too: a name in it that is no setting is named, with the
closest one, and a file others may read is said. `voicebridge init` asks the same questions of
the key and the tokens it is given. Exit code 0 only when every check passed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.checks import Check, failed, passed, reason
from bots.cli.env_file import exposed, not_settings
from bots.cli.exits import ExitCode
from bots.cli.shell import chosen_env_file, settings_source, verbose_option
from bots.cli.shell import run as run_command
from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings

# Each service's answer, at most: a check that hangs says so instead of holding up the rest.
ANSWER_SECONDS = 20.0


@click.command(short_help="Check the set-up: settings, MiMo, the platforms, the database, ffmpeg.")
@verbose_option
def doctor(verbose: int) -> int:
    """Check the settings and every service the bots need, one line each (✓ or ✗, and what to
    fix), without starting the bots: exit code 0 only when all of them pass. It sends MiMo one
    tiny request (a token of text) and creates nothing: a database that is not there yet is
    reported, not made."""
    return run_command(_doctor, verbose=verbose)


async def _doctor(settings: Settings) -> int:
    from core.infra.logs import Redactor

    checks = settings_checks(settings, chosen_env_file())
    asked = [check_mimo(settings), *_platforms(settings, checks), _database(settings)]
    for found in await asyncio.gather(*(_in_time(check) for check in asked)):
        checks.extend(found)
    checks += [await asyncio.to_thread(_ffmpeg, settings), _allowlist(settings)]
    redactor = Redactor(settings.secret_values())
    for check in checks:
        click.echo(redactor.redact(check.line))
    return ExitCode.OK if all(check.ok for check in checks) else ExitCode.FAILED


async def _in_time(check: Awaitable[list[Check]]) -> list[Check]:
    try:
        async with asyncio.timeout(ANSWER_SECONDS):
            return await check
    except TimeoutError:
        return [failed("a service", f"no answer in {ANSWER_SECONDS:.0f} s")]


def settings_checks(settings: Settings, env_file: Path) -> list[Check]:
    """Where the settings came from; a line for each name of the settings file that is no
    setting, and one when others may read the file."""
    name = "settings"
    where = f"{env_file.resolve()}; list a name meant for another program in IGNORED_ENV_NAMES"
    found = [failed(name, f"{line} ({where})") for line in not_settings(settings, env_file)]
    found = found or [passed(name, settings_source(env_file))]
    advice = exposed(env_file)
    return found if advice is None else [*found, failed(env_file.name, advice)]


def _platforms(settings: Settings, checks: list[Check]) -> list[Awaitable[list[Check]]]:
    """The checks of the platforms whose tokens are set; a token missing or malformed is said
    in `checks` at once."""
    asked: list[Awaitable[list[Check]]] = []
    platforms = (
        ("Telegram", settings.telegram_token, check_telegram),
        ("Discord", settings.discord_token, check_discord),
    )
    tried = False
    for name, token_of, check in platforms:
        try:
            token = token_of()
        except errors.ConfigError as exc:
            checks.append(failed(name, str(exc)))
            tried = True
            continue
        if token is not None:
            asked.append(check(settings, token))
            tried = True
    if not tried:
        checks.append(failed("bot tokens", "none set: set TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN "
                             "or both (in .env or the environment)"))  # fmt: skip
    return asked


async def check_mimo(settings: Settings) -> list[Check]:
    """MIMO_API_KEY tried with one tiny request (a token of text) at MIMO_BASE_URL."""
    from core.bootstrap import mimo_alone

    name = "MiMo"
    try:
        settings.require_mimo_key()
    except errors.ConfigError as exc:
        return [failed(name, str(exc))]
    once = settings.model_copy(update={"mimo_max_retries": 0, "mimo_breaker_failures": 0})
    try:
        async with mimo_alone(once) as mimo:
            await mimo.chat("Reply with OK.", max_tokens=1)
    except errors.MimoAuthError:
        return [failed(name, f"{settings.mimo_base_url} refused MIMO_API_KEY: check the key, "
                       "and that MIMO_BASE_URL is its region's host (tp-... keys)")]  # fmt: skip
    except errors.MimoBalanceError:
        return [failed(name, "the key works, but the account's balance is used up: top it up")]
    except errors.MimoUnreachable as exc:
        cause = exc.params.get("reason")
        return [failed(name, f"cannot reach {settings.mimo_base_url} ({cause}): check the "
                       "network and MIMO_BASE_URL")]  # fmt: skip
    except errors.MimoError as exc:
        return [failed(name, f"{settings.mimo_base_url} answered: {exc.detail or exc.key}; check "
                       "MIMO_BASE_URL and MIMO_CHAT_MODEL")]  # fmt: skip
    return [passed(name, f"the key works at {settings.mimo_base_url} ({settings.mimo_chat_model})")]


async def check_telegram(settings: Settings, token: str) -> list[Check]:
    """The Telegram token `token`, asked about at TELEGRAM_API_URL."""
    from bots import doctor as platforms

    return await platforms.telegram(
        token=token,
        api_url=settings.telegram_api_url,
        inline_cache_chat=settings.telegram_inline_cache_chat,
    )


async def check_discord(settings: Settings, token: str) -> list[Check]:
    """The Discord token `token`, its intents and the invite link, asked at DISCORD_API_URL."""
    from bots import doctor as platforms

    return await platforms.discord(token=token, api_url=settings.discord_api_url)


async def _database(settings: Settings) -> list[Check]:
    from core.infra.storage import current_revision
    from core.infra.storage.database import check_connection, head_revision, known_revision, where
    from core.infra.storage.sqlite import sqlite_file, sqlite_unwritable

    name, url = "the database", settings.database_url
    path = sqlite_file(url)
    if path is not None:
        problem = await asyncio.to_thread(sqlite_unwritable, path)
        if problem is not None:
            return [failed(name, f"DATABASE_URL: cannot create {path}: {problem}; name a file "
                           "in a folder you may write (sqlite+aiosqlite:////home/me/voicebridge.db)"
                           ", or unset DATABASE_URL for the data folder")]  # fmt: skip
        if not path.exists():
            return [passed(name, f"{path} is not there yet; voicebridge run creates it, readable "
                           "by you only")]  # fmt: skip
        if os.name != "nt" and path.stat().st_mode & 0o077:
            return [failed(name, f"{path} holds what chats left (transcripts, logged messages, "
                           f"voices) and other users of this machine may read it: chmod 600 "
                           f"{path}")]  # fmt: skip
    try:
        await check_connection(url)
        revision = await current_revision(url)
    except errors.ConfigError as exc:
        return [failed(name, str(exc))]
    except (OSError, TimeoutError) as exc:
        return [failed(name, f"cannot reach {where(url)} ({reason(exc)}): check that it runs, "
                       "and DATABASE_URL")]  # fmt: skip
    head = head_revision()
    if revision == head:
        return [passed(name, f"{where(url)}, migrations current ({head})")]
    if revision is not None and not known_revision(revision):
        return [failed(name, f"{where(url)} is at {revision}, a newer release's migration: "
                       "upgrade voicebridge here too")]  # fmt: skip
    return [passed(name, f"{where(url)} at {revision or 'no migration yet'}; voicebridge run (or "
                   f"db upgrade) brings it to {head}")]  # fmt: skip


def _ffmpeg(settings: Settings) -> Check:
    from core.infra.audio.ffmpeg import choose_ffmpeg, ffmpeg_version, keeps_timestamps

    try:
        exe = choose_ffmpeg(settings.ffmpeg_binary)
    except errors.ConfigError as exc:
        return failed("ffmpeg", str(exc))
    version = ffmpeg_version(exe)
    if not keeps_timestamps(exe):
        pauses = "it cannot compact the pauses of long recordings (6.1 or later can): unset "
        return failed("ffmpeg", f"{exe}, {version}; {pauses}FFMPEG_BINARY for the bundled build")
    return passed("ffmpeg", f"{exe}, {version}; compacts pauses")


def _allowlist(settings: Settings) -> Check:
    from core.domain.limits import Allowlist

    allowlist = Allowlist.parse(settings.allowed_chats, settings.allowed_users)
    if allowlist.is_open:
        return passed("allowlist", "everyone may use the bot (ALLOWED_CHATS and ALLOWED_USERS "
                      "are empty)")  # fmt: skip
    return passed("allowlist", f"{len(allowlist.chats)} chats and {len(allowlist.users)} users "
                  "may use the bot")  # fmt: skip
