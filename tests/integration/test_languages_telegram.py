"""Each Telegram user in their own language, without setting anything: the real bot reads the
`language_code` their app sends, registers its command menu in every language, and posts what a
whole group reads in the group's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bots.telegram.commands.menu import MENU_LANGUAGES
from bots.telegram.telegram_wording import COMMAND_DESCRIPTIONS, text
from core.domain.quantities import Term
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import until_logged
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_summaries import next_reply, post, summary_requests
from tests.standins.clock import ManualClock
from tests.standins.mimo import FakeMimo, heard_whole
from tests.standins.telegram_api import FakeBotApi

GROUP = -100777
MEI, KENJI, BOB, ANA = 21, 22, 23, 24  # 简体中文, 日本語, English, an administrator


def speak(bot_api: FakeBotApi, **languages: str) -> None:
    people = {"mei": MEI, "kenji": KENJI, "bob": BOB, "ana": ANA}
    for name, code in languages.items():
        bot_api.set_user_language(people[name], code)


async def test_a_chinese_user_gets_help_refusals_progress_and_settings_in_chinese(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    speak(bot_api, mei="zh-hans", bob="en")
    long_ogg = make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10,
        asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api):
        answers = {}
        for person, command in [(MEI, "/help"), (MEI, "/language klingon"), (MEI, "/settings"),
                                (BOB, "/help")]:  # fmt: skip
            post(bot_api, GROUP, person, command)
            answers[person, command] = await next_reply(bot_api, GROUP)
        note = bot_api.voice_message(chat_id=MEI, user_id=MEI, data=long_ogg)
        mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
        bot_api.push(note)
        await bot_api.wait_until(
            lambda: any(
                line.rsplit("\n\n", 1)[-1].startswith("已转写 0:") for line in bot_api.texts(MEI)
            )
        )
        mimo.hold_after(None)
        await bot_api.wait_until(lambda: heard_whole(bot_api.texts(MEI)[0]))

    assert answers[MEI, "/help"] == (
        f"{text('help', 'zh_Hans')}\n\n{text('help.more', 'zh_Hans')}\n"
        f"{text('help.voice_share', 'zh_Hans')}\n{text('help.memory', 'zh_Hans')}"
    )
    assert answers[MEI, "/help"].startswith("命令：")
    assert answers[MEI, "/language klingon"] == text(
        "error.bad_choice", "zh_Hans", setting=Term("setting.language"), value="klingon",
        choices="auto, zh, en",
    )  # fmt: skip
    assert "不是有效的转写语言" in answers[MEI, "/language klingon"]
    assert answers[MEI, "/settings"].startswith("本聊天的设置：\n• 音色：mimo_default\n")
    assert "• 转写语言：自动识别（auto）" in answers[MEI, "/settings"]
    # The same group, in English for Bob.
    assert answers[BOB, "/help"] == (
        f"{text('help', 'en')}\n\n{text('help.more', 'en')}\n{text('help.voice_share', 'en')}"
        f"\n{text('help.memory', 'en')}"
    )
    # Mei's private chat: the reply to her note follows the progress, and became the transcript.
    [status] = bot_api.sent("sendMessage", chat_id=MEI)
    assert status.params["text"] == "正在转写……"
    start, *progress = [
        str(call.params["text"]) for call in bot_api.sent("editMessageText", chat_id=MEI)
    ]
    assert start == "正在转写录音（时长 35秒）……"
    assert any(line.rsplit("\n\n", 1)[-1].startswith("已转写 0:") for line in progress), progress


async def test_the_command_menu_is_registered_in_every_language(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        pass

    codes = [c.params.get("language_code") for c in bot_api.sent("setMyCommands")]
    assert codes == [None, *MENU_LANGUAGES]  # English for everyone, then each language
    english = {c["command"]: c["description"] for c in bot_api.commands_for("")}
    assert english == COMMAND_DESCRIPTIONS
    chinese = {c["command"]: c["description"] for c in bot_api.commands_for("zh")}
    assert chinese.keys() == english.keys()
    assert chinese["say"] == text("telegram.command.say", "zh_Hans") != english["say"]
    assert chinese["botlanguage"] == "我在这里对所有人使用的语言"
    for code, locale in MENU_LANGUAGES.items():
        menu = {c["command"]: c["description"] for c in bot_api.commands_for(code)}
        assert menu == {n: text(f"telegram.command.{n}", locale) for n in COMMAND_DESCRIPTIONS}


async def test_a_group_that_chose_spanish_gets_its_digest_in_spanish_and_each_person_their_own(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    speak(bot_api, ana="en", kenji="ja", bob="en")
    bot_api.set_member_status(GROUP, ANA, "administrator")
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    clock = ManualClock(start)
    at = f"{start + timedelta(minutes=30):%H:%M}"
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api, clock=clock
    ):
        replies = {}
        for person, command in [(KENJI, "/botlanguage español"), (ANA, "/botlanguage español"),
                                (ANA, f"/digest {at} UTC"), (KENJI, "/settings"),
                                (BOB, "/settings"), (KENJI, "/usage")]:  # fmt: skip
            post(bot_api, GROUP, person, command)
            replies[person, command] = await next_reply(bot_api, GROUP)
        post(bot_api, GROUP, BOB, "¿Lanzamos el viernes?")
        await until_logged(sqlite_url, GROUP, 1)
        before = len(bot_api.sent("sendMessage", chat_id=GROUP))
        await clock.advance(timedelta(minutes=31))
        [digest] = bot_api.sent("sendMessage", chat_id=GROUP)[before:]

    # Only administrators choose; Kenji hears so in Japanese.
    assert replies[KENJI, "/botlanguage español"] == text("error.admins_only", "ja")
    assert replies[ANA, "/botlanguage español"].startswith("Bot language here is now Español")
    assert replies[KENJI, "/settings"].startswith("このチャットの設定：")
    assert "• ボットの言語：Español" in replies[KENJI, "/settings"]
    assert replies[BOB, "/settings"].startswith("Settings for this chat:")
    assert replies[KENJI, "/usage"].startswith("このチャットの今日の利用量")
    assert str(digest.params["text"]).startswith("Resumen diario de 1 mensaje desde ")
    [request] = summary_requests(mimo)  # the summary itself is asked for in Spanish too
    assert "in Spanish." in request["messages"][0]["content"]
