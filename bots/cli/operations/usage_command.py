"""`voicebridge usage`: what the whole bot used of MiMo today and this month, every chat and
platform together, in the units MiMo bills (seconds of audio, characters, tokens), read from the
database the bots count in; and MiMo's minute now, per model: what it holds of the account's
limits, what waits for a use of it, the 429s met today."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from bots.cli.common_options import run as run_command
from bots.cli.common_options import verbose_option
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from core.config import Settings
    from core.domain.mimo.account_minute_rules import MinuteNow
    from core.domain.rules.quotas_rules import BotUsage

__all__ = ["usage"]

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
    the costs page (docs/operations/costs.md).

    Then MiMo's minute now, per model, every replica together: requests and tokens in the
    minute of the account's limits (MIMO_*_PER_MINUTE), the requests waiting for a use (live,
    people, background) and the longest wait, and the 429s MiMo answered today all the same
    (docs/operations/limits.md)."""
    return run_command(lambda settings: _usage(settings, as_json=as_json), verbose=verbose)


async def _usage(settings: Settings, *, as_json: bool) -> int:
    from bots.cli.operations.db_command import existing_database
    from core.bootstrap import storage
    from core.infra.storage import current_revision
    from core.infra.storage.database_engines import head_revision, known_revision, where

    await existing_database(settings)
    revision = await current_revision(settings.database_url)
    if revision is None:
        raise CommandFailed(
            ExitCode.USAGE,
            f"the database {where(settings.database_url)} has no tables yet: nothing was used",
        )
    # A database older than this voicebridge has no minute yet: `db upgrade` (or a bot's start).
    older = revision != head_revision() and known_revision(revision)
    async with storage(settings, migrate=False) as store:
        used = await store.limiter.whole_bot()
        minute = None if older else await store.minute_now()
    if as_json:
        click.echo(_as_json(used, minute))
    else:
        click.echo(f"{_table(used, settings)}\n\n{_minute_table(minute)}")
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


# The columns of MiMo's minute: a model's, and what waits of each urgency.
MINUTE_HEAD = ("model", "requests", "tokens", "live", "people", "background", "longest", "429s")


def _minute_table(minute: list[MinuteNow] | None) -> str:
    if minute is None:
        return (
            "MiMo's minute: the database is older than this voicebridge (voicebridge db upgrade)."
        )
    refused = sum(m.refused_today for m in minute)
    if all(m.idle for m in minute):
        met = f"; 429s MiMo answered today: {refused}" if refused else ""
        return f"MiMo's minute: nothing sent in the last minute (no bot sending){met}."
    rows = [MINUTE_HEAD] + [_minute_row(m) for m in minute]
    widths = [max(len(row[i]) for row in rows) for i in range(len(MINUTE_HEAD))]
    lines = ["MiMo's minute now, every replica together (waiting: live, people, background):"]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    for m in minute:
        if m.slowed_for:
            lines.append(
                f"{m.model}: at half the minute for {m.slowed_for:.0f} s more, after a 429."
            )
    ages = [m.age for m in minute if not m.idle]
    if ages and max(ages) >= 1:
        lines.append(f"As the bot saw it {max(ages):.0f} s ago (it writes it every few seconds).")
    return "\n".join(lines)


def _minute_row(m: MinuteNow) -> tuple[str, ...]:
    waiting = m.waiting
    longest = f"{waiting.longest:.1f} s" if waiting.urgencies else "-"
    return (
        m.model,
        f"{m.requests:,} of {m.minute.requests:,}",
        f"{m.tokens:,} of {m.minute.tokens:,}",
        f"{waiting.live:,}",
        f"{waiting.person:,}",
        f"{waiting.background:,}",
        longest,
        f"{m.refused_today:,}",
    )


def _as_json(used: BotUsage, minute: list[MinuteNow] | None) -> str:
    return json.dumps(
        {
            "day": used.day.isoformat(),
            "today": used.today.as_dict(),
            "month": used.month.as_dict(),
            "minute": None if minute is None else [_minute_json(m) for m in minute],
        }
    )


def _minute_json(m: MinuteNow) -> dict[str, object]:
    return {
        "model": m.model,
        "requests": m.requests,
        "requests_per_minute": m.minute.requests,
        "tokens": m.tokens,
        "tokens_per_minute": m.minute.tokens,
        "waiting": {
            "live": m.waiting.live,
            "people": m.waiting.person,
            "background": m.waiting.background,
        },
        "longest_wait_seconds": round(m.waiting.longest, 1),
        "refused_today": m.refused_today,
        "slowed_seconds": round(m.slowed_for, 1),
        "seen_seconds_ago": round(m.age, 1),
    }
