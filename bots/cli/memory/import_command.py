"""`voicebridge import telegram PATH`: a chat's past voice messages, from a Telegram Desktop
export, transcribed into its memory (`core.app.memory.importer`), so that `/find` and `/ask` know
what was said before the bot came.

It says first what it found (voice messages, minutes, what is left out and why) and what share
of the chat's daily quota and of the bot's daily budget that is, tries MiMo with one tiny
request as `doctor` does (a key refused, a balance used up or MiMo out of reach ends it there,
in `transcribe`'s words, so nobody agrees to an import that cannot run), and asks (`--yes` does
not), while its event loop stands still, so Ctrl-C at the question ends it at once. Its runtime
(`core.bootstrap.import_runtime`) is built once, for the plan, the question and the run. Then a
progress bar on a terminal (messages and minutes done, the time left), one line when a day's quota
or the budget runs out (the import waits for the next UTC day; stopped, it is run again later), and
what was done: what could not be transcribed is followed by why, each reason once on stderr, and the
exit code of the first. Run again, it imports only what is not kept yet.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bots.cli.command_line_wording import text
from bots.cli.common_options import command_loop, run_outside_a_loop, say_failure, verbose_option
from bots.cli.exit_code_per_failure import CommandFailed, failure
from bots.cli.exit_codes import ExitCode
from bots.cli.setup.terminal_prompts import InputEnded, confirm
from core.domain.message_splitting import format_duration
from core.domain.quantities import Duration, Share

# The largest id a chat may have: 16 digits, as an export's ids
# (`telegram_export_fields.ID_DIGITS`); the Bot API's fit in 52 bits.
_MOST_ID = 10**16 - 1

if TYPE_CHECKING:
    from bots.cli.memory.telegram_export import ChatsToChoose, TelegramExport
    from core.app.memory.import_values import ImportPlan, ImportProgress
    from core.bootstrap import Importing
    from core.config import Settings
    from core.domain import errors

__all__ = ["import_", "telegram"]


@click.group(
    "import",
    short_help="Import a chat's past voice messages into its memory.",
    invoke_without_command=True,
)
@click.pass_context
def import_(ctx: click.Context) -> None:
    """Import what was said in a chat before the bot came, so that /find and /ask know it."""
    if ctx.invoked_subcommand is None:  # one line, not the whole help as an error
        raise click.UsageError(text("cli.import_which", command=ctx.command_path), ctx=ctx)


@import_.command(short_help="Import a Telegram Desktop export (JSON) of a group.")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--chat", "chat", default=None, metavar="ID_OR_TITLE",
              help="Which chat of a whole account's export (Export Telegram data): its id or "
              "its title; without it, the chats found are listed.")  # fmt: skip
@click.option("--timezone", "zone", default=None, metavar="ZONE",
              help="The time zone of an export's dates where they carry none (exports before "
              "2022: the exporting computer's), an IANA name such as Europe/Berlin; by "
              "default this machine's.")  # fmt: skip
@click.option("--chat-id", type=click.IntRange(-_MOST_ID, _MOST_ID), default=None,
              help="The chat's id as the bot sees it (-100… for a supergroup); by default the "
              "one the export's own id and type make.")  # fmt: skip
@click.option("--leave-out", "leave_out", multiple=True, metavar="USER_ID",
              help="A sender (Telegram user id) whose voice messages are not transcribed; "
              "repeat for more.")  # fmt: skip
@click.option("--yes", "-y", is_flag=True, help="Start without asking.")
@verbose_option
def telegram(
    path: Path,
    chat: str | None,
    zone: str | None,
    chat_id: int | None,
    leave_out: tuple[str, ...],
    yes: bool,
    verbose: int,
) -> int:
    """Transcribe the voice messages, round videos and audio files of PATH, a chat exported
    with Telegram Desktop (Export chat history, format JSON, with voice messages and round
    video messages ticked): a folder holding result.json; or the chat named with --chat of a
    whole account's export (Export Telegram data). Each is kept under its message, sender and
    date, as if the bot had heard it then: /find in the group finds it, with a link back in a
    supergroup; a forwarded one under whom it came from, never under who forwarded it. Older
    than SUMMARY_RETENTION_DAYS: not imported. The text messages go to the group's log for
    /summary where it keeps one. Dates an older export wrote without a time zone are read in
    --timezone, or this machine's, and said. Within the chat's daily quota and the bot's daily
    budget; run again, it imports only what it has not yet. MiMo is tried before the question,
    as doctor tries it; what could not be transcribed is said, with why, and the exit code is
    not 0."""

    def body(settings: Settings) -> int:
        from core.bootstrap import importing

        export = _read(path, chat_id, chat, zone)
        with command_loop() as loop, loop.opened(importing(settings)) as runtime:
            plan = loop.run(runtime.importer.plan(export.past, leave_out=leave_out))
            click.echo(_found_and_cost(export, plan, zone_given=zone is not None))
            if not plan.voices and not plan.texts:
                click.echo(text("cli.import_nothing"))
                return ExitCode.OK
            if plan.voices:  # before the question: nobody agrees to an import that cannot run
                loop.run(_mimo_answers(settings, runtime))
            if not yes and not _agreed():
                click.echo(text("cli.import_declined"))
                return ExitCode.OK
            done = loop.run(_import(runtime, plan))
        return _report(settings, plan, done)

    return run_outside_a_loop(body, verbose=verbose)


def _read(path: Path, chat_id: int | None, chat: str | None, zone: str | None) -> TelegramExport:
    from bots.cli.memory.telegram_export import RESULT, ChatsToChoose, read_export
    from bots.cli.memory.telegram_export_fields import ExportError

    where, named = _zone(zone)
    try:
        export = read_export(path, chat_id=chat_id, chat=chat, zone=where, zone_name=named)
    except ChatsToChoose as choose:
        raise CommandFailed(ExitCode.USAGE, _choose(choose)) from None
    except ExportError as exc:
        raise CommandFailed(ExitCode.FILE, str(exc)) from None
    if export.folders_missing:  # result.json copied alone: "not downloaded" would mislead
        folders = ", ".join(export.folders_missing)
        line = text("cli.import_folders_missing", path=path, folders=folders, result=RESULT)
        raise CommandFailed(ExitCode.FILE, line)
    return export


def _zone(named: str | None) -> tuple[tzinfo | None, str]:
    """The zone --timezone names (None: this machine's), and its name to say."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if named is None:  # this machine's, by its name where it has one the zone database knows
        local = _local_zone()
        try:
            return ZoneInfo(local), local
        except (ZoneInfoNotFoundError, ValueError):
            return None, local
    try:
        return ZoneInfo(named), named
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandFailed(ExitCode.USAGE, text("cli.import_bad_zone", zone=named)) from None


def _local_zone() -> str:
    """This machine's time zone, by its IANA name where it can be told (TZ, /etc/localtime)."""
    import os

    named = os.environ.get("TZ", "").removeprefix(":")
    if named:
        return named
    try:
        linked = str(Path("/etc/localtime").resolve())
    except OSError:
        linked = ""
    if "zoneinfo/" in linked:
        return linked.split("zoneinfo/", 1)[1]
    return datetime.now().astimezone().tzname() or "UTC"


def _choose(choose: ChatsToChoose) -> str:
    """The chats of an account's export to name one of with --chat, one a line."""
    if choose.wanted is None:
        heading = text("cli.import_chats", count=len(choose.chats))
    elif choose.several:
        heading = text("cli.import_chats_several", chat=choose.wanted)
    else:
        heading = text("cli.import_chats_none", chat=choose.wanted)
    lines = [
        "  " + text("cli.import_chat", name=one.name, id=one.id, count=one.voices)
        for one in choose.chats
    ]
    return "\n".join([heading, *lines])


async def _mimo_answers(settings: Settings, runtime: Importing) -> None:
    """MiMo reached and the key taken, as `doctor` tries it, in the account's minute the import
    takes its uses in; else its error, which says why in `transcribe`'s words."""
    from bots.cli.setup.mimo_doctor_checks import asked_once, try_the_key
    from core.bootstrap import mimo_alone

    async with mimo_alone(asked_once(settings), minute=runtime.minute) as mimo:
        await try_the_key(mimo)  # a chat model refused is no matter here: the key passed


def _agreed() -> bool:
    """The person's answer to "Start the import?", read while the loop stands still: Ctrl-C
    ends the command at once."""
    try:
        return confirm(text("cli.import_ask"), default=False)
    except InputEnded:
        raise CommandFailed(ExitCode.USAGE, text("cli.import_no_answer")) from None


def _report(settings: Settings, plan: ImportPlan, done: ImportProgress) -> int:
    """What the import did, and the exit code of the first reason a message failed."""
    if done.forgotten:  # a /forget in the chat ended it, in whichever process it ran
        click.echo(text("cli.import_forgotten"))
        return ExitCode.OK
    click.echo(
        text(
            "cli.import_done",
            count=len(done.transcribed),
            minutes=format_duration(_heard(plan, done)),
            failed=done.failed,
        )
    )
    if done.elsewhere:  # another import of the chat, running at once, heard them
        click.echo(text("cli.import_elsewhere", count=done.elsewhere))
    if plan.texts:  # kept as the import began: said once they are
        click.echo(text("cli.import_texts_kept", count=len(plan.texts)))
    return _why(done.why_failed, settings.secret_values(), unreadable=done.unreadable)


def _heard(plan: ImportPlan, done: ImportProgress) -> float:
    """The seconds of speech of the messages transcribed (those that failed not counted)."""
    transcribed = set(done.transcribed)
    return sum(voice.seconds for voice in plan.voices if voice.message_id in transcribed)


def _why(failures: list[Exception], secrets: list[str], *, unreadable: list[str]) -> int:
    """Why messages could not be transcribed, each reason once, one line each on stderr, in
    `transcribe`'s words, a file that is no recording named as `transcribe` names it; the exit
    code of the first (0: none failed)."""
    from core.domain.errors import UndecodableAudio

    found = [failure(exc) for exc in failures]
    names = iter(unreadable)  # the files ffmpeg refused, in the order they failed
    lines = [
        f"{next(names)}: {one.line}" if isinstance(exc, UndecodableAudio) else one.line
        for exc, one in zip(failures, found, strict=True)
    ]
    for line in dict.fromkeys(lines):
        say_failure(line, secrets)
    return found[0].code if found else ExitCode.OK


async def _import(runtime: Importing, plan: ImportPlan) -> ImportProgress:
    with ExitStack() as stack:
        bar = _ImportBar(stack) if sys.stderr.isatty() else None
        try:
            return await runtime.importer.run(plan, progress=bar, paused=_paused)
        except ExceptionGroup as group:  # the import's workers: the key or the balance
            raise group.exceptions[0] from None


def _paused(refused: errors.QuotaUsed) -> None:
    reset = refused.params.get("reset")
    wait = reset if isinstance(reset, Duration) else Duration(0)
    click.echo(text("cli.import_paused", wait=wait), err=True)


def _found_and_cost(export: TelegramExport, plan: ImportPlan, *, zone_given: bool) -> str:
    """What the import found, and what it will cost, in a few lines; nothing of it is done
    yet (the question comes next, and MiMo may yet be out of reach)."""
    chat = export.past.chat
    lines = [
        text(
            "cli.import_found",
            name=export.name,
            chat=f"{chat.platform}:{chat.chat_id}",
            count=len(plan.voices),
            minutes=format_duration(plan.seconds),
        ),
    ]
    left = {
        "cli.import_kept_before": plan.done_before,
        "cli.import_too_old": plan.too_old,
        "cli.import_left_out": plan.left_out,
        "cli.import_not_included": export.not_included,
        "cli.import_too_big": export.too_big,
        "cli.import_unavailable": export.unavailable,
        "cli.import_forwarded_unknown": export.forwarded_unknown,
    }
    for key, count in left.items():
        if count:
            lines.append(text(key, count=count, days=plan.days))
    if export.local_time is not None:  # an older export: said, to be checked before agreeing
        local = export.local_time
        key = "cli.import_zone_given" if zone_given else "cli.import_local_time"
        lines.append(text(key, zone=local.zone, first=_when(local.first), last=_when(local.last)))
    if export.outside:  # refused, whether or not they exist: named, so one can look
        lines.append(text("cli.import_outside", files=", ".join(export.outside)))
    if plan.voices:
        lines.append(_share("cli.import_quota", plan.share_of(plan.quota), plan.quota,
                            plan.quota_left, "cli.import_no_quota"))  # fmt: skip
        lines.append(_share("cli.import_budget", plan.share_of(plan.budget), plan.budget,
                            plan.budget_left, "cli.import_no_budget"))  # fmt: skip
    if plan.texts:
        lines.append(text("cli.import_texts", count=len(plan.texts)))
    return "\n".join(lines)


def _when(moment: datetime) -> str:
    """A date as read, with its offset from UTC: 2026-11-20 14:03 (UTC+01:00)."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def _share(key: str, share: float | None, limit: int, left: int, none: str) -> str:
    if share is None:
        return text(none)
    return text(key, share=Share(share), limit=Duration(limit), left=Duration(left))


class _ImportBar:
    """The import's progress bar on stderr: messages and minutes done, the time left."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._bar: Any = None
        self._last: ImportProgress | None = None

    def __call__(self, progress: ImportProgress) -> None:
        if self._bar is None:
            self._bar = self._stack.enter_context(
                click.progressbar(
                    length=max(1, round(progress.seconds_total)),
                    label=text("cli.import_label"),
                    file=sys.stderr,
                    show_eta=True,
                    item_show_func=self._info,
                )
            )
        self._last = progress
        self._bar.update(max(0, round(progress.seconds_done) - self._bar.pos), progress)

    def _info(self, progress: ImportProgress | None) -> str | None:
        if progress is None:
            return None
        return text(
            "cli.import_progress", done=progress.done, total=progress.total,
            minutes=format_duration(progress.seconds_done),
            of=format_duration(progress.seconds_total),
        )  # fmt: skip
