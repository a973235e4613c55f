"""`VoiceService`: what a chat can ask of voicebridge, in the one object the adapters hold.

Each method hands over to the use case that does the work; adapters call one method per command
and render what comes back, and every failure a user should hear about is a
`core.domain.errors` type.

    transcribe, transcribe_long_audio       core.app.transcription  Transcription
    say, say_notes, say_file, read_aloud,   core.app.speech         TextToSpeech
    speaker
    ask                                     core.app.questions      Questions
    gist (/tldr), auto_gist                 core.app.gists          Gists
    translate                               core.app.translations   Translations
    preferences, set_..., chat_locale, ...  core.app.preferences    ChatPreferences
    studio (the chat's own voices)          core.app.voices         VoiceStudio
    limiter (allowlist, rates, quotas)      core.app.limits         Limiter
    recordings (declared, then fetched)     core.app.recordings     Recordings
    transcripts kept per recording          core.app.kept           TranscriptKeeper
    business (Telegram Business owners)     core.app.business       BusinessChats
    inline_voice (inline mode's cache)      core.app.inline         InlineVoices

A recording is a `core.ports.Recording`: a file at hand, or a `RemoteRecording` a platform
declared and the use case downloads once the request has passed every limit.
"""

from __future__ import annotations

from collections.abc import Callable

from core.app.business import BusinessChats
from core.app.gists import Gists
from core.app.inline import InlineVoices, Store
from core.app.kept import TranscriptKeeper
from core.app.limits import Limiter
from core.app.preferences import ChatPreferences
from core.app.questions import Questions
from core.app.recordings import Recordings
from core.app.speech import TextToSpeech
from core.app.transcription import Transcription
from core.app.translations import Translations
from core.app.voices import Speaker, VoiceStudio
from core.chat.languages import chat_locale
from core.domain.gists import Gist
from core.domain.inline import CachedVoice, inline_voice_key
from core.domain.limits import ANYONE, Asker, RequestLimits
from core.domain.transcripts import AudioFormat, LongTranscript, ProgressCallback, SpeechFile
from core.domain.tts import Voice
from core.domain.values import Answer, ChatRef, Language, Preferences, Transcript, VoiceNote
from core.ports import (
    NO_METRICS,
    AudioConverter,
    ChatApi,
    Metrics,
    Recording,
    SpeechApi,
    UnitOfWork,
)

DEFAULT_LIMITS = RequestLimits()
SPOKEN_LANGUAGES = ("Chinese", "English")  # what the speech model speaks, by English name


class VoiceService:
    """Transcripts, voice notes, answers and per-chat preferences (see the module docstring)."""

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: AudioConverter,
        uow: Callable[[], UnitOfWork],
        default_tts_model: str,
        limits: RequestLimits = DEFAULT_LIMITS,
        limiter: Limiter | None = None,
        studio: VoiceStudio | None = None,
        recordings: Recordings | None = None,
        keeper: TranscriptKeeper | None = None,
        chat_api: ChatApi | None = None,
        max_prompt_chars: int = 30_000,
        metrics: Metrics = NO_METRICS,
        business: BusinessChats | None = None,
        inline: InlineVoices | None = None,
    ) -> None:
        self.limits = limits
        self._business = business
        self._inline = inline
        self.limiter = limiter or Limiter.off()  # rate limits, daily quotas, the allowlist
        # Without one of `core.bootstrap`'s, files at hand only.
        self.recordings = recordings or Recordings(downloader=None, limits=limits)
        self._studio = studio
        self._preferences = preferences = ChatPreferences(
            uow=uow, default_tts_model=default_tts_model
        )
        self._transcription = Transcription(
            speech=speech,
            audio=audio,
            preferences=preferences,
            limiter=self.limiter,
            limits=limits,
            recordings=self.recordings,
            keeper=keeper,
            metrics=metrics,
        )
        self._tts = TextToSpeech(
            speech=speech,
            audio=audio,
            preferences=preferences,
            limiter=self.limiter,
            studio=studio,
            max_say_chars=limits.max_say_chars,
            tts_piece_chars=limits.tts_piece_chars,
            metrics=metrics,
        )
        self._gists = (
            None
            if chat_api is None
            else Gists(
                transcription=self._transcription,
                chat_api=chat_api,
                limiter=self.limiter,
                max_prompt_chars=max_prompt_chars,
            )
        )
        self._translations = (
            None
            if chat_api is None
            else Translations(
                transcription=self._transcription, chat_api=chat_api, limiter=self.limiter
            )
        )
        self._questions = Questions(
            speech=speech,
            audio=audio,
            preferences=preferences,
            limiter=self.limiter,
            limits=limits,
            recordings=self.recordings,
            metrics=metrics,
        )

    @property
    def studio(self) -> VoiceStudio:
        """The chat's own voices (designed, cloned); wired by `core.bootstrap`."""
        if self._studio is None:
            raise RuntimeError("this VoiceService was built without a VoiceStudio")
        return self._studio

    @property
    def business(self) -> BusinessChats:
        """Telegram Business connections and their owners' choices; wired by `core.bootstrap`."""
        if self._business is None:
            raise RuntimeError("this VoiceService was built without BusinessChats")
        return self._business

    def speech_requests_waiting(self) -> int:
        """Speech requests queued behind ASR_CONCURRENCY or ASR_MAX_IN_FLIGHT (`/metrics`)."""
        return self._transcription.requests_waiting()

    # Transcripts

    async def transcribe(
        self,
        chat: ChatRef,
        source: Recording,
        *,
        progress: ProgressCallback | None = None,
        asker: Asker = ANYONE,
    ) -> Transcript:
        """The transcript of any recording, in pieces as `transcribe_long_audio` makes it."""
        result = await self.transcribe_long_audio(chat, source, progress=progress, asker=asker)
        return result.as_transcript()

    async def transcribe_long_audio(
        self,
        chat: ChatRef,
        source: Recording,
        *,
        progress: ProgressCallback | None = None,
        asker: Asker = ANYONE,
    ) -> LongTranscript:
        return await self._transcription.transcribe_long_audio(
            chat, source, progress=progress, asker=asker
        )

    async def gist(
        self, chat: ChatRef, source: Recording, *, language: str, asker: Asker = ANYONE
    ) -> Gist:
        """`/tldr`: the gist of a recording in `language` (a locale)."""
        if self._gists is None:
            raise RuntimeError("this VoiceService was built without a chat model")
        return await self._gists.gist(chat, source, language=language, asker=asker)

    async def auto_gist(
        self,
        chat: ChatRef,
        source: Recording,
        heard: LongTranscript,
        *,
        language: str,
        asker: Asker = ANYONE,
    ) -> Gist | None:
        """`/tldr auto` (Telegram), `/autogist` (Discord): the gist of `source`, transcribed
        unasked as `heard`, when the chat wants one for recordings that long; else None."""
        minutes = (await self.preferences(chat)).gist_minutes
        if not minutes or not heard.text.strip() or heard.duration < minutes * 60:
            return None
        return await self.gist(chat, source, language=language, asker=asker)

    async def translate(
        self, chat: ChatRef, source: Recording | str, *, target: str, asker: Asker = ANYONE
    ) -> str:
        """`/translate`: a recording's transcript, or a text, in `target` (an English name)."""
        if self._translations is None:
            raise RuntimeError("this VoiceService was built without a chat model")
        if isinstance(source, str):
            return await self._translations.text(chat, source, target=target, asker=asker)
        return await self._translations.recording(chat, source, target=target, asker=asker)

    async def auto_translation(
        self, chat: ChatRef, words: str, *, asker: Asker = ANYONE
    ) -> tuple[str, str] | None:
        """`/autotranslate`: (language, translation) under a transcript, or None."""
        target = (await self.preferences(chat)).autotranslate
        if target is None or self._translations is None:
            return None
        translated = await self._translations.automatic(chat, words, target=target, asker=asker)
        return None if translated is None else (target, translated)

    async def spoken_translation(
        self,
        chat: ChatRef,
        translated: str,
        *,
        language: str,
        speaker_id: str | None,
        asker: Asker = ANYONE,
    ) -> VoiceNote | None:
        """`/translate LANGUAGE voice` (`VoiceStudio.translation_speaker`); None when the
        speech model does not speak `language`."""
        if not self.speaks(language):
            return None
        return await self._tts.speak_translation(
            chat, translated, speaker_id=speaker_id, asker=asker
        )

    @staticmethod
    def speaks(language: str) -> bool:
        """Whether a translation into `language` (an English name, as `translate` takes it)
        can be spoken: what `spoken_translation` speaks, for offering it beforehand."""
        return language.startswith(SPOKEN_LANGUAGES)

    async def set_gist_minutes(self, chat: ChatRef, value: str, *, can_manage: bool) -> int | None:
        return await self._preferences.set_gist_minutes(chat, value, can_manage=can_manage)

    async def set_autotranslate(self, chat: ChatRef, value: str, *, can_manage: bool) -> str | None:
        return await self._preferences.set_autotranslate(chat, value, can_manage=can_manage)

    # Speech and answers

    async def say(self, chat: ChatRef, text: str, *, asker: Asker = ANYONE) -> VoiceNote:
        return await self._tts.say(chat, text, asker=asker)

    async def say_notes(
        self, chat: ChatRef, text: str, *, asker: Asker = ANYONE
    ) -> list[VoiceNote]:
        return await self._tts.say_notes(chat, text, asker=asker)

    async def say_file(
        self, chat: ChatRef, text: str, *, fmt: AudioFormat, asker: Asker = ANYONE
    ) -> SpeechFile:
        return await self._tts.say_file(chat, text, fmt=fmt, asker=asker)

    async def read_aloud(
        self, chat: ChatRef, text: str, *, max_pieces: int, asker: Asker | None = ANYONE
    ) -> VoiceNote:
        return await self._tts.read_aloud(chat, text, max_pieces=max_pieces, asker=asker)

    async def speaker(self, chat: ChatRef, prefs: Preferences) -> Speaker:
        return await self._tts.speaker(chat, prefs)

    async def inline_voice(
        self, chat: ChatRef, text: str, *, asker: Asker, store: Store
    ) -> CachedVoice:
        """`text` as a voice note in `chat`'s voice and style, rendered (against `asker`'s limits)
        and handed to `store` only when no identical one was stored before."""
        if self._inline is None:
            raise RuntimeError("this VoiceService was built without InlineVoices")
        prefs = await self.preferences(chat)
        speaker = await self.speaker(chat, prefs)
        key = inline_voice_key(
            text=text.strip(), model=speaker.model, voice=speaker.voice,
            description=speaker.description, style=prefs.style,
        )  # fmt: skip
        return await self._inline.voice(
            key, render=lambda: self.say(chat, text, asker=asker), store=store
        )

    async def ask(
        self, chat: ChatRef, source: Recording, question: str, *, asker: Asker = ANYONE
    ) -> Answer:
        return await self._questions.ask(chat, source, question, asker=asker)

    # Preferences

    async def preferences(self, chat: ChatRef) -> Preferences:
        return await self._preferences.get(chat)

    async def chat_locale(self, chat: ChatRef, *, platform: str | None = None) -> str:
        """The language of what the bot posts to the whole chat (`core.chat.languages`);
        `platform`: the one the platform gives the chat (a Discord server's), if ours."""
        return chat_locale(await self.preferences(chat), platform=platform)

    def tts_model(self, prefs: Preferences) -> str:
        return self._preferences.tts_model(prefs)

    def voices(self, prefs: Preferences) -> tuple[Voice, ...]:
        return self._preferences.voices(prefs)

    def voice_of(self, prefs: Preferences) -> str:
        return self._preferences.voice_of(prefs)

    async def set_voice(self, chat: ChatRef, name: str, *, can_manage: bool) -> str:
        return await self._preferences.set_voice(chat, name, can_manage=can_manage)

    async def set_style(self, chat: ChatRef, style: str, *, can_manage: bool) -> str | None:
        return await self._preferences.set_style(chat, style, can_manage=can_manage)

    async def set_language(self, chat: ChatRef, value: str, *, can_manage: bool) -> Language:
        return await self._preferences.set_language(chat, value, can_manage=can_manage)

    async def set_auto_transcribe(self, chat: ChatRef, value: str, *, can_manage: bool) -> bool:
        return await self._preferences.set_auto_transcribe(chat, value, can_manage=can_manage)

    async def set_interface_language(
        self, chat: ChatRef, value: str, *, can_manage: bool
    ) -> str | None:
        return await self._preferences.set_interface_language(chat, value, can_manage=can_manage)

    async def note_commander(self, chat: ChatRef, locale: str) -> None:
        await self._preferences.note_commander(chat, locale)

    async def auto_transcribe_in(self, chat: ChatRef, channel: ChatRef | None = None) -> bool:
        return await self._preferences.auto_transcribe_in(chat, channel)

    async def channel_auto_transcribe(self, channel: ChatRef) -> bool | None:
        return await self._preferences.channel_auto_transcribe(channel)

    async def set_channel_auto_transcribe(
        self, channel: ChatRef, value: str, *, can_manage: bool
    ) -> bool | None:
        return await self._preferences.set_channel_auto_transcribe(
            channel, value, can_manage=can_manage
        )
