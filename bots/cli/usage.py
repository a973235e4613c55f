"""`voicebridge usage`: what the whole bot used of MiMo today and this month, every chat and
platform together, in the units MiMo bills (seconds of audio, characters, tokens), read from the
database the bots count in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from bots.cli.exits import CommandFailed, ExitCode
from bots.cli.shell import run as run_command
from bots.cli.shell import verbose_option

if TYPE_CHECKING:
    from core.config import Settings
    from core.domain.limits import BotUsage

# Each count, as a person reads it, in the order MiMo's prices go.
ROWS = (
    ("audio_seconds", "audio transcribed, seconds"),
    ("tts_chars", "characters spoken"),
    ("ask_seconds", "recordings asked about, seconds"),
    ("summaries", "summaries, gists, translations"),
    ("prompt_tokens", "tokens sent (prompt)"),
    ("completion_tokens", "tokens received (completion)"),
)


@click.command(short_help="What the whole bot used of MiMo today and this month.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for a script.")
@verbose_option
def usage(as_json: bool, verbose: int) -> int:
    """What the whole bot used of MiMo today and this month so far (UTC days), every chat and
    platform together, in the units MiMo bills: seconds of audio transcribed (voice notes and
    calls listened to, as MiMo reported them), characters spoken, seconds of recordings asked
    about, and the tokens of summaries, gists, translations and answers. Read from the
    database the bots count in (it needs no MiMo key or bot token); what a unit costs is on
    the costs page (docs/operations/costs.md)."""
    return run_command(lambda settings: _usage(settings, as_json=as_json), verbose=verbose)


async def _usage(settings: Settings, *, as_json: bool) -> int:
    from bots.cli.bots import existing_database
    from core.bootstrap import storage
    from core.infra.storage import current_revision
    from core.infra.storage.database import where

    await existing_database(settings)
    if await current_revision(settings.database_url) is None:
        raise CommandFailed(
            ExitCode.USAGE,
            f"the database {where(settings.database_url)} has no tables yet: nothing was used",
        )
    async with storage(settings, migrate=False) as store:
        used = await store.limiter.whole_bot()
    click.echo(_as_json(used) if as_json else _table(used, settings))
    return ExitCode.OK


def _table(used: BotUsage, settings: Settings) -> str:
    month = f"{used.day:%B %Y}"
    width = max(len(label) for _, label in ROWS)
    lines = [
        "MiMo use of the whole bot, every chat together (UTC days):",
        f"{'':{width}}  {'today':>12}  {month:>14}",
    ]
    for name, label in ROWS:
        today, so_far = getattr(used.today, name), getattr(used.month, name)
        lines.append(f"{label:{width}}  {today:>12,}  {so_far:>14,}")
    audio, speech = settings.daily_budget_audio_seconds, settings.daily_budget_tts_chars
    if audio or speech:
        caps = [f"{audio:,} s of audio"] if audio else []
        caps += [f"{speech:,} characters"] if speech else []
        lines.append(f"The daily budget: {' and '.join(caps)} a day (DAILY_BUDGET_*).")
    else:
        lines.append("No daily budget (DAILY_BUDGET_AUDIO_SECONDS, DAILY_BUDGET_TTS_CHARS).")
    return "\n".join(lines)


def _as_json(used: BotUsage) -> str:
    return json.dumps(
        {"day": used.day.isoformat(), "today": used.today.as_dict(), "month": used.month.as_dict()}
    )
