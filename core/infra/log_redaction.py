"""Logging set-up that keeps secrets out of every line.

Redaction happens on the finished text, so it also covers tracebacks and messages from
libraries (a Telegram URL carries the bot token in its path). In JSON it happens on each value
just before serialising, so JSON's escaping cannot disguise a secret.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import quote

from pythonjsonlogger.json import JsonEncoder, JsonFormatter

from core.domain.url_secrets import SECRET_PARAMETER

__all__ = ["JsonRedactingFormatter", "RedactingFormatter", "Redactor", "configure_logging"]

# Secrets known by their shape rather than their value, each replaced by what precedes it and
# REDACTED: a bot token in a Telegram URL (its colon may come percent-encoded: python-telegram-bot
# quotes file download URLs); an interaction's or a webhook's token in a Discord URL
# (/webhooks/{application}/{token}, /interactions/{id}/{token}/callback), and the `token` field
# of an event discord.py logs whole; the password of any URL (user:password@host), such as
# DATABASE_URL, up to the last `@` before the host (a password may hold one), and a URL's query
# parameters that carry a secret (`?password=...`, `&sslpassword=...`). The placeholder
# `PASSWORD` of an example URL is left as it is: a real password of that spelling is a known
# secret (`Settings.secret_values`), replaced by its value before any shape is looked at.
_SHAPES = (
    re.compile(r"(/bot)\d+(?::|%3[Aa])[A-Za-z0-9_-]+"),
    re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?#'\"]+"),
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""),
    re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?!(?-i:PASSWORD)@)[^/\s]*(?=@)", re.IGNORECASE),
    re.compile(rf"([?&;]{SECRET_PARAMETER}=)[^&;#\s'\"]+", re.IGNORECASE),
)
REDACTED = "[REDACTED]"


def _spellings(secret: str) -> set[str]:
    """The ways a secret shows up in text: as is; percent-encoded inside a URL (a bot token's
    colon is %3A there); escaped inside a JSON body or a Python repr, should it hold a quote,
    a backslash or a character beyond ASCII. For the usual letters, digits and `:._-` they are
    all the same."""
    return {
        secret,
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }


class Redactor:
    """Replaces known secrets, and anything shaped like one (`_SHAPES`), in a text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = {spelling for s in secrets if len(s) >= 6 for spelling in _spellings(s)}
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(known, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for shape in _SHAPES:
            text = shape.sub(rf"\g<1>{REDACTED}", text)
        return text


class RedactingFormatter(logging.Formatter):
    """A text formatter whose every line, traceback included, goes through a `Redactor`."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._redactor = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        return self._redactor.redact(text)


class JsonRedactingFormatter(JsonFormatter):
    """One JSON object per record, for log shippers: time (UTC), level, logger, message,
    exc_info when there is a traceback, and the fields a caller passed in `extra`.

    Every string is redacted before serialising, not the serialised line after: on the line a
    secret holding `"` or `\\` appears escaped once more, and a replacement could cut an escape
    sequence in two and break the JSON.
    """

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        self.converter = time.gmtime  # with the two formats above: 2025-01-31T12:00:00.123Z
        self._redactor = Redactor(secrets)
        self._encoder = JsonEncoder()

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {self._redactor.redact(str(k)): self._plain(v) for k, v in log_data.items()}

    def _plain(self, value: object) -> object:
        """`value` in JSON's own types, every string in it redacted.

        Other objects (an exception, a dataclass, a datetime in `extra`) are first turned into
        what the encoder would write for them, so their text is redacted too.
        """
        if isinstance(value, str):
            return self._redactor.redact(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, dict):
            return {self._redactor.redact(str(k)): self._plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._plain(item) for item in value]
        return self._plain(self._encoder.default(value))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Standard error, where a record that cannot be formatted (arguments that do not fit the
    message) is reported in one redacted line: logging's own report would print the record's
    arguments as they are, secrets included."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        what = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        line = f"--- logging error at {record.pathname}:{record.lineno}: {what}\n"
        with contextlib.suppress(Exception):
            self.stream.write(self._redactor.redact(line))


def configure_logging(
    level: str, secrets: Iterable[str], *, fmt: Literal["text", "json"] = "text"
) -> None:
    """Log to stderr through a redacting formatter; quiet the chatty HTTP libraries."""
    formatter: logging.Formatter
    if fmt == "json":
        formatter = JsonRedactingFormatter(secrets)
    else:
        formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    handler = _StderrHandler(Redactor(secrets))
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token. Alembic
    # names each of its plugins and each migration it runs (storage logs one line for them
    # all); discord.py and python-telegram-bot say at INFO what every start and every retry
    # does ("logging in using static token"). Their warnings and errors still show.
    for noisy in ("httpx", "httpcore", "aiosqlite", "discord", "telegram", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
