"""The speech API failed; the status says how."""

from __future__ import annotations

from typing import Any

from core.domain.errors.base import VoicebridgeError

__all__ = [
    "MimoAuthError",
    "MimoBadRequest",
    "MimoBadResponse",
    "MimoBalanceError",
    "MimoCircuitOpen",
    "MimoContentFiltered",
    "MimoError",
    "MimoModelRefused",
    "MimoRateLimited",
    "MimoUnavailable",
    "MimoUnreachable",
]


class MimoError(VoicebridgeError):
    key = "error.mimo"

    def __init__(self, detail: str = "", *, status: int | None = None, **params: Any) -> None:
        super().__init__(detail, **params)
        self.status = status


class MimoAuthError(MimoError):
    key = "error.mimo_auth"


class MimoBalanceError(MimoError):
    key = "error.mimo_balance"


class MimoContentFiltered(MimoError):
    key = "error.mimo_filtered"


class MimoBadRequest(MimoError):
    key = "error.mimo_bad_request"


class MimoModelRefused(MimoBadRequest):
    """MiMo refused the model a request named: unknown, retired, or not offered to this key.
    Params: model, and setting (the one that names it, `MIMO_CHAT_MODEL`...): the owner's fix,
    said in the chat and the log alike. `answer` is what MiMo said."""

    key = "error.mimo_model_refused"
    answer = ""


class MimoRateLimited(MimoError):
    key = "error.mimo_rate_limited"


class MimoUnavailable(MimoError):
    key = "error.mimo_unavailable"


class MimoUnreachable(MimoUnavailable):
    """No answer at all: the connection refused or broken, or no answer in time. Params: url
    (MIMO_BASE_URL), reason (the network's words). Chats hear what `MimoUnavailable` says; the
    command line, whose user owns the settings, names the setting."""


class MimoCircuitOpen(MimoUnavailable):
    """Params: wait (a Duration, until MiMo is tried again)."""

    key = "error.mimo_circuit_open"


class MimoBadResponse(MimoError):
    key = "error.mimo_bad_response"
