"""Secrets never reach a log line or a chat, even at DEBUG with every library talking.

One whole session in this process, once per LOG_FORMAT (text, json) and database (SQLite; and
PostgreSQL with a password in DATABASE_URL): both bots, logging set up by the project's own
`configure_logging` (as `voicebridge run` does) at DEBUG, with httpx, httpcore, python-telegram-bot
and discord.py raised to DEBUG too. Along the way MiMo echoes the key in a 401 and in 500s, the Bot
API refuses a request (its URL carries the bot token), Discord commands are answered through
follow-ups (their URLs carry the interaction's token, and discord.py logs each interaction event
whole), and a second start uses a token Telegram refuses (python-telegram-bot's own error quotes
it). Everything logged, everything written to stdout/stderr, and everything the stand-ins received
as chat messages is searched for the secrets. In JSON every line must also parse, and the secrets
must be absent from the values decoded from it as well as from the raw line.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from pydantic import SecretStr
from sqlalchemy import make_url
from sqlalchemy import text as sql

from bots.platform_runner import run_bots
from core.bootstrap import storage
from core.chat.message_catalogue import text
from core.config import Settings
from core.domain.errors import ConfigError
from core.infra.log_redaction import configure_logging
from tests.audio_factory import make_audio
from tests.integration.conftest import started
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

MIMO_KEY = "sk-SECRETmimo-0123456789abcdef"
TELEGRAM_TOKEN = "424242:SECRETtelegram-abcdefghijklmnop"
REFUSED_TOKEN = "434343:SECRETrefused-abcdefghijklmnopq"
DISCORD_TOKEN = "MTA0.SECRETdiscord.token-0123456789"
DATABASE_PASSWORD = "SECRETdatabase-pass"  # PostgreSQL's test server trusts anyone
# Whole secrets, and the parts that identify them on their own.
SECRETS = [MIMO_KEY, TELEGRAM_TOKEN, REFUSED_TOKEN, DISCORD_TOKEN, DATABASE_PASSWORD, "SECRET"]
# Raised to DEBUG on top of the project's set-up, which keeps the HTTP libraries at WARNING.
LIBRARIES = ("httpx", "httpcore", "telegram", "discord", "discord.gateway", "discord.http")
USER = 777

Capture = Callable[[Settings], io.StringIO]


@pytest.fixture
def capture_logs(restored_logging: None) -> Capture:
    """Set logging up as `voicebridge run` does for some settings, at DEBUG, and return what
    its handler writes. Logging is restored afterwards."""
    root = logging.getLogger()

    def capture(settings: Settings) -> io.StringIO:
        configure_logging("DEBUG", settings.secret_values(), fmt=settings.log_format)
        for name in LIBRARIES:
            logging.getLogger(name).setLevel(logging.DEBUG)
        [handler] = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        buffer = io.StringIO()
        handler.setStream(buffer)
        return buffer

    return capture


def echo(status: int, words: str) -> dict[str, object]:
    """A MiMo error body whose message repeats the key, as some APIs do."""
    error = {"message": f"{words}: {MIMO_KEY}", "type": "error", "param": None}
    return {"error": {**error, "code": str(status)}}


def note_from_stranger(bot_api: FakeBotApi, data: bytes) -> dict[str, object]:
    """A voice note from a person of its own (per-person limits stay out of the way)."""
    person = USER + len(bot_api.calls)
    return bot_api.voice_message(chat_id=person, user_id=person, data=data, duration=2)


async def reply_to_note(bot_api: FakeBotApi, note: dict[str, object], *choices: str) -> str:
    """Wait until the chat shows one of `choices` in reply to `note`."""
    chat = note["chat"]
    assert isinstance(chat, dict)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        shown = [str(r.get("text")) for r in bot_api.replies_to(chat["id"], note["message_id"])]
        found = [s for s in shown if s in choices]
        if found:
            return found[0]
        assert loop.time() < deadline, f"expected one of {choices}, the chat shows {shown}"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_whole_debug_session_never_shows_a_secret(
    log_format: Literal["text", "json"],
    tmp_path: Path,
    database_url: str,
    capture_logs: Capture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    voice_ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    transcript, unavailable = "heard 2.0 seconds", text("error.mimo_unavailable", "en")
    async with (
        FakeBotApi(token=TELEGRAM_TOKEN) as bot_api,
        FakeDiscord(token=DISCORD_TOKEN) as discord_api,
        FakeMimo(api_key=MIMO_KEY) as mimo,
    ):
        server = discord_api.add_guild()
        alice = discord_api.add_member(server, "alice")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            mimo_api_key=MIMO_KEY,
            mimo_base_url=mimo.base_url,
            telegram_bot_token=TELEGRAM_TOKEN,
            telegram_api_url=bot_api.root,
            discord_bot_token=DISCORD_TOKEN,
            discord_api_url=discord_api.api_url,
            database_url=with_password(database_url),
            log_level="DEBUG",
            log_format=log_format,
            mimo_max_retries=3,  # the four 500s below are one voice note's attempts
            mimo_retry_wait_seconds=0.05,
        )
        logs = [capture_logs(settings)]
        stop = asyncio.Event()
        task = asyncio.create_task(run_bots(settings, stop))
        await started(task, discord_api.wait_until_identified())
        await started(task, bot_api.wait_for("getUpdates"))

        # Telegram: a transcript and a /say.
        note = note_from_stranger(bot_api, voice_ogg)
        bot_api.push(note)
        await reply_to_note(bot_api, note, transcript)
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say Good night"))
        await bot_api.wait_for("sendVoice", chat_id=USER)

        # MiMo refuses the key and says it back; then fails with 500s that say it too.
        mimo.fail_next(401, body=echo(401, "Incorrect API key provided"))
        refused = note_from_stranger(bot_api, voice_ogg)
        bot_api.push(refused)
        await reply_to_note(bot_api, refused, text("error.mimo_auth", "en"))
        mimo.fail_next(500, times=4, body=echo(500, "Internal error while serving key"))
        failed = note_from_stranger(bot_api, voice_ogg)
        bot_api.push(failed)
        await reply_to_note(bot_api, failed, transcript, unavailable)

        # The Bot API refuses a request (getFile of a file it does not know): an error whose
        # URL, /bot<token>/getFile, is logged by httpx and whose traceback the bot logs.
        lost = note_from_stranger(bot_api, voice_ogg)
        lost["voice"]["file_id"] = "no-such-file"
        bot_api.push(lost)
        await reply_to_note(bot_api, lost, text("error.generic", "en"))

        # Discord: a transcript and a /say.
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=2)
        await discord_api.wait_until(
            lambda: any(m.content == transcript for m in discord_api.messages_in(server.general)),
            timeout=30,
            what="the Discord transcript",
        )
        said = await discord_api.slash(server.general, alice, "say", text="Good night")
        await said.wait_for_messages()
        stop.set()
        await asyncio.wait_for(task, timeout=30)

    # A start with a token Telegram refuses: python-telegram-bot's InvalidToken quotes it.
    refusing = settings.model_copy(
        update={"telegram_bot_token": SecretStr(REFUSED_TOKEN), "discord_bot_token": None}
    )
    logs.append(capture_logs(refusing))
    async with FakeBotApi(token=TELEGRAM_TOKEN) as other_server:
        refusing = refusing.model_copy(update={"telegram_api_url": other_server.root})
        with pytest.raises(ConfigError) as refusal:
            await run_bots(refusing, asyncio.Event())

    logged = "".join(buffer.getvalue() for buffer in logs)
    if log_format == "json":
        # What a log shipper decodes, after the raw lines: both must be free of secrets.
        logged += _json_decoded(logged)
    printed = "".join(capfd.readouterr())
    to_chats = json.dumps(
        [[c.method, c.params] for c in bot_api.calls]
        + [[m.content, [a.filename for a in m.attachments]] for m in discord_api.messages]
        + [c.body for c in discord_api.calls],
        default=str,
    )
    to_mimo = json.dumps(mimo.requests)
    interaction_tokens = [interaction.token for interaction in discord_api.interactions]
    for secret in [*SECRETS, *interaction_tokens]:
        assert secret not in logged, _around(logged, secret)
        assert secret not in printed, _around(printed, secret)
        assert secret not in to_chats, _around(to_chats, secret)
        assert secret not in to_mimo
        assert secret not in str(refusal.value)
    assert "TELEGRAM_BOT_TOKEN was refused by Telegram" in str(refusal.value)
    # The test saw what it means to: the libraries' lines, the echoes, the tracebacks.
    assert "HTTP Request: POST" in logged  # httpx, whose lines carry the Telegram URLs
    assert "/bot[REDACTED]/getFile" in logged
    assert "MiMo answered 401: Incorrect API key provided: ***" in logged
    assert "MiMo call failed (MiMo answered 500" in logged
    assert "Traceback (most recent call last)" in logged
    assert "discord.http" in logged and "telegram.ext" in logged
    assert f"/webhooks/{discord_api.application_id}/[REDACTED]" in logged  # a follow-up
    if "postgresql" in database_url:
        assert ":[REDACTED]@" in logged  # the database's URL, as the start logs it


def with_password(url: str) -> str:
    """A PostgreSQL URL with a password in it (the test server takes any); SQLite has none."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.set(password=DATABASE_PASSWORD).render_as_string(hide_password=False)


def _json_decoded(json_lines: str) -> str:
    """Each line parsed as the JSON object it must be, written back as readable text."""
    records = [json.loads(line) for line in json_lines.splitlines()]
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
    return "".join(
        f"{r['time']} {r['level']} {r['logger']}: {r['message']}\n{r.get('exc_info', '')}\n"
        for r in records
    )


def _around(text: str, secret: str) -> str:
    at = text.find(secret)
    return f"{secret!r} found: ...{text[max(0, at - 300) : at + 100]}..."


# A short password with `@` in it, below the length at which a known secret is searched for:
# only the URL's shape can hide it, and no part of it may be taken for the host.
SHORT_PASSWORD = "Zq@9x"
QUERY_PASSWORD = "SECRETquery-pass"
STORED_TOKEN = "aW50ZXJhY3Rpb246storedTOKEN-tail"  # a Discord interaction's, as a claim keeps it


# SQLite's driver says it ignores the URL's query: the password is put there on purpose.
@pytest.mark.filterwarnings("ignore:Query string argument:sqlalchemy.exc.SAWarning")
async def test_the_database_url_and_a_failed_statement_show_no_secret(
    database_url: str, capture_logs: Capture
) -> None:
    url = with_secrets_in(database_url)
    settings = Settings(_env_file=None, database_url=url, log_level="DEBUG")  # type: ignore[call-arg]
    logged = capture_logs(settings)
    async with storage(settings) as store:
        with pytest.raises(Exception, match=r"no_such_table|does not exist") as failed:
            async with store.engine.begin() as connection:
                insert = sql("INSERT INTO no_such_table (token) VALUES (:token)")
                await connection.execute(insert, {"token": STORED_TOKEN})
        logging.getLogger("voicebridge").error("a write failed", exc_info=failed.value)

    lines = logged.getvalue()
    assert "a write failed" in lines and "INSERT INTO no_such_table" in lines
    assert "database: " in lines
    for secret in (QUERY_PASSWORD, STORED_TOKEN, "storedTOKEN", "9x@", "Zq@"):
        assert secret not in lines, _around(lines, secret)
    assert "?password=[REDACTED]&ssl=disable" in lines  # the start names the database


def with_secrets_in(url: str) -> str:
    """`url` with a password as a query parameter (asyncpg takes it so, SQLite ignores it) and,
    for PostgreSQL, a short one with `@` in the userinfo (the test server takes any)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        user, rest = url.split("://", 1)[1].split("@", 1)
        url = f"{parsed.drivername}://{user}:{SHORT_PASSWORD}@{rest}"
    return f"{url}{'&' if '?' in url else '?'}password={QUERY_PASSWORD}&ssl=disable"
