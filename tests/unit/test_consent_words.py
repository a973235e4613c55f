"""The random words of spoken consent (`core.chat.consent_words`): in every language enough of
them for four to make a sentence nobody could guess (30 bits or more), and each one a word a
speech recogniser writes one way, so that a reader is not refused for the recogniser's
spelling: no word inside another or inside the sentence, no homophone, in the script a
recogniser writes it in."""

from __future__ import annotations

import math
import re
import unicodedata

import opencc
import pytest

from core.chat.consent_words import WORDS_DIR, consent_words
from core.chat.languages import LOCALES
from core.chat.messages import text
from core.domain.consent import CHALLENGE_WORDS, folded

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
# Words with a homophone or a second spelling a recogniser may write instead: never in a list.
HOMOPHONES = {
    "en": {
        "pear",
        "pair",
        "flour",
        "flower",
        "knight",
        "night",
        "bear",
        "deer",
        "whale",
        "plum",
        "carrot",
        "berry",
        "medal",
        "pedal",
        "sail",
        "mail",
        "rose",
        "thyme",
        "leek",
        "colonel",
        "cymbal",
        "cereal",
        "hare",
        "moose",
        "dessert",
        "harbor",
        "theater",
        "yogurt",
    },
    "de": {
        "lerche",
        "leere",
        "lid",
        "lied",
        "mahl",
        "mal",
        "moor",
        "mohr",
        "seite",
        "saite",
        "wal",
        "wahl",
        "stil",
        "stiel",
        "meer",
        "mehr",
        "lärche",
        "ferse",
        "verse",
    },
    "fr": {
        "ver",
        "verre",
        "vert",
        "mer",
        "mère",
        "pain",
        "pin",
        "sel",
        "selle",
        "cou",
        "coup",
        "poids",
        "pois",
        "champ",
        "chant",
        "foie",
        "lait",
        "vin",
        "saint",
        "sein",
        "chêne",
        "chaîne",
        "voix",
        "voie",
        "compte",
        "conte",
        "comte",
        "balade",
        "ballade",
    },
    "es": {
        "ola",
        "hola",
        "vaca",
        "baca",
        "casa",
        "caza",
        "tubo",
        "tuvo",
        "ciervo",
        "siervo",
        "vello",
        "bello",
        "hierba",
        "hierva",
        "botar",
        "votar",
        "abrazar",
        "abrasar",
        "cocer",
        "coser",
        "valla",
        "vaya",
        "baya",
        "rallar",
        "rayar",
        "sien",
        "cien",
    },
    "pt_BR": {
        "concerto",
        "conserto",
        "cela",
        "sela",
        "censo",
        "senso",
        "cessão",
        "sessão",
        "seção",
        "paço",
        "passo",
        "caçar",
        "cassar",
        "cem",
        "sem",
    },
    "id": {
        "apotik",
        "apotek",
        "nasehat",
        "nasihat",
        "karir",
        "karier",
        "jadual",
        "jadwal",
        "bank",
        "bang",
        "sangsi",
        "sanksi",
    },
    "ja": {"ボタン", "イカリ", "コショウ", "タバコ", "イルカ", "カルタ"},
    "ko": {"쥬스", "주스", "케잌", "케이크", "초콜렛", "초콜릿", "로보트", "로봇"},
    "ru": {
        "луг",
        "лук",
        "плод",
        "плот",
        "гриб",
        "грипп",
        "код",
        "кот",
        "род",
        "рот",
        "прут",
        "пруд",
        "ковер",
        "ковёр",
        "еж",
        "ёж",
    },
    "uk": {"гудзик", "ґудзик", "ганок", "ґанок"},
    "zh_Hans": {"纽扣", "钮扣", "土豆", "马铃薯", "出租车", "自行车", "菠萝", "公交车", "软件"},
}
HOMOPHONES["zh_Hant"] = {opencc.OpenCC("s2tw").convert(w) for w in HOMOPHONES["zh_Hans"]}
# Traditional Chinese as recognisers and Taiwan, Hong Kong or mainland texts write it.
TRADITIONAL = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2twp", "s2hk")]
SIMPLIFIED = opencc.OpenCC("t2s")


def fixed_parts(locale: str) -> list[str]:
    """The sentence without its name and random words, in both wordings."""
    keys = ("voices.consent.sentence", "voices.consent.sentence_server")
    return [folded(text(key, locale, name="", words="")) for key in keys]


@pytest.mark.parametrize("locale", LOCALES)
def test_four_random_words_are_thirty_bits_or_more(locale: str) -> None:
    words = consent_words(locale)
    distinct = {folded(word) for word in words}
    assert (WORDS_DIR / f"{locale}.txt").exists()  # not English in its place
    assert len(distinct) == len(words) >= 200
    assert math.log2(math.perm(len(words), CHALLENGE_WORDS)) >= 30


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
    assert {w.lower() for w in words} & HOMOPHONES.get(locale, set()) == set()


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
