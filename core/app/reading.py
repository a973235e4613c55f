"""The channel reader: a text channel read aloud in a voice channel, each member in their own
voice. The platform holds the voice connection and the queue (`bots/discord/reader.py`); this
is what happens to one message when its turn comes, and the choices it reads.

    read          one message: the server's rules and the member's own choices read once;
                  passed over (a bot's, a webhook's, a command, a member who opted out, nothing
                  sayable), or made sayable (`core.domain.sayable`), named when the speaker
                  changes, counted against its author's rate limit, spoken in its author's
                  voice (`core.domain.reading`) and counted against the server's speech quota

What the server and each member chose is `core.app.reader_choices`.

Consent: a member's own cloned voice reads their messages only once they allowed it
(`/myvoice own_voice`, off by default, as spoken translations are); a voice cloned from someone
else's recording cannot exist (`core.app.voices`).

Over its author's (or the server's) rate limit a message is not read, and nobody is told: the
channel moves on. The server's daily speech quota used up is the caller's to say once: the
refusal is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.app.limits import Limiter
from core.app.preferences import ChatPreferences
from core.app.speech import TextToSpeech
from core.app.voices import Speaker, VoiceStudio
from core.chat.languages import chat_locale
from core.chat.messages import text
from core.domain import errors
from core.domain.limits import asked_by
from core.domain.reading import (
    HeardMessage,
    ReaderMember,
    ReadingSession,
    assignable_voices,
    passed_over,
)
from core.domain.sayable import SpokenMarks, sayable, spoken_name
from core.domain.values import ChatRef, ChatVoice, Preferences, VoiceNote
from core.ports import ReadingUnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """One message as it is heard: the voice note to play, and what it says in whose voice
    (`voice`: a model's voice by name, or `own` for the author's own)."""

    note: VoiceNote
    words: str
    author_id: str
    voice: str


OWN_VOICE = "own"


class ChannelReader:
    """The use cases of the channel reader (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], ReadingUnitOfWork],
        speech: TextToSpeech,
        preferences: ChatPreferences,
        studio: VoiceStudio,
        limiter: Limiter,
        max_chars: int,
    ) -> None:
        self._uow = uow
        self._speech = speech
        self._preferences = preferences
        self._studio = studio
        self._limiter = limiter
        self.max_chars = max_chars

    async def read(
        self,
        server: ChatRef,
        session: ReadingSession,
        message: HeardMessage,
        *,
        platform_locale: str | None = None,
    ) -> Reading | None:
        """`message` spoken, or None when it is not read (see the module docstring)."""
        async with self._uow() as uow:
            prefs = await uow.preferences.get(server)
            rules = await uow.reading.rules(server)
            member = await uow.reading.member(server, message.author_id)
            own = await uow.voices.reading_voice(server, message.author_id)
        if passed_over(message, rules) or not member.read:
            return None
        locale = chat_locale(prefs, platform=platform_locale)
        words = self._words(message, session, locale)
        if words is None:
            return None
        speaker, voice = self._speaker(prefs, session, message.author_id, member, own)
        asker = asked_by(message.author_id)
        try:
            await self._limiter.admit(server, asker)
        except (errors.SlowDown, errors.ChatSlowDown):
            logger.info("a message in %s not read: over the rate limit", server)
            return None
        note = await self._speech.in_voice(server, words, prefs=prefs, speaker=speaker, asker=asker)
        session.narration.read(message.author_id, message.at)
        return Reading(note=note, words=words, author_id=message.author_id, voice=voice)

    def _words(self, message: HeardMessage, session: ReadingSession, locale: str) -> str | None:
        """What is said: the message made sayable, after its author's name where it changed."""
        words = sayable(
            message.text, marks=spoken_marks(locale), limit=self.max_chars,
            names={key: spoken_name(name) for key, name in message.names.items()},
            attachments=message.attachments,
        )  # fmt: skip
        if words is None or not session.narration.names(message.author_id, message.at):
            return words
        name = spoken_name(message.author_name) or text("reader.someone", locale)
        return text("reader.said", locale, name=name, words=words)

    def _speaker(
        self,
        prefs: Preferences,
        session: ReadingSession,
        author: str,
        member: ReaderMember,
        own: ChatVoice | None,
    ) -> tuple[Speaker, str]:
        """The author's own voice where they allowed it, else the model's voice they chose or
        were given."""
        if own is not None:
            return self._studio.own_speaker(own), OWN_VOICE
        model = self._preferences.tts_model(prefs)
        voices = assignable_voices(model)
        chosen = member.voice if member.voice in voices else None
        voice = session.cast.voice_of(author, voices, chosen=chosen)
        return Speaker(model=model, voice=voice), voice


def spoken_marks(locale: str) -> SpokenMarks:
    """The words said in place of what cannot be read, in `locale`."""
    return SpokenMarks(
        code=text("reader.code", locale),
        spoiler=text("reader.spoiler", locale),
        link=lambda site: text("reader.link", locale, site=site),
        attachments=lambda count: text("reader.attachments", locale, count=count),
        cut=text("reader.cut", locale),
    )
