"""Every language's catalogue is complete and safe to show: each sentence of the English one,
translated, with its placeholders, commands and typed words intact, plural forms as the language
has them, and within the platforms' limits. The template is the code's."""

from __future__ import annotations

import functools
import gettext
import re
import shutil
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from bots.update_catalogues import SENTENCES
from bots.update_catalogues import main as update_catalogues
from core.chat.answer_languages import DEFAULT_LOCALE, LOCALES
from core.chat.i18n import DOMAIN, LOCALE_DIR, Plural, catalogue_of, po_path

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATED = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
COMMAND = re.compile(r"(?<![\w/.])/[a-z_]+")
# "[on|off]", "[txt|srt]": the words between the bars are typed as they are.
CHOICES = re.compile(r"\[([^\[\]|]*(?:\|[^\[\]|]*)+)\]")
TYPED = frozenset({"on", "off", "auto", "zh", "en", "srt", "txt", "inherit", "2h", "3d", "200"})
DISCORD_NAME = re.compile(r"^[-_\w]{1,32}$")
MODAL_TEXTS = {"discord.ask.title", "discord.ask.label", "discord.clone.title",
               "discord.clone.label"}  # fmt: skip
BUTTON_LABELS = {"discord.gist.button", "discord.speak.button"}


@pytest.fixture(scope="module")
def english() -> Catalog:
    """The template: the code's, as `test_the_catalogues_are_the_code_s` checks."""
    return read(TEMPLATE)


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@functools.cache  # read once a process: each test of a language reads its catalogue
def shipped(locale: str) -> Catalog:
    """`locale`'s catalogue as the repository has it."""
    return read(po_path(locale), locale)


def entries(catalog: Catalog) -> dict[tuple[str | None, object], Message]:
    return {(m.context, m.id): m for m in catalog if m.id}


def forms(message: Message) -> list[str]:
    """A catalogue message's translated forms (one, or one per plural form); test_glossary
    reads them too."""
    string = message.string
    return [string] if isinstance(string, str) else list(string or [""])


def sources(message: Message) -> list[str]:
    """A catalogue message's English forms (singular, and plural when it has one)."""
    return [message.id] if isinstance(message.id, str) else list(message.id)


def left_out(message: Message, locale: str, form: int) -> set[str]:
    """The `{placeholders}` a plural form may leave out: those the English singular leaves out
    ("in the last day", not "in the last 1 day"), where the form is the language's for no
    count above 1 (German's first, for 1 alone; French's, for 0 and 1). A form that also
    serves 21, as Russian's first does, says the count."""
    if not message.pluralizable:
        return set()
    chosen = gettext.c2py(get_plural(locale).plural_expr)
    if any(chosen(count) == form for count in range(2, 1000)):
        return set()
    one, other = sources(message)
    return {f"{{{name}}}" for name in {*PLACEHOLDER.findall(other)} - {*PLACEHOLDER.findall(one)}}


def test_the_catalogues_are_the_code_s(tmp_path: Path) -> None:
    """`python -m bots.update_catalogues` was run after the last change to an English sentence:
    running it again changes no file."""
    shutil.copytree(LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    update_catalogues(["--locales", str(tmp_path)])
    changed = [
        path.relative_to(tmp_path).as_posix()
        for path in sorted(tmp_path.rglob("*.po*"))
        if path.read_bytes() != (LOCALE_DIR / path.relative_to(tmp_path)).read_bytes()
    ]
    assert changed == []


def test_the_template_and_every_catalogue_name_this_release() -> None:
    """Their headers say which voicebridge they were made from: the package's version, not a
    number someone has to remember to change."""
    named = {
        path.relative_to(LOCALE_DIR).as_posix(): f"{read(path).project} {read(path).version}"
        for path in [TEMPLATE, *(po_path(locale) for locale in TRANSLATED)]
    }
    assert set(named.values()) == {f"voicebridge {version('voicebridge')}"}, named


def test_an_update_keeps_a_changed_sentence_s_translation_for_review(tmp_path: Path) -> None:
    """A sentence translated from older English comes back fuzzy with that translation (the
    bot shows the English until a translator confirms it), and one the code no longer has goes,
    leaving no comment behind."""
    shutil.copytree(LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    german = tmp_path / po_path("de").relative_to(LOCALE_DIR)
    catalog = read(german, "de")
    key = "transcript.empty"
    now = next(m for m in catalog if m.context == key)
    before = f"{now.id} Thank you."
    catalog.delete(now.id, context=key)
    catalog.add(before, now.string, context=key)
    catalog.add("A sentence the code lost.", "Ein verlorener Satz.", context="gone")
    with german.open("wb") as file:
        write_po(file, catalog, width=100)

    update_catalogues(["--locales", str(tmp_path)])

    updated = entries(read(german, "de"))
    assert updated[key, now.id].fuzzy
    assert updated[key, now.id].string == now.string
    assert (key, before) not in updated
    assert ("gone", "A sentence the code lost.") not in updated
    assert not re.search(r"^#[|~]|^# [|]", german.read_text("utf-8"), flags=re.MULTILINE)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_sentence_is_translated_and_none_is_left_over(english: Catalog, locale: str) -> None:
    catalog = shipped(locale)
    wanted, found = entries(english), entries(catalog)
    assert sorted(map(str, wanted.keys() - found.keys())) == [], "missing or stale"
    assert sorted(map(str, found.keys() - wanted.keys())) == [], "no longer in the code"
    unfinished = [m.context for m in found.values() if m.fuzzy or not all(forms(m))]
    assert unfinished == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_plural_forms_are_the_language_s(english: Catalog, locale: str) -> None:
    catalog = shipped(locale)
    rule = get_plural(locale)
    assert dict(catalog.mime_headers)["Plural-Forms"] == rule.plural_forms
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(forms(message)) == rule.num_plurals, message.context


# Russian and Ukrainian count in three forms, CLDR's (Babel's) "one" (1, 21, 101...), "few"
# (2-4, 22...) and "many" (5-20, 25, 111...), in that order in the catalogue. The words next to
# a count agree with it: the categories each reads right in, a noun's forms as a nominative ("21
# день") or as a genitive ("из 21 символа"). An adjective before a count reads right only for
# "few" and "many": none is right for both 1 and 21 ("за последний 21 день", "за последние 1
# день"), so "one" takes none.
COUNTS = (1, 2, 3, 4, 5, 11, 20, 21, 22, 25, 101, 111)
CATEGORIES = ("one", "few", "many")
ONE, FEW, MANY = {"one"}, {"few"}, {"many"}
AGREEING: dict[str, dict[str, set[str]]] = {
    "ru": {
        "последний": set(), "последние": FEW | MANY, "последних": FEW | MANY,
        "день": ONE, "дня": ONE | FEW, "дней": FEW | MANY,
        "символ": ONE, "символа": ONE | FEW, "символов": FEW | MANY,
        "запрос": ONE, "запроса": ONE | FEW, "запросов": FEW | MANY,
        "раз": ONE | MANY, "раза": FEW,
        "сводка": ONE, "сводки": ONE | FEW, "сводок": FEW | MANY,
        "сообщение": ONE, "сообщения": ONE | FEW, "сообщений": FEW | MANY,
        "вложение": ONE, "вложения": ONE | FEW, "вложений": FEW | MANY,
        "собственный": ONE, "собственных": FEW | MANY,
        "сохранённое": ONE, "сохранённых": FEW | MANY,
    },
    "uk": {
        "останній": set(), "останні": FEW | MANY, "останніх": FEW | MANY,
        "день": ONE, "дня": ONE, "дні": FEW, "днів": FEW | MANY,
        "символ": ONE, "символу": ONE, "символи": FEW, "символів": FEW | MANY,
        "запит": ONE, "запиту": ONE, "запити": FEW, "запитів": FEW | MANY,
        "раз": ONE, "рази": FEW, "разів": MANY,
        "підсумок": ONE, "підсумки": FEW, "підсумків": MANY,
        "повідомлення": ONE | FEW, "повідомлень": FEW | MANY,
        "вкладення": ONE | FEW, "вкладень": FEW | MANY,
        "власний": ONE, "власні": FEW, "власних": MANY,
        "збережене": ONE, "збережені": FEW, "збережених": MANY,
    },
}  # fmt: skip
PLURALS = {
    key: s for layer in SENTENCES.values() for key, s in layer.items() if isinstance(s, Plural)
}


@pytest.mark.parametrize("locale", sorted(AGREEING))
def test_a_count_takes_the_form_cldr_gives_it_and_reads_right_with_it(locale: str) -> None:
    """For each count, the bot shows the form of CLDR's category for it, and the words around
    the count in that form agree with it (a noun after a count must be in the table)."""
    rule, agreeing = Locale.parse(locale).plural_form, AGREEING[locale]
    catalog = entries(shipped(locale))
    wrong = []
    for key, source in PLURALS.items():
        written = forms(catalog[key, (source.one, source.other)])
        around = re.compile(rf"(?:(\w+)\s+)?\{{{source.count}\}}(?:\s+(\w+))?")
        for count in COUNTS:
            category = rule(count)
            shown = catalogue_of(locale).npgettext(key, source.one, source.other, count)
            if shown != written[CATEGORIES.index(category)]:
                wrong.append(f"{key}: {count} shows a form other than {category!r}'s")
            for hit in around.finditer(shown):
                before, after = hit.groups()
                said = f"{key}: {before or ''} {count} {after or ''} ({category})"
                if before in agreeing and category not in agreeing[before]:
                    wrong.append(said)
                if after is not None and category not in agreeing.get(after, {category}):
                    wrong.append(said)
                if after is not None and after not in agreeing:
                    wrong.append(f"{said}: {after!r} is not in AGREEING")
    assert wrong == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_commands_and_typed_words_stay(locale: str) -> None:
    problems = []
    for message in shipped(locale):
        if not message.id:
            continue
        for index, form in enumerate(forms(message)):
            english = sources(message)[-1]
            for placeholder in left_out(message, locale, index):
                english = english if placeholder in form else english.replace(placeholder, "")
            problems += [f"{message.context}: {p}" for p in _compared(english, form)]
    assert problems == []


def _compared(english: str, translated: str) -> list[str]:
    problems = []
    if Counter(PLACEHOLDER.findall(english)) != Counter(PLACEHOLDER.findall(translated)):
        problems.append(f"placeholders {PLACEHOLDER.findall(translated)}")
    try:
        translated.format(**{name: "x" for name in PLACEHOLDER.findall(translated)})
    except (ValueError, IndexError, KeyError) as error:
        problems.append(f"cannot be filled: {error}")
    wanted, given = Counter(COMMAND.findall(english)), Counter(COMMAND.findall(translated))
    problems += [f"lost {command}" for command in wanted if given[command] < wanted[command]]
    for group in CHOICES.findall(english):
        typed = [word for word in group.split("|") if word in TYPED]
        if not any(all(w in g.split("|") for w in typed) for g in CHOICES.findall(translated)):
            problems.append(f"lost [{group}]")
    if english.count("\n") != translated.count("\n"):
        problems.append("line breaks differ")
    return problems


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, *TRANSLATED])
def test_the_platforms_limits_hold(english: Catalog, locale: str) -> None:
    catalog = english if locale == DEFAULT_LOCALE else shipped(locale)
    problems = []
    options: dict[str, list[str]] = {}
    for message in (m for m in catalog if m.id):
        key = str(message.context)
        for text in forms(message) if locale != DEFAULT_LOCALE else sources(message):
            problems += [f"{key}: {p}" for p in _limits(key, text)]
            if key.startswith("discord.option.") and key.endswith(".name"):
                options.setdefault(key.split(".")[2], []).append(text)
    problems += [f"/{c}: options named alike" for c, n in options.items() if len(set(n)) < len(n)]
    assert problems == []


def _limits(key: str, text: str) -> list[str]:
    """Discord: names (commands, options) 1-32 lower-case word characters, descriptions and
    choices 1-100, message menus 1-32, modal titles and labels 45, button labels 80, messages
    2,000; Telegram: command descriptions 1-256."""
    name = key.startswith(("discord.command.", "discord.option.")) and key.endswith(".name")
    if name:
        return [] if DISCORD_NAME.match(text) and text == text.lower() else [f"name {text!r}"]
    longest = (
        100 if key.startswith(("discord.command.", "discord.option.", "discord.choice."))
        else 32 if key.startswith("discord.menu.")
        else 45 if key in MODAL_TEXTS
        else 80 if key in BUTTON_LABELS
        else 256 if key.startswith("telegram.command.")
        else 2000
    )  # fmt: skip
    return [] if 1 <= len(text) <= longest else [f"{len(text)} characters, over {longest}"]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_each_preset_has_a_name_of_its_own(locale: str) -> None:
    """Users type presets by their translated names: two alike could not be told apart."""
    catalog = shipped(locale)
    names = [forms(m)[0].casefold() for m in catalog if str(m.context).startswith("style.preset.")]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_voices_keep_their_names(locale: str) -> None:
    """A voice is chosen by its name (`/voice 冰糖`): its description still starts with it."""
    catalog = shipped(locale)
    voices = [m for m in catalog if str(m.context).startswith("voice.description.")]
    assert voices
    renamed = [
        m.context for m in voices if forms(m)[0].split(" — ")[0] != sources(m)[0].split(" — ")[0]
    ]
    assert renamed == []


def test_a_broken_translation_is_caught() -> None:
    """The comparison above is not blind: a lost placeholder, command or typed word shows."""
    english = "Use /style [on|off] within {limit} s"
    assert _compared(english, "Nutze /stil [an|aus] in {grenze} s") == [
        "placeholders ['grenze']",
        "lost /style",
        "lost [on|off]",
    ]
    assert _compared(english, "Nutze /style [on|off] in {limit} s") == []


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, *TRANSLATED])
def test_the_discord_help_names_options_as_discord_shows_them(
    english: Catalog, locale: str
) -> None:
    """Where a language translates option names (`/say 文字`), its help names them so too."""
    template_ = {str(m.context): sources(m)[0] for m in english if m.id}
    translated = {} if locale == DEFAULT_LOCALE else {
        str(m.context): forms(m)[0] for m in shipped(locale) if m.id
    }  # fmt: skip
    shown = {**template_, **translated}
    unknown = []
    for line in shown["discord.help"].splitlines():
        if not line.startswith("/"):
            continue
        command, *words = line.split(" — ")[0].split()
        prefix = f"discord.option.{command[1:]}."
        names = {v for k, v in shown.items() if k.startswith(prefix) and k.endswith(".name")}
        typed = [w.strip("[]") for w in words if "|" not in w]  # [on|off] are values
        unknown += [f"{command} {word}" for word in typed if word not in names]
    assert unknown == []
