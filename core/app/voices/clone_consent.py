"""Spoken consent to a cloned voice (`core.domain.voices.clone_consent_rules` has the rules).

/voice clone NAME     `ask`: a one-time sentence in the person's language (their name, their
                      agreement that voicebridge speaks in their voice in this chat or
                      server, random digits drawn by `consent_digits.draw`, the same in the
                      English sentence beside it where offered), to read within `lifetime`
                      (`clone_consent_rules.SENTENCE_LIFETIME`) as a fresh voice note where they
                      asked or in their private chat with the bot; at most
                      `attempts_per_day` a person (VOICE_CLONE_ATTEMPTS_PER_DAY; built bare,
                      `clone_consent_rules.ATTEMPTS_PER_DAY`, the same number)
a voice note          `spoken_consent`: while any sentence is open, who sent it first is
                      noted by the file's lasting id (a day, for copies: a note sent while
                      none was open cannot say a sentence's random digits, so nothing is
                      written for it, which is most notes); from a person with a sentence
                      open there, a note short enough to be a reading is transcribed (the
                      chat's audio quota pays, and it counts against the minute's rates;
                      the transcript is kept, so the ordinary path does not hear it again),
                      and when what it says is recognisably the sentence it is their
                      reading: what the platform declares is checked, then the words, and
                      only then is the voice cloned from it (`VoiceStudio.clone`,
                      verified) and the sentence closed. A refusal comes back as the
                      `errors.ConsentRefused` that names the part that failed, with the
                      language the sentence was asked in. Any other voice note: None, and it
                      goes on as usual. The clone's sample is only ever the reading itself.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from core.app.recordings.transcription import Transcription
from core.app.voices.own_voices import VoiceStudio
from core.chat.message_catalogue import text
from core.chat.settings_wording import shown_digits
from core.domain import errors
from core.domain.quantities import waiting
from core.domain.rules.quotas_rules import ANYONE, Asker, until_reset, utc_day
from core.domain.shared_values import ChatRef, Platform, Preferences
from core.domain.voices.clone_consent_rules import (
    ATTEMPTS_PER_DAY,
    SENTENCE_LIFETIME,
    CloneChallenge,
    DeclaredReading,
    answers,
    declared_refusal,
    is_reading,
    may_be_reading,
    offers_english,
    reading_refusal,
)
from core.domain.voices.consent_digits import draw
from core.ports import Clock, Recording, SystemClock, VoiceUnitOfWork

logger = logging.getLogger(__name__)

__all__ = [
    "KEPT_DAYS",
    "Candidate",
    "ConsentAsk",
    "ConsentReading",
    "ConsentVerdict",
    "VoiceConsents",
]

# The sentences asked for and the readings seen are deleted after a day, whatever the retention
# setting (`core.app.memory.retention_jobs`): they count the day's attempts, nothing more, so
# `/forget` leaves them (a forget never gives a person their day's attempts afresh).
KEPT_DAYS = 1


@dataclass(frozen=True)
class ConsentAsk:
    """Who asks to clone their voice, for which chat, and from where."""

    chat: ChatRef  # whose voice it becomes
    name: str
    person: str
    person_name: str  # as the sentence names them
    asked_in: str  # the chat the command came from
    private_chat: str  # the person's own chat with the bot
    locale: str
    in_server: bool = False  # the sentence says "server" (Discord) rather than "chat"
    asker: Asker = ANYONE


@dataclass(frozen=True)
class ConsentReading:
    """A voice note from someone: what its platform declares, and the recording."""

    platform: Platform
    declared: DeclaredReading
    recording: Recording
    asker: Asker = ANYONE


@dataclass(frozen=True)
class ConsentSentence:
    """What a person is to read: the sentence in their language, and the English one beside it
    where MiMo's recognition does not document theirs (a reading of either passes)."""

    sentence: str
    english: str | None = None


@dataclass(frozen=True)
class ConsentVerdict:
    """A reading of the consent sentence: it cloned the voice, or it was `refused`, saying
    why. `locale`: the reader's, as they asked."""

    name: str
    locale: str
    refused: errors.ConsentRefused | None = None


class Candidate(NamedTuple):
    """A voice note that may be someone's reading of their open sentence: who sent its file
    first (None: nobody before them), to be heard (`VoiceConsents.hear`)."""

    reading: ConsentReading
    challenge: CloneChallenge
    first_sender: str | None


class VoiceConsents:
    """`ask` and `spoken_consent` (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], VoiceUnitOfWork],
        studio: VoiceStudio,
        transcription: Transcription,
        clock: Clock | None = None,
        attempts_per_day: int = ATTEMPTS_PER_DAY,
        lifetime: timedelta = SENTENCE_LIFETIME,
        chooser: random.Random | None = None,
    ) -> None:
        self._uow = uow
        self._studio = studio
        self._transcription = transcription
        self._clock = clock or SystemClock()
        self.attempts_per_day = attempts_per_day
        self.lifetime = lifetime
        self._chooser = chooser or random.SystemRandom()

    async def ask(self, request: ConsentAsk) -> ConsentSentence:
        """The sentence `request.person` is to read (stored, one attempt of the day). Raises
        `errors.CloneAttemptsUsed` once the person's attempts of the day are used, and what
        `VoiceStudio.check_clone_name` raises for the voice's name."""
        chat, person = request.chat, request.person
        name = await self._studio.check_clone_name(chat, request.name, owner=person)
        now = self._clock.now()
        digits = draw(request.locale, self._chooser)
        sentence = self._sentence(request, request.locale, digits)
        english = self._sentence(request, "en", digits) if offers_english(request.locale) else None
        challenge = CloneChallenge(
            platform=chat.platform, person_id=person, chat_id=chat.chat_id,
            asked_in=request.asked_in, private_chat=request.private_chat, name=name,
            sentence=sentence, words=digits, locale=request.locale, asked_at=now,
            expires_at=now + self.lifetime, english=english,
            english_words=digits if english else (), reader=request.person_name,
        )  # fmt: skip
        async with self._uow() as uow:
            today = datetime.combine(utc_day(now), time(), tzinfo=UTC)
            asked = await uow.consents.asked_since(chat.platform, person, today)
            if asked >= self.attempts_per_day:
                wait = waiting(until_reset(now))
                raise errors.CloneAttemptsUsed(limit=self.attempts_per_day, wait=wait)
            await uow.consents.add(challenge)
            await uow.commit()
        logger.info("consent sentence asked for a voice of %s", chat)
        return ConsentSentence(sentence, english)

    def _sentence(self, request: ConsentAsk, locale: str, digits: tuple[str, ...]) -> str:
        """The sentence in `locale`, ending in `digits` as the language shows them."""
        key = "voices.consent.sentence_server" if request.in_server else "voices.consent.sentence"
        words = shown_digits(digits, locale)
        return text(key, locale, name=request.person_name, words=words)

    async def attempts_today(self, platform: Platform, person: str) -> int:
        """How many sentences `person` asked for today (`/usage`)."""
        today = datetime.combine(utc_day(self._clock.now()), time(), tzinfo=UTC)
        async with self._uow() as uow:
            return await uow.consents.asked_since(platform, person, today)

    async def spoken_consent(self, reading: ConsentReading) -> ConsentVerdict | None:
        """A voice note's part in spoken consent (see the module docstring)."""
        chat = ChatRef(reading.platform, reading.declared.chat_id)
        async with self._uow() as uow:
            candidate = await self.candidate(uow, reading)
            prefs = None if candidate is None else await uow.preferences.get(chat)
            await uow.commit()
        if candidate is None or prefs is None:
            return None
        return await self.hear(candidate, prefs)

    async def candidate(self, uow: VoiceUnitOfWork, reading: ConsentReading) -> Candidate | None:
        """`spoken_consent`'s first step, in a unit of work the caller has open and commits (a
        use case that reads the chat's preferences for the same note reads them in the same
        transaction): while any sentence is open, who sent the note first is noted; the
        sentence it may be a reading of, if any. None: an ordinary note, whatever it says."""
        declared, now = reading.declared, self._clock.now()
        opened = await uow.consents.open_on(reading.platform, now)
        if not opened:
            # A copy matters only of a note sent while a sentence was open: one sent before
            # cannot say the random digits the sentence was given when asked.
            return None
        challenge = next((each for each in opened if answers(each, declared)), None)
        first = None
        if declared.identity:
            if challenge is not None:
                first = await uow.consents.first_sender(reading.platform, declared.identity)
            await uow.consents.note_sender(
                reading.platform, declared.identity, declared.person_id, now
            )
        if challenge is None or not may_be_reading(declared):
            return None
        return Candidate(reading, challenge, first)

    async def hear(self, candidate: Candidate, prefs: Preferences) -> ConsentVerdict | None:
        """`spoken_consent`'s second step, once `candidate`'s unit of work is committed: the
        note heard (in the transcript language of its chat's `prefs`, as the caller read them
        with the candidate); if it is the reading, the voice cloned or refused. None: an
        ordinary note after all."""
        reading, challenge, first = candidate
        declared = reading.declared
        chat = ChatRef(reading.platform, declared.chat_id)
        # A request against the sender's and the chat's minute as any note is: a sentence stays
        # open after a refused reading, and a reading costs a recognition however it ends (as
        # an ordinary note, its transcript is kept and shown without counting it again).
        transcript = await self._transcription.transcribe_recording(
            chat, reading.recording, prefs=prefs, asker=reading.asker
        )
        if not is_reading(transcript.text, challenge):
            return None  # an ordinary voice note
        refusal = declared_refusal(declared, challenge, first_sender=first) or reading_refusal(
            transcript.text, challenge
        )
        if refusal is not None:
            logger.info("a consent reading for a voice of %s refused: %s", chat, refusal.key)
            return ConsentVerdict(challenge.name, challenge.locale, refused=refusal)
        voice = ChatRef(reading.platform, challenge.chat_id)
        await self._studio.clone(voice, challenge.name, reading.recording, owner=declared.person_id)
        async with self._uow() as uow:
            await uow.consents.close(challenge.id, self._clock.now())
            await uow.commit()
        return ConsentVerdict(challenge.name, challenge.locale)
