"""Every sentence that shows how to type a command shows it as the platform that says it types
it, in every language: on Telegram a command and the words after it (`/voice NAME`,
`/voicetranslations off`); on Discord a slash command and its options by the names the
member's Discord shows (`/voice name:NAME`, `/voice имя:ИМЯ`), a yes/no option as True or False
(`/read_me allowed:False`). And the description of a yes/no option calls its two states True
and False, as Discord's picker shows them, not on and off.

Each platform's sentences are rendered as it says them: its catalogue's (the core's and its
own, the core's reworded where it words them otherwise), in each language, every plural form.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from discord import AppCommandOptionType, app_commands

from bots.discord import discord_wording as discord_messages
from bots.telegram import telegram_wording as telegram_messages
from bots.update_catalogues import declared_commands
from core.chat.answer_languages import DEFAULT_LOCALE, LOCALES
from core.chat.i18n import Catalogue, Plural, translated

# A command, whatever follows it (Korean joins a particle to it: `/skip으로`).
COMMAND = re.compile(r"(?<![\w/.:{<])/([a-z_]+)(?![a-z_])")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# An option as Discord shows it typed: its name, a colon and at once its value (not `HH:MM`,
# not `18:00`, not `auto: detected`, not a web address).
OPTION = re.compile(r"(?<![\w:/])([^\W\d][\w-]*):(?![\s/])(\S+)")
WORD = re.compile(r"[ \u00a0](\S+)")
# What a sentence may put after a command and its arguments before going on.
TRAILING = ".,;:!?)）。、，；：」”»\u00a0"
ELLIPSIS = {"…", "……", "..."}
CJK_PAUSE = re.compile("[，。；、！？]")  # Chinese and Japanese end a clause in a word
# Words typed after a Telegram command as they are, in every language (the glossary's list;
# not `en`, a French and Spanish word too: a language code in an option's place shows as an
# option missing where the English has one).
TYPED = {"on", "off", "auto", "srt", "txt", "inherit", "voice", "design", "clone", "delete",
         "share", "unshare", "private", "reply"}  # fmt: skip
# A word the reader fills in, in capitals (NAME, LANGUAGE, ИМЯ, НАЗВА, CHAT_ID).
FILLED_IN = re.compile(r"^[A-ZА-ЯЁІЇЄҐ][A-ZА-ЯЁІЇЄҐ_’'-]+$")
LATIN_OR_CYRILLIC = re.compile(r"[A-Za-zА-Яа-яЁёІіЇїЄєҐґ0-9_’'-]+")
YES_NO = re.compile(r"(?:True|False)(?![A-Za-z])")  # Korean joins a particle: `allowed:False로`
# The words each language names a switch's two states with; a yes/no option is True or False.
ON_OFF: dict[str, str] = {
    "en": r"on|off",
    "de": r"an|aus|ein",
    "es": r"sí|no|activad[oa]|desactivad[oa]|encendid[oa]|apagad[oa]",
    "fr": r"oui|non|activée?|désactivée?",
    "pt_BR": r"sim|não|ativad[oa]|desativad[oa]|ligad[oa]|desligad[oa]",
    "ru": r"вкл\.?|выкл\.?|да|нет|включено|выключено",
    "uk": r"увімк\.?|вимк\.?|так|ні|увімкнено|вимкнено",
    "id": r"ya|tidak|aktif|nonaktif|hidup|mati",
    "ja": r"オン|オフ|はい|いいえ",
    "ko": r"켜기|끄기|켬|끔|예|아니요",
    "zh_Hans": r"开|关|是|否",
    "zh_Hant": r"開|關|是|否",
}


@dataclass(frozen=True)
class Option:
    key: str  # discord.option.<command>.<parameter>, as the catalogue names it
    english: str  # the name Discord shows in English
    about: str  # its description, in English
    yes_no: bool

    def name(self, locale: str) -> str:
        """The option's name as a member whose Discord is in `locale` types it."""
        return translated(locale, f"{self.key}.name", self.english) or self.english

    def description(self, locale: str) -> str:
        return translated(locale, f"{self.key}.description", self.about) or self.about


def _discord_commands() -> dict[str, list[Option]]:
    """Each slash command's options, from the cogs as Discord receives them."""
    tree = asyncio.run(declared_commands())
    found: dict[str, list[Option]] = {}
    for command in tree.get_commands():
        if isinstance(command, app_commands.Command):
            found[command.qualified_name] = [
                Option(
                    key=f"discord.option.{command.qualified_name}.{parameter.name}",
                    english=parameter.display_name,
                    about=str(parameter.description),
                    yes_no=parameter.type is AppCommandOptionType.boolean,
                )
                for parameter in command.parameters
            ]
    return found


DISCORD_COMMANDS = _discord_commands()
TELEGRAM_COMMANDS = set(telegram_messages.COMMAND_DESCRIPTIONS)
PLATFORMS: dict[str, Catalogue] = {
    "telegram": telegram_messages.CATALOGUE,
    "discord": discord_messages.CATALOGUE,
}


def rendered(catalogue: Catalogue, locale: str) -> Iterator[tuple[str, str]]:
    """(key, sentence) for every sentence `catalogue` says that shows a command, in `locale`,
    every plural form of it, its placeholders left standing."""
    for key in catalogue.sentence_keys():
        source = catalogue.sources()[key]
        english = f"{source.one} {source.other}" if isinstance(source, Plural) else source
        if not COMMAND.search(english):
            continue
        params: dict[str, object] = {name: f"{{{name}}}" for name in PLACEHOLDER.findall(english)}
        counts = [1, 2, 5] if isinstance(source, Plural) else [None]
        for count in counts:
            if isinstance(source, Plural):
                params[source.count] = count
            yield key, catalogue.text(key, locale, **params)


def _bare(token: str) -> str:
    return token.strip(TRAILING + "([（「“«\"'")


def _positional(token: str) -> bool:
    """Whether `token`, after a command, is a value typed in its place: Telegram's syntax. Its
    Latin or Cyrillic head is enough: Korean joins a particle (`off로`, `NAME으로`), Chinese
    and Japanese their own punctuation (`auto、zh、en`)."""
    bare = _bare(token)
    head = LATIN_OR_CYRILLIC.match(bare)
    word = head.group() if head else bare
    return (
        word in TYPED
        or bool(FILLED_IN.match(word))
        or bare[:1].isdigit()
        or (token.startswith("[") and "|" in token)
    )


def _after(sentence: str, end: int) -> Iterator[str]:
    """The words that follow a command ending at `end`, one space apart."""
    while (match := WORD.match(sentence, end)) is not None:
        yield match.group(1)
        end = match.end()


def _options(sentence: str) -> Iterator[re.Match[str]]:
    """Every `name:value` in `sentence` whose name could be an option's (lower case or
    caseless: `HH:MM` is a time)."""
    return (m for m in OPTION.finditer(sentence) if not m.group(1)[0].isupper())


def telegram_problems(sentence: str) -> list[str]:
    """What in `sentence` is not Telegram's syntax: a command Telegram lacks, an option."""
    problems = [f"/{c} is no Telegram command" for c in COMMAND.findall(sentence)
                if c not in TELEGRAM_COMMANDS]  # fmt: skip
    if COMMAND.search(sentence):
        problems += [f"Discord's option {m.group()!r}" for m in _options(sentence)]
    return problems


def discord_problems(sentence: str, locale: str) -> tuple[list[str], set[tuple[str, ...]]]:
    """What in `sentence` is not Discord's syntax in `locale` (a positional value, an option
    Discord does not show so, a yes/no that is not True or False), and each command shown with
    the options it names, for comparing with the English."""
    problems: list[str] = []
    shown: set[tuple[str, ...]] = set()
    named: dict[str, Option] = {}
    for match in COMMAND.finditer(sentence):
        command = match.group(1)
        if command not in DISCORD_COMMANDS:
            problems.append(f"/{command} is no Discord command")
            continue
        options = {option.name(locale): option for option in DISCORD_COMMANDS[command]}
        named.update(options)
        # A help line (`/ask attachment question — …`) and a usage line (`/summary [window]`)
        # list options by name; anywhere else a name there stands in for its value.
        line = sentence[: match.start()].rpartition("\n")[2], sentence[match.start() :]
        listed = not line[0] and " — " in line[1].partition("\n")[0]
        used: set[str] = set()
        for word in _after(sentence, match.end()):
            typed = OPTION.fullmatch(word.rstrip(TRAILING))
            if word in ELLIPSIS:
                continue
            if typed is not None and typed.group(1) in options:
                used.add(options[typed.group(1)].key)
            elif typed is None and _bare(word) in options and (listed or word[0] == "["):
                used.add(options[_bare(word)].key)
            else:
                if typed is None and (_positional(word) or _bare(word) in options):
                    problems.append(f"/{command} {word}: Telegram's syntax")
                break
            if word[-1] in TRAILING or CJK_PAUSE.search(word):  # "/language value:auto, zh"
                break
        shown.add((command, *sorted(used)))
    for typed in _options(sentence):
        name, value = typed.group(1), typed.group(2).rstrip(TRAILING)
        option = named.get(name)
        if option is None:
            problems.append(f"{typed.group()!r}: no option of that name in {locale}")
        elif option.yes_no and not YES_NO.match(value):
            problems.append(f"{typed.group()!r}: a yes/no option is True or False")
    return problems, shown


def yes_no_described_with_on_off(description: str, locale: str) -> bool:
    """Whether a yes/no option's `description` names its states with switch words ("On: …;
    off: …", "(on)") instead of Discord's True and False."""
    words = ON_OFF[locale]
    label = rf"(?:^|[;；,，。.]\s*)(?:{words})\s*(?:[:：]|\s[—–])"
    enclosed = rf"[(（](?:{words})[)）]"
    latin = r"(?<![\w/])(?:on|off)(?!\w)"
    return any(re.search(p, description, re.IGNORECASE) for p in (label, enclosed, latin))


@pytest.mark.parametrize("locale", LOCALES)
def test_telegram_sentences_show_telegram_s_syntax(locale: str) -> None:
    wrong = [
        f"{key}: {problem}"
        for key, sentence in rendered(PLATFORMS["telegram"], locale)
        for problem in telegram_problems(sentence)
    ]
    assert wrong == []


@pytest.mark.parametrize("locale", LOCALES)
def test_discord_sentences_show_discord_s_syntax(locale: str) -> None:
    """Options by their names in the member's language, True or False for a yes/no, nothing
    typed in an option's place; and each command with the options the English gives it."""
    english = {
        key: discord_problems(sentence, DEFAULT_LOCALE)[1]
        for key, sentence in rendered(PLATFORMS["discord"], DEFAULT_LOCALE)
    }
    wrong = []
    for key, sentence in rendered(PLATFORMS["discord"], locale):
        problems, shown = discord_problems(sentence, locale)
        wrong += [f"{key}: {problem}" for problem in problems]
        if shown != english[key]:
            wrong.append(f"{key}: shows {sorted(shown)}, the English {sorted(english[key])}")
    assert wrong == []


@pytest.mark.parametrize("locale", LOCALES)
def test_a_yes_no_option_is_described_as_true_or_false(locale: str) -> None:
    yes_no = [o for options in DISCORD_COMMANDS.values() for o in options if o.yes_no]
    assert len(yes_no) >= 8  # /say, /voice, /translate, /voicetranslations, /summary...
    wrong = [
        f"{option.key}: {option.description(locale)}"
        for option in yes_no
        if yes_no_described_with_on_off(option.description(locale), locale)
    ]
    assert wrong == []


def test_a_sentence_in_the_other_platform_s_syntax_is_caught() -> None:
    """The checks above are not blind: each kind of mistake shows."""
    assert telegram_problems("Use /voicetranslations off.") == []
    assert telegram_problems("Use /read_me allowed:False.") == [
        "/read_me is no Telegram command",
        "Discord's option 'allowed:False.'",
    ]
    assert telegram_problems("/digest 18:00 Europe/Berlin, /digest HH:MM") == []
    assert discord_problems("/voicetranslations allowed:False stops it.", "en") == (
        [],
        {("voicetranslations", "discord.option.voicetranslations.allowed")},
    )
    assert discord_problems("/voicetranslations off stops it.", "en")[0] == [
        "/voicetranslations off: Telegram's syntax"
    ]
    assert discord_problems("Choose one with /voice NAME.", "en")[0] == [
        "/voice NAME.: Telegram's syntax"
    ]
    assert discord_problems("(/translate … voice:on)", "en")[0] == [
        "'voice:on)': a yes/no option is True or False"
    ]
    assert discord_problems("/voice имя:ИМЯ", "en")[0] == [
        "'имя:ИМЯ': no option of that name in en"
    ]
    assert discord_problems("/autogist 10, for example", "en")[0] == [
        "/autogist 10,: Telegram's syntax"
    ]
    assert discord_problems("/voice design NAME", "en")[0] == ["/voice design: Telegram's syntax"]
    assert discord_problems("/language [auto|zh|en] — …", "en")[0] == [
        "/language [auto|zh|en]: Telegram's syntax"
    ]
    assert yes_no_described_with_on_off("On: /translate … voice speaks; off: not", "en")
    assert yes_no_described_with_on_off("Sí: /translate … habla; no: no", "es")
    assert yes_no_described_with_on_off("开：/translate …… 朗读；关：不用", "zh_Hans")
    assert not yes_no_described_with_on_off("True: they are (the default); False: never", "en")
    assert not yes_no_described_with_on_off("Que tu voz lea tus mensajes (True), o no", "es")
