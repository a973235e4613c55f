"""Spoken consent to a cloned voice: the sentence a person reads, and whether what they sent
is their reading of it. Pure rules, no I/O (`core.app.consents` does the work).

A chat platform cannot say who recorded a file (a "hide sender name" forward is a copy with no
header; a voice note sent through an inline bot looks like the sender's own), so a voice is
cloned only from a fresh recording of its owner reading a one-time sentence: their name, their
agreement that voicebridge speaks in their voice in this chat (or server), and a few random
words (`challenge_words`). What the platform declares is checked first (`declared_refusal`):
not forwarded, not sent via a bot, not a copy of a file seen from someone else, not older than
the request. Then what MiMo heard (`reading_refusal`): the fixed part may have ASR slips (a
name heard differently, a word missing), the random words must all be there, in order.
"""

from __future__ import annotations

import difflib
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.domain import errors

CHALLENGE_WORDS = 3  # random words in one sentence
FIXED_PART_LIKENESS = 0.75  # how like the fixed part what was heard must be (difflib's ratio)


@dataclass(frozen=True)
class CloneChallenge:
    """One `/voice clone NAME`: who reads, for which chat's voice, the sentence and its random
    words, where the reading may come from (where they asked, or their private chat with the
    bot), and when. `cloned_at`: the reading passed; a longer sample may follow until
    `expires_at`."""

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
    cloned_at: datetime | None = None
    sample_seconds: float = 0.0  # of the sample the voice speaks from now
    id: int = 0

    def heard_from(self, chat_id: str) -> bool:
        return chat_id in (self.asked_in, self.private_chat)


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


def challenge_words(vocabulary: Sequence[str], chooser: random.Random) -> tuple[str, ...]:
    """`CHALLENGE_WORDS` different words of `vocabulary`, in a random order."""
    unique = sorted(set(vocabulary))
    return tuple(chooser.sample(unique, min(CHALLENGE_WORDS, len(unique))))


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
    """Why what MiMo heard is not the sentence, or None: every random word, in order, exactly;
    the rest at least `FIXED_PART_LIKENESS` like the sentence without them."""
    said, rest = _compact(heard), _compact(challenge.sentence)
    end = len(said)
    # From the end, where they are said: a random word that also occurs in the fixed part (in
    # a name, say) is not found there instead.
    for word in reversed([_compact(w) for w in challenge.words]):
        found = said.rfind(word, 0, end)
        if not word or found < 0:
            return errors.RandomWordsWrong()
        said = said[:found] + said[found + len(word) :]
        cut = rest.rfind(word)
        rest = rest[:cut] + rest[cut + len(word) :]
        end = found
    likeness = difflib.SequenceMatcher(None, rest, said, autojunk=False).ratio()
    return None if likeness >= FIXED_PART_LIKENESS else errors.SentenceWrong()


def _compact(words: str) -> str:
    """Letters and digits only, case folded: punctuation and spacing are the recogniser's."""
    folded = unicodedata.normalize("NFKC", words).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
