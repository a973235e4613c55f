"""The pieces MiMo's requests are built of, shared by the calls (`core.infra.mimo.client`) and
the request shapes (`core.infra.mimo.understanding`): a recording's data URL and the cap on its
base64, a system message, thinking turned off."""

from __future__ import annotations

from core.domain.errors import AudioTooLarge, EmptyAudio
from core.domain.quantities import Megabytes
from core.infra.mimo.wire import Json
from core.ports import AudioCaps

__all__ = ["MIMO_AUDIO_CAPS", "THINKING_OFF", "check_audio_size", "data_url", "system_message"]

# What MiMo takes in one request, as base64 audio: speech recognition, and audio understanding.
# This client refuses anything bigger; the audio adapter, given these by the composition root,
# cuts and converts to stay under. MiMo's MB are decimal: 10 MB is 10,000,000 characters of
# base64, not 10 MiB.
MIMO_AUDIO_CAPS = AudioCaps(asr=10_000_000, understanding=50_000_000)
THINKING_OFF = {"type": "disabled"}


def check_audio_size(size: int, base64_limit: int) -> None:
    """Refuse, before sending, audio of no bytes or whose base64 is over `base64_limit`."""
    if not size:
        raise EmptyAudio("no audio bytes to send")
    if 4 * ((size + 2) // 3) > base64_limit:
        limit_mb = base64_limit * 3 / 4 / 1_000_000  # MiMo's MB are decimal
        raise AudioTooLarge(
            f"over MiMo's {limit_mb:.1f} MB audio limit", limit=Megabytes(round(limit_mb, 1))
        )


def data_url(mime: str, encoded: str) -> str:
    return f"data:{mime};base64,{encoded}"


def system_message(system: str | None) -> list[Json]:
    """The system message, where there is one."""
    return [{"role": "system", "content": system}] if system else []
