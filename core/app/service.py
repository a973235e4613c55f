"""The use cases: what a chat can ask of voicebridge, whatever the platform.

Adapters call one method per command and render what comes back; every failure a user should
hear about is a `core.errors` type.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from core.app.limits import Limiter
from core.app.transcription import RequestGate, Transcriber
from core.app.voices import Speaker, VoiceStudio, is_built_in
from core.domain import errors
from core.domain.limits import ANYONE, Asker, Counts
from core.domain.text import split_message
from core.domain.transcripts import LongTranscript, ProgressCallback
from core.domain.tts import Voice, default_voice, plain_text, voices_for
from core.domain.values import (
    LANGUAGES,
    Answer,
    ChatRef,
    Language,
    Preferences,
    Transcript,
    VoiceNote,
)
from core.infra.metrics import NO_METRICS, Metrics, counted
from core.ports import AudioConverter, SpeechApi, UnitOfWork

logger = logging.getLogger(__name__)

_ON = {"on", "yes", "true", "1", "enable", "enabled"}
_OFF = {"off", "no", "false", "0", "disable", "disabled"}
_CLEAR_STYLE = {"off", "none", "clear", "reset", "default"}
_INHERIT = {"inherit", "default", "server", "follow"}
MAX_STYLE_CHARS = 200
_TTS_IN_FLIGHT = 4  # speech requests of one long text at once
# Characters of speech in one voice note: at the slowest (Chinese, about 4 characters a second)
# some 25 minutes, 6 MB of 32 kbps Opus, under Discord's 10 MB upload limit for bots (Telegram's
# is 50 MB). A longer text (MAX_SAY_CHARS set high) comes as several voice notes.
NOTE_CHARS = 6000


@dataclass(frozen=True)
class Limits:
    max_say_chars: int = 5000  # the longest text /say speaks
    tts_piece_chars: int = 1000  # longer texts are cut at sentence ends into requests of this
    max_audio_seconds: float = 3600
    max_audio_bytes: int = 50 * 1024 * 1024
    asr_piece_seconds: float = 60
    asr_concurrency: int = 4  # speech requests in flight for one chat
    asr_max_in_flight: int = 8  # ...and for all chats together


class VoiceService:
    """Transcripts, voice notes, answers and per-chat preferences."""

    metrics: Metrics = (
        NO_METRICS  # requests and audio counted (`core.infra.metrics`); set by bootstrap
    )

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: AudioConverter,
        uow: Callable[[], UnitOfWork],
        default_tts_model: str,
        limits: Limits = Limits(),
        limiter: Limiter | None = None,
        studio: VoiceStudio | None = None,
    ) -> None:
        self._speech = speech
        self._studio = studio  # the chat's own voices; without it, only the built-in ones
        self._audio = audio
        self._uow = uow
        self._default_tts_model = default_tts_model
        self.limits = limits
        self.limiter = limiter or Limiter.off()  # rate limits, daily quotas, the allowlist
        # One gate for the whole process: the in-flight limits hold across chats.
        self._gate = RequestGate(total=limits.asr_max_in_flight, per_chat=limits.asr_concurrency)
        self._transcriber = Transcriber(
            speech=speech, gate=self._gate, piece_seconds=limits.asr_piece_seconds
        )

    def speech_requests_waiting(self) -> int:
        """Speech requests queued behind ASR_CONCURRENCY or ASR_MAX_IN_FLIGHT (`/metrics`)."""
        return self._gate.waiting

    # Speech work

    def check_audio_size(self, size: int | None) -> None:
        """Refuse a file before downloading it when its declared size is over the limit."""
        if size is not None and size > self.limits.max_audio_bytes:
            raise errors.AudioTooLarge(limit=_megabytes(self.limits.max_audio_bytes))

    async def transcribe(
        self,
        chat: ChatRef,
        source: Path,
        *,
        progress: ProgressCallback | None = None,
        asker: Asker = ANYONE,
    ) -> Transcript:
        """The transcript of any recording, in pieces as `transcribe_long_audio` makes it."""
        result = await self.transcribe_long_audio(chat, source, progress=progress, asker=asker)
        return result.as_transcript()

    @counted("transcribe")
    async def transcribe_long_audio(
        self,
        chat: ChatRef,
        source: Path,
        *,
        progress: ProgressCallback | None = None,
        asker: Asker = ANYONE,
    ) -> LongTranscript:
        """The recording's transcript as timed parts (for .txt and .srt), transcribed while it
        converts; `progress` hears after every piece (see `core.app.transcription`). Within the
        chat's limits for `asker` (`core.app.limits`): its length comes off the daily audio quota
        once it is measured, before any of it goes to MiMo."""
        self.check_audio_size((await asyncio.to_thread(source.stat)).st_size)
        await self.limiter.admit(chat, asker)
        prefs = await self.preferences(chat)
        async with (
            self.limiter.spending(chat, asker) as spend,
            self._audio.asr_pieces(
                source,
                piece_seconds=self.limits.asr_piece_seconds,
                max_seconds=self.limits.max_audio_seconds,
            ) as pieces,
        ):
            # Measured, so refused now if it does not fit: before any of it goes to MiMo.
            await spend.reserve(Counts(audio_seconds=round(pieces.duration)))
            result = await self._transcriber.transcribe(
                pieces, chat=chat, language=prefs.language, progress=progress
            )
            heard = result.usage.audio_seconds or result.duration  # billed, else measured
            spend.used(audio_seconds=heard, usage=result.usage)
        self.metrics.transcribed(result.duration)
        logger.info(
            "transcribed %.1f s in %d piece(s), %d missing, for %s",
            result.duration, len(result.parts), len(result.missing), chat,
        )  # fmt: skip
        return result

    @counted("say")
    async def say(self, chat: ChatRef, text: str, *, asker: Asker = ANYONE) -> VoiceNote:
        """A voice note of `text` (up to `max_say_chars`) in the chat's voice and style."""
        text = self._clean_say_text(text)
        await self.limiter.admit(chat, asker)
        return await self.read_aloud(chat, text, max_pieces=len(text), asker=asker)

    @counted("say")
    async def say_notes(
        self, chat: ChatRef, text: str, *, asker: Asker = ANYONE
    ) -> list[VoiceNote]:
        """Like `say`, as several voice notes when one would hold more than `NOTE_CHARS`
        characters of speech (a platform's upload limit); usually one."""
        text = self._clean_say_text(text)
        await self.limiter.admit(chat, asker)
        wavs = await self._speak(chat, self._pieces(text), asker)
        return [await self._note(group) for group in _notes(wavs)]

    async def read_aloud(
        self, chat: ChatRef, text: str, *, max_pieces: int, asker: Asker | None = ANYONE
    ) -> VoiceNote:
        """`text` of any length as one voice note: cut at sentence boundaries into requests of
        at most `tts_piece_chars`, a few synthesised at once, joined in order. Pieces past
        `max_pieces` are left out (nobody listens to a quarter-hour clip). Part of a request
        already admitted: only the speech quota applies."""
        wavs = await self._speak(chat, self._pieces(text)[:max_pieces], asker)
        return await self._note([wav for _, wav in wavs])

    def _pieces(self, text: str) -> list[str]:
        size = min(self.limits.tts_piece_chars, self.limits.max_say_chars)
        pieces = split_message(_printable(text), size, min_fill=0)
        if not pieces:
            raise errors.EmptyText()
        return pieces

    async def _speak(
        self, chat: ChatRef, pieces: list[str], asker: Asker | None
    ) -> list[tuple[str, bytes]]:
        """Each piece with its WAV, in order, in the chat's voice; every character counts
        against the chat's speech quota."""
        prefs = await self.preferences(chat)
        speaker = await self.speaker(chat, prefs)
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

        async with self.limiter.spending(chat, asker, tts_chars=sum(map(len, pieces))):
            return list(await asyncio.gather(*(one(piece) for piece in pieces)))

    async def _note(self, wavs: list[bytes]) -> VoiceNote:
        return await self._audio.to_voice_note(await self._audio.join_wavs(wavs))

    async def speaker(self, chat: ChatRef, prefs: Preferences) -> Speaker:
        """The model and voice the chat speaks with: its own voice (`core.app.voices`) or a
        built-in one."""
        if self._studio is not None:
            return await self._studio.speaker(chat, prefs)
        return Speaker(model=self.tts_model(prefs), voice=self.voice_of(prefs))

    @property
    def studio(self) -> VoiceStudio:
        """The chat's own voices (designed, cloned); wired by `core.bootstrap`."""
        if self._studio is None:
            raise RuntimeError("this VoiceService was built without a VoiceStudio")
        return self._studio

    @counted("ask")
    async def ask(
        self, chat: ChatRef, source: Path, question: str, *, asker: Asker = ANYONE
    ) -> Answer:
        """An answer to `question` about the recording at `source`."""
        question = question.strip()
        if not question:
            raise errors.EmptyText()
        await self.limiter.admit(chat, asker)
        prefs = await self.preferences(chat)
        data, mime = await self._audio.to_understanding_input(source)
        async with self.limiter.spending(chat, asker) as spend:
            answer = await self._speech.understand_audio(
                data, mime=mime, question=question, system=_answer_language(prefs.language)
            )
            spend.used(usage=answer.usage)
        return answer

    # Preferences

    async def preferences(self, chat: ChatRef) -> Preferences:
        async with self._uow() as uow:
            return await uow.preferences.get(chat)

    def tts_model(self, prefs: Preferences) -> str:
        return prefs.tts_model or self._default_tts_model

    def voices(self, prefs: Preferences) -> tuple[Voice, ...]:
        return voices_for(self.tts_model(prefs))

    def voice_of(self, prefs: Preferences) -> str:
        """The chat's voice if the current model has it, else the model's default."""
        names = {v.name for v in self.voices(prefs)}
        if prefs.voice in names:
            return prefs.voice
        if prefs.voice and not is_built_in(prefs.voice):
            return prefs.voice  # the chat's own voice (deleting it clears the choice)
        return default_voice(self.tts_model(prefs))

    async def set_voice(self, chat: ChatRef, name: str, *, can_manage: bool) -> str:
        prefs = await self.preferences(chat)
        choices = {v.name.casefold(): v.name for v in self.voices(prefs)}
        voice = choices.get(name.strip().casefold())
        if voice is None:
            raise errors.BadChoice(setting="voice", value=name, choices=", ".join(choices.values()))
        await self._update(chat, can_manage, voice=voice)
        return voice

    async def set_style(self, chat: ChatRef, style: str, *, can_manage: bool) -> str | None:
        cleaned = _single_line(style)
        if len(cleaned) > MAX_STYLE_CHARS:
            raise errors.TextTooLong(length=len(cleaned), limit=MAX_STYLE_CHARS)
        value = None if cleaned.casefold() in _CLEAR_STYLE or not cleaned else cleaned
        await self._update(chat, can_manage, style=value)
        return value

    async def set_language(self, chat: ChatRef, value: str, *, can_manage: bool) -> Language:
        language = value.strip().lower()
        if language not in LANGUAGES:
            raise errors.BadChoice(setting="language", value=value, choices=", ".join(LANGUAGES))
        await self._update(chat, can_manage, language=language)
        return language

    async def set_auto_transcribe(self, chat: ChatRef, value: str, *, can_manage: bool) -> bool:
        word = value.strip().lower()
        if word not in _ON | _OFF:
            raise errors.BadChoice(setting="auto-transcribe value", value=value, choices="on, off")
        await self._update(chat, can_manage, auto_transcribe=word in _ON)
        return word in _ON

    # Channel overrides: a channel inside a chat (a Discord channel in a server) may override the
    # chat's auto-transcribe; without an override it follows the chat.

    async def auto_transcribe_in(self, chat: ChatRef, channel: ChatRef | None = None) -> bool:
        """Whether recordings posted in `channel` of `chat` are transcribed unasked: the
        channel's override when it has one, else the chat's setting."""
        async with self._uow() as uow:
            if channel is not None:
                override = await uow.preferences.find(channel)
                if override is not None:
                    return override.auto_transcribe
            return (await uow.preferences.get(chat)).auto_transcribe

    async def channel_auto_transcribe(self, channel: ChatRef) -> bool | None:
        """The channel's own auto-transcribe setting, or None when it follows its chat."""
        async with self._uow() as uow:
            override = await uow.preferences.find(channel)
            return None if override is None else override.auto_transcribe

    async def set_channel_auto_transcribe(
        self, channel: ChatRef, value: str, *, can_manage: bool
    ) -> bool | None:
        """`on` or `off` for this channel whatever its chat says; `inherit` follows the chat again
        (returns None)."""
        word = value.strip().lower()
        if word not in _ON | _OFF | _INHERIT:
            choices = "on, off, inherit"
            raise errors.BadChoice(setting="auto-transcribe value", value=value, choices=choices)
        if not can_manage:
            raise errors.NotAllowed()
        override = None if word in _INHERIT else word in _ON
        async with self._uow() as uow:
            if override is None:
                await uow.preferences.delete(channel)
            else:
                # A channel's own row exists only while it overrides; it holds nothing else.
                await uow.preferences.save(channel, Preferences(auto_transcribe=override))
            await uow.commit()
        logger.info("auto-transcribe override of %s set to %s", channel, override)
        return override

    async def _update(self, chat: ChatRef, can_manage: bool, **changes: object) -> None:
        if not can_manage:
            raise errors.NotAllowed()
        async with self._uow() as uow:
            prefs = await uow.preferences.get(chat)
            await uow.preferences.save(chat, replace(prefs, **changes))  # type: ignore[arg-type]
            await uow.commit()
        logger.info("preferences of %s changed: %s", chat, sorted(changes))

    def _clean_say_text(self, text: str) -> str:
        cleaned = _printable(text).strip()
        if not _speakable(cleaned):
            raise errors.EmptyText()
        if len(cleaned) > self.limits.max_say_chars:
            raise errors.TextTooLong(length=len(cleaned), limit=self.limits.max_say_chars)
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


def _printable(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs): they break TTS requests."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs", "Co"}
    )


def _speakable(text: str) -> bool:
    """Whether `text` has anything to say: a letter, a digit or a symbol (emoji count) that is
    not a style tag. Zero-width and other invisible characters alone are nothing to speak."""
    return any(unicodedata.category(ch)[0] in "LNS" for ch in plain_text(text))


def _single_line(text: str) -> str:
    return " ".join(_printable(text).split())


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _answer_language(language: Language) -> str | None:
    if language == "zh":
        return "Answer in Simplified Chinese."
    if language == "en":
        return "Answer in English."
    return "Answer in the language the question is asked in."
