"""What only the command line says: its failures, in one line each. What the bots say too (an
unreadable recording, MiMo unavailable) comes from the core's catalogue (`core.chat.messages`),
which this one extends: the same keys, the same lookup."""

from __future__ import annotations

from core.chat.messages import CORE

EN: dict[str, str] = {
    "cli.unreadable": "{path}: {reason}",
    "cli.unwritable": "cannot write {path}: {reason}",
    "cli.mimo_auth": "MiMo refused the API key: check MIMO_API_KEY, and that MIMO_BASE_URL is the host it belongs to (Token Plan keys have regional hosts).",
    "cli.mimo_balance": "The MiMo account's balance is used up: top it up, then try again.",
    "cli.missing_parts": "{stretches} could not be transcribed; the transcript marks where.",
    "cli.progress": "{done} of {total} · pieces done: {pieces}",
    "cli.progress_left": " · {left} left",
    "cli.unexpected": "unexpected error ({error}); run with -v to see where.",
    "cli.stdin_once": "- (standard input) can be read only once.",
    "cli.stdin_needs_folder": "standard input has no folder to write its transcripts next to: name an --output-dir.",
    "cli.same_output": "{first} and {second} would both be written to {path}.",
    "cli.output_is_input": "{path} is an input; it would be overwritten.",
    "cli.audio_extension": "{path}: the extension chooses the format: .ogg or .opus (OGG/Opus), .mp3 or .wav.",
    "cli.no_output": "name the file to write with -o (hi.ogg, hi.mp3 or hi.wav), or pipe the audio to another command.",
    "cli.both_on_stdout": "the audio and the subtitles cannot both go to standard output.",
    "cli.no_text": "give the text to speak, or - to read it from standard input.",
    "cli.voiceclone": "{model} speaks in a voice cloned from a recording, which the command line does not keep; choose another --model.",
    "cli.voicedesign": "{model} speaks in a voice you describe: give the description with --style.",
}

text = CORE.extended({"en": EN}).text
