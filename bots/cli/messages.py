"""What only the command line says: its failures, in one line each. What the bots say too (an
unreadable recording, MiMo unavailable) comes from the core's catalogue (`core.chat.messages`),
which this one extends: the same keys, the same lookup, the same translation files.

The command line speaks the language of the shell's locale, read as gettext reads it (the first
of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set: `de_DE.UTF-8`, `zh_CN:en`), and English
where that is a language we lack (`C`, `POSIX`).
"""

from __future__ import annotations

import os

from core.chat.i18n import Source
from core.chat.languages import DEFAULT_LOCALE, resolve_locale
from core.chat.messages import CORE

_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

EN: dict[str, Source] = {
    "cli.unreadable": "{path}: {reason}",
    "cli.unwritable": "cannot write {path}: {reason}",
    "cli.mimo_auth": "MiMo refused the API key: check MIMO_API_KEY, and that MIMO_BASE_URL is the host it belongs to (Token Plan keys have regional hosts).",
    "cli.mimo_balance": "The MiMo account's balance is used up: top it up, then try again.",
    "cli.mimo_unreachable": "cannot reach MiMo at {url} ({reason}): check the network and MIMO_BASE_URL.",
    "cli.missing_parts": "{stretches} could not be transcribed; the transcript marks where.",
    "cli.progress": "{done} of {total} · pieces done: {pieces}",
    "cli.progress_left": " · {left} left",
    "cli.see_help": "{line} (see {command} --help)",
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

_CATALOGUE = CORE.extended(EN)


def text(key: str, /, **params: object) -> str:
    """The sentence for `key` in the shell's language (`shell_locale`)."""
    return _CATALOGUE.text(key, shell_locale(), **params)


def shell_locale() -> str:
    """One of our locales for the shell's locale settings, or English. Only the first variable
    that is set counts, as in gettext: LC_ALL=C means English even when LANG says otherwise."""
    setting = next((os.environ[name] for name in _LOCALE_VARIABLES if os.environ.get(name)), "")
    for tag in setting.split(":"):  # LANGUAGE is a list, best first
        found = resolve_locale(tag.split(".")[0].split("@")[0])  # zh_CN.UTF-8, sr_RS@latin
        if found is not None:
            return found
    return DEFAULT_LOCALE
