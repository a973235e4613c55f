"""What MiMo's requests of the chat and audio models are built of, shared by the calls
(`core.infra.mimo.client`) and the request shapes (`core.infra.mimo.understanding`): a system
message, thinking turned off. A recording's data URL and the cap on its base64 are the upload
bodies' (`core.infra.mimo.upload_bodies`)."""

from __future__ import annotations

from core.infra.mimo.wire import Json

__all__ = ["THINKING_OFF", "system_message"]

THINKING_OFF = {"type": "disabled"}


def system_message(system: str | None) -> list[Json]:
    """The system message, where there is one."""
    return [{"role": "system", "content": system}] if system else []
