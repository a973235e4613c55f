"""Each Discord user in their own language, without setting anything: the real bot answers in
the language of the client that ran the command (`interaction.locale`), posts what a channel
reads in the server's, and syncs its commands with a name and description in every language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bots.discord.discord_wording import text
from core.domain.quantities import Duration
from tests.audio_factory import make_audio
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, heard_whole


def registered_command(discord_api: FakeDiscord, name: str, kind: int = 1) -> dict[str, Any]:
    [found] = [c for c in discord_api.commands if c["name"] == name and c["type"] == kind]
    return found


def option(found: dict[str, Any], name: str) -> dict[str, Any]:
    [wanted] = [o for o in found["options"] if o["name"] == name]
    return wanted


async def answer_text(discord_api: FakeDiscord, asked: Any) -> str:
    [message] = await asked.wait_for_messages()
    return str(message.content)


async def answer_texts(discord_api: FakeDiscord, asked: Any, count: int = 2) -> list[str]:
    return [str(message.content) for message in await asked.wait_for_messages(count)]


async def test_a_zh_cn_user_gets_help_refusals_progress_and_settings_in_chinese(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    mei = discord_api.add_member(server, "mei", locale="zh-CN")
    bob = discord_api.add_member(server, "bob", locale="en-GB")
    recording = discord_api.attachment(
        make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes(),
        filename="meeting.ogg", content_type="audio/ogg",
    )  # fmt: skip
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10,
        asr_concurrency=1,
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        help_zh = await answer_texts(
            discord_api, await discord_api.slash(server.general, mei, "help")
        )
        refused = await answer_text(
            discord_api,
            await discord_api.slash(server.general, mei, "autotranscribe", state="off"),
        )
        overview = await answer_text(
            discord_api, await discord_api.slash(server.general, mei, "settings")
        )
        help_en = await answer_texts(
            discord_api, await discord_api.slash(server.general, bob, "help")
        )
        mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
        asked = await discord_api.slash(server.general, mei, "transcribe", attachment=recording)
        await discord_api.wait_until(
            lambda: any(
                m.content.rsplit("\n\n", 1)[-1].startswith("已转写 0:") for m in asked.visible
            ),
            timeout=30,
            what="the first progress",
        )  # fmt: skip
        mimo.hold_after(None)
        await discord_api.wait_until(
            lambda: [heard_whole(m.content) for m in asked.visible] == [True], timeout=30,
            what="the transcript",
        )  # fmt: skip

    assert help_zh == [text("discord.help", "zh_Hans"), voice_help("zh_Hans")]
    assert help_zh[0].startswith("命令：\n/say 文字")
    assert help_zh[1].startswith("在语音频道里朗读：\n/read_channel [频道]")
    assert refused == text("discord.error.manage_server", "zh_Hans")
    assert "管理服务器" in refused
    assert overview.startswith("本聊天的设置：")
    assert "• 机器人语言：自动（当前：English）" in overview
    # Bob, in the same channel, reads English.
    assert help_en == [text("discord.help", "en"), voice_help("en")]
    [transcript] = asked.visible
    shown = [content for message_id, content in discord_api.edits if message_id == transcript.id]
    assert any(status.rsplit("\n\n", 1)[-1].startswith("已转写 0:") for status in shown), (
        shown
    )  # "0:07 / 0:35"


async def test_automatic_transcripts_are_announced_in_the_server_s_language(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Discord does not say who reads a voice message: the channel hears the server's language
    (a server's own `preferred_locale`), whoever recorded it."""
    server = discord_api.add_guild(locale="ja")
    bob = discord_api.add_member(server, "bob", locale="en-US")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, daily_audio_seconds=1
    )
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(server.general, bob, note, duration=3)
        [refusal] = await discord_api.wait_for_messages(server.general)

    over = text("limits.audio_over_quota", "ja", needed=Duration(3), limit=Duration(1))
    assert refusal.content == over  # over the daily second, in Japanese
    assert over.startswith("この録音の長さは 3 秒で")


async def test_the_synced_commands_carry_every_language(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running_discord(
        discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url), discord_api
    ):
        pass

    say = registered_command(discord_api, "say")
    assert say["description_localizations"]["zh-CN"] == "把文字念成语音消息"
    assert say["description_localizations"]["zh-TW"] == "把文字念成語音訊息"
    assert (
        say["description_localizations"]["es-ES"]
        == say["description_localizations"]["es-419"]
        == "Dice un texto en un mensaje de voz"
    )
    assert "en-US" not in say["description_localizations"]
    assert say["name_localizations"] == {}  # "/say" stays "/say", as the help texts name it
    text_option = option(say, "text")
    assert text_option["name_localizations"]["zh-CN"] == "文字"
    assert text_option["name_localizations"]["ja"] == "テキスト"  # options: every language
    transcribe = registered_command(discord_api, "transcribe")
    [srt] = [c for c in option(transcribe, "format")["choices"] if c["value"] == "srt"]
    assert srt["name_localizations"]["de"] == "srt (Untertitel)"
    menu = registered_command(discord_api, "Transcribe", kind=3)
    assert menu["name_localizations"]["zh-CN"] == "转写"
    assert menu["name_localizations"]["ja"] == "文字起こし"
    for name in ("help", "botlanguage", "settings"):
        localised = registered_command(discord_api, name)["description_localizations"]
        assert {"zh-CN", "zh-TW", "ja", "ko", "ru", "uk", "es-ES", "es-419", "pt-BR", "de", "fr",
                "id"} <= localised.keys()  # fmt: skip


def voice_help(locale: str) -> str:
    """/help's second message: reading aloud and listening in voice channels."""
    return (
        text("discord.help.reader", locale) + "\n\n" + text("discord.help.listening", locale)
        + "\n\n" + text("discord.help.memory", locale)
    )  # fmt: skip
