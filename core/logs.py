"""Logging set-up that keeps secrets out of every line.

Redaction happens in the formatter, on the finished text, so it also covers tracebacks and
messages from libraries (a Telegram URL carries the bot token in its path).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

# The colon may come percent-encoded: python-telegram-bot quotes file download URLs.
_TELEGRAM_TOKEN_IN_URL = re.compile(r"/bot\d+(?::|%3[Aa])[A-Za-z0-9_-]+")
REDACTED = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces known secrets, and anything shaped like a bot token in a URL."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        known = {s for s in secrets if len(s) >= 6}
        # Also as they appear inside URLs, percent-encoded (a bot token's colon is %3A there).
        known |= {quote(s, safe="") for s in known}
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(known, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TELEGRAM_TOKEN_IN_URL.sub("/bot" + REDACTED, text)


def configure_logging(level: str, secrets: Iterable[str], *, fmt: str = "text") -> None:
    """Log to stderr through the redacting formatter; quiet the chatty HTTP libraries."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    for noisy in ("httpx", "httpcore", "aiosqlite", "discord.gateway"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
