"""`voicebridge summarise FILE`: the gist of a recording, as `/tldr` gives it
(`Gists.gist`): a one-line gist, then the points, decisions and action items, each with
the time in the recording where it was said."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import shell_locale, text
from bots.cli.common_options import (
    local_request,
    run,
    say_failure,
    spoken_language_option,
    told,
    verbose_option,
)
from bots.cli.exit_codes import ExitCode
from bots.cli.file_arguments import one_recording
from bots.cli.recordings.transcribe_command import in_json, stretch
from core.chat.locale_formats import joined

if TYPE_CHECKING:
    from core.config import Settings
    from core.domain.recordings.gist_format import Gist, GistItem

__all__ = ["summarise"]


def _locale(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """A language of the bot's, by code or name; none given: the shell's."""
    from core.chat.answer_languages import locale_named

    if value is None:
        return shell_locale()
    found = locale_named(value)
    if found is None:
        raise click.BadParameter(f"{value!r} is not one of the bot's languages")
    return found


@click.command(short_help="The gist of a recording, with times.")
@click.argument("file", type=click.Path(allow_dash=True, path_type=Path))
@spoken_language_option("The recording's language, for its transcript (auto detects).")
@click.option(
    "--in",
    "locale",
    metavar="LANGUAGE",
    callback=_locale,
    help="The gist's language, a code or a name (de, 简体中文); default: the shell's.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON object: file, gist, points, decisions, actions (each with at and "
    "seconds) and the timed transcript.",
)
@verbose_option
def summarise(file: Path, language: str, locale: str, as_json: bool, verbose: int) -> int:
    """The gist of the recording FILE (- for standard input): one line, then its points,
    decisions and action items, each with the time where it was said, [mm:ss]."""
    return run(
        partial(_summarise, file=file, language=language, locale=locale, as_json=as_json),
        verbose=verbose,
    )


async def _summarise(
    settings: Settings, *, file: Path, language: str, locale: str, as_json: bool
) -> int:
    from core.chat.summary_wording import gist_card

    async with one_recording(settings, file, language=told(language)) as (runtime, path):
        gist = await runtime.gists.gist(await local_request(runtime, locale=locale), path)
    if as_json:
        click.echo(json.dumps(_document(file, gist), ensure_ascii=False, indent=2))
    else:
        click.echo(gist_card(gist, locale))
    if not gist.transcript.missing:
        return ExitCode.OK
    # As `transcribe`: what MiMo could not hear, the gist could not see either.
    stretches = [stretch(part.start, part.end) for part in gist.transcript.missing]
    line = text("cli.missing_parts", stretches=joined(stretches, shell_locale()))
    say_failure(f"{file}: {line}", settings.secret_values())
    return ExitCode.UNAVAILABLE


def _document(file: Path, gist: Gist) -> dict[str, object]:
    from core.domain.recordings.gist_format import clock

    def items(found: tuple[GistItem, ...]) -> list[dict[str, object]]:
        return [{"at": clock(i.at), "seconds": in_json(i.at), "text": i.text} for i in found]

    return {
        "file": str(file),
        "gist": gist.headline,
        "points": items(gist.points),
        "decisions": items(gist.decisions),
        "actions": items(gist.actions),
        "transcript": [
            {"start": in_json(p.start), "end": in_json(p.end), "text": p.text}
            for p in gist.transcript.parts
        ],
    }
