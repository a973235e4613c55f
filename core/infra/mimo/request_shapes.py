"""The bodies of MiMo's requests of the chat and audio models, as the calls
(`core.infra.mimo.speech_client`) send them: what they share (a system message, thinking turned
off), the text-to-speech request, and the audio understanding request. A recording's data URL and
the cap on its base64 are the upload bodies' (`core.infra.mimo.audio_uploads`).

The text-to-speech request is its chat messages and its `audio` object. The rules (which model
takes which style and which voice) are the domain's, `core.domain.voices.speaking_style_rules`
and `core.domain.voices.preset_voices`; here they are only spelled the way MiMo reads them:

- the text to speak always goes in the `assistant` message: MiMo speaks that one, and reads a
  `user` message before it as direction only (a director's style, a designed voice's
  description);
- the top-level `audio` object holds the format and the voice; voicedesign names no voice, and
  its `optimize_text_preview` stays off: it may rewrite and lengthen short text, and the bot
  must say what the user wrote.

The audio understanding request is a question about a recording, asked of the audio model
(MIMO_AUDIO_MODEL) with thinking off, the recording in a data URL whose base64 the wire fills in
as it sends. Two ways, one shape:

    a file     `/ask`, `/tldr`, `/translate`: read a chunk at a time, never whole
    inline     a few seconds held in memory: a part of a call's turn translated from its sound
               (DISCORD_INTERPRET_FROM=audio), its answer kept short (`max_tokens`)

Either way at most 50 MB of base64 (`MIMO_AUDIO_CAPS.understanding`): more, or no audio at all,
is refused before anything is sent.
"""

from __future__ import annotations

from core.domain.voices.preset_voices import request_voice
from core.domain.voices.speaking_style_rules import is_voicedesign, utterance
from core.infra.mimo.audio_uploads import (
    MIMO_AUDIO_CAPS,
    BytesAudio,
    FileAudio,
    check_audio_size,
    data_url,
)
from core.infra.mimo.http_transport import Json

__all__ = [
    "THINKING_OFF",
    "system_message",
    "tts_audio_options",
    "tts_messages",
    "understanding_body",
]

THINKING_OFF = {"type": "disabled"}


def system_message(system: str | None) -> list[Json]:
    """The system message, where there is one."""
    return [{"role": "system", "content": system}] if system else []


def tts_messages(
    model: str, text: str, style: str | None, *, description: str | None = None
) -> list[dict[str, str]]:
    """The chat messages of one TTS request: an optional director `user` message, then the text
    in the `assistant` message. `description` (voicedesign) describes the voice."""
    spoken = utterance(model, text, style, description=description)
    direction = [] if spoken.direction is None else [{"role": "user", "content": spoken.direction}]
    return [*direction, {"role": "assistant", "content": spoken.text}]


def tts_audio_options(model: str, voice: str | None, audio_format: str) -> Json:
    """The top-level `audio` object: format and voice, or no voice (and no text preview
    optimisation) for voicedesign."""
    if is_voicedesign(model):
        return {"format": audio_format, "optimize_text_preview": False}
    return {"format": audio_format, "voice": request_voice(model, voice)}


def understanding_body(
    audio: FileAudio | BytesAudio,
    *,
    size: int,
    model: str,
    mime: str,
    question: str,
    system: str | None = None,
    max_tokens: int | None = None,
) -> Json:
    """The request asking `question` about `audio` (`size` bytes), holding its placeholder
    where its base64 goes."""
    check_audio_size(size, MIMO_AUDIO_CAPS.understanding)
    parts = [
        {"type": "input_audio", "input_audio": {"data": data_url(mime, audio.placeholder)}},
        {"type": "text", "text": question},
    ]
    messages = [*system_message(system), {"role": "user", "content": parts}]
    body: Json = {"model": model, "messages": messages, "thinking": THINKING_OFF}
    if max_tokens is not None:
        body["max_completion_tokens"] = max_tokens
    return body
