"""Keeping the translations in step with the code: `python -m bots.locales update`.

    update   make the template (`core/chat/locales/voicebridge.pot`) anew from the code, and
             merge it into every language's `.po` with Babel's `Catalog.update`: an entry whose
             English changed keeps its old translation, marked fuzzy, with the old English beside
             it (`#| msgid`) for the translator; a new entry comes empty; one the code no longer
             has goes
    check    exit 1, naming them, when the template differs from the code

What is translated, each under its key (`msgctxt`) with its English (`msgid`): the catalogues
of the core, of both adapters and of the command line (sentences, Telegram's command menu, the
built-in voices' descriptions, the style presets' names), and the names and descriptions of
Discord's commands, options, choices and menus, read the way discord.py syncs them: through its
`Translator` interface. Only this layer sees every catalogue (the core may not import the adapters).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import discord
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where
from discord.ext import commands

from bots.cli import messages as cli_messages
from bots.discord import messages as discord_messages
from bots.discord.bot import feature_cogs
from bots.discord.translator import key_of
from bots.telegram import messages as telegram_messages
from core.chat.i18n import DOMAIN, LOCALE_DIR, Plural, Source, po_path
from core.chat.languages import DEFAULT_LOCALE, LOCALES
from core.chat.messages import CORE, EN

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
WIDTH = 100
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


@dataclass(frozen=True)
class Entry:
    """One translatable string: its key, its English, and what the translator should know."""

    key: str
    source: Source
    notes: tuple[str, ...]


def template() -> Catalog:
    """The translation template, made from the code."""
    catalog = Catalog(
        project="voicebridge",
        version="0.1",
        copyright_holder="voicebridge",
        msgid_bugs_address="EMAIL@ADDRESS",
        fuzzy=False,
    )
    for entry in [*catalogue_entries(), *asyncio.run(discord_command_entries())]:
        source = entry.source
        english = (source.one, source.other) if isinstance(source, Plural) else source
        catalog.add(english, context=entry.key, auto_comments=entry.notes)
    return catalog


def catalogue_entries() -> list[Entry]:
    """Every sentence of the core's catalogue, both adapters' and the command line's, in order."""
    where = {
        **dict.fromkeys(EN, "core/chat/messages.py"),
        **dict.fromkeys(telegram_messages.EN, "bots/telegram/messages.py"),
        **dict.fromkeys(discord_messages.EN, "bots/discord/messages.py"),
        **dict.fromkeys(cli_messages.EN, "bots/cli/messages.py"),
    }
    every = {**CORE.sources(), **telegram_messages.EN, **discord_messages.EN, **cli_messages.EN}
    return [
        Entry(key, source, _notes(key, source, where.get(key))) for key, source in every.items()
    ]


def _notes(key: str, source: Source, module: str | None) -> tuple[str, ...]:
    special = [note for prefix, note in _NOTES_BY_PREFIX.items() if key.startswith(prefix)]
    if module is None or key.startswith("telegram.command."):  # voices, presets, the menu
        notes = special[:1]
    elif key.startswith("cli."):
        notes = [f"Command-line message on standard error ({module}). {_CLI_KEEP}"]
    else:
        notes = [f"Chat message ({module}). {_KEEP}", *special[:1]]
    if isinstance(source, Plural):
        notes.append(f"Plural: {{{source.count}}} picks the form.")
    return tuple(notes)


class _Recorder(app_commands.Translator):
    """Translates nothing; notes every string discord.py asks about, with its key."""

    def __init__(self) -> None:
        self.found: dict[str, Entry] = {}

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
            self.found[key] = Entry(key, string.message, (note,))
        return None


class _Unbuilt:
    """Stands in for the runtime and every use case in it: the cogs are built only for the
    commands they declare, and never run."""

    def __getattr__(self, name: str) -> _Unbuilt:
        return self


async def discord_command_entries() -> list[Entry]:
    """The names and descriptions of the Discord commands, options, choices and menus, as the
    cogs declare them (built without a runtime: only their commands are read)."""
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.none())
    for cog in feature_cogs(bot, _Unbuilt(), player=_Unbuilt()):  # type: ignore[arg-type]
        await bot.add_cog(cog)
    recorder = _Recorder()
    for command in bot.tree.get_commands():
        await command.get_translated_payload(bot.tree, recorder)
    return list(recorder.found.values())


def differences(made: Catalog, committed: Catalog) -> list[str]:
    """What the committed template lacks, or has too many, against the one made from the code."""

    def entries(catalog: Catalog) -> set[tuple[Any, ...]]:
        return {_entry_of(m) for m in catalog if m.id}

    new, old = entries(made), entries(committed)
    return [f"missing {e[0]}" for e in sorted(new - old)] + [
        f"not in the code {e[0]}" for e in sorted(old - new)
    ]


def _entry_of(message: Message) -> tuple[Any, ...]:
    # Written comments are wrapped into several lines, and read back as several comments.
    notes = " ".join(" ".join(message.auto_comments).split())
    return (message.context, message.id, notes)


def update(made: Catalog) -> None:
    """Write the template, and merge it into every language's catalogue."""
    committed = _read(TEMPLATE) if TEMPLATE.is_file() else None
    if committed is not None and not differences(made, committed):
        made.creation_date = committed.creation_date  # so the catalogues' headers stay as they are
        print(f"{TEMPLATE} is up to date")
    else:
        _write(TEMPLATE, made)
        print(f"wrote {TEMPLATE}")
    for locale in LOCALES:
        if locale != DEFAULT_LOCALE:
            merged = merge(_read(po_path(locale), locale=locale), made)
            _write(po_path(locale), merged)
            todo = [str(m.context) for m in merged if m.id and (m.fuzzy or not all(_forms_of(m)))]
            print(f"{locale}: {len(todo)} to translate{': ' if todo else ''}{', '.join(todo)}")


def merge(catalog: Catalog, made: Catalog) -> Catalog:
    """`catalog` brought in line with the template `made`, matched by key: Babel matches by
    English, so a sentence whose English changed is first moved to its new English, fuzzy."""
    by_key = {m.context: m for m in catalog if m.id}
    moved: dict[str, Any] = {}  # key -> the English it was translated from
    for message in made:
        old = by_key.get(message.context)
        if not message.id or message.context is None or old is None or old.id == message.id:
            continue
        catalog.delete(old.id, context=old.context)
        first = _forms_of(old)[0]
        plural = (first, *[""] * (catalog.num_plurals - 1))
        string = first if isinstance(message.id, str) else plural
        catalog.add(message.id, string, context=message.context, flags={*old.flags, "fuzzy"})
        moved[message.context] = old.id
    catalog.update(made, no_fuzzy_matching=True, update_header_comment=False)
    for message in catalog:
        if message.context is not None and message.context in moved and message.fuzzy:
            # Babel's update drops the old English: the translator wants to see it.
            previous = moved[message.context]
            message.previous_id = [previous] if isinstance(previous, str) else list(previous)
    return catalog


def _forms_of(message: Message) -> list[str]:
    """A message's translation as a list of forms (one, unless it is plural)."""
    string = message.string
    if isinstance(string, str):
        return [string]
    return list(string or [""])


def _read(path: Any, *, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=Locale.parse(locale) if locale else None, domain=DOMAIN)


def _write(path: Any, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=WIDTH, ignore_obsolete=True, include_previous=True)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bots.locales", description=__doc__)
    parser.add_argument("command", choices=["update", "check"])
    args = parser.parse_args(None if argv is None else list(argv))
    made = template()
    if args.command == "update":
        update(made)
        return 0
    wrong = differences(made, _read(TEMPLATE))
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
