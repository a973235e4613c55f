"""The random part of the consent reading (`core.domain.voices.consent_digits`): eleven digits in
groups of four, four and three, never spelling a number with a meaning of its own (`NEVER`, and no 4
for a reader of Chinese, Japanese or Korean), 32 bits or more counted after those rejections; every
way a recogniser writes a digit in each language read as that digit and no other; and a reading of
drawn digits passing in all twelve languages as a recogniser writes it (Latin, Hangul, kana and
kanji, Han, Cyrillic), never a number said as a number."""

from __future__ import annotations

import itertools
import math
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.chat.answer_languages import LOCALES
from core.chat.message_catalogue import text
from core.chat.settings_wording import shown_digits
from core.domain import errors
from core.domain.voices.clone_consent_rules import (
    CloneChallenge,
    folded,
    is_reading,
    reading_refusal,
    written_one_way,
)
from core.domain.voices.consent_digits import (
    DIGITS,
    FORMS,
    GROUPS,
    NEVER,
    TEN,
    UNSAID,
    alphabet,
    choices,
    draw,
    forms,
    holds_never,
)

DRAWS = 10_000
VOICES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "using" / "voices.md"
# The figures `core.domain.voices.consent_digits`' docstring gives, by the size of the alphabet.
COUNTED = {10: 19_920_772_937, 9: 8_339_585_084}
CJK = {"zh_Hans", "zh_Hant", "ja", "ko"}
# Scripts that write no space between words: a recogniser may run the digits' words together.
UNSPACED = CJK


@pytest.mark.parametrize("locale", LOCALES)
def test_a_challenge_holds_thirty_two_bits_or_more_after_the_rejections(locale: str) -> None:
    counted = choices(locale)
    assert counted == COUNTED[len(alphabet(locale))]
    assert math.log2(counted) >= 32
    assert sum(GROUPS) == DIGITS


@pytest.mark.parametrize("digits", ["0123456789", "012356789"])
def test_the_count_is_every_string_a_draw_may_give(digits: str) -> None:
    """`choices` against every string of up to five digits, told one by one."""
    locale = "en" if len(digits) == 10 else "ja"
    assert alphabet(locale) == digits
    for length in range(1, 6):
        strings = ("".join(s) for s in itertools.product(digits, repeat=length))
        assert choices(locale, length) == sum(not holds_never(s) for s in strings)


def test_the_numbers_never_drawn_are_each_needed() -> None:
    """None holds another (it would keep nothing more out), each is digits."""
    assert [(a, b) for a in NEVER for b in NEVER if a != b and a in b] == []
    assert all(number.isdigit() and len(number) >= 2 for number in NEVER)
    assert {"88", "14", "666", "69", "250", "38", "18", "13"} <= NEVER.keys()
    # What the native reading of each language added: neo-Nazi codes (74, 84, 168, 198),
    # Taiwan's 87 (白痴), Brazil's 157 (a robber), the war's dead and wounded in Russian and
    # Ukrainian (200, 300), Indonesia's 212, Japanese net slang's 810 (野獣); the second reading,
    # the war's refusers in Russian and Ukrainian (500); the third, Unit 731 (七三一部队), said
    # digit by digit in Chinese, Japanese and Korean.
    assert {"74", "84", "87", "157", "168", "198", "200", "212", "300", "810"} <= NEVER.keys()
    assert {"500", "731"} <= NEVER.keys()


def _forms_by_digit(locale: str) -> dict[str, list[str]]:
    """Every way a recogniser of `locale` may write each digit: numerals, full-width ones too,
    and its words."""
    spelled = {digit: [digit, chr(ord(digit) + 0xFEE0)] for digit in TEN}
    for form, digit in forms(locale).items():
        spelled[digit].append(form)
    return spelled


def test_the_voices_page_names_every_number_never_drawn() -> None:
    page = VOICES_PAGE.read_text("utf-8")
    assert [number for number in NEVER if not re.search(rf"\b{number}\b", page)] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_ten_thousand_draws_hold_no_number_never_drawn_and_read_back_however_written(
    locale: str,
) -> None:
    """Each draw: the groups as shown, none of `NEVER` anywhere in the digits (a group's end
    included), no 4 in Chinese, Japanese or Korean; written by a recogniser with any of each
    digit's forms (run together where the script writes no spaces), read back as exactly the
    drawn digits."""
    chooser, spelled = random.Random(locale), _forms_by_digit(locale)
    joiner = "" if locale in UNSPACED else " "
    wrong = []
    for _ in range(DRAWS):
        groups = draw(locale, chooser)
        digits = "".join(groups)
        written = ", ".join(joiner.join(chooser.choice(spelled[d]) for d in g) for g in groups)
        if (
            tuple(map(len, groups)) != GROUPS
            or holds_never(digits)
            or set(digits) - set(alphabet(locale))
            or folded(written, locale) != digits
        ):
            wrong.append((groups, written))
    assert wrong == []
    assert set(UNSAID.get(locale, "")) & set(alphabet(locale)) == set()
    assert ("4" in alphabet(locale)) == (locale not in CJK)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_form_of_a_digit_reads_as_that_digit_and_no_two_digits_share_one(
    locale: str,
) -> None:
    """Every digit has its words; each word (in hiragana and katakana alike) reads as its digit
    alone, written as `folded` writes it; no word is two digits'."""
    table = FORMS.get("zh_Hans" if locale == "zh_Hant" else locale, FORMS["en"])
    assert sorted(table) == list(TEN)
    written = [form for digit in TEN for form in table[digit]]
    assert len(written) == len(set(written))
    for form, digit in forms(locale).items():
        assert written_one_way(form) == form
        assert folded(form, locale) == digit
        assert folded(f"{form} {form}", locale) == digit * 2


@pytest.mark.parametrize(
    ("locale", "written", "read"),
    [
        ("en", "four hundred seventy-one", "4hundredseventy1"),
        ("en", "seventy one", "seventy1"),  # a word inside another is no digit
        ("de", "vierhundert einundsiebzig", "vierhunderteinundsiebzig"),
        ("fr", "quatre cent soixante et onze", "4centsoixanteetonze"),
        ("zh_Hans", "四百七十一", "4百7十1"),
        ("ja", "七百十八", "7百十8"),
        ("ru", "четыреста семьдесят один", "четырестасемьдесят1"),
    ],
)
def test_a_group_said_as_a_number_is_not_taken_for_its_digits(
    locale: str, written: str, read: str
) -> None:
    """What a reader who said a number instead of its digits is refused for, when the
    recogniser writes it in words (one that writes 471 in numerals passes)."""
    assert folded(written, locale) == read


@pytest.mark.parametrize(
    ("locale", "written", "read"),
    [
        # Hangul: a word of digits alone, never a syllable of another word (a name, the brand,
        # 이 of 이고); several digits run together in one word are read.
        (
            "ko",
            "저는 이지영이고, 보이스브리지가 이 채팅에서",
            "저는이지영이고보이스브리지가2채팅에서",
        ),
        ("ko", "오늘 공부하나 구경", "오늘공부하나구경"),
        ("ko", "육이구공, 일곱 여덟 아홉", "6290789"),
        # Kana: not before a small kana, which makes one syllable with it (ニュ, しょ, ちゃ);
        # し, よ and く are no digits at all.
        ("ja", "ニュース、しょうた、しちゃう", "ニュスしょうたしちゃう"),
        (
            "ja",
            "わたしはマイクです。よろしくね。します",
            "わたしはマイクですよろしくねします",
        ),
        ("ja", "ロク ニー キュー ゼロ", "6290"),
    ],
)
def test_a_syllable_of_an_ordinary_word_is_no_digit(locale: str, written: str, read: str) -> None:
    """Ordinary words holding a digit's syllable stay words: a name or "voicebridge" heard in
    the reader's script adds no digit to a reading (and a reading with more digits than its
    sentence is refused, as one recorded to cover several draws)."""
    assert folded(written, locale) == read


@pytest.mark.parametrize(
    ("locale", "written", "read"),
    [
        ("en", "six two double nine, triple seven one", "62997771"),
        ("en", "double 4, triple-0", "44000"),
        ("en", "a double room", "adoubleroom"),  # no digit after it: a word
        ("fr", "double quatre", "double4"),  # English only
        ("uk", "п‘ять п`ять", "55"),  # apostrophes however written
    ],
)
def test_an_english_double_or_triple_digit_is_that_digit_repeated(
    locale: str, written: str, read: str
) -> None:
    """Readers in Britain, Ireland, India and Australia say a digit twice in a row as "double
    four", reading one by one too: more than half the draws hold one."""
    assert folded(written, locale) == read


# A reading of Ann's sentence as a recogniser writes it, in each language: her name and
# "voicebridge" in the reader's script where it has its own (as the fourth native reading heard
# them), the digits in the ways recognisers write them.
HEARD_AS = {
    "ko": ("앤", "보이스브리지"),
    "ja": ("アン", "ボイスブリッジ"),
    "zh_Hans": ("安", "voice bridge"),
    "zh_Hant": ("安", "voice bridge"),
    "ru": ("Энн", "войсбридж"),
    "uk": ("Енн", "войсбрідж"),
}
COMMAS = {"ja": "、", "zh_Hans": "，", "zh_Hant": "，"}
# Each digit written as a recogniser of the language may: a language's own numerals and words,
# Sino-Korean and native Korean, kanji and kana, full-width digits.
WRITINGS = {
    "en": ["zero one two three four five six seven eight nine", "oh One TWO 3 4 5 6 7 8 9"],
    "zh_Hans": ["零 一 二 三 四 五 六 七 八 九", "〇 幺 两 ３ 四 ５ 六 ７ 八 ９"],
    "zh_Hant": [
        "零 一 二 三 四 五 六 七 八 九", "〇 幺 兩 三 四 五 六 七 八 九", "○ 1 2 3 4 5 6 7 8 9",
    ],
    "ja": [
        "〇 一 二 三 四 五 六 七 八 九", "ゼロ いち に さん よん ご ろく なな はち きゅう",
        "れい イチ ニー サン シ ゴー ロク シチ ハチ キュー", "まる 1 2 3 4 5 6 7 8 9",
        "○ 1 2 3 4 5 6 7 8 9",
    ],
    "ko": ["공 일 이 삼 사 오 육 칠 팔 구", "영 하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉"],
    "ru": [
        "ноль один два три четыре пять шесть семь восемь девять", "нуль 1 2 3 4 5 6 7 8 9",
        "нуль 1 дві 3 чотири 5 шість сім вісім 9",  # a reader who counts in Ukrainian
    ],
    "uk": [
        "нуль один два три чотири пʼять шість сім вісім девʼять",
        "0 1 дві 3 4 п'ять 6 7 8 дев’ять",
        "ноль 1 2 3 четыре 5 шесть семь восемь 9",  # a reader who counts in Russian
    ],
    "es": ["cero uno dos tres cuatro cinco seis siete ocho nueve"],
    "pt_BR": [
        "zero um dois três quatro cinco meia sete oito nove", "0 uma duas tres 4 5 seis 7 8 9",
    ],
    "de": ["null eins zwei drei vier fünf sechs sieben acht neun", "0 1 zwo 3 4 5 6 7 8 9"],
    "fr": ["zéro un deux trois quatre cinq six sept huit neuf", "zero 1 2 3 4 5 6 7 8 9"],
    "id": [
        "nol satu dua tiga empat lima enam tujuh delapan sembilan",
        "kosong 1 2 3 4 5 6 7 8 9",
    ],
}  # fmt: skip
SENTENCES = ("voices.consent.sentence", "voices.consent.sentence_server")
ASKED = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)


def digit_words(locale: str, writing: int) -> dict[str, str]:
    """Each digit in one of `WRITINGS`' ways for `locale`."""
    way = WRITINGS[locale][writing % len(WRITINGS[locale])]
    return dict(zip(TEN, way.split(), strict=True))


def recognised(key: str, locale: str, groups: tuple[str, ...], attempt: int) -> str:
    """Ann's reading of `key` as a recogniser writes it, by `attempt`: her name and "voicebridge"
    in the reader's script or in Latin letters, the digits in words (run together in a script
    without spaces) or in numerals, each group apart or all run together."""
    name, brand = HEARD_AS.get(locale, ("Ann", "Voice Bridge"))
    name, brand = [(name, "voicebridge"), ("Ann", brand), (name, brand)][attempt % 3]
    spelled = digit_words(locale, attempt)
    joiner = "" if locale in UNSPACED else " "
    spoken = [joiner.join(spelled[digit] for digit in group) for group in groups]
    if attempt % 4 == 3:
        spoken = ["".join(groups)]  # the recogniser's numerals, run together
    words = COMMAS.get(locale, ", ").join(spoken)
    return text(key, locale, name=name, words=words).replace("voicebridge", brand)


def challenge_of(key: str, locale: str, groups: tuple[str, ...]) -> CloneChallenge:
    sentence = text(key, locale, name="Ann", words=shown_digits(groups, locale))
    return CloneChallenge(
        platform="telegram", person_id="1", chat_id="-100", asked_in="-100", private_chat="1",
        name="Ann", locale=locale, asked_at=ASKED, expires_at=ASKED, sentence=sentence,
        words=groups,
    )  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_a_reading_of_drawn_digits_passes_in_every_language_as_recognisers_write_it(
    locale: str,
) -> None:
    """Drawn as the bot draws them, shown as the sentence shows them, read back as a recogniser
    writes them: taken as a reading, and passed; another draw's digits in the same reading are
    refused for their digits."""
    chooser = random.Random(locale)
    refused, passed_for_another = [], []
    for attempt in range(60):
        key, groups = SENTENCES[attempt % 2], draw(locale, chooser)
        heard = recognised(key, locale, groups, attempt)
        challenge = challenge_of(key, locale, groups)
        if not is_reading(heard, challenge) or reading_refusal(heard, challenge) is not None:
            refused.append(heard)
        other = challenge_of(key, locale, draw(locale, chooser))
        if not isinstance(reading_refusal(heard, other), errors.DigitsWrong):
            passed_for_another.append(heard)
    assert refused == []
    assert passed_for_another == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_sentence_shows_each_digit_apart_and_its_groups_as_a_list(locale: str) -> None:
    shown = shown_digits(("6290", "7351", "580"), locale)
    assert re.fullmatch(r"6\xa02\xa09\xa00\W+7\xa03\xa05\xa01\W+5\xa08\xa00", shown)
    assert folded(shown, locale) == "62907351580"


@pytest.mark.parametrize(
    ("locale", "name", "heard_as"),
    [
        # Her name and the bot's heard in Hangul: 이 and 영 of 이지영, 이 of 보이스브리지.
        (
            "ko",
            "Jiyoung Lee",
            "저는 이지영이고, 보이스브리지가 이 채팅에서 제 목소리로 말하는 것에 동의해요. "
            "육이구공, 칠삼오일, 오팔공.",
        ),
        # Her name in katakana: ヨ and シ of ヨシダ are no 4 (ニ of ニコル is still a 2).
        (
            "ja",
            "Nicole Yoshida",
            "私はニコル・ヨシダです。ボイスブリッジがこのチャットで私の声で話すことに同意します。"
            "ロクニキューゼロ、ナナサンゴイチ、ゴハチゼロ。",
        ),
    ],
)
def test_a_name_heard_in_the_readers_script_adds_no_digits(
    locale: str, name: str, heard_as: str
) -> None:
    """A genuine reading whose recogniser writes the reader's name, "voicebridge" and the
    digits in the reader's own script passes: none of those words' syllables counts as one
    of the digits a reading may say besides the drawn ones. The voice's name (`/voice clone
    NAME`, one word) is not the reader's (their name on the platform, as the sentence gives
    it): it is the reader's that may be heard in their script."""
    groups = ("6290", "7351", "580")
    sentence = text(
        "voices.consent.sentence", locale, name=name, words=shown_digits(groups, locale)
    )
    for voice in (name, "myvoice"):
        challenge = CloneChallenge(
            platform="telegram", person_id="1", chat_id="-100", asked_in="-100",
            private_chat="1", name=voice, reader=name, locale=locale, asked_at=ASKED,
            expires_at=ASKED, sentence=sentence, words=groups,
        )  # fmt: skip
        assert is_reading(heard_as, challenge)
        assert reading_refusal(heard_as, challenge) is None
