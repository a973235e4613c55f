"""`voicebridge say TEXT`: speech as OGG/Opus, MP3 or WAV, and its subtitles.

The text is spoken as `/say` speaks it (`TextToSpeech.say_file`): cut at sentence ends past
TTS_PIECE_CHARS, the pieces spoken four at a time and joined in order, in the voice and style
the options choose through the same preferences a chat sets with `/voice` and `/style`.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import text
from bots.cli.common_options import LOCAL, local_request, run, verbose_option
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode
from bots.cli.file_arguments import DASH, is_dash, read_text, write
from core.chat.transcript_files import to_srt
from core.domain.mimo import default_models
from core.domain.recordings.transcript_values import AudioFormat
from core.domain.voices.preset_voices import voices_for
from core.domain.voices.speaking_style_rules import STYLE_PRESETS, is_voiceclone, is_voicedesign

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from core.config import Settings

__all__ = ["say"]

_FORMATS: dict[str, AudioFormat] = {".ogg": "ogg", ".opus": "ogg", ".mp3": "mp3", ".wav": "wav"}
# What `--model` completes to: MIMO_TTS_MODEL's default (the model the voices complete for when
# no --model is given), the older family, MIMO_VOICEDESIGN_MODEL's default.
_MODELS = (default_models.TTS, default_models.OLDER_TTS, default_models.VOICEDESIGN)


def _complete_voices(ctx: click.Context, _: click.Parameter, typed: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    model = ctx.params.get("model") or _MODELS[0]
    return [
        CompletionItem(voice.name, help=voice.description)
        for voice in voices_for(model)
        if voice.name.startswith(typed)
    ]


@click.command(short_help="Speak a text into an OGG, MP3 or WAV file.")
@click.argument("words", metavar="TEXT", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The file to write; its extension chooses the format: .ogg or .opus (OGG/Opus, as "
    "voice notes are), .mp3, .wav. - writes OGG/Opus to standard output, as does leaving it "
    "out when the output is a pipe.",
)
@click.option(
    "--voice",
    shell_complete=_complete_voices,
    help="One of the model's voices (--list-voices); the model's default when left out.",
)
@click.option(
    "--style",
    shell_complete=lambda _ctx, _param, typed: [s for s in STYLE_PRESETS if s.startswith(typed)],
    help=f"How to speak, as /style sets it: a preset ({', '.join(STYLE_PRESETS)}) or your own "
    "words, e.g. 'slowly, like a bedtime story'. For a voicedesign model: the voice's "
    "description.",
)
@click.option(
    "--model",
    shell_complete=lambda _ctx, _param, typed: [m for m in _MODELS if m.startswith(typed)],
    help="The speech model; MIMO_TTS_MODEL when left out.",
)
@click.option(
    "--subtitles",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Also write an .srt of the text, timed where each piece of it is heard.",
)
@click.option("--list-voices", is_flag=True, help="List the model's voices, and stop.")
@verbose_option
def say(
    words: str | None,
    output: Path | None,
    voice: str | None,
    style: str | None,
    model: str | None,
    subtitles: Path | None,
    list_voices: bool,
    verbose: int,
) -> int:
    """Speak TEXT (- reads it from standard input) into an audio file.

    Long texts are spoken as the bots speak them: cut at sentence ends, and joined into one
    file.
    """
    if list_voices:
        return run(partial(_list_voices, model=model), verbose=verbose)
    speak = partial(
        _say, words=words, output=output, voice=voice, style=style, model=model, srt=subtitles
    )
    return run(speak, verbose=verbose)


async def _list_voices(settings: Settings, *, model: str | None) -> int:
    for voice in voices_for(model or settings.mimo_tts_model):
        click.echo(voice.description)
    return ExitCode.OK


async def _say(
    settings: Settings,
    *,
    words: str | None,
    output: Path | None,
    voice: str | None,
    style: str | None,
    model: str | None,
    srt: Path | None,
) -> int:
    from core.bootstrap import standalone

    if words is None:
        raise CommandFailed(ExitCode.USAGE, text("cli.no_text"))
    model = model or settings.mimo_tts_model
    _check_model(model, style)
    target = _target(output, srt)
    spoken_text = read_text(words)
    settings = settings.model_copy(update={"mimo_tts_model": model})
    async with standalone(settings) as runtime:
        if voice is not None:
            await runtime.preferences.set_voice(LOCAL, voice, can_manage=True)
        if style is not None:
            await runtime.preferences.set_style(LOCAL, style, can_manage=True)
        request = await local_request(runtime)
        speech = await runtime.speech.say_file(request, spoken_text, fmt=_format(target))
    write(target, speech.data)
    if srt is not None:
        write(srt, to_srt(speech.parts).encode())
    return ExitCode.OK


def _check_model(model: str, style: str | None) -> None:
    """Refuse what the model cannot do from here, before MiMo would."""
    if is_voiceclone(model):
        raise CommandFailed(ExitCode.USAGE, text("cli.voiceclone", model=model))
    if is_voicedesign(model) and not (style or "").strip():
        raise CommandFailed(ExitCode.USAGE, text("cli.voicedesign", model=model))


def _target(output: Path | None, srt: Path | None) -> Path:
    """Where the audio goes: `output`, or standard output when that is a pipe. What cannot be
    written is refused now, before MiMo is asked."""
    target = output
    if target is None:
        if sys.stdout.isatty():
            raise CommandFailed(ExitCode.USAGE, text("cli.no_output"))
        target = Path(DASH)
    _format(target)
    if srt is not None and is_dash(srt) and is_dash(target):
        raise CommandFailed(ExitCode.USAGE, text("cli.both_on_stdout"))
    return target


def _format(path: Path) -> AudioFormat:
    if is_dash(path):
        return "ogg"
    found = _FORMATS.get(path.suffix.lower())
    if found is None:
        raise CommandFailed(ExitCode.USAGE, text("cli.audio_extension", path=path))
    return found
