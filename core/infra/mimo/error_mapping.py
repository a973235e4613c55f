"""MiMo's error answers, read and mapped to `core.domain.errors` (`core.infra.mimo.http_transport`
sends the requests; this says what their refusals mean):

    MimoError                   the API failed; `.status` holds the HTTP status when there was one
    ├── MimoAuthError           401, 403 (a `tp-` key on the wrong host says so in `.detail`)
    ├── MimoBalanceError        402
    ├── MimoContentFiltered     421
    ├── MimoBadRequest          400, 404 and any other 4xx; an unusable base URL
    │   └── MimoModelRefused    400 or 404 saying the model is not offered or retired (params
    │                           `model`, and `successor` where MiMo's answer names one)
    ├── MimoRateLimited         429 after retries
    ├── MimoUnavailable         5xx, timeouts, refused or broken connections, after retries
    │   └── MimoCircuitOpen     not sent at all: MiMo kept failing and the breaker is open
    └── MimoBadResponse         not JSON, no choices, or an unreadable or empty stream
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.domain.errors import (
    MimoAuthError,
    MimoBadRequest,
    MimoBadResponse,
    MimoBalanceError,
    MimoContentFiltered,
    MimoError,
    MimoRateLimited,
    MimoUnavailable,
)
from core.infra.mimo.retry_policy import Transient

__all__ = [
    "error_body",
    "error_class",
    "error_text",
    "final",
    "refuses_a_model",
    "status_of",
    "successor_of",
]

Body = dict[str, Any] | str  # an error answer: MiMo's JSON, or whatever text came instead

_ERROR_FOR_STATUS: dict[int, type[MimoError]] = {
    400: MimoBadRequest,
    401: MimoAuthError,
    402: MimoBalanceError,
    403: MimoAuthError,
    404: MimoBadRequest,
    421: MimoContentFiltered,
    429: MimoRateLimited,
}
_MAX_ERROR_TEXT = 300


def error_class(status: int) -> type[MimoError]:
    if status in _ERROR_FOR_STATUS:
        return _ERROR_FOR_STATUS[status]
    if status < 400:
        return MimoBadResponse
    return MimoBadRequest if status < 500 else MimoUnavailable


def error_body(response: httpx.Response) -> Body:
    try:
        data = response.json()
    except ValueError:
        return response.text
    return data if isinstance(data, dict) else response.text


def error_text(body: Body) -> str:
    """MiMo's `error.message`, or the start of whatever else came back."""
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        text = str(message) if message else str(body)
        param = error.get("param") if isinstance(error, dict) else None
        if message == "Param Incorrect" and isinstance(param, str) and param:
            text = f"{text}: {param}"  # MiMo's way: what was wrong is said in `param`
    else:
        text = body
    text = " ".join(text.split()) or "no details"
    return text[:_MAX_ERROR_TEXT]


# How MiMo (and the gateways in front of it) word a refused model: "Not supported model
# mimo-v2-flash" (400, param "Param Incorrect", reported of a Token Plan key:
# langgenius/dify-official-plugins#3229); a retired id, 404 with a message naming its successor
# (as the V2 ids went in June 2026); the others are the usual OpenAI-compatible wordings ("The
# model `x` does not exist or you do not have access to it", "model_not_found").
_MODEL_REFUSED = re.compile(
    r"(not supported|unsupported|invalid|unknown|no such) model"
    r"|model[_ ]not[_ ]found"
    r"|\bmodel\b.{0,80}\b(does not exist|not exist|not found)"
    r"|\bmodel\b.{0,80}\b(retired|deprecated|discontinued|decommissioned|no longer)",
    re.IGNORECASE,
)
# The id a retirement names as the one to use instead ("...has been retired; use
# mimo-v2.6-flash"), a gateway's `xiaomi/` prefix and a `[1m]` suffix included. Only after words
# that point to it: a list of the ids offered names no successor.
_SUCCESSOR = re.compile(
    r"\b(?:use|replaced by|successor(?: is)?|switch to|migrate to|upgrade to|instead)\s*:?\s*"
    r"[`'\"]?(?P<id>(?:[\w-]+/)?mimo-[\w.-]*[\w](?:\[1m\])?)",
    re.IGNORECASE,
)


def refuses_a_model(body: Body) -> bool:
    """Whether an error answer says the model itself is refused, not the rest of the request."""
    return _MODEL_REFUSED.search(error_text(body)) is not None


def successor_of(body: Body, model: str) -> str | None:
    """The model a refusal of `model` says to use instead, where it names one."""
    found = _SUCCESSOR.search(error_text(body))
    successor = found.group("id") if found else None
    return successor if successor and successor != model else None


def status_of(error: object, default: int) -> int:
    """The HTTP-like status of an error object inside a 200 answer or a stream (`"code": "429"`)."""
    code = error.get("code") if isinstance(error, dict) else None
    try:
        return int(str(code))
    except ValueError:
        return default


def final(error: MimoError | Transient) -> MimoError:
    """The error itself: a failure mid-stream cannot be retried."""
    return error.error if isinstance(error, Transient) else error
