"""Keeping the catalogues in step with the code: `python -m bots.update_catalogues`.

It runs Babel's `pybabel extract`, with the extractors below (named in `[tool.babel]` in
pyproject.toml), into the template `core/chat/locales/voicebridge.pot`, then `pybabel update`
into every language's `.po`: an entry whose English changed keeps the closest old translation,
marked fuzzy; a new entry comes empty; one the code no longer has goes.

What is translated, each under its key (`msgctxt`) with its English (`msgid`): the sentences of
the core, both adapters and the command line (Telegram's command menu, the built-in voices'
descriptions and the style presets' names among them), and the names and descriptions of
Discord's commands, options, choices and menus, read the way discord.py syncs them: through its
`Translator` interface. Each entry carries a note for its translators: what to keep as it is
({placeholders}, /commands, typed words such as on, off, auto, srt, txt; a command line's
options and settings) and a menu's or a field's length (`_KEEP`, `_notes`). The extractors are
hand-written because these are dictionary entries and decorator arguments, not gettext calls;
they live here because only this layer sees every catalogue (the core may not import the
adapters).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

import discord
from babel.messages.frontend import CommandLineInterface
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where
from discord.ext import commands

from bots.cli import command_line_wording as cli_messages
from bots.discord import discord_wording as discord_messages
from bots.discord.answers.persistent_buttons import Answerers
from bots.discord.application.feature_cogs import feature_cogs
from bots.discord.commands.localized_names import key_of
from bots.telegram import telegram_wording as telegram_messages
from core.chat.i18n import DOMAIN, LOCALE_DIR, Plural, Sentences, Source
from core.chat.message_catalogue import CORE
from core.chat.voice_channel_wording import VOICE_CHANNELS

__all__ = ["SENTENCES", "declared_commands", "main"]

ROOT = Path(__file__).resolve().parents[1]
SENTENCES: dict[str, Sentences] = {
    "core/chat/message_catalogue.py": {
        key: source for key, source in CORE.sources().items() if key not in VOICE_CHANNELS
    },
    "core/chat/voice_channel_wording.py": VOICE_CHANNELS,
    "bots/telegram/telegram_wording.py": telegram_messages.EN,
    "bots/discord/discord_wording.py": discord_messages.EN,
    "bots/cli/command_line_wording.py": cli_messages.EN,
}
DISCORD_COMMANDS = (
    "bots/discord/application/feature_cogs.py"  # where the cogs, and so the commands, are assembled
)
# The template's header names the release it was made from: the installed package's version
# (pyproject.toml's), never a number written here that the next release forgets.
EXTRACT = [
    *("--project", "voicebridge", "--version", version("voicebridge")),
    *("--copyright-holder", "voicebridge"),
    *("--no-location", "--width", "100"),
]
# No `--previous`: Babel reads an old `#| msgid` back as a translator's comment, kept for good.
UPDATE = ["--domain", DOMAIN, "--width", "100", "--ignore-obsolete", "--ignore-pot-creation-date"]

_KEEP = (
    "Keep {placeholders}, /commands and typed words (on, off, auto, zh, en, srt, txt, voice, "
    "design, clone, delete) as they are."
)
_CLI_KEEP = (
    "Keep {placeholders}, options (--style, -o), file names and extensions (.ogg, hi.mp3) and "
    "settings (MIMO_API_KEY) as they are."
)
_DISCORD_NOTES = {
    Where.command_name: "Discord slash command NAME (name_localizations): 1-32 characters, "
    "lowercase, no spaces (letters, digits, - and _ only). Translate only where a native user "
    "would type it; otherwise keep the English name.",
    Where.command_description: "Discord slash command description: 1-100 characters.",
    Where.parameter_name: "Discord option NAME: 1-32 characters, lowercase, no spaces. Keep the "
    "English name unless a native name is clearly better.",
    Where.parameter_description: "Discord option description: 1-100 characters.",
    Where.choice_name: "Discord choice name shown in the picker: 1-100 characters.",
}
_MENU_NOTE = (
    "Discord message context-menu (Apps) entry name: 1-32 characters, spaces allowed, as Discord "
    "users see it."
)
_NOTES_BY_PREFIX = {
    "telegram.command.": "Telegram command description (setMyCommands), at most 256 characters; "
    "shown in the / menu.",
    "voice.description.": "A built-in voice in the /voice list: keep the voice's name (before "
    "the dash) exactly as it is; translate the rest.",
    "style.preset.": "A /style preset as listed to users. Users may type the translated name too, "
    "so keep it short (1-3 words) and distinct from the other presets.",
    "setting.": "The name of a setting, in: “{value}” is not a valid {setting}.",
    "discord.ask.placeholder": "Discord text input placeholder: at most 100 characters.",
    "discord.ask.": "Discord modal title or label: at most 45 characters.",
    "discord.clone.title": "Discord modal title: at most 45 characters.",
    "discord.clone.label": "Discord modal label: at most 45 characters.",
    "discord.gist.button": "Discord button label under a transcript: at most 80 characters; "
    "one short word is best.",
}
_NOT_SENTENCES = ("telegram.command.", "voice.description.", "style.preset.")  # menus and data

# What a Babel extractor yields: line, the gettext function it stands for, its arguments, notes.
Extracted = tuple[int, str, tuple[str, ...], list[str]]


def sentences(
    fileobj: IO[bytes], keywords: Collection[str], tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel extractor: a catalogue module's sentences, as `pgettext`/`npgettext` would be."""
    module = Path(fileobj.name).resolve().relative_to(ROOT).as_posix()
    for key, source in SENTENCES[module].items():
        notes = _notes(key, source, module)
        if isinstance(source, Plural):
            yield 0, "npgettext", (key, source.one, source.other), notes
        else:
            yield 0, "pgettext", (key, source), notes


def _notes(key: str, source: Source, module: str) -> list[str]:
    special = [note for prefix, note in _NOTES_BY_PREFIX.items() if key.startswith(prefix)]
    if key.startswith(_NOT_SENTENCES):
        notes = special[:1]
    elif key.startswith("cli."):
        notes = [f"Command-line message on standard error ({module}). {_CLI_KEEP}"]
    else:
        notes = [f"Chat message ({module}). {_KEEP}", *special[:1]]
    if isinstance(source, Plural):
        notes.append(f"Plural: {{{source.count}}} picks the form.")
    return notes


def discord_commands(
    fileobj: IO[bytes], keywords: Collection[str], tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel extractor: the names and descriptions of the Discord commands, options, choices
    and menus, as the cogs declare them."""
    recorder = _Recorder()
    asyncio.run(_read_commands(recorder))
    for key, (english, note) in recorder.found.items():
        yield 0, "pgettext", (key, english), [note]


class _Recorder(app_commands.Translator):
    """Translates nothing; notes every string discord.py asks about, with its key."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, str]] = {}

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = key_of(string, context)
        if key is not None and key not in self.found:
            menu = isinstance(context.data, app_commands.ContextMenu)
            note = _MENU_NOTE if menu else _DISCORD_NOTES[context.location]
            self.found[key] = (string.message, note)
        return None


class _Unbuilt:
    """Stands in for the runtime and every use case in it: the cogs are built only for the
    commands they declare, and never run."""

    def __getattr__(self, name: str) -> _Unbuilt:
        return self


async def declared_commands() -> app_commands.CommandTree[Any]:
    """Discord's commands and menus as the cogs declare them, on a bot that never runs."""
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.none())
    unbuilt: Any = _Unbuilt()
    cogs = feature_cogs(
        bot,
        unbuilt,
        player=unbuilt,
        reader=unbuilt,
        channels=unbuilt,
        listened=unbuilt,
        clicks=Answerers(),
    )
    for cog in cogs:
        await bot.add_cog(cog)
    return bot.tree


async def _read_commands(recorder: _Recorder) -> None:
    tree = await declared_commands()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, recorder)


def update(locales: Path) -> None:
    """Make the template in `locales` anew from the code, and merge it into every `.po` there."""
    template = locales.resolve() / f"{DOMAIN}.pot"
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(ROOT):
        made = Path(scratch) / template.name
        sources = [*SENTENCES, DISCORD_COMMANDS]
        mapping = ["--mapping-file", "pyproject.toml", "--output-file", str(made)]
        _pybabel("--quiet", "extract", *mapping, *EXTRACT, *sources)
        # `extract` dates every template it makes: one that differs only there is left alone.
        if template.is_file() and _undated(made) == _undated(template):
            print(f"{template} is up to date")
        else:
            shutil.copyfile(made, template)
            print(f"wrote {template}")
    _pybabel("update", "--input-file", str(template), "--output-dir", str(template.parent), *UPDATE)
    # `update` keeps each catalogue's header as it was: its version follows the template's.
    for catalogue in template.parent.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        _name_the_version(catalogue)


def _name_the_version(catalogue: Path) -> None:
    text = catalogue.read_text("utf-8")
    line = f'"Project-Id-Version: voicebridge {version("voicebridge")}\\n"'
    named = re.sub(r'^"Project-Id-Version: .*$', lambda _: line, text, count=1, flags=re.M)
    if named != text:
        catalogue.write_text(named, "utf-8")


def _undated(template: Path) -> str:
    return re.sub(r'^"POT-Creation-Date: .*\n', "", template.read_text("utf-8"), flags=re.M)


def _pybabel(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", *argv])  # type: ignore[no-untyped-call]  # unannotated


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bots.update_catalogues", description=__doc__)
    parser.add_argument("--locales", type=Path, default=LOCALE_DIR, help="(default: %(default)s)")
    update(parser.parse_args(None if argv is None else list(argv)).locales)
    return 0


if __name__ == "__main__":
    sys.exit(main())
