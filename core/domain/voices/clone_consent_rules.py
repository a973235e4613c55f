"""Spoken consent to a cloned voice: the sentence a person reads, and whether what they sent
is their reading of it. Pure rules, no I/O (`core.app.voices.clone_consent` does the work).

A chat platform cannot say who recorded a file (a "hide sender name" forward is a copy with no
header; a voice note sent through an inline bot looks like the sender's own), so a voice is cloned
only from a fresh recording of its owner reading a one-time sentence: their name, their agreement
that voicebridge may speak in their voice in this chat (or on this server), and eleven random
digits read one by one (`core.domain.voices.consent_digits`: drawn so that none spells a number with
a meaning of its own, about 33 bits: 32.96 for a reader of Chinese, Japanese or Korean, 34.21 for
the others). Nothing here tells whose voice it is: only that the sender read a sentence nobody could
have recorded before it was shown.

A person is shown at most VOICE_CLONE_ATTEMPTS_PER_DAY sentences a UTC day (5 unless the
operator says otherwise; `ATTEMPTS_PER_DAY` is the same number for a use case built bare), and
a sentence stays open to be read for `SENTENCE_LIFETIME` after it is shown. A voice note is a
reading only when it could be one (`may_be_reading`: no longer than `READING_SECONDS`) and what
MiMo heard in it is recognisably the sentence (`is_reading`); anything else is an ordinary voice
note. A reading is then checked: what the platform declares first (`declared_refusal`: not
forwarded, not sent via a bot, not a copy of a file seen from someone else, not older than the
request), then what was heard (`reading_refusal`): the fixed part may have ASR slips (a name heard
differently, a word missing), the digits must all be there, in order. The reader's name and
"voicebridge" are the two words a recogniser may write in the reader's own script (앤 and
보이스브리지 for a Korean reading by Ann): the fixed part is compared with and without each of
them, and the likeliest counts. Both sides are folded (`folded`) where recognisers write one word
several ways: case, full and half width, ё and е, ґ and г, Traditional and Simplified Chinese, the
long vowel mark of a Japanese loanword, and every way of writing a digit in the sentence's language
(four, 四, よん and 4 are 4).

MiMo's speech recognition documents Chinese and English only; a person of any other language
is also offered the English sentence, ending in the same digits (`CloneChallenge.english`),
and a reading of either passes.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import opencc

from core.domain import errors
from core.domain.voices.consent_digits import as_digits

__all__ = [
    "ATTEMPTS_PER_DAY",
    "READING_SECONDS",
    "SENTENCE_LIFETIME",
    "CloneChallenge",
    "DeclaredReading",
    "answers",
    "declared_refusal",
    "folded",
    "is_reading",
    "may_be_reading",
    "offers_english",
    "reading_refusal",
    "written_one_way",
]

FIXED_PART_LIKENESS = 0.75  # how like the fixed part what was heard must be (difflib's ratio)
# How like the fixed part a note must be to be taken as an attempt at reading it at all (when
# none of its random digits is heard): an ordinary note is far below, a bungled reading above.
RECOGNISED_LIKENESS = 0.5
# How many more digits than its fixed part holds a reading may say besides the drawn ones: a
# recogniser may write a syllable of the fixed part as a digit's word (a name heard in kana: ニコ
# for Nico holds ニ, 2).
# Without a bound, a recording made beforehand that says a long run of digits would hold the
# groups of many draws; with it, it holds those of hardly more than one.
SPARE_DIGITS = 2
# The longest voice note that may be a reading: the sentence takes ten to twenty seconds to
# read. A longer note is an ordinary one, never heard as a reading.
READING_SECONDS = 60.0
# The sentences one person may ask for a UTC day, for `VoiceConsents` built bare (a test, a
# tool): a running bot takes VOICE_CLONE_ATTEMPTS_PER_DAY, whose default is this number
# (tests/integration/test_own_defaults.py). `VoiceConsents.ask` refuses the next until the day
# ends.
ATTEMPTS_PER_DAY = 5
# How long a shown sentence stays open to be read (`VoiceConsents.ask` sets its expiry): a note
# sent after it finds no open sentence and is an ordinary voice note.
SENTENCE_LIFETIME = timedelta(minutes=5)
# The languages MiMo's speech recognition documents (its `asr_options.language`): a person of
# any other is offered the English sentence beside theirs.
RECOGNISED_LOCALES = frozenset({"en", "zh_Hans", "zh_Hant"})


@dataclass(frozen=True)
class CloneChallenge:
    """One `/voice clone NAME`: who reads, for which chat's voice, the sentence and its random
    part, its "words" (the drawn digits, a group each: ("6290", "7351", "580")), and the English
    sentence with the same digits for a language MiMo's recognition does not document; where
    the reading may come from (where they asked, or their private chat with the bot), and until
    when; a passed reading ends it at once. (A sentence asked before the digits has four random
    words as its `words`: it is heard the same way.)"""

    platform: str
    person_id: str
    chat_id: str  # whose voice it becomes
    asked_in: str  # the chat the command came from
    private_chat: str  # the person's own chat with the bot
    name: str
    sentence: str
    words: tuple[str, ...]
    locale: str
    asked_at: datetime
    expires_at: datetime
    english: str | None = None
    english_words: tuple[str, ...] = ()
    id: int = 0
    # The reader's name as the sentence gives it (their name on the platform), which is not
    # `name`, the voice's; empty in a sentence asked before it was kept: `name` stands in.
    reader: str = ""

    def sentences(self) -> list[tuple[str, tuple[str, ...], str]]:
        """Each sentence that may be read, with its random part and its language."""
        both = [(self.sentence, self.words, self.locale)]
        return [*both, (self.english, self.english_words, "en")] if self.english else both


@dataclass(frozen=True)
class DeclaredReading:
    """What the platform declares about a voice note sent while a challenge is open."""

    person_id: str
    chat_id: str
    identity: str | None  # the file's lasting id (Telegram's file_unique_id)
    sent_at: datetime
    forwarded: bool = False
    via_bot: bool = False
    seconds: float | None = None


def offers_english(locale: str) -> bool:
    """Whether a person of `locale` is offered the English sentence beside theirs."""
    return locale not in RECOGNISED_LOCALES


def answers(challenge: CloneChallenge, declared: DeclaredReading) -> bool:
    """Whether a note `declared` can be a reading of `challenge`: its person's, sent where the
    sentence was asked or in their private chat with the bot."""
    return challenge.person_id == declared.person_id and declared.chat_id in (
        challenge.asked_in,
        challenge.private_chat,
    )


def may_be_reading(reading: DeclaredReading) -> bool:
    """Whether the note is short enough to be a reading (platforms declare a voice note's
    length; one that does not say is not taken as a reading)."""
    return reading.seconds is not None and reading.seconds <= READING_SECONDS


def is_reading(heard: str, challenge: CloneChallenge) -> bool:
    """Whether what MiMo heard is recognisably an attempt at one of the sentences: two of its
    random groups of digits are there (one could be in any note that says a number, more so
    in Chinese and Japanese, whose digits are everyday characters and kana: 一, に, ご; and in
    Korean, where 이 and 오 are words too), or the whole is fairly like its
    fixed part. Only then is a note checked (and refused, saying why); anything else is an
    ordinary voice note."""
    for sentence, words, locale in challenge.sentences():
        text = folded(heard, locale)
        if sum(folded(word, locale) in text for word in words) >= min(2, len(words)):
            return True
        rest = _without(folded(sentence, locale), words, locale)
        if _likeness(rest, text, _reader(challenge), locale) >= RECOGNISED_LIKENESS:
            return True
    return False


def declared_refusal(
    reading: DeclaredReading, challenge: CloneChallenge, *, first_sender: str | None
) -> errors.ConsentRefused | None:
    """Why the platform's own account of the note rules it out (`first_sender`: who was seen
    sending this file first, if anyone), or None."""
    if reading.forwarded:
        return errors.ReadingForwarded()
    if reading.via_bot:
        return errors.ReadingViaBot()
    if first_sender is not None and first_sender != reading.person_id:
        return errors.ReadingCopied()
    # Platforms date messages in whole seconds.
    if reading.sent_at.timestamp() < int(challenge.asked_at.timestamp()):
        return errors.ReadingTooOld()
    return None


def reading_refusal(heard: str, challenge: CloneChallenge) -> errors.ConsentRefused | None:
    """Why what MiMo heard is not one of the sentences, or None. For each: every random group
    of digits, in order, exactly (once folded in the sentence's language); the rest at least
    `FIXED_PART_LIKENESS` like the sentence without them. When none passes, the refusal of the
    one most like what was heard."""
    tried = [
        _refusal(folded(heard, locale), sentence, words, _reader(challenge), locale)
        for sentence, words, locale in challenge.sentences()
    ]
    if any(refusal is None for refusal, _ in tried):
        return None
    refusal, _ = max(tried, key=lambda pair: pair[1])
    return refusal


def _refusal(
    text: str, sentence: str, words: Sequence[str], name: str, locale: str
) -> tuple[errors.ConsentRefused | None, float]:
    """`said` against one sentence: the refusal (or None) and how like its fixed part it is."""
    rest, end = folded(sentence, locale), len(text)
    # From the end, where they are said: a group that also occurs in the fixed part (in a name,
    # say) is not found there instead.
    for word in reversed([folded(w, locale) for w in words]):
        found = text.rfind(word, 0, end)
        if not word or found < 0:
            likeness = _likeness(_without(rest, words, locale), text, name, locale)
            return errors.DigitsWrong(), likeness
        text = text[:found] + text[found + len(word) :]
        cut = rest.rfind(word)
        rest = rest[:cut] + rest[cut + len(word) :]
        end = found
    likeness = _likeness(rest, text, name, locale)
    if _digits_in(text) > _digits_in(rest) + SPARE_DIGITS:
        return errors.DigitsWrong(), likeness
    return (None if likeness >= FIXED_PART_LIKENESS else errors.SentenceWrong()), likeness


def _reader(challenge: CloneChallenge) -> str:
    """The name the sentence gives its reader, which a recogniser may write in their script."""
    return challenge.reader or challenge.name


def _digits_in(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _without(sentence: str, words: Sequence[str], locale: str) -> str:
    """The folded `sentence` without its random part (the last occurrence of each group)."""
    for word in (folded(w, locale) for w in words):
        cut = sentence.rfind(word)
        if word and cut >= 0:
            sentence = sentence[:cut] + sentence[cut + len(word) :]
    return sentence


def _likeness(expected: str, text: str, name: str, locale: str) -> float:
    """How like the folded fixed part `expected` what was heard is (difflib's ratio), the
    likeliest of it as written and without the reader's `name`, "voicebridge" or both, which
    a recogniser may have written in another script."""
    variants = {expected}
    for spelled in (folded(name, locale), BRAND):
        variants |= {_cut(variant, spelled) for variant in variants}
    return max(
        difflib.SequenceMatcher(None, variant, text, autojunk=False).ratio() for variant in variants
    )


def _cut(sentence: str, word: str) -> str:
    """`sentence` without the first occurrence of `word` (as it was, where it has none)."""
    at = sentence.find(word) if word else -1
    return sentence if at < 0 else sentence[:at] + sentence[at + len(word) :]


BRAND = "voicebridge"  # as `folded` writes the bot's name in every sentence


# What recognisers write several ways for one word, written one way: ё and е (Russian texts
# mostly leave the dots off), ґ and г (Ukrainian), the Japanese long vowel mark (コンピューター
# and コンピュータ) and apostrophes (the Ukrainian one is a letter to Unicode: пʼять, п'ять,
# п’ять, п‘ять and п`ять are one word).
_ONE_WAY = str.maketrans(
    {"ё": "е", "ґ": "г", "ー": None, "ʼ": None, "'": None, "’": None, "‘": None, "`": None}
)


def folded(words: str, locale: str) -> str:
    """Letters and digits only, case folded, full and half width alike (NFKC), in Simplified
    Chinese characters, with `_ONE_WAY`'s variants made one and each digit `locale` writes in
    words made that digit (`consent_digits.as_digits`): punctuation, spacing and script variants
    are the recogniser's, not the reader's."""
    text = as_digits(written_one_way(words), locale)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def written_one_way(words: str) -> str:
    """`folded`'s first step: case, width, script variants and `_ONE_WAY` made one, spacing and
    punctuation still there (where a digit's word ends)."""
    text = unicodedata.normalize("NFKC", words).casefold().translate(_ONE_WAY)
    return str(_simplified().convert(text))


@functools.cache
def _simplified() -> opencc.OpenCC:
    """OpenCC's Traditional to Simplified conversion, read once (its tables ship in the wheel)."""
    return opencc.OpenCC("t2s")
