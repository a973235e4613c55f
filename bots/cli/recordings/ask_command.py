"""`voicebridge ask FILE QUESTION`: an answer about a recording, as `/ask` gives it
(`Questions.ask`: MiMo hears the whole recording at once)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import text
from bots.cli.common_options import language_option, local_request, run, verbose_option
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode
from bots.cli.file_arguments import one_recording

if TYPE_CHECKING:
    from core.config import Settings

__all__ = ["ask"]


@click.command(short_help="Answer a question about a recording.")
@click.argument("file", type=click.Path(allow_dash=True, path_type=Path))
@click.argument("question")
@language_option("The answer's language; auto answers in the question's.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON object: file, question, answer and usage (MiMo's tokens).",
)
@verbose_option
def ask(file: Path, question: str, language: str, as_json: bool, verbose: int) -> int:
    """Answer QUESTION about the recording FILE (- for standard input)."""
    return run(
        partial(_ask, file=file, question=question, language=language, as_json=as_json),
        verbose=verbose,
    )


async def _ask(
    settings: Settings, *, file: Path, question: str, language: str, as_json: bool
) -> int:
    if not question.strip():  # before the file is read; the core's refusal is /say's sentence
        raise CommandFailed(ExitCode.UNUSABLE, text("cli.no_question"))
    async with one_recording(settings, file, language=language) as (runtime, path):
        answer = await runtime.questions.ask(await local_request(runtime), path, question)
    if not as_json:
        click.echo(answer.text)
        return ExitCode.OK
    usage = answer.usage
    document = {
        "file": str(file),
        "question": question,
        "answer": answer.text,
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
        },
    }
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    return ExitCode.OK
