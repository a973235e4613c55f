"""MiMo's speech APIs: recognition, synthesis, audio understanding and chat.

MiMo has one endpoint, `POST {base_url}/chat/completions`; every task is a chat completion with its
own message shapes, which this module builds (speech synthesis's and audio understanding's in
`request_shapes`; `http_transport` sends them, `answer_parsing` reads what comes back).

Speech played as it is made is asked for as a stream (`speak`): PCM16LE mono at 24 kHz, in
slices where MiMo sends slices, in one piece where it sends the clip whole. A model or voice
kind MiMo refuses to stream for is asked for the whole clip instead, and from then on at once:
the client remembers the refusal for as long as the process lives.
Besides the `MimoError` tree of `core.infra.mimo.http_transport`, callers may see:

    ValueError                  a programming error: ASR audio that is not wav/mp3 (convert first)
    AudioError
    ├── EmptyAudio              no audio bytes at all
    └── AudioTooLarge           base64 over MiMo's cap (10 MB for ASR, 50 MB otherwise); not sent
    UserInputError
    └── EmptyText               nothing to speak
"""

from __future__ import annotations

import asyncio
import io
import logging
import wave
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Literal

import httpx

from core.domain.errors import EmptyText, MimoBadRequest, MimoBadResponse, MimoModelRefused
from core.domain.mimo.token_estimates import (
    ANSWER_TOKENS,
    recognition_tokens,
    seconds_of,
    text_tokens,
    understanding_tokens,
)
from core.domain.shared_values import LANGUAGES, Answer, Transcript, Usage
from core.infra.mimo.answer_parsing import (
    answer_of,
    decode_audio,
    delta_of,
    message_of,
    text_of,
    usage_of,
)
from core.infra.mimo.audio_uploads import (
    MIMO_AUDIO_CAPS,
    BytesAudio,
    FileAudio,
    check_audio_size,
    data_url,
)
from core.infra.mimo.circuit_breaker import CircuitBreaker
from core.infra.mimo.http_transport import Json, MimoWire
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.mimo.model_kinds import DEFAULT_MODELS, MimoModels, model_named, voice_kind
from core.infra.mimo.request_shapes import (
    THINKING_OFF,
    system_message,
    tts_audio_options,
    tts_messages,
    understanding_body,
)
from core.infra.mimo.retry_policy import DEFAULT_RETRY_POLICY, RetryPolicy
from core.ports import NO_METRICS, Metrics

logger = logging.getLogger(__name__)

__all__ = ["MimoClient"]

ASR_MIME_TYPES = frozenset({"audio/wav", "audio/mpeg", "audio/mp3"})
# What MiMo's streamed speech is, whatever rate is asked for: 16-bit little-endian mono samples.
SPEECH_RATE = 24_000
_SAMPLE_BYTES = 2


class MimoClient:
    """One MiMo account. Shares the application's `httpx.AsyncClient`; never closes it."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        api_key: str,
        base_url: str,
        models: MimoModels = DEFAULT_MODELS,
        auth_header: Literal["api-key", "bearer"] = "api-key",
        timeout: float = 120.0,
        max_retries: int = 3,
        retry_policy: RetryPolicy = DEFAULT_RETRY_POLICY,
        breaker: CircuitBreaker | None = None,
        minute: AccountMinute | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.models = models
        self._wire = MimoWire(
            http=http,
            api_key=api_key,
            base_url=base_url,
            auth_header=auth_header,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            breaker=breaker,
            minute=minute,
            metrics=metrics,
        )
        self.minute = self._wire.minute  # every request's use of the account's minute
        # (model, voice kind) pairs MiMo refused to stream for: asked for whole clips at once.
        self._whole_only: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f"MimoClient(base_url={self._wire.base_url!r}, models={self.models!r})"

    # --- the models offered -------------------------------------------------------------------

    async def offered_models(self) -> frozenset[str]:
        """The model ids MiMo offers this key: `GET {base_url}/models`, in OpenAI's list shape
        (`{"object": "list", "data": [{"id": ...}, ...]}`). A gateway without the list answers
        404, a `MimoBadRequest`."""
        listed = (await self._wire.listed()).get("data")
        models = listed if isinstance(listed, list) else []
        ids = [m.get("id") if isinstance(m, dict) else None for m in models]
        if not ids or not all(isinstance(id_, str) for id_ in ids):
            raise MimoBadResponse("MiMo's list of models lists no model ids")
        return frozenset(str(id_) for id_ in ids)

    # --- speech recognition -------------------------------------------------------------------

    async def transcribe(
        self,
        audio: bytes,
        *,
        mime: str,
        language: str = "auto",
        on_text: Callable[[str], None] | None = None,
    ) -> Transcript:
        """The text spoken in one wav/mp3 piece; `duration` is MiMo's billed seconds (or 0.0).
        With `on_text`, the answer is streamed and `on_text` hears the text so far after every
        chunk."""
        inline = BytesAudio(audio)
        body = self._asr_body(inline, mime, language)
        speech = seconds_of(audio, mime)
        tokens = recognition_tokens(speech)
        if on_text is not None:
            return await self._transcribe_streamed(body, inline, on_text, tokens, speech)
        with model_named("asr"):
            data = await self._wire.post(body, audio=inline, tokens=tokens, speech=speech)
        usage = usage_of(data)
        text = text_of(message_of(data).get("content"))
        return Transcript(text=text, duration=usage.audio_seconds, usage=usage)

    async def _transcribe_streamed(
        self,
        body: Json,
        audio: BytesAudio,
        on_text: Callable[[str], None],
        tokens: int,
        speech: float,
    ) -> Transcript:
        heard, usage = "", Usage()
        with model_named("asr"):
            streamed = {**body, "stream": True}
            stream = self._wire.stream(streamed, audio=audio, tokens=tokens, speech=speech)
            async for chunk in stream:
                usage = usage_of(chunk) if "usage" in chunk else usage
                piece = delta_of(chunk).get("content")
                if isinstance(piece, str) and piece:
                    heard += piece
                    on_text(heard)
        return Transcript(text=heard.strip(), duration=usage.audio_seconds, usage=usage)

    def _asr_body(self, audio: BytesAudio, mime: str, language: str) -> Json:
        """The request, holding `audio`'s placeholder where its base64 goes on the wire."""
        if mime not in ASR_MIME_TYPES:
            # The core converts voice notes before ASR; reaching this line is a bug, not bad input.
            raise ValueError(f"MiMo speech recognition takes wav or mp3 audio, not {mime!r}")
        check_audio_size(len(audio.data), MIMO_AUDIO_CAPS.asr)
        part = {"type": "input_audio", "input_audio": {"data": data_url(mime, audio.placeholder)}}
        body: Json = {"model": self.models.asr, "messages": [{"role": "user", "content": [part]}]}
        # MiMo knows only these; for anything else it is told nothing and detects the language.
        if language in LANGUAGES:
            body["asr_options"] = {"language": language}
        return body

    # --- speech synthesis ---------------------------------------------------------------------

    async def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> bytes:
        """A whole WAV file of `text` spoken in `voice` and `style`. A voicedesign `model`
        takes the voice's `description` instead of a voice; a voiceclone one takes the sample's
        data URL as `voice` (`core.domain.voices.speaking_style_rules.clone_voice`)."""
        body = self._tts_body(text, voice, style, model, "wav", description)
        with model_named(self._tts_kind(str(body["model"]))):
            data = await self._wire.post(body, tokens=text_tokens(len(text)))
        audio = message_of(data).get("audio")
        return decode_audio(audio.get("data") if isinstance(audio, dict) else None)

    async def speak(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> AsyncIterator[bytes]:
        """`text` spoken as `synthesize` speaks it, as PCM16LE mono at SPEECH_RATE, in slices as
        MiMo makes them (one slice where MiMo sends the clip whole). A stream cut mid-way raises
        as a stream does (`MimoWire.stream`) after the slices already handed out; a stream MiMo
        refuses for this model and voice kind is asked for whole, at once from then on."""
        body = self._tts_body(text, voice, style, model, "pcm16", description)
        kind = self._tts_kind(str(body["model"]))
        refusable = (str(body["model"]), voice_kind(kind))
        if refusable not in self._whole_only:
            spoke = False
            try:
                with model_named(kind):
                    slices = self._speech_slices(body, text_tokens(len(text)))
                    async for piece in _samples(slices):
                        spoke = True
                        yield piece
                return
            except MimoBadRequest as exc:
                if spoke or isinstance(exc, MimoModelRefused) or not _refuses_streams(exc):
                    raise
                logger.info("MiMo does not stream %s speech: asking for whole clips", refusable)
                self._whole_only.add(refusable)
        wav = await self.synthesize(
            text, voice=voice, style=style, model=model, description=description
        )
        yield _pcm_of(wav)

    async def _speech_slices(self, body: Json, tokens: int) -> AsyncIterator[bytes]:
        """The audio of each chunk of a speech stream, as it comes."""
        spoke = False
        async for chunk in self._wire.stream({**body, "stream": True}, tokens=tokens):
            audio = delta_of(chunk).get("audio")
            if isinstance(audio, dict) and audio.get("data"):
                spoke = True
                yield decode_audio(audio["data"])
        if not spoke:
            raise MimoBadResponse("MiMo's speech stream carried no audio")

    def _tts_kind(self, model: str) -> str | None:
        """Which of the models a speech request's `model` is (a chat's own choice may be
        none of them)."""
        kinds = {self.models.voicedesign: "voicedesign", self.models.voiceclone: "voiceclone"}
        return {self.models.tts: "tts", **kinds}.get(model)

    def _tts_body(
        self,
        text: str,
        voice: str | None,
        style: str | None,
        model: str | None,
        fmt: str,
        description: str | None = None,
    ) -> Json:
        if not text.strip():
            raise EmptyText("nothing to speak")
        model = model or self.models.tts
        return {
            "model": model,
            "messages": tts_messages(model, text, style, description=description),
            "audio": tts_audio_options(model, voice, fmt),
        }

    # --- audio understanding and chat ---------------------------------------------------------

    async def understand_audio(
        self, audio: Path, *, mime: str, question: str, system: str | None = None
    ) -> Answer:
        """MiMo's answer to `question` about the recording in the file `audio` (a summary, a
        translation...). The file is streamed into the request, never read whole."""
        size = (await asyncio.to_thread(audio.stat)).st_size
        streamed = FileAudio(audio)
        body = understanding_body(streamed, size=size, model=self.models.audio, mime=mime,
                                  question=question, system=system)  # fmt: skip
        tokens = understanding_tokens(size, mime, question, system, None)
        with model_named("audio"):
            return answer_of(await self._wire.post(body, audio=streamed, tokens=tokens))

    async def understand_inline(
        self,
        audio: bytes,
        *,
        mime: str,
        question: str,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Answer:
        """`understand_audio` for a few seconds held in memory (a part of a call's turn, to
        be translated from its sound), sent inline as base64."""
        inline = BytesAudio(audio)
        body = understanding_body(
            inline, size=len(audio), model=self.models.audio, mime=mime, question=question,
            system=system, max_tokens=max_tokens,
        )  # fmt: skip
        tokens = understanding_tokens(len(audio), mime, question, system, max_tokens)
        with model_named("audio"):
            return answer_of(await self._wire.post(body, audio=inline, tokens=tokens))

    async def chat(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        kind: str = "chat",
    ) -> Answer:
        """A plain text completion, e.g. a summary of a long transcript; with `kind="audio"`,
        asked of the audio model (which answers text chats too: `voicebridge doctor`)."""
        model = self.models.audio if kind == "audio" else self.models.chat
        messages = [*system_message(system), {"role": "user", "content": prompt}]
        body: Json = {"model": model, "messages": messages, "thinking": THINKING_OFF}
        if max_tokens is not None:
            body["max_completion_tokens"] = max_tokens
        asked = text_tokens(len(prompt) + len(system or ""))
        tokens = asked + (max_tokens or ANSWER_TOKENS)
        with model_named(kind):
            return answer_of(await self._wire.post(body, tokens=tokens))


def _refuses_streams(error: MimoBadRequest) -> bool:
    """Whether MiMo's 400 says it does not stream this speech (and would make it whole)."""
    return error.status == 400 and "stream" in error.detail.casefold()


async def _samples(slices: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`slices` cut at whole samples: a slice that ends inside a sample leaves its last byte
    to the next."""
    left = b""
    async for piece in slices:
        joined = left + piece
        cut = len(joined) - len(joined) % _SAMPLE_BYTES
        left = joined[cut:]
        if cut:
            yield joined[:cut]


def _pcm_of(wav: bytes) -> bytes:
    """The samples of MiMo's whole WAV, which must be what its streams carry."""
    try:
        with wave.open(io.BytesIO(wav)) as file:
            shape = (file.getnchannels(), file.getsampwidth(), file.getframerate())
            frames = bytes(file.readframes(file.getnframes()))
    except (wave.Error, EOFError) as exc:
        raise MimoBadResponse("MiMo's speech is not a WAV file") from exc
    if shape != (1, _SAMPLE_BYTES, SPEECH_RATE):
        raise MimoBadResponse(f"MiMo's speech is not 16-bit mono at 24 kHz: {shape}")
    if not frames:
        raise MimoBadResponse("MiMo's audio is empty")
    return frames
