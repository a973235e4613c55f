"""Reading MiMo's answers: message text (with the `reasoning_content` fallback), usage, audio."""

from __future__ import annotations

import base64
import binascii

from core.domain.errors import MimoBadResponse
from core.domain.shared_values import Answer, Usage
from core.infra.mimo.http_transport import Json

__all__ = ["answer_of", "decode_audio", "delta_of", "message_of", "text_of", "usage_of"]


def message_of(data: Json) -> Json:
    """`choices[0].message` of a completion."""
    return _first_choice(data, "message")


def delta_of(chunk: Json) -> Json:
    """`choices[0].delta` of a stream chunk; empty for chunks without choices (usage only)."""
    return _first_choice(chunk, "delta") if chunk.get("choices") else {}


def _first_choice(data: Json, key: str) -> Json:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise MimoBadResponse("MiMo's answer has no choices")
    value = choices[0].get(key)
    if not isinstance(value, dict):
        raise MimoBadResponse(f"MiMo's answer has no {key}")
    return value


def text_of(content: object) -> str:
    """Message text; tolerates OpenAI's list-of-parts form as well as a plain string."""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str)).strip()
    return ""


def answer_of(data: Json) -> Answer:
    """The reply text; with thinking on, MiMo may leave `content` empty and answer in
    `reasoning_content`, so that is the fallback. `cut` when MiMo stopped at
    `max_completion_tokens` (finish_reason "length")."""
    message = message_of(data)
    text = text_of(message.get("content")) or text_of(message.get("reasoning_content"))
    if not text:
        raise MimoBadResponse("MiMo answered without any text")
    cut = data["choices"][0].get("finish_reason") == "length"
    return Answer(text=text, usage=usage_of(data), cut=cut)


def usage_of(data: Json) -> Usage:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    return Usage(
        prompt_tokens=int(_number(usage.get("prompt_tokens"))),
        completion_tokens=int(_number(usage.get("completion_tokens"))),
        audio_seconds=_number(usage.get("seconds")),
    )


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


def decode_audio(encoded: object) -> bytes:
    if not isinstance(encoded, str) or not encoded:
        raise MimoBadResponse("MiMo's answer has no audio")
    try:
        audio = base64.b64decode(encoded)
    except (binascii.Error, ValueError) as exc:
        raise MimoBadResponse("MiMo's audio is not valid base64") from exc
    if not audio:
        raise MimoBadResponse("MiMo's audio is empty")
    return audio
