"""MiMo's audio understanding request: a question about a recording, asked of the audio model
(MIMO_AUDIO_MODEL) with thinking off, the recording in a data URL whose base64 the wire fills in
as it sends (`core.infra.mimo.upload_bodies`). Two ways, one shape:

    a file     `/ask`, `/tldr`, `/translate`: read a chunk at a time, never whole
    inline     a few seconds held in memory: a part of a call's turn translated from its sound
               (DISCORD_INTERPRET_FROM=audio), its answer kept short (`max_tokens`)

Either way at most 50 MB of base64 (`MIMO_AUDIO_CAPS.understanding`): more, or no audio at all,
is refused before anything is sent.
"""

from __future__ import annotations

from core.infra.mimo.request_content import THINKING_OFF, system_message
from core.infra.mimo.upload_bodies import (
    MIMO_AUDIO_CAPS,
    BytesAudio,
    FileAudio,
    check_audio_size,
    data_url,
)
from core.infra.mimo.wire import Json

__all__ = ["understanding_body"]


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
