"""The hostile-input corpus (`tests/bad_inputs.py`) through the real Telegram adapter.

One bot runs the whole corpus, one input after the other, as `voicebridge run` would: real
python-telegram-bot against the Bot API stand-in, the real MiMo client against the MiMo
stand-in, real ffmpeg and SQLite. Every input must get its one clear reply, MiMo must hear only
what it should, and afterwards the bot still transcribes a normal voice note and has lost
nothing it had stored.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.audio_factory import make_audio
from tests.bad_inputs import (
    CHAT_STYLE,
    CHAT_VOICE,
    SETTINGS,
    Case,
    Command,
    Upload,
    cases_for,
)
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 3001
FRIEND = 3002
GROUP = -100300
REPLY_TIMEOUT = 90.0  # generous: the machine is shared, and nothing here measures time


def message_for(bot_api: FakeBotApi, given: Upload | Command, chat_id: int) -> dict[str, Any]:
    """The Telegram message a user sends for `given`."""
    where: dict[str, Any] = {"chat_id": chat_id, "user_id": USER}
    if chat_id < 0:
        where["chat_type"] = "supergroup"
    if isinstance(given, Command):
        words = f"/{given.name} {given.argument}" if given.argument else f"/{given.name}"
        return bot_api.text_message(text=words, **where)
    sent: dict[str, Any] = {"data": given.data, "file_size": given.declared_size, **where}
    if given.kind == "voice":
        return bot_api.voice_message(duration=given.declared_seconds, **sent)
    named: dict[str, Any] = {"file_name": given.file_name, "mime_type": given.mime_type}
    if given.kind == "audio":
        return bot_api.audio_message(duration=given.declared_seconds, **named, **sent)
    if given.kind == "video":
        return bot_api.video_message(duration=given.declared_seconds, **named, **sent)
    return bot_api.document_message(**named, **sent)


async def send_case(
    bot_api: FakeBotApi, mimo: FakeMimo, case: Case, folder: Path
) -> tuple[int, str | None]:
    """Send the case's input and wait for its reply: the chat it went to, and what went wrong
    (None when nothing did)."""
    given = await asyncio.to_thread(
        case.build, folder
    )  # ffmpeg, some hours of audio: the bot runs on
    chat = GROUP if isinstance(given, Command) and given.in_group else USER
    before, voices, requests = bot_api.texts(chat), _voices(bot_api, chat), len(mimo.requests)
    downloads = len(bot_api.downloads)
    bot_api.push(message_for(bot_api, given, chat))
    expect = case.expect

    def new_texts() -> list[str]:
        return bot_api.texts(chat)[len(before) :]

    def answered() -> bool:
        if expect.voice_note:
            return _voices(bot_api, chat) > voices
        return len(new_texts()) == 1 and expect.matches("telegram", new_texts()[0])

    try:
        await bot_api.wait_until(answered, timeout=REPLY_TIMEOUT, what=case.name)
    except AssertionError:
        return chat, f"got {new_texts()!r} and {_voices(bot_api, chat) - voices} voice note(s)"
    if expect.voice_note:
        if new_texts():
            return chat, f"a voice note, but also {new_texts()!r}"
        sent = mimo.calls("mimo-v2.5-tts")[-1]["messages"]
        if sent != [{"role": "assistant", "content": expect.spoken}]:
            return chat, f"MiMo was asked to speak {sent!r}, not {expect.spoken!r}"
    if not expect.reaches_mimo and len(mimo.requests) > requests:
        return chat, f"MiMo got {len(mimo.requests) - requests} request(s)"
    if not expect.fetched and len(bot_api.downloads) > downloads:
        return chat, "the file was downloaded before it was refused"
    return chat, None


# The whole corpus through one bot, 53 inputs: 7 s alone, over 120 s in CI's Python 3.12 share
# beside the other and the benchmarks. The mid-way walks' limit, not one command's.
@pytest.mark.timeout(240)
async def test_every_bad_input_gets_its_clear_reply_and_nothing_is_lost(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, **SETTINGS)
    bot_api.set_member_status(GROUP, USER, "administrator")
    good_note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    wrong: list[str] = []
    private_inputs = 0
    async with running(settings, bot_api):
        # Before: the chat's choices, and a group conversation the bot logs for /summary.
        chosen = [await _exchange(bot_api, f"/voice {CHAT_VOICE}"),
                  await _exchange(bot_api, f"/style {CHAT_STYLE}")]  # fmt: skip
        for said in ("Remember the milk on Friday", "The launch moves to March"):
            bot_api.push(bot_api.text_message(
                chat_id=GROUP, user_id=FRIEND, text=said, chat_type="supergroup"
            ))  # fmt: skip

        for number, case in enumerate(cases_for("telegram")):
            folder = tmp_path / f"case-{number:02d}"
            folder.mkdir()
            chat, problem = await send_case(bot_api, mimo, case, folder)
            private_inputs += chat == USER
            if problem is not None:
                wrong.append(f"{case.name}: {problem}")

        # After: a normal voice note is transcribed, the choices stand, the log is whole.
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=good_note))
        await bot_api.wait_until(
            lambda: bot_api.texts(USER)[-1] == "heard 3.0 seconds", timeout=REPLY_TIMEOUT
        )
        overview = await _exchange(bot_api, "/settings")
        await _exchange(bot_api, "/summary", chat_id=GROUP)

    assert wrong == [], "\n".join(wrong)
    # Refusals are logged in one line at INFO; a traceback would mean something escaped.
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
    assert chosen == [f"Voice set to {CHAT_VOICE}.", f"Style set to: {CHAT_STYLE}"]
    assert f"Voice: {CHAT_VOICE}" in overview
    assert f"Style: {CHAT_STYLE}" in overview
    summary_request = str([r for r in mimo.requests if r["model"] == "mimo-v2.6-flash"][-1])
    assert "Remember the milk on Friday" in summary_request
    assert "The launch moves to March" in summary_request
    # One reply to each input and nothing else: no second message, no status left behind.
    answers = len(bot_api.texts(USER)) + _voices(bot_api, USER)
    assert answers == len(chosen) + private_inputs + 2  # + the good note and /settings


async def _exchange(bot_api: FakeBotApi, words: str, *, chat_id: int = USER) -> str:
    """Send a command and return the text that answers it."""
    before = len(bot_api.texts(chat_id))
    chat_type = "supergroup" if chat_id < 0 else "private"
    bot_api.push(
        bot_api.text_message(chat_id=chat_id, user_id=USER, text=words, chat_type=chat_type)
    )
    await bot_api.wait_until(lambda: len(bot_api.texts(chat_id)) > before, timeout=REPLY_TIMEOUT)
    return bot_api.texts(chat_id)[before]


def _voices(bot_api: FakeBotApi, chat_id: int) -> int:
    return len(bot_api.sent("sendVoice", chat_id=chat_id))


async def test_in_a_group_only_unknown_commands_addressed_to_the_bot_are_answered(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, **SETTINGS)
    ours = f"/klingon@{bot_api.bot_username}"
    async with running(settings, bot_api):
        for words in ("/klingon", "/say@another_bot hello", ours):
            bot_api.push(bot_api.text_message(
                chat_id=GROUP, user_id=USER, text=words, chat_type="supergroup"
            ))  # fmt: skip
        await bot_api.wait_until(lambda: bool(bot_api.texts(GROUP)), timeout=REPLY_TIMEOUT)
        # One more round trip: had the first two been answered, their replies would be in by now.
        await _exchange(bot_api, "/help", chat_id=GROUP)

    [unknown, help_text] = bot_api.texts(GROUP)
    assert unknown == "I do not know the command /klingon. /help lists the ones I have."
    assert help_text.startswith("Commands:")
    assert "\n/tldr — " in help_text and "\n/translate [LANGUAGE] [voice] — " in help_text
    assert mimo.requests == []
