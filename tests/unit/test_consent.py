"""The rules of spoken consent (`core.domain.voices.clone_consent_rules`): what the platform
declares rules a note out before anything is downloaded; what was heard must hold every random
digit, exactly and in order (however the recogniser writes it), while the fixed part forgives a
speech recogniser's slips and its ways of writing a word (ё or е, Traditional or Simplified, a
katakana word's long vowel mark); a note that is not recognisably the sentence is no reading at all;
the English sentence beside another language passes as well."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.domain import errors
from core.domain.voices.clone_consent_rules import (
    READING_SECONDS,
    CloneChallenge,
    DeclaredReading,
    declared_refusal,
    is_reading,
    may_be_reading,
    offers_english,
    reading_refusal,
)

ASKED = datetime(2026, 11, 25, 20, 0, 0, 700_000, tzinfo=UTC)


def challenge(
    sentence: str, words: tuple[str, ...], *, locale: str = "en", english: str | None = None,
    english_words: tuple[str, ...] = (),
) -> CloneChallenge:  # fmt: skip
    return CloneChallenge(
        platform="telegram", person_id="1", chat_id="-100", asked_in="-100", private_chat="1",
        name="Alice", sentence=sentence, words=words, locale=locale, asked_at=ASKED,
        expires_at=ASKED + timedelta(minutes=5), english=english, english_words=english_words,
    )  # fmt: skip


DIGITS = ("6290", "7351", "580")
ENGLISH = challenge(
    "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
    "6\xa02\xa09\xa00, 7\xa03\xa05\xa01, 5\xa08\xa00",  # as the sentence shows them
    DIGITS,
)
CHINESE = challenge(
    "我是小红，我同意 voicebridge 在这个聊天里用我的声音说话。6 2 9 0、7 3 5 1、5 8 0",
    DIGITS,
    locale="zh_Hans",
)


@pytest.mark.parametrize(
    "heard",
    [
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "Six two nine zero, seven three five one, five eight oh.",
        "I'm Alicia and I agree that voice bridge may speak in my voice in this chat 6290 7351 "
        "580",  # a name and a brand heard differently, the digits run together
        "我是小洪，我同意 voice bridge 在这个聊天里用我的声音说话。六二九零，七三五幺，五八〇。",
    ],
)
def test_slips_in_the_fixed_part_are_forgiven(heard: str) -> None:
    said = CHINESE if "我" in heard else ENGLISH
    assert reading_refusal(heard, said) is None


@pytest.mark.parametrize(
    "heard",
    [
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "7351 6290 580",  # out of order
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "6290 7351",  # a group missing
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "six two nine zero, seven three five one, five eight one",  # one wrong: digits are strict
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "sixty-two ninety, seven three five one, five eight zero",  # numbers, not digits
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat. "
        "0 1 6290 2 3 4 7351 5 6 7 580 8 9",  # more digits, as if to cover several draws
    ],
)
def test_the_digits_must_all_be_there_in_order(heard: str) -> None:
    assert isinstance(reading_refusal(heard, ENGLISH), errors.DigitsWrong)


def test_a_digit_the_fixed_part_also_holds_is_looked_for_where_it_is_said() -> None:
    named = challenge("I am Seven, and I agree. 6 2 9, 7", ("629", "7"))
    assert reading_refusal("I am Seven, and I agree. six two nine", named) is not None
    assert reading_refusal("I am Seven, and I agree. six two nine seven", named) is None


def test_the_digits_alone_are_not_the_sentence() -> None:
    assert isinstance(reading_refusal("6290 7351 580", ENGLISH), errors.SentenceWrong)


def declared(**changes: object) -> DeclaredReading:
    base: dict[str, object] = {
        "person_id": "1", "chat_id": "-100", "identity": "file-1",
        "sent_at": ASKED.replace(microsecond=0),  # Telegram dates in whole seconds
    }  # fmt: skip
    return DeclaredReading(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("note", "first_sender", "refusal"),
    [
        (declared(forwarded=True), None, errors.ReadingForwarded),
        (declared(via_bot=True), None, errors.ReadingViaBot),
        (declared(), "2", errors.ReadingCopied),
        (declared(sent_at=ASKED - timedelta(seconds=2)), None, errors.ReadingTooOld),
    ],
)
def test_what_the_platform_declares_rules_a_note_out(
    note: DeclaredReading, first_sender: str | None, refusal: type[errors.ConsentRefused]
) -> None:
    assert isinstance(declared_refusal(note, ENGLISH, first_sender=first_sender), refusal)


def test_a_fresh_note_of_ones_own_passes_even_in_the_requests_second() -> None:
    assert declared_refusal(declared(), ENGLISH, first_sender="1") is None
    assert declared_refusal(declared(), ENGLISH, first_sender=None) is None


JAPANESE = challenge(
    "私はアリスです。voicebridgeがこのサーバーで私の声で話すことに同意します。"
    "6 2 9 0、7 3 5 1、5 8 0",
    DIGITS,
    locale="ja",
)
RUSSIAN = challenge(
    "Я Алёна, и я даю согласие, чтобы voicebridge говорил моим голосом в этом чате. "
    "6 2 9 0, 7 3 5 1, 5 8 0",
    DIGITS,
    locale="ru",
)
UKRAINIAN = challenge(
    "Я Ґалина, і я даю згоду, щоб voicebridge говорив моїм голосом у цьому чаті. "
    "6 2 9 0, 7 3 5 1, 5 8 0",
    DIGITS,
    locale="uk",
)
TRADITIONAL = challenge(
    "我是小紅，我同意 voicebridge 在此聊天裡用我的聲音說話。6 2 9 0、7 3 5 1、5 8 0",
    DIGITS,
    locale="zh_Hant",
)


@pytest.mark.parametrize(
    ("heard", "said"),
    [
        # A long vowel mark left off, half-width katakana, the fixed part in other kanji; the
        # digits in kana, katakana with its mark, and kanji.
        ("私はアリスです。voicebridgeがこのｻｰﾊﾞで私の声で話す事に同意します。"
         "ろくにきゅうゼロ、ななさんごいち、ゴーハチ〇。", JAPANESE),
        ("Я Алена, и я даю согласие, чтобы voicebridge говорил моим голосом в этом чате. "
         "Шесть два девять ноль, семь три пять один, пять восемь нуль.", RUSSIAN),
        ("Я Галина, і я даю згоду, щоб voicebridge говорив моїм голосом у цьому чаті. "
         "Шість два девʼять нуль, сім три п'ять один, п’ять вісім нуль.", UKRAINIAN),
        # Simplified characters for a Traditional sentence, full-width letters and digits.
        ("我是小红，我同意ｖｏｉｃｅｂｒｉｄｇｅ在此聊天里用我的声音说话。六二九〇，７３５１，五八零。",
         TRADITIONAL),
    ],
)  # fmt: skip
def test_a_reading_passes_however_the_recogniser_writes_its_words(
    heard: str, said: CloneChallenge
) -> None:
    assert reading_refusal(heard, said) is None


GERMAN = challenge(
    "Ich bin Anna und bin einverstanden, dass voicebridge in diesem Chat mit meiner Stimme "
    "spricht. 6 2 9 0, 7 3 5 1, 5 8 0",
    DIGITS,
    locale="de",
    english="I am Anna, and I agree that voicebridge may speak in my voice in this chat. "
    "6 2 9 0, 7 3 5 1, 5 8 0",
    english_words=DIGITS,
)


def test_the_english_sentence_beside_another_language_passes_too() -> None:
    english = "I am Anna, and I agree that voice bridge may speak in my voice in this chat. " + (
        "Six two nine zero, seven three five one, five eight zero."
    )
    german = "Ich bin Anna und bin einverstanden, dass Voicebridge in diesem Chat mit meiner " + (
        "Stimme spricht. Sechs zwei neun null, sieben drei fünf eins, fünf acht null."
    )
    mixed = "I am Anna, and I agree that voicebridge may speak in my voice in this chat. " + (
        "sechs zwei neun null, sieben drei fünf eins, fünf acht null"  # German digits: neither
    )
    assert reading_refusal(english, GERMAN) is None
    assert reading_refusal(german, GERMAN) is None
    assert isinstance(reading_refusal(mixed, GERMAN), errors.DigitsWrong)
    assert offers_english("de") and offers_english("ja")
    assert not offers_english("en") and not offers_english("zh_Hans")
    assert not offers_english("zh_Hant")


@pytest.mark.parametrize(
    "heard",
    [
        "Hi all, the meeting moved to Thursday, bring the slides and the coffee.",
        "heard 40.0 seconds",
        "I am at the station, I will be there in ten minutes.",
        "Call me on 0800 7351 then.",  # one group of digits, in a number of its own
        "",
    ],
)
def test_a_note_that_does_not_read_the_sentence_is_no_reading(heard: str) -> None:
    assert not is_reading(heard, ENGLISH)
    assert not is_reading(heard, GERMAN)


@pytest.mark.parametrize(
    "heard",
    [
        "I am Alice, and I agree that voicebridge may speak in my voice in this chat.",  # no words
        "I am Alice and I agree that voice bridge may speak in my voice. 6 2 9 1 7 3 5",
        "7351 580",  # two groups of digits alone: they tried
    ],
)
def test_an_attempt_at_the_sentence_is_a_reading_however_bungled(heard: str) -> None:
    assert is_reading(heard, ENGLISH)


def test_only_a_note_short_enough_to_be_a_reading_may_be_one() -> None:
    assert may_be_reading(declared(seconds=8.0))
    assert may_be_reading(declared(seconds=READING_SECONDS))
    assert not may_be_reading(declared(seconds=READING_SECONDS + 1))
    assert not may_be_reading(declared(seconds=40 * 60.0))
    assert not may_be_reading(declared(seconds=None))
