"""Which language a reader gets, and how sentences and their values read in it."""

from __future__ import annotations

import gettext
import io
import re
import shutil
import string
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bots.cli.command_line_wording import EN as CLI_SENTENCES
from bots.discord.discord_wording import CATALOGUE as DISCORD
from bots.discord.discord_wording import text as discord_text
from bots.telegram.telegram_wording import EN as TELEGRAM_SENTENCES
from core.chat.answer_languages import (
    already_in,
    chat_locale,
    locale_named,
    resolve_locale,
    target_name,
    translation_target,
    written_in,
)
from core.chat.i18n import Catalogue, Plural, catalogue_of, compiled, po_path, translated
from core.chat.locale_formats import duration_words, joined, moment, shown, time_of_day
from core.chat.message_catalogue import CORE, text
from core.chat.status_messages import translation_below
from core.chat.style_preset_names import preset_named
from core.domain import errors
from core.domain.quantities import Duration, Megabytes, Share, Term
from core.domain.shared_values import Preferences


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        # Telegram's language_code (IETF, as the apps send it)
        ("zh-hans", "zh_Hans"), ("zh-hant", "zh_Hant"), ("zh", "zh_Hans"), ("pt-br", "pt_BR"),
        ("es", "es"), ("uk", "uk"), ("en", "en"), ("id", "id"), ("in", "id"),
        # Discord's locales
        ("zh-CN", "zh_Hans"), ("zh-TW", "zh_Hant"), ("pt-BR", "pt_BR"), ("es-ES", "es"),
        ("es-419", "es"), ("en-US", "en"), ("en-GB", "en"), ("ja", "ja"), ("ko", "ko"),
        ("ru", "ru"), ("de", "de"), ("fr", "fr"),
        # Chinese of Hong Kong and Macau is written in Traditional characters
        ("zh-HK", "zh_Hant"), ("zh_Hant_TW", "zh_Hant"), ("pt-PT", "pt_BR"),
        # languages the bot does not speak, and nothing at all
        ("vi", None), ("it", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_platform_language_tags_resolve_to_our_languages(tag: str | None, locale: str) -> None:
    assert resolve_locale(tag) == locale


@pytest.mark.parametrize(
    ("typed", "locale"),
    [
        ("zh", "zh_Hans"), ("zh-Hans", "zh_Hans"), ("简体中文", "zh_Hans"), ("中文", "zh_Hans"),
        ("繁體中文", "zh_Hant"), ("日本語", "ja"), ("español", "es"), ("Spanish", "es"),
        ("pt-BR", "pt_BR"), ("Português (Brasil)", "pt_BR"), ("Chinesisch", "zh_Hans"),
        ("  DEUTSCH ", "de"), ("Bahasa Indonesia", "id"), ("klingon", None),
    ],
)  # fmt: skip
def test_a_language_is_found_by_its_code_or_any_of_its_names(typed: str, locale: str) -> None:
    assert locale_named(typed) == locale


def test_what_a_chat_gets_follows_its_choice_then_the_platform_then_the_last_commander() -> None:
    assert chat_locale(Preferences()) == "en"
    assert chat_locale(Preferences(commander_language="ja")) == "ja"
    assert chat_locale(Preferences(commander_language="ja"), platform="de") == "de"
    chosen = Preferences(interface_language="es", commander_language="ja")
    assert chat_locale(chosen, platform="de") == "es"


def test_sentences_come_in_the_reader_s_language_with_its_numbers() -> None:
    assert text("value.on", "zh_Hans") == "开启"
    assert text("limits.usage.tokens", "de", total=12345, prompt=1, completion=2).startswith(
        "• MiMo-Tokens: 12.345"
    )
    assert "12,345" in text("limits.usage.tokens", "en", total=12345, prompt=1, completion=2)


def test_plural_forms_follow_the_language_s_rules() -> None:
    days = [text("summary.nothing", "ru", days=n).rsplit(" ", 2)[-2:] for n in (1, 3, 5, 21)]
    assert days == [["1", "день."], ["3", "дня."], ["5", "дней."], ["21", "день."]]
    assert text("summary.nothing", "en", days=1).endswith("for 1 day.")
    assert "7 days." in text("summary.nothing", "en", days=7)


def test_what_remember_found_says_its_days_as_the_language_counts_them() -> None:
    """One day is "the last day", not "the last 1 days"; Russian's first form serves 21 as
    well as 1, so it says the count, and an adjective only before the others ("за 21 день",
    "за последние 3 дня", as the glossary has it)."""

    def found(locale: str, days: int) -> str:
        return discord_text("discord.remember.found", locale, days=days, count=2, minutes="0:07")

    assert found("en", 1).startswith("Members' voice messages here in the last day to ")
    assert " in the last 30 days to " in found("en", 30)
    assert " aus den letzten 24 Stunden " in found("de", 1)
    russian = {1: "за 1 день", 3: "за последние 3 дня", 5: "за последние 5 дней", 21: "за 21 день"}
    for days, words in russian.items():
        assert f" здесь {words} для расшифровки: 2, " in found("ru", days)
    too_old = [discord_text("discord.remember.too_old", "en", days=d, count=4) for d in (1, 60)]
    assert too_old == [
        "Older than the retention window (1 day), so not imported: 4.",
        "Older than the retention window (60 days), so not imported: 4.",
    ]


def test_a_translation_of_older_english_is_not_used() -> None:
    """A stale entry (its English changed since) shows in English until it is translated again."""
    older = Catalogue({"settings": "Settings, as the English read before"})
    assert older.text("settings", "zh_Hans") == "Settings, as the English read before"
    assert translated("zh_Hans", "settings", "Settings, as the English read before") is None
    assert catalogue_of("xx") is catalogue_of("xx")  # a language without a file: English


def test_terms_and_values_are_shown_in_the_reader_s_language() -> None:
    catalogue = CORE.extended({"x": "{setting}: {wait}, {size}, {count}"})
    values = {"setting": Term("setting.voice"), "wait": Duration(3725),
              "size": Megabytes(7.5), "count": 1234}  # fmt: skip
    assert catalogue.text("x", "en", **values) == "voice: 1 hr, 2 min, 5 sec, 7.5 MB, 1,234"
    assert catalogue.text("x", "de", **values) == "Stimme: 1 Std., 2 Min., 5 Sek., 7,5 MB, 1.234"


def test_plural_sentences_need_a_whole_count() -> None:
    catalogue = Catalogue({"n": Plural("{n} day", "{n} days", count="n")})
    assert [catalogue.text("n", "en", n=n) for n in (1, 2)] == ["1 day", "2 days"]
    with pytest.raises(AssertionError):
        catalogue.text("n", "en", n=Duration(1))


@pytest.mark.parametrize(
    ("locale", "amount", "time_"),
    [
        ("en", "5 hr, 12 min", "6:00\u202fPM"),
        ("zh_Hans", "5小时12分钟", "18:00"),
        ("de", "5 Std., 12 Min.", "18:00"),
        ("es", "5 h, 12 min", "6:00\u202fp.m."),  # Latin America's, as the catalogue is
        ("ru", "5 ч 12 мин", "18:00"),
    ],
)
def test_amounts_and_times_of_day_read_as_the_locale_writes_them(
    locale: str, amount: str, time_: str
) -> None:
    assert duration_words(Duration(5 * 3600 + 12 * 60), locale) == amount
    assert time_of_day(time(18, 0), locale) == time_


def test_one_of_a_unit_is_not_spelled_out_where_babel_lacks_the_short_form() -> None:
    assert duration_words(Duration(3600), "es") == "1 h"  # Babel alone says "1 horas"
    assert shown(Megabytes(1), "pt_BR") == "1 MB"


def test_a_spanish_number_is_read_one_way_in_spain_and_in_mexico() -> None:
    """The RAE's grouping by a narrow space: 12,345 is a decimal in Madrid, 12.345 in Mexico."""
    assert [shown(n, "es") for n in (1234, 12345, 1234567)] == [
        "1234", "12\u202f345", "1\u202f234\u202f567",
    ]  # fmt: skip
    assert shown(Megabytes(7.5), "es") == "7.5 MB"
    assert shown(Megabytes(2000), "es") == "2000 MB"  # as a number alone reads
    assert shown(Megabytes(20000), "es") == "20\u202f000 MB"
    assert shown(Share(12.5), "es") == "1250%"  # an import twelve days long


@pytest.mark.parametrize(
    ("locale", "percent"), [("en", "40%"), ("zh_Hans", "40%"), ("de", "40\xa0%"), ("ru", "40\xa0%")]
)
def test_a_share_reads_as_the_locale_writes_a_percentage(locale: str, percent: str) -> None:
    assert shown(Share(0.4), locale) == percent


@pytest.mark.parametrize(
    ("locale", "key", "params", "read"),
    [
        ("zh_Hans", "voices.consent.read", {"wait": Duration(300)}, "并在 5分钟内"),
        ("zh_Hant", "voices.consent.read", {"wait": Duration(300)}, "並在 5 分鐘內"),
        ("ja", "reader.away_ended", {"away": Duration(185), "voice": "ラウンジ"}, "ラウンジには"),
        ("ja", "reader.away_ended", {"away": Duration(185), "voice": "Lounge"}, "Lounge には"),
    ],
)
def test_a_value_meets_chinese_and_japanese_words_without_a_space_and_latin_ones_with_one(
    locale: str, key: str, params: dict[str, object], read: str
) -> None:
    """The glossaries put a space beside a placeholder for a value that begins or ends in Latin
    letters or digits ("Lounge には", "在 5分钟"); where the value ends in a character of the
    script itself, the space goes (the seventh reading: 并在 5分钟 内 read wrong)."""
    said = text(key, locale, sentence="S", **params)
    assert read in said


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "ja"])
def test_no_sentence_leaves_a_space_between_a_value_and_the_words_beside_it(locale: str) -> None:
    """Every sentence of the bot, each of its values written in the script: no space stands
    between the value and a Chinese or Japanese character next to it."""
    value, script = "甲乙", "[\\u3040-\\u30ff\\u4e00-\\u9fff]"
    beside = re.compile(f"{script} {value}|{value} {script}")
    every = DISCORD.extended(TELEGRAM_SENTENCES).extended(CLI_SENTENCES)
    for key, source in every.sources().items():
        english = source.one if isinstance(source, Plural) else source
        names = {field for _, field, _, _ in string.Formatter().parse(english) if field}
        if not names:
            continue
        params: dict[str, object] = dict.fromkeys(names, value)
        if isinstance(source, Plural):
            params[source.count] = 2
        assert not beside.search(every.text(key, locale, **params)), key


def test_lists_and_moments() -> None:
    assert joined(["a", "b", "c"], "en") == "a, b, and c"
    assert joined(["开心", "难过", "唱歌"], "zh_Hans") == "开心、难过和唱歌"
    at = datetime(2026, 11, 21, 17, 5, tzinfo=UTC)
    assert moment(at, "Europe/Berlin", "de") == "21. Nov. 2026, 18:05 Europe/Berlin"


def test_presets_are_known_by_their_name_in_any_language() -> None:
    assert preset_named("开心") == "happy"
    assert preset_named("News  Anchor") == "news anchor"
    assert preset_named("speak slowly like a storyteller") is None


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("zh", "Chinese (Simplified)"),
        ("日本語", "Japanese"),
        ("Deutsch", "German"),
        ("it", "Italian"),
        ("pt-PT", "Portuguese (Brazil)"),  # one of ours first: any Portuguese is Brazilian
        ("sw", "Swahili"),
        ("latin", "Latin"),
    ],
)
def test_a_translation_goes_into_any_language_named_by_code_or_by_a_word(
    typed: str, named: str
) -> None:
    assert translation_target(typed, reader="en") == named


def test_no_language_means_the_readers_and_nonsense_is_refused() -> None:
    assert translation_target("", reader="ko") == "Korean"
    for nonsense in ("42x", "a", "two words", "x" * 40):
        with pytest.raises(errors.UnknownLanguage):
            translation_target(nonsense, reader="en")


@pytest.mark.parametrize(
    ("typed", "reader", "shown"),
    [
        ("en", "de", "Englisch"),
        ("ja", "fr", "japonais"),
        ("zh", "zh_Hans", "简体中文"),
        ("zh-TW", "ja", "繁体中国語"),
        ("pt-BR", "ru", "бразильский португальский"),
        ("it", "ko", "이탈리아어"),  # not one of ours: CLDR names it all the same
        ("latin", "es", "latín"),
        ("zh", "en", "Chinese (Simplified)"),  # in English, as it is kept
        ("quenya", "de", "Quenya"),  # a language CLDR does not name: as it was typed
    ],
)
def test_a_translation_s_language_is_named_in_the_reader_s(
    typed: str, reader: str, shown: str
) -> None:
    """/autotranslate keeps the English name the model is told; a German reader sees
    "Übersetzung (Englisch):", not "Übersetzung (English):"."""
    assert target_name(translation_target(typed, reader="en"), reader) == shown


def test_the_translation_under_a_transcript_names_its_language_in_the_reader_s() -> None:
    below = translation_below("English", "See you tomorrow", "de")
    assert below == "Übersetzung (Englisch):\nSee you tomorrow"
    assert translation_below("Japanese", "またね", "id").startswith("Terjemahan (bahasa Jepang):")


@pytest.mark.parametrize(
    ("words", "language"),
    [
        ("我们明天见", "Chinese"),
        ("我們明天見", "Chinese"),
        ("明日会いましょう", "Japanese"),
        ("내일 봐요", "Korean"),
        ("Увидимся завтра", "Russian"),
        ("Побачимося, їжачку", "Ukrainian"),
        ("See you tomorrow", None),  # Latin letters: the script does not tell
        ("OK 好的 sure thing then", None),  # no script is most of it
        ("12:30 !!", None),
    ],
)
def test_the_script_tells_some_languages_apart(words: str, language: str | None) -> None:
    assert written_in(words) == language


def test_already_in_matches_a_script_to_the_names_translations_use() -> None:
    assert already_in("我们明天见", "Chinese (Simplified)")
    assert already_in("我们明天见", "Chinese (Traditional)")
    assert not already_in("我们明天见", "English")
    assert not already_in("See you", "English")  # unknown: the model is asked


def test_a_compiled_catalogue_is_kept_beside_its_po_and_compiled_again_once_edited(
    tmp_path: Path,
) -> None:
    """The next process reads what the first compiled; an edit to the `.po` is never read stale,
    and what was compiled from the older text goes; where nothing may be kept, it still works."""
    po = tmp_path / "voicebridge.po"
    shutil.copyfile(po_path("de"), po)
    first = compiled(po, "de")
    [kept] = tmp_path.glob("*.mo")
    assert kept.read_bytes() == first
    kept.write_bytes(first.replace(b"Einstellungen", b"Einstellungen!"))  # read back, not redone
    assert b"Einstellungen!" in compiled(po, "de")

    po.write_text(po.read_text("utf-8").replace("Einstellungen", "Optionen"), "utf-8")
    edited = gettext.GNUTranslations(io.BytesIO(compiled(po, "de")))
    assert "Optionen" in edited.pgettext("settings", text("settings", "en"))
    [again] = tmp_path.glob("*.mo")
    assert again != kept

    again.unlink()
    again.mkdir()  # where it would be kept, nothing may be written: compiled, as good
    assert compiled(po, "de") == edited_bytes(po)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no scratch


def edited_bytes(po: Path) -> bytes:
    made = io.BytesIO()
    write_mo(made, read_po(io.BytesIO(po.read_bytes()), locale="de", domain="voicebridge"))
    return made.getvalue()
