"""One request value (issue 71): each of the main commands reads the chat's preferences once,
on both platforms. The adapter builds the request as the command starts (who asks, where,
their language, the chat's preferences) and the use case takes it: no use case reads them
again, whether it transcribes (/ask, /tldr, /translate of a recording), writes (/summary),
speaks (/say, and /summary and /translate with voice) or lists the voices (/voice,
/settings). Counted at the database, from the command's arrival until its claim is finished:
the units of work whose statements read `chat_preferences` (a Discord channel's own
auto-transcribe is read with its server's preferences, in the same one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.chatlog_db import until_logged
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.test_one_call_per_event import preference_reads, statements
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

GROUP, ANN = -1007100, 7101
ONCE = {
    "/say": 1,
    "/transcribe": 1,
    "/ask": 1,
    "/summary": 1,
    "/summary voice": 1,
    "/tldr": 1,
    "/translate": 1,
    "/translate voice": 1,
    "/voice": 1,
    "/settings": 1,
}


async def reads_until_finished(send: Callable[[], Awaitable[str]]) -> int:
    """How many times the chat's preferences were read (units of work that read them) from
    `send` (which sends a command and returns what its claim's parameters hold) until the
    command's claim is finished."""
    with preference_reads() as reads, statements() as seen:
        key = await send()
        await until(
            lambda: any("SET state" in said and key in held for said, held in seen),
            "the command's claim finished",
        )
    return len(set(reads))


async def test_each_telegram_command_reads_the_chats_preferences_once(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """In a group: a voice note (transcribed unasked) and a text to summarise first, then each
    command, its recording that voice note."""
    mimo.asr_text = "we meet tomorrow at noon"
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_user_per_minute=20
    )

    def in_group(**content: Any) -> dict[str, Any]:
        made = bot_api.voice_message if "data" in content else bot_api.text_message
        message = made(chat_id=GROUP, user_id=ANN, chat_type="supergroup", **content)
        bot_api.push(message)
        return message

    def command(typed: str, reply_to: dict[str, Any] | None = None) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            sent = in_group(text=typed, reply_to=reply_to)
            return f"'{sent['message_id']}'"

        return send

    async with running(settings, bot_api):
        note = in_group(data=voice_ogg)
        await bot_api.wait_until(lambda: any(mimo.asr_text in t for t in bot_api.texts(GROUP)))
        in_group(text="Let us ship on Friday")
        await until_logged(database_url, GROUP, 2)  # the transcript and the text
        counts = {
            "/say": await reads_until_finished(command("/say Hi there")),
            "/transcribe": await reads_until_finished(command("/transcribe", note)),
            "/ask": await reads_until_finished(command("/ask When do we meet?", note)),
            "/summary": await reads_until_finished(command("/summary 200")),
            "/summary voice": await reads_until_finished(command("/summary 200 voice")),
            "/tldr": await reads_until_finished(command("/tldr", note)),
            "/translate": await reads_until_finished(command("/translate fr", note)),
            "/translate voice": await reads_until_finished(command("/translate en voice", note)),
            "/voice": await reads_until_finished(command("/voice")),
            "/settings": await reads_until_finished(command("/settings")),
        }

    assert counts == ONCE, repr(counts)
    assert len(bot_api.sent("sendVoice", chat_id=GROUP)) == 3  # /say, /summary and /translate
    assert len(bot_api.sent("sendDocument", chat_id=GROUP)) == 1  # /tldr's transcript


async def test_each_discord_command_reads_the_places_preferences_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """In a server's channel (whose own auto-transcribe /settings shows, read with the
    server's preferences): each command, its recording an uploaded file."""
    ann = discord_api.add_member(server, "Ann")
    recording = discord_api.attachment(
        voice_ogg, filename="meeting.ogg", content_type="audio/ogg", duration=3
    )
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, rate_limit_user_per_minute=20
    )

    def command(name: str, **options: Any) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            asked = await discord_api.slash(server.general, ann, name, **options)
            return str(asked.id)

        return send

    async with running_discord(settings, discord_api):
        now = datetime.now(UTC)
        await discord_api.post_message(
            server.general, ann, "Let us ship on Friday", at=now - timedelta(minutes=5)
        )
        counts = {
            "/say": await reads_until_finished(command("say", text="Hi there")),
            "/transcribe": await reads_until_finished(command("transcribe", attachment=recording)),
            "/ask": await reads_until_finished(
                command("ask", question="When do we meet?", attachment=recording)
            ),
            "/summary": await reads_until_finished(command("summary", window="2h")),
            "/summary voice": await reads_until_finished(
                command("summary", window="2h", voice=True)
            ),
            "/tldr": await reads_until_finished(command("tldr", attachment=recording)),
            "/translate": await reads_until_finished(
                command("translate", attachment=recording, language="fr")
            ),
            "/translate voice": await reads_until_finished(
                command("translate", attachment=recording, language="en", voice=True)
            ),
            "/voice": await reads_until_finished(command("voice")),
            "/settings": await reads_until_finished(command("settings")),
        }

    assert counts == ONCE, repr(counts)
    voiced = [m for m in discord_api.messages_in(server.general) if m.is_voice_message]
    assert len(voiced) == 3  # /say, /summary and /translate
