"""`voicebridge find CHAT WORDS...`: `/find` over the database, from a shell.

The moments of one chat's kept transcripts where the words were said, as `/find` shows them in
the chat (`core.app.memory.chat_search`), a page of ten at a time. It reads DATABASE_URL's database
and needs no MiMo key or bot token; it changes nothing there (no migration either).
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import shell_locale, text
from bots.cli.common_options import run as run_command
from bots.cli.common_options import verbose_option
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode
from bots.cli.operations.db_command import existing_database

if TYPE_CHECKING:
    from core.config import Settings
    from core.domain.shared_values import ChatRef

__all__ = ["find"]

PLATFORMS = ("telegram", "discord")


class _FindCommand(click.Command):
    """`find`, whose CHAT may be typed as a bare negative id (a Telegram group's -100...),
    which Click reads as an option: it says how to write it instead of "No such option"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # Click's parser takes the arguments out of `args` as it reads
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption:
            number = next((arg for arg in given if re.fullmatch(r"-\d+", arg)), None)
            if number is None:
                raise
            line = text("cli.find_number_as_option", number=number)
            raise click.UsageError(line, ctx=ctx) from None


@click.command(
    cls=_FindCommand, short_help="Find where words were said in a chat's kept transcripts."
)
@click.argument("chat")
@click.argument("words", nargs=-1, required=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which page of ten moments.")  # fmt: skip
@verbose_option
def find(chat: str, words: tuple[str, ...], page: int, verbose: int) -> int:
    """The moments of CHAT's kept transcripts where WORDS were said, newest first, as /find
    shows them: CHAT is the platform and the chat's id, telegram:-1001234567890 for a Telegram
    group, discord:guild:123456789012345678 for a Discord server (every channel of it). The
    words found are in bold on a terminal, plain where the output goes to a file or a pipe."""
    where = _chat(chat)
    body = partial(_find, where, " ".join(words), page - 1)
    return run_command(body, verbose=verbose)


def _chat(typed: str) -> ChatRef:
    from core.domain.shared_values import ChatRef

    platform, _, chat_id = typed.partition(":")
    if platform not in PLATFORMS or not chat_id:
        raise click.BadParameter(
            f"{typed!r}: name it as telegram:CHAT_ID or discord:guild:SERVER_ID", param_hint="CHAT"
        )
    return ChatRef(platform, chat_id)  # type: ignore[arg-type]  # checked just above


async def _find(chat: ChatRef, words: str, page: int, settings: Settings) -> int:
    from core.bootstrap import memory_alone
    from core.chat.find_results_wording import Markup, found_text, link_to
    from core.infra.storage import current_revision

    await existing_database(settings)
    if await current_revision(settings.database_url) is None:
        raise CommandFailed(ExitCode.USAGE, "the database has no tables yet: nothing is kept")
    # A terminal's bold, which click takes out where the output is no terminal; not Markdown,
    # which a terminal shows as it is.
    bold = (click.style("", bold=True, reset=False), "\x1b[22m")
    plain = Markup(escape=str, bold=bold, anchor=lambda label, url: url,
                   channel=lambda channel: f"#{channel}")  # fmt: skip
    days = settings.summary_retention_days
    async with memory_alone(settings) as memory:
        found = await memory.find(chat, words, page=page)
    if not found.moments and page == 0:  # the bots' sentence speaks as the bot in the chat
        click.echo(text("cli.find_none", words=" ".join(found.words), days=days))
        return ExitCode.OK
    link = partial(link_to, chat)
    click.echo(found_text(found, shell_locale(), markup=plain, link=link, days=days))
    return ExitCode.OK
