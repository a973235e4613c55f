"""What a listened call's interpreter (`core.app.calls.interpreting`) has its adapter say in the
call's chat, after the captions: an interpretation dropped as too late (`Dropped`), and
interpreting stopped for the rest of the call (`Stopped`). `Tell` is how the adapter is handed
them (`core.ports.ListenedVoice.tell`); saying them is the adapter's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.domain import errors

__all__ = ["Dropped", "News", "Stopped", "Tell"]


@dataclass(frozen=True)
class Dropped:
    """An interpretation too late to be spoken: `speaker`'s `words`, marked in the chat."""

    member: str
    speaker: str
    words: str


@dataclass(frozen=True)
class Stopped:
    """Interpreting stopped for the rest of the call: `refusal` says which quota ran out, or
    which model MiMo refused (and the setting that names it)."""

    refusal: errors.QuotaUsed | errors.MimoModelRefused


News = Dropped | Stopped
Tell = Callable[[News], Awaitable[None]]
