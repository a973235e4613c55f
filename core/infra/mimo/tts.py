"""MiMo's text-to-speech request: its chat messages and its `audio` object.

The rules (which model takes which style and which voice) are the domain's, `core.domain.tts`;
this module only spells them the way MiMo reads them:

- the text to speak always goes in the `assistant` message: MiMo speaks that one, and reads a
  `user` message before it as direction only (a director's style, a designed voice's
  description);
- the top-level `audio` object holds the format and the voice; voicedesign names no voice, and
  its `optimize_text_preview` stays off: it may rewrite and lengthen short text, and the bot
  must say what the user wrote.
"""

from __future__ import annotations

from core.domain.tts import is_voicedesign, request_voice, utterance
from core.infra.mimo.wire import Json

__all__ = ["tts_audio_options", "tts_messages"]


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
