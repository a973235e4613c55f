"""A channel reading's speech (`core.app.channel_reader.reading_session` reads its messages in
order): its messages made into speech for the people in its voice channel, a clip checked again
as it comes up for whether it may still play as made for them, and what the voice channel's chat
hears of a message that could not be read.

One message as it is played (`MessageSpeech`): what of it is said, in whose voice, and whether
it is said at all.

    speak   the server's preferences and rules, and the author's own choices, read once, in one
            unit of work; then the message passed over (a bot's, a webhook's, a command, a
            member who opted out, nothing sayable), or made sayable
            (`core.domain.channel_reader.spoken_text_rules`: spoilers never, channels by name
            only where every listener may see them), named when the speaker changes (told apart
            from anyone else of the same name), counted against its author's rate limit and their
            share of the server's speech, and spoken in a voice of its language
            (`core.domain.voices.spoken_language`): the author's own cloned voice where they
            allowed it, the voice they chose, else one assigned to them

Consent: a member's own cloned voice reads their messages only once they allowed it
(`/myvoice own_voice`, off by default, as spoken translations are); a voice cloned from someone
else's recording cannot exist (`core.app.voices.own_voices`).

Who is in the voice channel as a message is read (`room`): the people there, by name, and the
channels the message mentions that one of them may not see (`unseen`), which its speech says as
"a channel". A reading asks afresh as each message comes up, as the platform tells of people
coming and going (`core.ports.VoiceChannels`); the rules of who may see what are
`core.domain.channel_reader.reading_audience_rules`'s.

The characters of the pieces MiMo was asked for count in the speech quota, the rest is given
back (`core.app.voices.streamed_speech`). The clips are live work in the account's minute, the
server's (`core.domain.mimo.account_minute_rules`): ahead of people waiting and of the background.

Over its author's (or the server's) rate limit a message is not read, and nobody is told: the
channel moves on. Their share of the server's speech used up, or the server's quota, is raised by
`MessageSpeech.speak`, for `ReadingSpeech` to say once. A message that cannot be read is let go
and the reading goes on. Its chat hears why once in the reading, not once for every message:

    too long       the message needs more than is left of the server's daily speech quota (a
                   shorter one may still fit)
    share used     its author's share of the server's speech is used up (named as typed)
    refused        MiMo refuses a speech model: logged once too, naming its setting
                   (MIMO_TTS_MODEL...), as the owner's to fix; another voice's model may serve
    play failed    a clip could not be played (`core.app.channel_reader.reading_clips`)

The server's quota used up is not said here: it ends the reading, which says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.voices.own_voices import Speaker, VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.chat.answer_languages import chat_locale
from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.channel_reader.reader_rules import (
    ChannelMessage,
    ReaderMember,
    ReadingSession,
    Reads,
    assignable_voices,
    passed_over,
)
from core.domain.channel_reader.reading_audience_rules import seen_by_all
from core.domain.channel_reader.spoken_text_rules import SpokenMarks, sayable, spoken_name
from core.domain.message_splitting import literal_markdown
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef, ChatVoice, Preferences
from core.domain.voices.spoken_language import locale_voice_language, voice_language
from core.ports import ReadingUnitOfWork, SpeechSlices, VoiceCallSeat, VoiceChannels

__all__ = [
    "OWN_VOICE",
    "MessageSpeech",
    "ReadingSpeech",
    "Room",
    "Spoken",
    "room",
    "spoken_marks",
    "unseen",
]

logger = logging.getLogger(__name__)

OWN_VOICE = "own"


@dataclass(frozen=True)
class Spoken:
    """One message as it is played: its speech, played from its first slice as MiMo makes it
    (`core.app.voices.streamed_speech`), and what it says in whose voice (`voice`: a model's voice
    by name, or `own` for the author's own). What it was made of, to tell whether it may still play
    as made: the `message` as it stood, the author's name said before it (`named`; None: not named),
    the channels it says by name (`named_channels`), and the name of the author's own cloned voice
    it speaks in (`own_voice`; None: a model's voice)."""

    note: SpeechSlices
    words: str
    author_id: str
    voice: str
    message: ChannelMessage
    named: str | None = None
    named_channels: frozenset[str] = frozenset()
    own_voice: str | None = None


@dataclass(frozen=True)
class Room:
    """What a message coming up needs to know of the voice channel: the server's own language
    (`platform_locale`), the people in it by id (`present`: their names), and the channels the
    message mentions that someone there may not see (said as "a channel")."""

    platform_locale: str | None = None
    present: Mapping[str, str] = field(default_factory=dict)
    unseen_channels: frozenset[str] = frozenset()


class MessageSpeech:
    """A channel reading's messages made into speech (see the module docstring)."""

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

    async def speak(
        self,
        server: ChatRef,
        session: ReadingSession,
        message: ChannelMessage,
        *,
        room: Room,
        again: Spoken | None = None,
    ) -> Spoken | None:
        """`message` spoken, or None when it is not read (see the module docstring). `again`:
        the clip made of it before, which may no longer play as made (the message was edited, or
        someone listening may no longer hear a channel's name): it is made anew, its author named as
        before, without counting twice against their rate limit."""
        async with self._uow() as uow:
            prefs = await uow.preferences.get(server)
            rules = await uow.reading.rules(server)
            member = await uow.reading.member(server, message.author_id)
            own = await uow.voices.reading_voice(server, message.author_id)
        if passed_over(message, rules) or not member.read:
            return None
        locale = chat_locale(prefs, platform=room.platform_locale)
        message_words = self._words_read(message, locale, room)
        if message_words is None:
            return None
        language = voice_language(message_words, fallback=locale_voice_language(locale))
        named = self._name(message, session, locale, room) if again is None else again.named
        words = (
            message_words
            if named is None
            else text("reader.said", locale, name=named, words=message_words)
        )
        speaker, voice = self._speaker(prefs, session, message.author_id, member, own, language)
        asker = asked_by(message.author_id)
        try:
            if again is None:
                await self._limiter.admit(server, asker)
        except (errors.SlowDown, errors.ChatSlowDown):
            logger.info("a message in %s not read: over the rate limit", server)
            return None
        async with self._limiter.share(server, message.author_id, tts_chars=len(words)):
            note = await self._speech.streamed_in_voice(
                server, words, prefs=prefs, speaker=speaker, asker=asker
            )
        if again is None:  # made anew: the next message may have been made since
            session.narration.read(message.author_id, message.at)
        return Spoken(
            note=note, words=words, author_id=message.author_id, voice=voice, message=message,
            named=named, named_channels=frozenset(message.channels) - room.unseen_channels,
            own_voice=own.name if voice == OWN_VOICE and own is not None else None,
        )  # fmt: skip

    async def voice_allowed(self, server: ChatRef, spoken: Spoken) -> bool:
        """Whether `spoken` may still be played in the voice it was made in: a clip in its
        author's own cloned voice only while they still let it read them (a clip made ahead
        waits to come up, and they may have said no, or deleted that voice, meanwhile). Read
        as it comes up: whether that voice's row is still there, allowed, not its sample."""
        if spoken.voice != OWN_VOICE or spoken.own_voice is None:
            return True
        async with self._uow() as uow:
            return await uow.voices.reads_in(server, spoken.author_id, spoken.own_voice)

    def _words_read(self, message: ChannelMessage, locale: str, room: Room) -> str | None:
        """What of the message is read aloud (None: nothing)."""
        unseen = text("reader.channel", locale)
        names = {key: spoken_name(name) for key, name in message.names.items()}
        for key, name in message.channels.items():
            names[key] = unseen if key in room.unseen_channels else spoken_name(name)
        return sayable(
            message.text, marks=spoken_marks(locale), limit=self.max_chars, names=names,
            attachments=message.attachments,
        )  # fmt: skip

    def _name(
        self, message: ChannelMessage, session: ReadingSession, locale: str, room: Room
    ) -> str | None:
        """The author's name, said before their words where the speaker changed; else None."""
        if not session.narration.names(message.author_id, message.at):
            return None
        name = spoken_name(message.author_name) or text("reader.someone", locale)
        present = {who: spoken_name(n) for who, n in room.present.items()}
        return session.narration.name_of(
            message.author_id, name, spoken_name(message.author_handle), present=present
        )

    def _speaker(
        self,
        prefs: Preferences,
        session: ReadingSession,
        author: str,
        member: ReaderMember,
        own: ChatVoice | None,
        language: str,
    ) -> tuple[Speaker, str]:
        """The author's own voice where they allowed it (it speaks whatever they write), else
        the model's voice of `language` they chose or were given."""
        if own is not None:
            return self._studio.own_speaker(own), OWN_VOICE
        model = self._preferences.tts_model(prefs)
        voices = assignable_voices(model, language) or assignable_voices(model)
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


def room(
    channels: VoiceChannels, server: ChatRef, voice_id: str, reads: Reads, message: ChannelMessage
) -> Room:
    """Who is in the voice channel `voice_id` as `message` is read, and which channels it
    mentions that one of them may not see."""
    present = channels.listeners(server, voice_id, about=reads.text_id)
    return Room(
        platform_locale=reads.platform_locale,
        present={listener.id: listener.name for listener in present},
        unseen_channels=unseen(channels, server, voice_id, message.channels),
    )


def unseen(
    channels: VoiceChannels, server: ChatRef, voice_id: str, mentioned: Iterable[str]
) -> frozenset[str]:
    """Those of the channels `mentioned` that someone in the voice channel now may not see."""
    return frozenset(
        channel for channel in mentioned
        if not seen_by_all(channels.listeners(server, voice_id, about=channel))
    )  # fmt: skip


class ReadingSpeech:
    """One reading's speech (module docstring): the voice channel it speaks in, what it
    remembers between messages (the voices cast, who spoke last), and the lines told its chat
    once already."""

    def __init__(
        self,
        *,
        server: ChatRef,
        call: VoiceCallSeat,
        channels: VoiceChannels,
        speech: MessageSpeech,
        reads: Reads,
    ) -> None:
        """`reads` is the reading's own: what it reads, and the language of its lines, as they
        change."""
        self.voice_id = call.voice_id  # where it speaks: the platform tells of every move
        self._server, self._call, self._channels = server, call, channels
        self._speech, self._reads = speech, reads
        self._session = ReadingSession()
        self._told: set[str] = set()  # the lines told the channel once already

    async def made(self, message: ChannelMessage, *, again: Spoken | None) -> Spoken | None:
        """`message` made into speech for the people in the voice channel (`again`: anew, see
        `MessageSpeech.speak`), or None: not read, or MiMo failed (the reading goes on). The
        server's quota used up raises `errors.QuotaUsed`: the reading ends."""
        # A webhook is no member: the server's rules let it in or not.
        speaks = self._channels.may_speak(self._server, self.voice_id, message.author_id)
        if not speaks and not message.webhook:
            logger.info("a message in %s not read: its author may not speak", self._server)
            return None
        try:
            here = room(self._channels, self._server, self.voice_id, self._reads, message)
            # Made ahead as a message is posted, or as it comes up: people listen as it comes.
            with asking(Urgency.LIVE, self._server):
                return await self._speech.speak(
                    self._server, self._session, message, room=here, again=again
                )
        except (errors.SpeechQuotaShort, errors.SpeechOverQuota) as refusal:
            # Too long for what is left today: a shorter message may still fit.
            line = text(refusal.key, self._reads.locale, **refusal.params)
            await self.tell_once(refusal.key, line)
            return None
        except errors.ReadingShareUsed:
            name = literal_markdown(message.author_name)  # posted: shown as typed
            line = text("reader.share_used", self._reads.locale, name=name)
            await self.tell_once(f"share:{message.author_id}", line)
            return None
        except errors.QuotaUsed:
            raise  # used up: the reading ends, saying why
        except errors.MimoModelRefused as refused:  # the owner's to fix: said and logged once
            what = f"refused:{refused.params.get('setting')}"  # another voice's model may serve
            if what not in self._told:
                logger.error("a message in %s not read: %s", self._server, refused.detail)
            await self.tell_once(what, text(refused.key, self._reads.locale, **refused.params))
            return None
        except errors.VoicebridgeError as refusal:
            logger.warning("a message in %s not read: %s", self._server, refusal.key)
            return None

    def names_unseen(self, spoken: Spoken) -> bool:
        """Whether `spoken` says the name of a channel someone listening now may not see."""
        return bool(unseen(self._channels, self._server, self.voice_id, spoken.named_channels))

    async def may_play(self, spoken: Spoken) -> bool:
        """Whether `spoken` may play as it was made, to the people listening now: no channel's
        name someone there may not see, and its author's own voice only while they allow
        it."""
        if self.names_unseen(spoken):
            return False
        return await self._speech.voice_allowed(self._server, spoken)

    async def tell_once(self, what: str, line: str) -> None:
        """Post `line` in the voice channel's chat, unless the line for `what` was posted
        already in this reading."""
        if what not in self._told:
            self._told.add(what)
            await self._call.post(line)
