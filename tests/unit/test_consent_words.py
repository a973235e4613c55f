"""The random words of spoken consent (`core.chat.consent_words`): in every language enough of
them for four to make a sentence nobody could guess (32 bits or more), and each one a word a
native reader says aloud without a pause and a speech recogniser writes one way, so that a
reader is not refused for the recogniser's spelling: no word twice, none inside another or
inside the sentence, none the repository keeps out (`core/chat/words/kept_out/`: slurs, vulgar
or double meanings, homophones, second spellings), in the script a recogniser writes it in; and
a reading of words drawn from each list passes as a recogniser writes it."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from datetime import UTC, datetime

import opencc
import pytest

from core.chat.consent_words import WORDS_DIR, consent_words
from core.chat.languages import LOCALES
from core.chat.messages import text
from core.domain.consent import (
    CHALLENGE_WORDS,
    CloneChallenge,
    challenge_words,
    folded,
    is_reading,
    reading_refusal,
)

SCRIPTS = {
    # Katakana loanwords: a recogniser writes them so, never in kanji or hiragana.
    "ja": re.compile(r"[\u30a1-\u30fa\u30fc]+"),
    "ko": re.compile(r"[\uac00-\ud7a3]+"),  # hangul syllables
    "zh_Hans": re.compile(r"[\u4e00-\u9fff]{2,}"),  # two characters or more: no lone syllable
    "zh_Hant": re.compile(r"[\u4e00-\u9fff]{2,}"),
    "ru": re.compile(r"[а-яё]+"),
    "uk": re.compile(r"[а-щьюяєіїґ]+"),
}
LATIN = re.compile(r"[^\W\d_]+")
# Letters a recogniser writes either way, kept out of the lists though `folded` makes them one.
NOT_IN = {"ru": "ё", "uk": "ґ"}
KEPT_OUT = WORDS_DIR / "kept_out"
ENTROPY_BITS = 32
# Traditional Chinese as recognisers and Taiwan, Hong Kong or mainland texts write it.
TRADITIONAL = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2twp", "s2hk")]
SIMPLIFIED = opencc.OpenCC("t2s")


def strictly_folded(word: str) -> str:
    """`folded` (case, width, ё, ґ, Traditional characters, the long vowel mark), and what a
    reader or a recogniser may also write either way: accents off Latin letters (judía and
    judia), hiragana as katakana."""
    decomposed, kept, base = unicodedata.normalize("NFD", folded(word)), [], ""
    for char in decomposed:
        if unicodedata.combining(char) and unicodedata.name(base, "").startswith("LATIN"):
            continue
        base = char if not unicodedata.combining(char) else base
        kept.append(chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char)
    return unicodedata.normalize("NFC", "".join(kept))


def kept_out(name: str) -> list[tuple[str, list[str]]]:
    """The lines of `kept_out/<name>`: each a locale and its words."""
    lines = (KEPT_OUT / name).read_text("utf-8").splitlines()
    return [
        (head, words)
        for head, *words in filter(None, (line.split("#")[0].split() for line in lines))
    ]


def kept_out_for(name: str, locale: str) -> list[str]:
    """The words `kept_out/<name>` keeps out of `locale`'s list (the Simplified Chinese lines
    hold for Traditional Chinese too)."""
    wanted = {locale, "zh_Hans"} if locale == "zh_Hant" else {locale}
    return [word for head, words in kept_out(name) if head in wanted for word in words]


def fixed_parts(locale: str) -> list[str]:
    """The sentence without its name and random words, in both wordings."""
    keys = ("voices.consent.sentence", "voices.consent.sentence_server")
    return [folded(text(key, locale, name="", words="")) for key in keys]


@pytest.mark.parametrize("locale", LOCALES)
def test_four_random_words_are_thirty_two_bits_or_more(locale: str) -> None:
    words = consent_words(locale)
    assert (WORDS_DIR / f"{locale}.txt").exists()  # not English in its place
    assert math.log2(math.perm(len(words), CHALLENGE_WORDS)) >= ENTROPY_BITS


@pytest.mark.parametrize("locale", LOCALES)
def test_no_word_is_there_twice_however_it_is_written(locale: str) -> None:
    """Twice once folded: in another case, width or script variant, with or without its
    accents, in hiragana or katakana."""
    seen: dict[str, str] = {}
    twice = []
    for word in consent_words(locale):
        if strictly_folded(word) in seen:
            twice.append((seen[strictly_folded(word)], word))
        seen.setdefault(strictly_folded(word), word)
    assert twice == []


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ["spellings.txt", "never.txt"])
def test_no_word_is_one_the_repository_keeps_out(name: str, locale: str) -> None:
    """Neither spelling of a word written two ways (`kept_out/spellings.txt`), and no word
    never to be drawn (`kept_out/never.txt`: slurs, vulgar or double meanings, homophones)."""
    words = {strictly_folded(word): word for word in consent_words(locale)}
    kept = {strictly_folded(word) for word in kept_out_for(name, locale)}
    assert sorted(words[word] for word in kept & words.keys()) == []


def test_the_kept_out_lists_name_the_bot_s_languages_and_whole_pairs() -> None:
    """A line for a language the bot does not speak, or a "pair" of one spelling, would keep
    nothing out."""
    lines = kept_out("spellings.txt") + kept_out("never.txt")
    assert {locale for locale, _ in lines} <= set(LOCALES)
    assert [words for _, words in kept_out("spellings.txt") if len(words) < 2] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_no_word_is_inside_another_or_inside_the_sentence(locale: str) -> None:
    words = sorted({folded(word) for word in consent_words(locale)}, key=len)
    inside = [(a, b) for i, a in enumerate(words) for b in words[i + 1 :] if a in b]
    in_sentence = [w for w in words for part in fixed_parts(locale) if w in part]
    assert inside == []
    assert in_sentence == []


@pytest.mark.parametrize("locale", LOCALES)
def test_each_word_is_written_one_way_in_the_script_recognisers_use(locale: str) -> None:
    script = SCRIPTS.get(locale, LATIN)
    words = consent_words(locale)
    assert [w for w in words if not script.fullmatch(w.lower())] == []
    assert [w for w in words if unicodedata.normalize("NFKC", w) != w] == []
    assert [w for w in words if set(NOT_IN.get(locale, "")) & set(w.lower())] == []


def test_the_chinese_words_read_the_same_in_either_script_and_region() -> None:
    """Whatever characters a recogniser writes a word in, `folded` makes it the same word: the
    Traditional list is the Simplified one, and no word becomes another in Taiwan's or Hong
    Kong's writing (出租车 is 計程車 in Taiwan: not in the list)."""
    simplified, traditional = consent_words("zh_Hans"), consent_words("zh_Hant")
    assert [SIMPLIFIED.convert(word) for word in traditional] == list(simplified)
    changed = [
        word for word in simplified for conversion in TRADITIONAL
        if SIMPLIFIED.convert(conversion.convert(word)) != word
    ]  # fmt: skip
    assert changed == []
    assert [w for w in traditional if TRADITIONAL[2].convert(SIMPLIFIED.convert(w)) != w] == []


# How a recogniser may write a reading by Ann of her sentence: her name, "voicebridge", or both,
# in the reader's script where it has its own (as the fourth native reading heard them), the
# random words with the language's commas between them.
HEARD_AS = {
    "ko": ("앤", "보이스브리지"),
    "ja": ("アン", "ボイスブリッジ"),
    "zh_Hans": ("安", "voice bridge"),
    "zh_Hant": ("安", "voice bridge"),
    "ru": ("Энн", "войсбридж"),
    "uk": ("Енн", "войсбрідж"),
}
COMMAS = {"ja": "、", "zh_Hans": "，", "zh_Hant": "，"}
SENTENCES = ("voices.consent.sentence", "voices.consent.sentence_server")
ASKED = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def heard(key: str, locale: str, words: tuple[str, ...], turn: int) -> str:
    """Ann's reading of `key` with `words` as a recogniser writes it, in one of four ways by
    `turn`: her name in the reader's script, "voicebridge" in it, both, both in Latin letters."""
    name, brand = HEARD_AS.get(locale, ("Ann", "Voice Bridge"))
    ways = [(name, "voicebridge"), ("Ann", brand), (name, brand), ("Ann", "Voice Bridge")]
    name, brand = ways[turn % len(ways)]
    said = COMMAS.get(locale, ", ").join(words)
    return text(key, locale, name=name, words=said).replace("voicebridge", brand)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_reading_of_words_drawn_from_the_list_passes(locale: str) -> None:
    """Every word of the list, four at a time and drawn as the bot draws them, in a reading as
    a recogniser writes it: taken as a reading, and passed."""
    words = list(consent_words(locale))
    chooser = random.Random(locale)
    chooser.shuffle(words)
    refused = []
    for turn, start in enumerate(range(0, len(words), CHALLENGE_WORDS)):
        drawn = challenge_words((words[start:] + words)[:CHALLENGE_WORDS], chooser)
        key = SENTENCES[turn % 2]
        challenge = CloneChallenge(
            platform="telegram", person_id="1", chat_id="-100", asked_in="-100",
            private_chat="1", name="Ann", locale=locale, asked_at=ASKED, expires_at=ASKED,
            sentence=text(key, locale, name="Ann", words=" ".join(drawn)), words=drawn,
        )  # fmt: skip
        reading = heard(key, locale, drawn, turn)
        if not is_reading(reading, challenge) or reading_refusal(reading, challenge) is not None:
            refused.append(reading)
    assert refused == []
