"""Text as voice notes: `/say`, Read aloud, and summaries read out; and as audio files
(`voicebridge say -o`).

A text is cut at sentence ends into requests of at most TTS_PIECE_CHARS, a few synthesised at
once in the chat's voice and style, and joined in order; every character counts against the
chat's speech quota, reserved before the first request.

`author`: whose own words a text is (the person's own `/say`), for a cloned voice its owner has
not shared, which speaks only its owner's words (`core.app.voices.own_voices`); Read aloud,
summaries and digests are nobody's own words.

`/say` carries who asks and where (`SayAsked`): the chat's preferences are read once, for its
voice and style and for the answer's language, and come back with the voice notes (`SayNotes`).
Everything else spoken for a request (a summary read out, a spoken translation, a file) takes
the request (`core.app.rules.request_audience.Request`), with the preferences read for it: none are
read here again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Audiences, Request
from core.app.use_case_metrics import counted
from core.app.voices.own_voices import Speaker, VoiceStudio
from core.app.voices.streamed_speech import SpeechFeed
from core.chat.answer_languages import Audience
from core.domain import errors
from core.domain.channel_reader.spoken_text_rules import speakable
from core.domain.message_splitting import printable, split_message
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.recordings.transcript_values import AudioFormat, SpeechFile
from core.domain.rules.quotas_rules import ANYONE, Asker
from core.domain.shared_values import ChatRef, Preferences, VoiceNote
from core.domain.voices.preset_voices import chosen_voice
from core.domain.voices.speaking_style_rules import plain_text
from core.domain.voices.spoken_language import speaks
from core.ports import NO_METRICS, AudioConverter, Metrics, SpeechApi, background_tasks

__all__ = ["SayAsked", "SayNotes", "TextToSpeech"]

_TTS_IN_FLIGHT = 4  # speech requests of one long text at once
# Characters of speech in one voice note: at the slowest (Chinese, about 4 characters a second)
# some 25 minutes, 6 MB of 32 kbps Opus, under Discord's 10 MB upload limit for bots (Telegram's
# is 50 MB). A longer text (MAX_SAY_CHARS set high) comes as several voice notes.
NOTE_CHARS = 6000


@dataclass(frozen=True)
class SayAsked:
    """`/say TEXT` (or Read aloud on a message), as the adapter read it: who asks and where."""

    chat: ChatRef
    text: str
    audience: Audience = field(default_factory=Audience)  # whom the answer is for
    asker: Asker = ANYONE
    author: str | None = None  # whose own words `text` is (the module docstring)
    commander: bool = False  # their language noted for the chat's posts (`Audiences.answering`)


@dataclass(frozen=True)
class SayAsItComes:
    """A `SayAsked` played in a voice channel: its speech from the first slice, and its voice
    notes once the last slice is in (made meanwhile, in the background)."""

    request: Request
    speech: SpeechFeed
    notes: asyncio.Task[list[VoiceNote]]


@dataclass(frozen=True)
class SayNotes:
    """The voice notes of a `SayAsked` (usually one: `TextToSpeech.say_notes`), and the request
    as the core read it (the chat's preferences) for them."""

    request: Request
    notes: list[VoiceNote]


class TextToSpeech:
    """Voice notes of a chat's texts, in its voice and style, within its limits."""

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: AudioConverter,
        audiences: Audiences,
        limiter: Limiter,
        studio: VoiceStudio | None = None,
        max_say_chars: int,
        tts_piece_chars: int,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._speech = speech
        self._audio = audio
        self._audiences = audiences  # /say's request, read once (`say_notes`)
        self._limiter = limiter
        self._studio = studio  # the chat's own voices; without it, only the built-in ones
        self._max_say_chars = max_say_chars
        self._tts_piece_chars = tts_piece_chars
        self.metrics = metrics  # says counted

    @counted("say")
    async def say_as(
        self,
        chat: ChatRef,
        text: str,
        *,
        prefs: Preferences,
        speaker: Speaker,
        asker: Asker | None,
    ) -> VoiceNote:
        """A voice note of `text` (up to `max_say_chars`), spoken by `speaker` in the chat's style
        (`prefs`), both as the caller read them already (inline mode keys the voice notes it
        keeps by them)."""
        text = self._clean_say_text(text)
        await self._limiter.admit(chat, asker)
        return await self.in_voice(chat, text, prefs=prefs, speaker=speaker, asker=asker)

    @counted("say")
    async def say_notes(self, asked: SayAsked) -> SayNotes:
        """A voice note of `asked.text` (up to `max_say_chars`) in the chat's voice and style;
        several when one would hold more than `NOTE_CHARS` characters of speech (a platform's
        upload limit). The chat's preferences are read once: its voice and style, and the
        answer's language, returned with them."""
        with asking(Urgency.PERSON, asked.chat):  # who asked waits
            return await self._notes(asked)

    async def _notes(self, asked: SayAsked) -> SayNotes:
        text = self._clean_say_text(asked.text)
        await self._limiter.admit(asked.chat, asked.asker)
        request = await self._audiences.request(
            asked.chat, asked.audience, asker=asked.asker, commander=asked.commander
        )
        speaker = await self.speaker(asked.chat, request.prefs, author=asked.author)
        wavs = await self._synthesize(
            asked.chat, self._pieces(text), asked.asker, prefs=request.prefs, speaker=speaker
        )
        return SayNotes(request=request, notes=[await self._note(group) for group in _notes(wavs)])

    @counted("say")
    async def say_as_it_comes(self, asked: SayAsked) -> SayAsItComes | SayNotes:
        """`say_notes` for a voice channel: back once the first slice of its speech is in,
        to be played from there, its voice note encoded from the same speech as it comes.
        A text of several voice notes is said as `say_notes` says it."""
        with asking(Urgency.PERSON, asked.chat):  # who asked waits (its stream too)
            text = self._clean_say_text(asked.text)
            if len(text) > NOTE_CHARS:
                return await self._notes(asked)
            await self._limiter.admit(asked.chat, asked.asker)
            request = await self._audiences.request(
                asked.chat, asked.audience, asker=asked.asker, commander=asked.commander
            )
            speaker = await self.speaker(asked.chat, request.prefs, author=asked.author)
            feed = await self.streamed_in_voice(
                asked.chat, text, prefs=request.prefs, speaker=speaker, asker=asked.asker
            )
            notes = background_tasks.start(self._notes_of(feed), name="say notes", awaited=True)
            return SayAsItComes(request=request, speech=feed, notes=notes)

    async def _notes_of(self, feed: SpeechFeed) -> list[VoiceNote]:
        """The voice note of all of `feed`'s speech, encoded while it comes."""
        note = self._audio.voice_note_as_it_comes(feed, rate=feed.rate, longest=feed.longest)
        return [await note]

    @counted("say")
    async def say_file(self, request: Request, text: str, *, fmt: AudioFormat) -> SpeechFile:
        """Like `say_notes`, as one file of `fmt` however long (a file has no upload limit),
        with each piece's text and when it plays."""
        with asking(Urgency.PERSON, request.chat):  # who asked waits
            text = self._clean_say_text(text)
            await self._limiter.admit(request.chat, request.asker)
            wavs = await self._speak(request, self._pieces(text))
            return await self._audio.to_speech_file(wavs, fmt=fmt)

    async def read_aloud(
        self, request: Request, text: str, *, max_pieces: int, author: str | None = None
    ) -> VoiceNote:
        """`text` of any length as one voice note: cut at sentence boundaries into requests of
        at most `tts_piece_chars`, a few synthesised at once, joined in order. Pieces past
        `max_pieces` are left out (nobody listens to a quarter-hour clip). Part of a request
        already admitted: only the speech quota applies."""
        wavs = await self._speak(request, self._pieces(text)[:max_pieces], author=author)
        return await self._note([wav for _, wav in wavs])

    async def spoken_translation(
        self, request: Request, text: str, *, language: str, speaker_id: str | None
    ) -> VoiceNote | None:
        """`/translate LANGUAGE voice`: a translation of `speaker_id`'s words as one voice
        note, in their own cloned voice where they allowed it (`VoiceStudio.
        translation_speaker`), else the chat's; None when the model does not speak `language`
        (an English name). Part of a request already admitted: only the speech quota applies.
        Its speech is asked for as a stream and encoded while it comes (as `say_as_it_comes`
        encodes /say's), so the note is done once the last slice is in; a voice that refuses
        streams is asked for whole (`core.infra.mimo`), and a stream cut mid-way raises as a
        failed request does. A text longer than a voice note of /say holds is made whole."""
        with asking(Urgency.PERSON, request.chat):  # who asked waits (its stream too)
            if not speaks(language):
                return None
            if len(text) > NOTE_CHARS:  # pieces asked for a few at once, joined once all are in
                wavs = await self._speak(request, self._pieces(text), speaker_id=speaker_id)
                return await self._note([wav for _, wav in wavs])
            speaker = await self._speaker_of(request, speaker_id=speaker_id)
            feed = await self.streamed_in_voice(
                request.chat, text, prefs=request.prefs, speaker=speaker, asker=request.asker
            )
            try:
                [note] = await self._notes_of(feed)
            finally:
                await feed.aclose()  # encoded, or given up: MiMo's stream ends
            return note

    async def in_voice(
        self,
        chat: ChatRef,
        text: str,
        *,
        prefs: Preferences,
        speaker: Speaker,
        asker: Asker | None,
    ) -> VoiceNote:
        """`text` as one voice note spoken by `speaker`, whom the caller chose (the channel
        reader: each member their own voice), in the chat's style (`prefs`, read by the caller).
        Part of a request already admitted: only the speech quota applies."""
        pieces = self._pieces(text)
        wavs = await self._synthesize(chat, pieces, asker, prefs=prefs, speaker=speaker)
        return await self._note([wav for _, wav in wavs])

    async def streamed_in_voice(
        self,
        chat: ChatRef,
        text: str,
        *,
        prefs: Preferences,
        speaker: Speaker,
        asker: Asker | None,
    ) -> SpeechFeed:
        """`text` as `in_voice` speaks it, as speech to play as it is made
        (`core.app.voices.streamed_speech`): returned once its first slice is in, the rest read
        meanwhile. Part of a request already admitted: only the speech quota applies."""
        pieces = self._pieces(text)
        feed = SpeechFeed(
            self._speech,
            pieces,
            spending=lambda: self._limiter.spending(chat, asker, tts_chars=sum(map(len, pieces))),
            voice=speaker.voice,
            style=prefs.style,
            model=speaker.model,
            description=speaker.description,
        )
        try:
            return await feed.started()
        except BaseException:  # given up before its first slice (a deletion, a no): MiMo is
            await feed.aclose()  # asked nothing more of it
            raise

    async def speaker(
        self, chat: ChatRef, prefs: Preferences, *, author: str | None = None
    ) -> Speaker:
        """The model and voice the chat speaks `author`'s words with: its own voice
        (`core.app.voices.own_voices`) or a built-in one."""
        if self._studio is not None:
            return await self._studio.speaker(chat, prefs, author=author)
        model = self._audiences.tts_model(prefs)
        return Speaker(model=model, voice=chosen_voice(prefs.voice, model))

    def _pieces(self, text: str) -> list[str]:
        size = min(self._tts_piece_chars, self._max_say_chars)
        pieces = split_message(printable(text), size, min_fill=0)
        if not pieces:
            raise errors.EmptyText()
        return pieces

    async def _speak(
        self,
        request: Request,
        pieces: list[str],
        *,
        speaker_id: str | None = None,
        author: str | None = None,
    ) -> list[tuple[str, bytes]]:
        """Each piece with its WAV, in order, in the chat's voice (or, for a translation of
        `speaker_id`'s words, theirs where they allowed it) as `request` read it; every
        character counts against the chat's speech quota."""
        speaker = await self._speaker_of(request, speaker_id=speaker_id, author=author)
        return await self._synthesize(
            request.chat, pieces, request.asker, prefs=request.prefs, speaker=speaker
        )

    async def _speaker_of(
        self, request: Request, *, speaker_id: str | None = None, author: str | None = None
    ) -> Speaker:
        """Who speaks for `request`: the chat's voice (`author`'s own words may use theirs), or,
        for a translation of `speaker_id`'s words, theirs where they allowed it."""
        chat, prefs = request.chat, request.prefs
        if self._studio is not None and speaker_id is not None:
            return await self._studio.translation_speaker(chat, prefs, speaker_id=speaker_id)
        return await self.speaker(chat, prefs, author=author)

    async def _synthesize(
        self,
        chat: ChatRef,
        pieces: list[str],
        asker: Asker | None,
        *,
        prefs: Preferences,
        speaker: Speaker,
    ) -> list[tuple[str, bytes]]:
        """Each piece with its WAV, in order, spoken by `speaker` in the chat's style; every
        character counts against the chat's speech quota."""
        gate = asyncio.Semaphore(_TTS_IN_FLIGHT)

        async def one(piece: str) -> tuple[str, bytes]:
            async with gate:
                return piece, await self._speech.synthesize(
                    piece,
                    voice=speaker.voice,
                    style=prefs.style,
                    model=speaker.model,
                    description=speaker.description,
                )

        async with self._limiter.spending(chat, asker, tts_chars=sum(map(len, pieces))):
            return list(await asyncio.gather(*(one(piece) for piece in pieces)))

    async def _note(self, wavs: list[bytes]) -> VoiceNote:
        return await self._audio.to_voice_note(await self._audio.join_wavs(wavs))

    def _clean_say_text(self, text: str) -> str:
        cleaned = printable(text).strip()
        if not speakable(plain_text(cleaned)):
            raise errors.EmptyText()
        if len(cleaned) > self._max_say_chars:
            raise errors.TextTooLong(
                length=len(cleaned), limit=self._max_say_chars, setting="MAX_SAY_CHARS"
            )
        return cleaned


def _notes(wavs: list[tuple[str, bytes]]) -> list[list[bytes]]:
    """The pieces' WAVs grouped, in order, into voice notes of at most `NOTE_CHARS` characters
    of speech each (a piece longer than that is a note of its own)."""
    notes: list[list[bytes]] = []
    chars = NOTE_CHARS
    for piece, wav in wavs:
        if chars + len(piece) > NOTE_CHARS:
            notes.append([])
            chars = 0
        notes[-1].append(wav)
        chars += len(piece)
    return notes
