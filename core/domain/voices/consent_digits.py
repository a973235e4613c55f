"""The drawn part of the consent reading (`core.domain.voices.clone_consent_rules`): `DIGITS` random
digits, shown in groups of four, four and three ("6 2 9 0, 7 3 5 1, 5 8 0", the groups listed as
the reader's language lists things: `core.chat.settings_wording`) and read one by one in the
reader's language. Each digit is shown apart, so that a reader says them one by one rather than
as a number, with a no-break space between two digits of a group, so that a group never wraps
across lines (`apart`).

Safe by construction: the vocabulary is the language's ten digits, few enough for a native
reader to read whole, and a digit string means nothing unless it spells a number with a meaning
of its own. Those are kept out by rule, not by reading lists: a draw holding any of `NEVER`
anywhere, across a group's end too, is drawn again, and the digit 4 is never drawn for a reader
of Chinese, Japanese or Korean (`UNSAID`: it sounds like "death", 死).

How strong: every string of `DIGITS` digits of the reader's alphabet that holds none of `NEVER`
is drawn with the same chance (a rejected draw is drawn again), so a challenge has
log2(`choices`) bits: `choices` counts those strings exactly, digit by digit, keeping for each
last few digits how many strings end so without a number of `NEVER` in them.

    ten digits (every language but zh_Hans, zh_Hant, ja, ko): 19,920,772,937 strings of the
        10**11 (after the rejections, 20 %), 34.21 bits
    nine digits (no 4): 8,339,585,084 strings of the 9**11 (27 %), 32.96 bits

Both are over the 32 bits the four random words they replace had, and since every draw is
equally likely, this count is also what a guesser faces at best (no draw likelier than another).
tests/unit/test_consent_digits.py counts them again and checks `choices` against every string of
up to five digits, told one by one. The same draw ends the English sentence shown beside a
reader's own language, so reading either gives a guess no second chance.

How a reading is heard (`as_digits`): every way a recogniser may write a digit in the language
(`FORMS`: 4, four, 四, よん, 사, 넷, четыре, full-width ４ by `folded`'s width fold) becomes that
digit, so "four seven one", "4 7 1", "四七一" and "471" all read 471. Words in Latin or Cyrillic
letters count only as whole words (seven, never seventy), Hangul only in a word made of digits alone
(육이구공, never the 이 of 이지영), and kana not before a small kana (the に of ニュース is no 2);
an English "double five" is 55, "triple five" 555. A group said as a number ("four hundred
seventy-one", "quatre cent soixante et onze", 四百七十一) is not accepted as it is written: it reads
"4hundredseventy1", "4centsoixanteetonze". Recognisers mostly write a number heard as one in
numerals ("471"), which passes; and the sentence shows each digit apart and asks for them one by
one, so a reader rarely says one.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

__all__ = [
    "DIGITS",
    "DIGIT_SPACE",
    "FORMS",
    "GROUPS",
    "NEVER",
    "TEN",
    "UNSAID",
    "alphabet",
    "apart",
    "as_digits",
    "choices",
    "draw",
    "forms",
    "holds_never",
]

DIGITS = 11
GROUPS = (4, 4, 3)  # how the digits are shown and paused between: 4 + 4 + 3 = DIGITS
TEN = "0123456789"
DIGIT_SPACE = "\u00a0"  # no-break space, between two digits of a group as it is shown

# Numbers with a meaning of their own, never drawn in any language (a reading is said in front
# of a chat of any language, and the English one is offered to every other but Chinese): no
# draw holds one anywhere, group ends included. Covered by these too: 1488 (14, 88), 1312 (13),
# 187 (18), 228 (28), 5318008 (8008); and in Chinese, Japanese and Korean every number with a
# 4 (74 and 748, "go die", 514, 1314, 42, 49, 4649, 564).
NEVER: Mapping[str, str] = {
    "13": "unlucky in the West; 十三点, silly, in Shanghai",
    "14": "the white supremacists' 14 words",
    "18": "Adolf Hitler (A, H); 십팔 sounds like a Korean swear word",
    "24": "a homophobic slur in Brazil (the deer of the jogo do bicho)",
    "28": "Blood & Honour (B, H), a neo-Nazi network",
    "38": "三八, an insult for a woman in Chinese",
    "41": "a homophobic slur in Mexico (the dance of the 41)",
    "69": "a sexual position",
    "74": "Großdeutschland (G, D), a neo-Nazi code",
    "83": "Heil Christus (H, C), a white supremacist greeting",
    "84": "Heil Deutschland (H, D), a neo-Nazi code",
    "87": "白痴 (bái chī, 8 7), an idiot, in Taiwan",
    "88": "Heil Hitler (H, H)",
    "109": "the antisemitic claim that Jews were expelled from 109 countries, a white "
    "supremacist code",
    "110": "an emergency number (police in Germany, Indonesia, mainland China, Taiwan and Japan)",
    "112": "the emergency number in Europe and Indonesia (and the police in Korea)",
    "119": "an emergency number (fire and ambulance in Japan, Korea and Taiwan; fire in mainland "
    "China; ambulance in Indonesia)",
    "157": "a robber in Brazil (article 157 of its penal code)",
    "161": "Antifaschistische Aktion (A, F, A)",
    "168": "168:1, the Oklahoma City bombing's dead, a neo-Nazi code",
    "171": "a swindler in Brazil (article 171 of its penal code)",
    "198": "19/8, Sieg Heil (S, the 19th letter, H), a neo-Nazi code",
    "200": "груз 200, двохсотий: a soldier killed, in Russian and Ukrainian",
    "212": "Aksi 212, the Islamist rallies of 2 December 2016 in Jakarta and their movement",
    "250": "二百五, an idiot in Chinese",
    "300": "трёхсотый, трьохсотий: a soldier wounded, in Russian and Ukrainian",
    "311": "the Ku Klux Klan (K, the 11th letter, three times); and 3.11, the earthquake and "
    "tsunami of 2011 in Japan",
    "420": "cannabis; and 4/20, Hitler's birthday, to neo-Nazis",
    "444": "Deutschland den Deutschen (D, D, D), a neo-Nazi slogan",
    "500": "пятисотый, п’ятисотий: a soldier who refuses to fight, in Russian and Ukrainian",
    "520": "我爱你, I love you, in Chinese",
    "521": "我愿意 or 我爱你, in Chinese",
    "530": "我想你, I miss you, in Chinese",
    "666": "the number of the beast",
    "721": "7.21, the attack at Yuen Long station in 2019, a political date in Hong Kong; and "
    "0721, オナニー (o-na-ni-i), masturbation, in Japanese slang",
    "731": "Unit 731 of the human experiments, said digit by digit in Chinese, Japanese and Korean",
    "810": "野獣 (ya-jū), Japanese net slang from a pornographic video",
    "893": "ヤクザ (ya-ku-za), the yakuza, in Japanese",
    "911": "the emergency number in North America, and the attacks of 11 September 2001",
    "000": "Triple Zero, the emergency number in Australia (Australians say 'triple' for three "
    "digits alike)",
    "999": "the emergency number in the United Kingdom, Ireland, Hong Kong and Macau",
    "1919": "イクイク, sexual, in Japanese slang; SS (S, the 19th letter, twice) to neo-Nazis",
    "1533": "15.3.3, the PCC (P, C, C in the alphabet without K, W, Y), a criminal faction in "
    "Brazil",
    "2316": "white power (W, P: the 23rd and 16th letters)",
    "8008": "BOOB on a calculator turned over",
}
# Digits never drawn for a reader of the language: 4 reads 死, death (sǐ, shi, 사).
UNSAID: Mapping[str, str] = {"zh_Hans": "4", "zh_Hant": "4", "ja": "4", "ko": "4"}

# Each language's ten digits as a recogniser may write them, besides 0-9 (and their full-width
# and other compatibility forms, which `folded` makes 0-9), written as `folded` writes text:
# lower case, Simplified characters, no long vowel mark or apostrophe. Japanese forms count in
# hiragana and katakana alike (`_kana`). A language without its own reads English's.
# Chinese and Japanese zero is also written ○, the white circle (Taiwan's Big5 has no 〇). A
# Ukrainian reader who counts in Russian says четыре, шесть, семь, восемь, and one who reads a
# Russian sentence may count in Ukrainian (дві, чотири, шість, сім, вісім): the other digits are
# forms of both already, нуль and ноль, or the same once `folded` drops the apostrophe. Left out:
# Japanese し and よ for 4 and く for 9, in nearly every sentence (わたし, します, ください) and
# never how a digit is read one by one (4 is not drawn for a Japanese reader; 9 is きゅう); Korean
# 한, 두, 세, 네 (네 is "yes"), which count things, never read a digit.
FORMS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "0": ("zero", "oh", "o", "nought", "naught"), "1": ("one",), "2": ("two",),
        "3": ("three",), "4": ("four",), "5": ("five",), "6": ("six",), "7": ("seven",),
        "8": ("eight",), "9": ("nine",),
    },
    "zh_Hans": {
        "0": ("零", "〇", "○"), "1": ("一", "幺"), "2": ("二", "两"), "3": ("三",), "4": ("四",),
        "5": ("五",), "6": ("六",), "7": ("七",), "8": ("八",), "9": ("九",),
    },
    "ja": {
        "0": ("零", "〇", "○", "ぜろ", "れい", "まる"), "1": ("一", "いち"), "2": ("二", "に"),
        "3": ("三", "さん"), "4": ("四", "よん"), "5": ("五", "ご"), "6": ("六", "ろく"),
        "7": ("七", "なな", "しち"), "8": ("八", "はち"), "9": ("九", "きゅう", "きゅ"),
    },
    "ko": {
        "0": ("영", "공"), "1": ("일", "하나"), "2": ("이", "둘"), "3": ("삼", "셋"),
        "4": ("사", "넷"), "5": ("오", "다섯"), "6": ("육", "륙", "여섯"), "7": ("칠", "일곱"),
        "8": ("팔", "여덟"), "9": ("구", "아홉"),
    },
    "ru": {
        "0": ("ноль", "нуль"), "1": ("один",), "2": ("два", "дві"), "3": ("три",),
        "4": ("четыре", "чотири"), "5": ("пять",), "6": ("шесть", "шість"), "7": ("семь", "сім"),
        "8": ("восемь", "вісім"), "9": ("девять",),
    },
    "uk": {
        "0": ("нуль", "ноль"), "1": ("один",), "2": ("два", "дві"), "3": ("три",),
        "4": ("чотири", "четыре"), "5": ("пять",), "6": ("шість", "шесть"),
        "7": ("сім", "семь"), "8": ("вісім", "восемь"), "9": ("девять",),
    },
    "es": {
        "0": ("cero",), "1": ("uno",), "2": ("dos",), "3": ("tres",), "4": ("cuatro",),
        "5": ("cinco",), "6": ("seis",), "7": ("siete",), "8": ("ocho",), "9": ("nueve",),
    },
    "pt_BR": {
        "0": ("zero",), "1": ("um", "uma"), "2": ("dois", "duas"), "3": ("três", "tres"),
        "4": ("quatro",), "5": ("cinco",), "6": ("seis", "meia"), "7": ("sete",),
        "8": ("oito",), "9": ("nove",),
    },
    "de": {
        "0": ("null",), "1": ("eins",), "2": ("zwei", "zwo"), "3": ("drei",), "4": ("vier",),
        "5": ("fünf",), "6": ("sechs",), "7": ("sieben",), "8": ("acht",), "9": ("neun",),
    },
    "fr": {
        "0": ("zéro", "zero"), "1": ("un",), "2": ("deux",), "3": ("trois",), "4": ("quatre",),
        "5": ("cinq",), "6": ("six",), "7": ("sept",), "8": ("huit",), "9": ("neuf",),
    },
    "id": {
        "0": ("nol", "kosong"), "1": ("satu",), "2": ("dua",), "3": ("tiga",), "4": ("empat",),
        "5": ("lima",), "6": ("enam",), "7": ("tujuh",), "8": ("delapan",), "9": ("sembilan",),
    },
}  # fmt: skip
_SAME_FORMS = {"zh_Hant": "zh_Hans"}  # `folded` writes Traditional characters as Simplified
# An English reader says a digit twice or three times in a row as "double four", "triple seven"
# (in Britain, Ireland, India and Australia above all, reading one by one too).
_TIMES = {"double": 2, "triple": 3}
_REPEAT = re.compile(r"\b(double|triple)[\s-]*(\d)")
_LETTER = r"[^\W\d_]"
_HANGUL = "[\uac00-\ud7a3]"  # a Hangul syllable
# A small kana: with the kana before it, one syllable (し and しょ, に and ニュ are not one).
_SMALL_KANA = "[ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ]"


def alphabet(locale: str) -> str:
    """The digits drawn for a reader of `locale`."""
    return "".join(digit for digit in TEN if digit not in UNSAID.get(locale, ""))


def holds_never(digits: str) -> bool:
    """Whether `digits` holds a number of `NEVER` anywhere."""
    return any(number in digits for number in NEVER)


def draw(locale: str, chooser: random.Random) -> tuple[str, ...]:
    """`DIGITS` random digits of `locale`'s alphabet holding none of `NEVER`, in `GROUPS`."""
    digits = alphabet(locale)
    while True:
        drawn = "".join(chooser.choice(digits) for _ in range(DIGITS))
        if not holds_never(drawn):
            return grouped(drawn)


def grouped(digits: str) -> tuple[str, ...]:
    """`digits` cut into `GROUPS`."""
    ends = [sum(GROUPS[: i + 1]) for i in range(len(GROUPS))]
    return tuple(digits[end - size : end] for end, size in zip(ends, GROUPS, strict=True))


def apart(group: str) -> str:
    """One group as the sentence shows it: each digit apart, a no-break space between two."""
    return DIGIT_SPACE.join(group)


def choices(locale: str, length: int = DIGITS) -> int:
    """How many strings of `length` digits `draw` may give for `locale` (see the docstring)."""
    keep = max(map(len, NEVER)) - 1  # the last digits a number of NEVER may go on from
    endings = Counter({"": 1})
    for _ in range(length):
        longer: Counter[str] = Counter()
        for ending, count in endings.items():
            for digit in alphabet(locale):
                tail = ending + digit
                if not any(tail.endswith(number) for number in NEVER):
                    longer[tail[-keep:]] += count
        endings = longer
    return sum(endings.values())


@functools.cache
def forms(locale: str) -> Mapping[str, str]:
    """Every way `locale`'s recognisers write a digit in words, each with the digit it is."""
    table = FORMS.get(_SAME_FORMS.get(locale, locale)) or FORMS["en"]
    return {twin: digit for digit, way in table.items() for form in way for twin in _kana(form)}


def as_digits(text: str, locale: str) -> str:
    """`text` (as `folded` writes it, before it drops what is no letter or digit) with each
    digit written in words made that digit: the longest form first; one in Latin or Cyrillic
    letters only as a whole word; Hangul only in a word of digits alone (육이구공, never the 이
    of 이지영 or 보이스브리지); kana not before a small kana (the に of ニュース is no 2); in
    English, "double" or "triple" before a digit that digit two or three times."""
    spelled, each = forms(locale), _each(locale)
    text = _pattern(locale).sub(
        lambda match: each.sub(lambda one: spelled[one.group()], match.group()), text
    )
    if locale == "en":  # "double four", "triple seven": 44, 777
        text = _REPEAT.sub(lambda match: match[2] * _TIMES[match[1]], text)
    return text


@functools.cache
def _pattern(locale: str) -> re.Pattern[str]:
    """`as_digits`' pattern for `locale`: what is a digit's word, or a Hangul word of them."""
    hangul = [form for form in _longest_first(locale) if _script(form) == "HANGUL"]
    alternatives = [
        rf"(?<!{_HANGUL})(?:{'|'.join(map(re.escape, hangul))})+(?!{_HANGUL})"
    ] if hangul else []  # fmt: skip
    for form in _longest_first(locale):
        script = _script(form)
        if script in ("LATIN", "CYRILLIC"):
            alternatives.append(rf"(?<!{_LETTER}){re.escape(form)}(?!{_LETTER})")
        elif script in ("HIRAGANA", "KATAKANA"):
            alternatives.append(rf"{re.escape(form)}(?!{_SMALL_KANA})")
        elif script != "HANGUL":
            alternatives.append(re.escape(form))
    return re.compile("|".join(alternatives))


@functools.cache
def _each(locale: str) -> re.Pattern[str]:
    """Each of `locale`'s forms, the longest first: what `_pattern` found, read form by form."""
    return re.compile("|".join(map(re.escape, _longest_first(locale))))


def _longest_first(locale: str) -> list[str]:
    return sorted(forms(locale), key=len, reverse=True)


def _script(form: str) -> str:
    """The script `form` is written in, as the name of its first character begins."""
    return unicodedata.name(form[0]).split()[0]


def _kana(form: str) -> tuple[str, ...]:
    """`form`, and in the other kana as well when it is in hiragana or katakana."""
    if all("\u3041" <= ch <= "\u3096" for ch in form):
        return form, "".join(chr(ord(ch) + 0x60) for ch in form)
    if all("\u30a1" <= ch <= "\u30f6" for ch in form):
        return form, "".join(chr(ord(ch) - 0x60) for ch in form)
    return (form,)
