"""Secrets never reach a log line."""

from __future__ import annotations

import logging

from core.logs import RedactingFormatter


def _format(formatter: RedactingFormatter, msg: str, *args: object, exc: bool = False) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, msg, args, None)
    if exc:
        try:
            raise RuntimeError("boom with sk-secret-key-1")
        except RuntimeError:
            import sys

            record.exc_info = sys.exc_info()
    return formatter.format(record)


def test_known_secrets_are_redacted_in_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", ["sk-secret-key-1"])
    line = _format(formatter, "calling with %s", "sk-secret-key-1", exc=True)
    assert "sk-secret-key-1" not in line
    assert "[REDACTED]" in line


def test_bot_tokens_in_urls_are_redacted_even_when_unknown() -> None:
    formatter = RedactingFormatter("%(message)s")
    line = _format(formatter, "GET https://api.telegram.org/bot123456:AAbbCC_dd-ee/getMe")
    assert "AAbbCC" not in line
    assert line.endswith("/bot[REDACTED]/getMe")
