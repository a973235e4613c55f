"""Secrets never reach a log line, in the text format or in JSON."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from core.config import Settings
from core.infra.log_redaction import JsonRedactingFormatter, RedactingFormatter, configure_logging

MIMO_KEY = "sk-mimo-key-0123456789"
# A key may hold anything: JSON escapes `"` and `\`, a newline, and (ASCII only) the `é`.
ODD_KEY = 'sk-"quoted"\\back\\slash\nnewline-é-0123'
TOKEN = "424242:AAsecretTOKEN_abc-def"


def _format(formatter: RedactingFormatter, msg: str, *args: object, exc: bool = False) -> str:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, msg, args, None)
    if exc:
        try:
            raise RuntimeError("boom with sk-secret-key-1")
        except RuntimeError:
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


def test_discord_interaction_tokens_are_redacted_in_urls_and_in_logged_events() -> None:
    formatter = RedactingFormatter("%(message)s")
    follow_up = "POST https://discord.com/api/v10/webhooks/1234/aW50ZXJhY3Rpb246-x_y.z/messages"
    callback = "POST https://discord.com/api/v10/interactions/99/aW50ZXJhY3Rpb246-x_y/callback"
    event = {"t": "INTERACTION_CREATE", "d": {"id": "99", "token": "aW50ZXJhY3Rpb246-x_y"}}

    lines = [_format(formatter, line) for line in (follow_up, callback)]
    lines += [_format(formatter, "event: %s", event), _format(formatter, json.dumps(event))]

    assert lines == [
        "POST https://discord.com/api/v10/webhooks/1234/[REDACTED]/messages",
        "POST https://discord.com/api/v10/interactions/99/[REDACTED]/callback",
        "event: {'t': 'INTERACTION_CREATE', 'd': {'id': '99', 'token': '[REDACTED]'}}",
        '{"t": "INTERACTION_CREATE", "d": {"id": "99", "token": "[REDACTED]"}}',
    ]


def test_passwords_in_urls_are_redacted_known_or_not() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql+asyncpg://voicebridge:p%40ss-w0rd@db:5432/voicebridge",
    )
    formatter = RedactingFormatter("%(message)s", settings.secret_values())

    lines = [
        _format(formatter, "database at %s", settings.database_url),
        _format(formatter, "the password was %r", "p@ss-w0rd"),
        _format(formatter, "proxy https://user:hunter22@proxy:3128 and http://127.0.0.1:80/x@y"),
    ]

    assert lines == [
        "database at postgresql+asyncpg://voicebridge:[REDACTED]@db:5432/voicebridge",
        "the password was '[REDACTED]'",
        "proxy https://user:[REDACTED]@proxy:3128 and http://127.0.0.1:80/x@y",
    ]


def test_secret_query_parameters_and_passwords_holding_an_at_are_redacted_whole() -> None:
    url = "postgresql+asyncpg://vb:a@b@db/vb?sslmode=require&password=p%26w&sslpassword=k3y"
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    formatter = RedactingFormatter("%(message)s", settings.secret_values())

    line = _format(formatter, "database at %s", url)

    assert line == (
        "database at postgresql+asyncpg://vb:[REDACTED]@db/vb"
        "?sslmode=require&password=[REDACTED]&sslpassword=[REDACTED]"
    )


def test_secrets_are_redacted_as_json_and_repr_escape_them() -> None:
    formatter = RedactingFormatter("%(message)s", [ODD_KEY])
    line = _format(formatter, "body %s, headers %r", json.dumps({"key": ODD_KEY}), {"k": ODD_KEY})
    assert line == "body {\"key\": \"[REDACTED]\"}, headers {'k': '[REDACTED]'}"


# --- JSON ---


def _json_logger(secrets: list[str]) -> tuple[logging.Logger, io.StringIO]:
    """A logger of its own (not in the logging tree) writing through the JSON formatter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonRedactingFormatter(secrets))
    logger = logging.Logger("voicebridge.test")  # noqa: LOG001 - outside the tree: no shared state
    logger.addHandler(handler)
    return logger, out


def _records(out: io.StringIO) -> list[dict[str, object]]:
    """Every line written, each parsed on its own: one JSON object per line."""
    lines = out.getvalue().splitlines()
    assert lines
    return [json.loads(line) for line in lines]


def _every_string(value: object) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _every_string(item)
    elif isinstance(value, list):
        for item in value:
            yield from _every_string(item)


def _assert_nowhere(secret: str, out: io.StringIO) -> None:
    """Not in the raw output in any spelling, and not in what a log shipper decodes from it."""
    raw = out.getvalue()
    spellings = {
        secret,
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    for spelling in spellings:
        assert spelling not in raw, raw
    for record in _records(out):
        for text in _every_string(record):
            assert secret not in text, record


def test_json_lines_carry_time_level_logger_and_message() -> None:
    logger, out = _json_logger([])
    before = datetime.now(UTC)
    logger.info("transcribed %d seconds for %s", 12, "alice")
    logger.warning("breaker open")
    first, second = _records(out)
    assert first["level"] == "INFO"
    assert first["logger"] == "voicebridge.test"
    assert first["message"] == "transcribed 12 seconds for alice"
    assert second["level"] == "WARNING"
    assert second["message"] == "breaker open"
    # ISO 8601 in UTC with milliseconds.
    assert isinstance(first["time"], str)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    logged_at = datetime.fromisoformat(first["time"])
    assert logged_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) < logged_at < datetime.now(UTC) + timedelta(seconds=1)
    assert "exc_info" not in first


def test_json_lines_carry_the_callers_extra_fields() -> None:
    logger, out = _json_logger([])
    logger.info("done", extra={"chat": -100123, "capability": "transcribe", "ids": [1, 2]})
    [record] = _records(out)
    assert record["message"] == "done"
    assert record["chat"] == -100123
    assert record["capability"] == "transcribe"
    assert record["ids"] == [1, 2]


def test_json_lines_carry_the_traceback() -> None:
    logger, out = _json_logger([])
    try:
        raise RuntimeError("the disk is full")
    except RuntimeError:
        logger.exception("could not save")
    [record] = _records(out)
    assert record["message"] == "could not save"
    assert record["level"] == "ERROR"
    exc_info = record["exc_info"]
    assert isinstance(exc_info, str)
    assert exc_info.startswith("Traceback (most recent call last)")
    assert exc_info.rstrip().endswith("RuntimeError: the disk is full")


@pytest.mark.parametrize("secret", [MIMO_KEY, ODD_KEY, TOKEN])
def test_json_redacts_secrets_in_messages_in_every_spelling(secret: str) -> None:
    logger, out = _json_logger([MIMO_KEY, ODD_KEY, TOKEN])
    logger.info("key %s", secret)
    logger.info("quoted into a URL: https://example.com/?key=%s", quote(secret, safe=""))
    logger.info("as repr: %r, as JSON: %s", secret, json.dumps(secret, ensure_ascii=False))
    _assert_nowhere(secret, out)
    for record in _records(out):
        assert "[REDACTED]" in str(record["message"])


def test_json_redacts_unknown_bot_tokens_in_telegram_urls() -> None:
    logger, out = _json_logger([])
    logger.debug('HTTP Request: POST https://api.telegram.org/bot987654:AAunknownTok-1/getMe "200"')
    [record] = _records(out)
    assert record["message"] == (
        'HTTP Request: POST https://api.telegram.org/bot[REDACTED]/getMe "200"'
    )
    assert "AAunknownTok" not in out.getvalue()


@pytest.mark.parametrize("secret", [MIMO_KEY, ODD_KEY])
def test_json_redacts_secrets_in_extra_fields(secret: str) -> None:
    logger, out = _json_logger([MIMO_KEY, ODD_KEY, TOKEN])
    logger.info(
        "calling MiMo",
        extra={
            "key": secret,
            "headers": {"Authorization": f"Bearer {secret}", secret: "as a key"},
            "attempts": [f"attempt 1 with {secret}"],
            "error": ValueError(f"refused {secret}"),  # not a JSON type: written as its text
            "url": f"https://api.telegram.org/bot{TOKEN}/getFile",
        },
    )
    _assert_nowhere(secret, out)
    _assert_nowhere(TOKEN, out)
    [record] = _records(out)
    assert record["key"] == "[REDACTED]"
    assert record["headers"] == {"Authorization": "Bearer [REDACTED]", "[REDACTED]": "as a key"}
    assert record["error"] == "ValueError: refused [REDACTED]"
    assert record["url"] == "https://api.telegram.org/bot[REDACTED]/getFile"


@pytest.mark.parametrize("secret", [MIMO_KEY, ODD_KEY])
def test_json_redacts_secrets_in_tracebacks(secret: str) -> None:
    logger, out = _json_logger([MIMO_KEY, ODD_KEY])
    try:
        raise PermissionError(f"MiMo answered 401: bad key {secret}")
    except PermissionError:
        logger.exception("call failed")
    _assert_nowhere(secret, out)
    [record] = _records(out)
    assert (
        str(record["exc_info"])
        .rstrip()
        .endswith("PermissionError: MiMo answered 401: bad key [REDACTED]")
    )


# --- configure_logging ---


def _configured(fmt: str) -> io.StringIO:
    configure_logging("debug", [MIMO_KEY], fmt=fmt)  # type: ignore[arg-type]
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    out = io.StringIO()
    handler.setStream(out)
    return out


def _log_a_little() -> None:
    logging.getLogger("voicebridge.test").info("key %s", MIMO_KEY)
    # Quieted to WARNING in both formats: httpx logs every URL at INFO.
    logging.getLogger("httpx").info("HTTP Request: GET https://example.com")


@pytest.mark.usefixtures("restored_logging")
def test_the_text_format_stays_one_readable_line() -> None:
    out = _configured("text")
    _log_a_little()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO voicebridge.test: key \[REDACTED\]\n",
        out.getvalue(),
    )


@pytest.mark.usefixtures("restored_logging")
def test_log_format_json_writes_json_lines() -> None:
    out = _configured("json")
    _log_a_little()
    [record] = _records(out)
    assert record["logger"] == "voicebridge.test"
    assert record["message"] == "key [REDACTED]"


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_record_that_cannot_be_formatted_is_reported_without_its_arguments(fmt: str) -> None:
    out = _configured(fmt)
    logging.raiseExceptions = True  # as in production: logging reports its own errors
    logging.getLogger("voicebridge.test").info("key %d", MIMO_KEY)  # %d of a str: a bug
    [line] = out.getvalue().splitlines()
    assert line.startswith("--- logging error at ")
    assert "TypeError" in line
    assert MIMO_KEY not in out.getvalue()
