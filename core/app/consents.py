"""Spoken consent to a cloned voice (`core.domain.consent` has the rules).

/voice clone NAME     `ask`: a one-time sentence in the person's language (their name, their
                      agreement that voicebridge speaks in their voice in this chat or
                      server, `CHALLENGE_WORDS` random words), to read within `lifetime`
                      as a fresh voice note where they asked or in their private chat with
                      the bot; at most `attempts_per_day` a person (VOICE_CLONE_ATTEMPTS_PER_DAY)
a voice note          `heard`: who sent it first is noted by the file's lasting id (a day, for
                      copies); from a person with a sentence open there, it is their
                      reading: what the platform declares is checked before anything is
                      downloaded, then MiMo transcribes it (the chat's audio quota pays),
                      then the words are checked, and only then is the voice cloned from it
                      (`VoiceStudio.clone`, verified). A refusal comes back as the
                      `errors.ConsentRefused` that names the part that failed, with the
                      language the sentence was asked in. Until the
                      sentence expires, a longer fresh recording of theirs in the same
                      conversation becomes the sample instead. Any other voice note: None,
                      and it goes on as usual.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from core.app.transcription import Transcription
from core.app.voices import VoiceStudio
from core.chat.messages import text
from core.domain import errors
from core.domain.consent import (
    CloneChallenge,
    DeclaredReading,
    challenge_words,
    declared_refusal,
    reading_refusal,
)
from core.domain.limits import ANYONE, Asker, until_reset, utc_day
from core.domain.quantities import waiting
from core.domain.values import ChatRef, Platform
from core.ports import Clock, Recording, SystemClock, VoiceUnitOfWork

logger = logging.getLogger(__name__)

SENTENCE_LIFETIME = timedelta(minutes=5)
ATTEMPTS_PER_DAY = 5


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
class ConsentHeard:
    """A voice note read for consent: it cloned the voice (`longer`: it replaced the reading
    as the sample), or it was `refused`, saying why. `locale`: the reader's, as they asked."""

    name: str
    locale: str
    longer: bool = False
    minutes: int = 0  # how long a longer recording is still taken
    refused: errors.ConsentRefused | None = None


class VoiceConsents:
    """`ask` and `heard` (see the module docstring)."""

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

    async def ask(self, request: ConsentAsk) -> str:
        """The sentence `request.person` is to read (stored, one attempt of the day)."""
        chat, person = request.chat, request.person
        name = await self._studio.check_clone_name(chat, request.name, owner=person)
        now = self._clock.now()
        words = challenge_words(text("voices.consent.words", request.locale).split(), self._chooser)
        key = "voices.consent.sentence_server" if request.in_server else "voices.consent.sentence"
        sentence = text(key, request.locale, name=request.person_name, words=" ".join(words))
        challenge = CloneChallenge(
            platform=chat.platform, person_id=person, chat_id=chat.chat_id,
            asked_in=request.asked_in, private_chat=request.private_chat, name=name,
            sentence=sentence, words=words, locale=request.locale, asked_at=now,
            expires_at=now + self.lifetime,
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
        return sentence

    async def attempts_today(self, platform: Platform, person: str) -> int:
        """How many sentences `person` asked for today (`/usage`)."""
        today = datetime.combine(utc_day(self._clock.now()), time(), tzinfo=UTC)
        async with self._uow() as uow:
            return await uow.consents.asked_since(platform, person, today)

    async def heard(self, reading: ConsentReading) -> ConsentHeard | None:
        """A voice note's part in spoken consent (see the module docstring)."""
        declared, now = reading.declared, self._clock.now()
        async with self._uow() as uow:
            challenge = await uow.consents.open_for(
                reading.platform, declared.person_id, declared.chat_id, now
            )
            first = None
            # Every fresh voice note's sender is noted, so a copy of anyone's is known as one.
            if declared.identity:
                first = await uow.consents.first_sender(reading.platform, declared.identity)
                await uow.consents.note_sender(
                    reading.platform, declared.identity, declared.person_id, now
                )
                await uow.commit()
        if challenge is None:
            return None
        refusal = declared_refusal(declared, challenge, first_sender=first)
        if challenge.cloned_at is not None:
            return await self._longer(reading, challenge, refused=refusal is not None)
        if refusal is not None:
            return ConsentHeard(challenge.name, challenge.locale, refused=refusal)
        chat = ChatRef(reading.platform, declared.chat_id)
        heard = await self._transcription.transcribe_long_audio(
            chat, reading.recording, asker=reading.asker
        )
        refusal = reading_refusal(heard.text, challenge)
        if refusal is not None:
            logger.info("a consent reading for a voice of %s refused: %s", chat, refusal.key)
            return ConsentHeard(challenge.name, challenge.locale, refused=refusal)
        return await self._cloned(reading, challenge, longer=False)

    async def _longer(
        self, reading: ConsentReading, challenge: CloneChallenge, *, refused: bool
    ) -> ConsentHeard | None:
        """A recording after a passed reading: the sample, when fresh and longer."""
        seconds = reading.declared.seconds or 0.0
        if refused or seconds <= challenge.sample_seconds:
            return None  # an ordinary voice note
        return await self._cloned(reading, challenge, longer=True)

    async def _cloned(
        self, reading: ConsentReading, challenge: CloneChallenge, *, longer: bool
    ) -> ConsentHeard:
        chat = ChatRef(reading.platform, challenge.chat_id)
        await self._studio.clone(chat, challenge.name, reading.recording, owner=challenge.person_id)
        now = self._clock.now()
        seconds = min(reading.declared.seconds or 0.0, self._studio.sample_seconds)
        async with self._uow() as uow:
            if longer or seconds >= self._studio.sample_seconds:
                await uow.consents.close(challenge.id, now)
            else:
                await uow.consents.cloned(challenge.id, now, seconds)
            await uow.commit()
        left = max(1, round((challenge.expires_at - now).total_seconds() / 60))
        heard = ConsentHeard(challenge.name, challenge.locale, longer=longer, minutes=left)
        return replace(heard, minutes=0) if longer else heard
