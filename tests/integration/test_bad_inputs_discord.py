"""The hostile-input corpus (`tests/bad_inputs.py`) through the real Discord adapter.

One bot runs the whole corpus, one input after the other, as `voicebridge run` would: real
discord.py (REST, gateway, CDN downloads) against the Discord stand-in, the real MiMo client
against the MiMo stand-in, real ffmpeg and SQLite. Voice notes are posted as voice messages
(auto-transcribed), other files go through /transcribe, commands are slash commands. Every
input must get its one clear reply, MiMo must hear only what it should, and afterwards the bot
still transcribes a normal voice message and has lost nothing it had stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

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
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, Guild, SentMessage
from tests.standins.mimo import FakeMimo

REPLY_TIMEOUT = 90.0  # generous: the machine is shared, and nothing here measures time
# The option of each slash command that takes the corpus's argument.
OPTION = {"say": "text", "voice": "name", "style": "text", "summary": "window"}


async def send_discord_case(
    discord_api: FakeDiscord, mimo: FakeMimo, server: Guild, user: int, case: Case, folder: Path
) -> str | None:
    """Send the case's input and wait for its reply; what went wrong, or None."""
    given = await asyncio.to_thread(
        case.build, folder
    )  # ffmpeg, some hours of audio: the bot runs on
    requests, downloads = len(mimo.requests), len(discord_api.downloads)
    replies = await _replies_to(discord_api, server, user, given)
    expect = case.expect

    def answered() -> bool:
        now = replies()
        if expect.voice_note:
            return len(now) == 2 and now[1].is_voice_message  # after the filled "thinking…"
        return len(now) == 1 and expect.matches("discord", now[0].content)

    try:
        await discord_api.wait_until(answered, timeout=REPLY_TIMEOUT, what=case.name)
    except AssertionError:
        return f"got {[(m.content, m.is_voice_message) for m in replies()]!r}"
    if expect.voice_note:
        sent = mimo.calls("mimo-v2.5-tts")[-1]["messages"]
        if sent != [{"role": "assistant", "content": expect.spoken}]:
            return f"MiMo was asked to speak {sent!r}, not {expect.spoken!r}"
    if not expect.reaches_mimo and len(mimo.requests) > requests:
        return f"MiMo got {len(mimo.requests) - requests} request(s)"
    if not expect.fetched and len(discord_api.downloads) > downloads:
        return "the file was downloaded before it was refused"
    return None


async def _replies_to(
    discord_api: FakeDiscord, server: Guild, user: int, given: Upload | Command
) -> Callable[[], list[SentMessage]]:
    """Send `given` the way a Discord user does; returns what reads the bot's answers to it."""
    if isinstance(given, Command):
        options = {OPTION[given.name]: given.argument} if given.argument else {}
        interaction = await discord_api.slash(server.general, user, given.name, **options)
        return lambda: interaction.visible
    duration = given.declared_seconds if given.kind == "voice" else None
    name = "voice-message.ogg" if given.kind == "voice" else given.file_name
    attachment = discord_api.attachment(
        given.data, filename=name, content_type=given.mime_type, duration=duration
    )
    if given.declared_size is not None:
        attachment["size"] = given.declared_size
    if given.kind == "voice":
        before = len(discord_api.messages_in(server.general))
        await discord_api.post_message(server.general, user, attachments=[attachment])
        return lambda: discord_api.messages_in(server.general)[before:]
    interaction = await discord_api.slash(server.general, user, "transcribe", attachment=attachment)
    return lambda: interaction.visible


# The whole corpus through one bot, 44 inputs: 5 s alone, 111 s in CI's Python 3.12
# share beside the other and the benchmarks. The mid-way walks' limit, not one command's.
@pytest.mark.timeout(240)
async def test_every_bad_input_gets_its_clear_reply_and_nothing_is_lost(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    owner = discord_api.add_member(server, "owner", manage_guild=True)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, **SETTINGS
    )
    good_note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    wrong: list[str] = []
    async with running_discord(settings, discord_api):
        # Before: the server's choices, and a channel with a setting of its own.
        chosen = [
            await _answer(discord_api, server.general, owner, "voice", name=CHAT_VOICE),
            await _answer(discord_api, server.general, owner, "style", text=CHAT_STYLE),
            await _answer(
                discord_api, server.random, owner, "autotranscribe", state="off", scope="channel"
            ),
        ]

        for number, case in enumerate(cases_for("discord")):
            folder = tmp_path / f"case-{number:02d}"
            folder.mkdir()
            problem = await send_discord_case(discord_api, mimo, server, owner, case, folder)
            if problem is not None:
                wrong.append(f"{case.name}: {problem}")

        # After: a normal voice message is transcribed, and every choice stands.
        before = len(discord_api.messages_in(server.general))
        await discord_api.post_voice_message(server.general, owner, good_note, duration=3)
        await discord_api.wait_until(
            lambda: (
                [m.content for m in discord_api.messages_in(server.general)[before:]]
                == ["heard 3.0 seconds"]
            ),
            timeout=REPLY_TIMEOUT,
            what="the transcript of a normal voice message",
        )
        overview = await _answer(discord_api, server.random, owner, "settings")

    assert wrong == [], "\n".join(wrong)
    # Refusals are logged in one line at INFO; a traceback would mean something escaped.
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
    assert chosen[:2] == [f"Voice set to {CHAT_VOICE}.", f"Style set to: {CHAT_STYLE}"]
    assert f"Voice: {CHAT_VOICE}" in overview
    assert f"Style: {CHAT_STYLE}" in overview
    assert "Auto-transcribe in this channel: off (set for this channel)" in overview


async def _answer(
    discord_api: FakeDiscord, channel: int, user: int, command: str, **options: str
) -> str:
    interaction = await discord_api.slash(channel, user, command, **options)
    [message] = await interaction.wait_for_messages(timeout=REPLY_TIMEOUT)
    return message.content
