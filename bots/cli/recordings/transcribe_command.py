"""`voicebridge transcribe FILE...`: transcripts as text, subtitles (.srt, .vtt) or JSON.

Each recording goes through the bots' own transcription (`Transcription.transcribe_recording`):
cut in pauses, its pieces sent side by side (ASR_CONCURRENCY), each retried by the MiMo client.
One recording in one format goes to standard output; otherwise each format is written next to
its recording, or into --output-dir, as NAME.FORMAT, once the recording is done. A recording that
fails is one line on stderr and the others go on, unless MiMo refused the key or the balance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import shell_locale, text
from bots.cli.common_options import (
    LOCAL,
    local_request,
    run,
    say_failure,
    spoken_language_option,
    told,
    verbose_option,
)
from bots.cli.exit_code_per_failure import CommandFailed, ends_the_batch, failure
from bots.cli.exit_codes import ExitCode
from bots.cli.file_arguments import DASH, check_readable, is_dash, recording, write
from bots.cli.recordings.progress_bar import progress_bar
from core.chat.locale_formats import joined
from core.chat.transcript_files import to_srt, to_vtt
from core.domain import errors
from core.domain.message_splitting import format_duration
from core.domain.recordings.transcript_values import LongTranscript

if TYPE_CHECKING:
    from core.app.recordings.transcription import Transcription
    from core.app.rules.request_audience import Request
    from core.config import Settings

__all__ = ["in_json", "stretch", "transcribe"]

FORMATS = ("txt", "srt", "vtt", "json")
STDIN_NAME = "transcript"  # what standard input's outputs are called


@dataclass(frozen=True)
class Job:
    source: Path  # `-`: standard input
    outputs: dict[str, Path]  # format -> where it goes (`-`: standard output)


@click.command(short_help="Transcribe recordings into text, subtitles or JSON.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="FILE...",
    type=click.Path(allow_dash=True, path_type=Path),
)
@spoken_language_option("The language spoken; auto detects it.")
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(FORMATS),
    multiple=True,
    default=("txt",),
    show_default=True,
    help="txt: the text; srt, vtt: subtitles; json: the pieces with their times and text. "
    "Repeat for several (-f srt -f vtt).",
)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the files into this folder (made if need be) instead of next to each recording.",
)
@verbose_option
def transcribe(
    files: tuple[Path, ...],
    language: str,
    formats: tuple[str, ...],
    output_dir: Path | None,
    verbose: int,
) -> int:
    """Transcribe recordings: any audio or video ffmpeg reads, - for standard input.

    One recording in one format is printed; otherwise each format is written as NAME.FORMAT
    next to its recording, or into --output-dir. Long recordings are cut in pauses and their
    pieces transcribed side by side; on a terminal a progress bar shows how far it is.
    """
    return run(
        partial(_transcribe, files=files, language=language, formats=formats, folder=output_dir),
        verbose=verbose,
    )


async def _transcribe(
    settings: Settings,
    *,
    files: tuple[Path, ...],
    language: str,
    formats: tuple[str, ...],
    folder: Path | None,
) -> int:
    from core.bootstrap import standalone

    files = tuple(dict.fromkeys(files))  # a recording named twice is transcribed once
    check_readable(files)
    jobs = plan(files, tuple(dict.fromkeys(formats)), folder)
    code = ExitCode.OK
    async with standalone(settings) as runtime:
        await runtime.preferences.set_language(LOCAL, told(language), can_manage=True)
        request = await local_request(runtime)  # with the language just set
        for job in jobs:
            done = await _one(
                runtime.transcription, job, request, settings=settings, language=language
            )
            code = code or done
    return code


async def _one(
    transcription: Transcription, job: Job, request: Request, *, settings: Settings, language: str
) -> ExitCode:
    """Transcribe one recording and write its outputs; what went wrong is one line on stderr
    and its exit code (an error every further recording would meet too is raised)."""
    label = str(job.source)
    try:
        async with recording(job.source, max_bytes=settings.max_audio_bytes()) as path:
            with progress_bar(job.source.name) as progress:
                result = await transcription.transcribe_recording(
                    request.chat, path, prefs=request.prefs, progress=progress
                )
    except errors.VoicebridgeError as exc:
        if ends_the_batch(exc):
            raise
        found = failure(exc)
        say_failure(f"{label}: {found.line}", settings.secret_values())
        return found.code
    code = _write_outputs(job, result, language=language, secrets=settings.secret_values())
    if not result.missing:
        return code
    stretches = joined([stretch(part.start, part.end) for part in result.missing], shell_locale())
    line = text("cli.missing_parts", stretches=stretches)
    say_failure(f"{label}: {line}", settings.secret_values())
    return code or ExitCode.UNAVAILABLE


def _write_outputs(
    job: Job, result: LongTranscript, *, language: str, secrets: list[str]
) -> ExitCode:
    """Write each of `job`'s outputs; one that cannot be written is a line on stderr, and the
    others are written all the same."""
    code = ExitCode.OK
    for fmt, path in job.outputs.items():
        try:
            write(path, render(fmt, result, source=str(job.source), language=language))
        except CommandFailed as exc:
            say_failure(exc.line, secrets)
            code = code or exc.code
    return code


def plan(files: tuple[Path, ...], formats: tuple[str, ...], folder: Path | None) -> list[Job]:
    """Where each recording's transcripts go; refuses two outputs on one path, or on an input."""
    if len(files) == 1 and len(formats) == 1 and folder is None:
        return [Job(files[0], {formats[0]: Path(DASH)})]
    inputs = {path.resolve() for path in files if not is_dash(path)}
    taken: dict[Path, Path] = {}
    jobs = []
    for source in files:
        into = folder or (None if is_dash(source) else source.parent)
        if into is None:
            raise CommandFailed(ExitCode.USAGE, text("cli.stdin_needs_folder"))
        stem = STDIN_NAME if is_dash(source) else source.stem
        outputs = {fmt: into / f"{stem}.{fmt}" for fmt in formats}
        for path in outputs.values():
            if path.resolve() in inputs:
                raise CommandFailed(ExitCode.USAGE, text("cli.output_is_input", path=path))
            first = taken.setdefault(path.resolve(), source)
            if first != source:
                line = text("cli.same_output", first=first, second=source, path=path)
                raise CommandFailed(ExitCode.USAGE, line)
        jobs.append(Job(source, outputs))
    return jobs


def render(fmt: str, result: LongTranscript, *, source: str, language: str) -> bytes:
    """The transcript as the file of `fmt` holds it."""
    if fmt == "srt":
        return to_srt(result.parts).encode()
    if fmt == "vtt":
        return to_vtt(result.parts).encode()
    if fmt == "json":
        return (
            json.dumps(_json(result, source, language), ensure_ascii=False, indent=2) + "\n"
        ).encode()
    return f"{result.text}\n".encode() if result.text else b""


def in_json(seconds: float) -> float:
    """A time in the JSON the command line writes (`transcribe`, `summarise`): seconds to the
    millisecond, the same in each."""
    return round(seconds, 3)


def _json(result: LongTranscript, source: str, language: str) -> dict[str, object]:
    pieces = [
        {"start": in_json(part.start), "end": in_json(part.end), "text": part.text}
        for part in result.parts
    ]
    return {
        "file": source,
        "language": language,
        "duration": in_json(result.duration),
        "text": result.text,
        "pieces": pieces,  # a piece's text is null where it could not be transcribed
    }


def stretch(start: float, end: float) -> str:
    return f"{format_duration(start)}–{format_duration(end)}"
