"""The Bot API stand-in speaks well enough for the real python-telegram-bot to run on it.

A tiny Application defined here (not the project's adapter) polls the stand-in over real HTTP,
replies to text and commands, downloads a voice note and sends it back as a voice (multipart
upload) and as a document. A plain `Bot` pins down the protocol details the adapter's tests
rely on: error codes, flood answers, long polling and how parameters are decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, BotCommand, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.ext import MessageHandler as OnMessage

from tests.standins.telegram_api import FakeBotApi

OGG = b"OggS\x00\x02" + bytes(range(256)) * 8  # opaque bytes: nothing here decodes audio
CHAT = USER = 4242
GROUP = -1001234


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back, quoting the message."""
    assert update.message and update.message.text
    await update.message.reply_text(update.message.text, do_quote=True)


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the sender by name."""
    assert update.message and update.effective_user
    await update.message.reply_text(f"hello {update.effective_user.first_name}")


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the sender their status in the chat."""
    assert update.message and update.effective_chat and update.effective_user
    member = await update.effective_chat.get_member(update.effective_user.id)
    await update.message.reply_text(member.status)


async def voice_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the voice note and send it back as a voice note and as a document."""
    assert update.message and update.message.voice
    await update.message.reply_chat_action(ChatAction.RECORD_VOICE)
    file = await update.message.voice.get_file()
    data = bytes(await file.download_as_bytearray())
    await update.message.reply_voice(data, duration=update.message.voice.duration, do_quote=True)
    await update.message.reply_document(data, filename="echo.oga", caption="same bytes")


def build_app(api: FakeBotApi) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .local_mode(api.local_mode)
        .build()
    )
    app.add_handler(CommandHandler("start", greet))
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(OnMessage(filters.TEXT & ~filters.COMMAND, echo_text))
    app.add_handler(OnMessage(filters.VOICE, voice_back))
    return app


@contextlib.asynccontextmanager
async def polling(api: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    app = build_app(api)
    async with app:
        await app.start()
        assert app.updater
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture(autouse=True)
def durations_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB 23's timedelta durations; the int ones warn since PTB 22.2."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The stand-in, where the bot already knows the user's private chat and the group."""
    async with FakeBotApi() as server:
        server.add_chat(CHAT, "private")
        server.add_chat(GROUP, "supergroup")
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


# -- the real Application on the stand-in ----------------------------------------------------


async def test_text_is_echoed_as_a_reply_to_the_message(api: FakeBotApi) -> None:
    async with polling(api):
        message = api.text_message(chat_id=CHAT, user_id=USER, text="123")
        api.push(message)
        [reply] = await api.wait_for("sendMessage", chat_id=CHAT)

    assert reply.params["text"] == "123"  # a string, although the form value looks like JSON
    assert reply.params["reply_parameters"] == {"message_id": message["message_id"]}
    assert reply.result["message_id"] == message["message_id"] + 1
    assert reply.result["from"]["username"] == api.bot_username
    assert reply.result["reply_to_message"]["text"] == "123"


async def test_commands_addressed_to_another_bot_are_ignored(api: FakeBotApi) -> None:
    async with polling(api):
        for text in ("/start@other_bot", "/start@voicebridge_test_bot"):
            api.push(api.text_message(chat_id=GROUP, user_id=USER, text=text, chat_type="group"))
        await api.wait_for("sendMessage", chat_id=GROUP)

    assert [call.params["text"] for call in api.sent("sendMessage")] == [f"hello User{USER}"]


async def test_voice_note_is_downloaded_and_sent_back(api: FakeBotApi) -> None:
    async with polling(api):
        api.push(api.voice_message(chat_id=CHAT, user_id=USER, data=OGG, duration=4))
        await api.wait_for("sendDocument", chat_id=CHAT)

    [action] = api.sent("sendChatAction")
    [voice_call] = api.sent("sendVoice")
    [document_call] = api.sent("sendDocument")
    assert action.params["action"] == "record_voice"
    assert api.downloads == ["voice/file_1.oga"]
    assert voice_call.files["voice"] == OGG
    assert voice_call.params["duration"] == 4
    assert voice_call.result["voice"]["file_size"] == len(OGG)
    assert document_call.files["document"] == OGG
    assert document_call.file_names["document"] == "echo.oga"
    assert document_call.result["document"]["file_name"] == "echo.oga"
    assert document_call.result["caption"] == "same bytes"


async def test_local_mode_hands_out_paths_on_disk() -> None:
    async with FakeBotApi(local_mode=True) as api, polling(api):
        api.push(api.voice_message(chat_id=CHAT, user_id=USER, data=OGG))
        [voice_call] = await api.wait_for("sendVoice", chat_id=CHAT)
        [get_file] = api.sent("getFile")

    assert get_file.result["file_path"].startswith("/")
    assert api.downloads == []  # PTB read the file from disk, not over HTTP
    assert voice_call.files["voice"] == OGG


async def test_group_membership_comes_from_set_member_status(api: FakeBotApi) -> None:
    api.set_member_status(GROUP, USER, "administrator")
    async with polling(api):
        for user in (USER, USER + 1):
            text = api.text_message(chat_id=GROUP, user_id=user, text="/whoami", chat_type="group")
            api.push(text)
        calls = await api.wait_for("sendMessage", count=2, chat_id=GROUP)

    assert [call.params["text"] for call in calls] == ["administrator", "member"]


# -- protocol details, with a plain Bot ------------------------------------------------------


async def test_an_overlong_message_is_refused_like_telegram_does(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT, "x" * 4097)
    await bot.send_message(CHAT, "x" * 4096)

    [refused] = api.sent("sendMessage", include_rejected=True)[:1]
    assert refused.error == "Bad Request: message is too long"
    assert len(api.sent("sendMessage")) == 1


async def test_lengths_are_counted_in_utf16_code_units(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT, "🎙" * 2049)  # 2,049 characters, 4,098 units
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(CHAT, OGG, filename="a.bin", caption="🎙" * 513)
    await bot.send_message(CHAT, "🎙" * 2048)


async def test_replies_to_a_deleted_message_are_refused_unless_allowed(
    api: FakeBotApi, bot: Bot
) -> None:
    said = api.text_message(chat_id=CHAT, user_id=USER, text="hello")
    api.push(said)
    api.user_deletes(said)
    with pytest.raises(BadRequest, match="to be replied not found"):
        await bot.send_message(CHAT, "hi", reply_to_message_id=said["message_id"])
    sent = await bot.send_message(
        CHAT, "hi", reply_to_message_id=said["message_id"], allow_sending_without_reply=True
    )
    assert sent.reply_to_message is None


async def test_a_message_without_text_cannot_be_edited_as_text(bot: Bot) -> None:
    document = await bot.send_document(CHAT, OGG, filename="a.bin")
    with pytest.raises(BadRequest, match="no text in the message to edit"):
        await bot.edit_message_text("now text", chat_id=CHAT, message_id=document.message_id)


async def test_unescaped_markup_is_refused_like_telegram_does(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="must be escaped"):
        await bot.send_message(CHAT, "Done.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="unsupported start tag"):
        await bot.send_message(CHAT, "1 <2 and 3", parse_mode="HTML")

    await bot.send_message(CHAT, "*Done*\\. `a.b`", parse_mode="MarkdownV2")
    await bot.send_message(CHAT, "<b>Done</b>: 1 &lt;2", parse_mode="HTML")


async def test_flood_next_answers_429_then_recovers(api: FakeBotApi, bot: Bot) -> None:
    api.flood_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter, match="7"):
        await bot.send_message(CHAT, "first")
    await bot.send_message(CHAT, "second")

    assert [call.params["text"] for call in api.sent("sendMessage")] == ["second"]


async def test_a_group_gets_twenty_messages_a_minute_chat_actions_included(
    api: FakeBotApi, bot: Bot
) -> None:
    api.flood_clock = lambda: 0.0  # the burst in one instant, however long this machine takes
    for number in range(19):
        await bot.send_message(GROUP, f"message {number}")
    await bot.send_chat_action(GROUP, ChatAction.TYPING)
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(GROUP, "one too many")
    await bot.send_message(CHAT, "a private chat has its own budget")

    assert refused.value.retry_after.total_seconds() == 3  # one drains every 3 s
    assert api.texts(GROUP)[-1] == "message 18"


async def test_a_chat_the_bot_is_not_in_is_not_found(api: FakeBotApi, bot: Bot) -> None:
    """Telegram refuses a message to a chat the bot never saw (nobody started it there, it was
    not added to it): the bot cannot write first."""
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-1009876, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(777, "hello")
    api.add_chat(-1009876)  # the bot is made an administrator of that channel
    await bot.send_message(-1009876, "now it may")
    assert api.texts(-1009876) == ["now it may"]


async def test_unknown_methods_and_wrong_tokens_are_refused(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert api.calls[-1].error == "Not Found: method not found"  # the real server's 404
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=api.base_url):  # getMe on entry
            pass


async def test_a_parameter_the_bot_api_does_not_have_is_refused(api: FakeBotApi, bot: Bot) -> None:
    # Telegram would drop it without a word; python-telegram-bot lets `api_kwargs` through.
    with pytest.raises(BadRequest, match=r'(?i)parameter "text_colour" is unknown'):
        await bot.send_message(CHAT, "hello", api_kwargs={"text_colour": "red"})
    with pytest.raises(BadRequest, match=r'(?i)field "reply_parameters.mesage_id" is unknown'):
        await bot.send_message(CHAT, "hello", api_kwargs={"reply_parameters": {"mesage_id": 1}})
    with pytest.raises(BadRequest, match=r'(?i)field "ephemeral_message_parameters.user_id"'):
        await bot.send_message(
            GROUP, "hi", api_kwargs={"ephemeral_message_parameters": {"user_id": USER}}
        )  # Bot API 10.3 calls it receiver_user_id
    assert api.texts(CHAT) == [] and api.texts(GROUP) == []

    await bot.send_message(CHAT, "hello", api_kwargs={"message_effect_id": "5104841245755180586"})
    assert api.texts(CHAT) == ["hello"]


# python-telegram-bot points at its own send_message when a raw request names a method it has,
# which would not send the misspelled field.
@pytest.mark.filterwarnings("ignore:Please use 'Bot.sendMessage':telegram.warnings.PTBUserWarning")
async def test_a_misspelled_required_parameter_gets_the_real_servers_answer(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r'(?i)parameter "receiver_user_id" is required'):
        await bot.do_api_request(
            "deleteEphemeralMessage",
            api_kwargs={"chat_id": GROUP, "reciever_user_id": USER, "ephemeral_message_id": 1},
        )
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.do_api_request("sendMessage", api_kwargs={"chat_id": CHAT, "txt": "hello"})


async def test_the_stand_in_hands_the_bot_only_fields_the_types_have(api: FakeBotApi) -> None:
    voice = api.voice_message(chat_id=CHAT, user_id=USER, data=OGG, duration=4)
    with pytest.raises(AssertionError, match=r"Update\.message\.voice\.waveform"):
        api.push({**voice, "voice": {**voice["voice"], "waveform": "AAAA"}})  # Discord's, not ours
    with pytest.raises(AssertionError, match=r"callback_query\.message\.from\.nick"):
        api.push_update({"callback_query": {
            "id": "1", "from": api.bot_user, "chat_instance": "1",
            "message": {**voice, "from": {**voice["from"], "nick": "Ann"}},
        }})  # fmt: skip
    assert api.invented == [
        "Update.message.voice.waveform",
        "Update.callback_query.message.from.nick",
    ]
    api.push(voice)  # the note as the stand-in builds it passes
    assert len(api.invented) == 2


async def test_get_updates_long_polls_and_confirms_by_offset(api: FakeBotApi, bot: Bot) -> None:
    # An empty poll ends at the stand-in's cap (a second), not at the 30 s PTB asks for.
    assert await asyncio.wait_for(bot.get_updates(timeout=30), 20) == ()

    api.long_poll_cap = 60.0  # the next poll ends only when an update comes
    waiting = asyncio.create_task(bot.get_updates(timeout=60))
    await api.wait_until(lambda: api.polls_waiting == 1, what="the poll waiting")
    update_id = api.push(api.text_message(chat_id=CHAT, user_id=USER, text="hi"))
    [update] = await asyncio.wait_for(waiting, 20)
    assert update.update_id == update_id
    assert update.message and update.message.text == "hi"

    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()


async def test_commands_are_kept_per_scope(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("say", "speak the text")])

    assert api.commands == [{"command": "say", "description": "speak the text"}]
    assert [c.command for c in await bot.get_my_commands()] == ["say"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Say Hi", "not a command name")])


async def test_bot_messages_can_be_edited_once_per_change(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "working...")
    edited = await bot.edit_message_text("done", chat_id=CHAT, message_id=sent.message_id)

    assert isinstance(edited, Message) and edited.text == "done"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("done", chat_id=CHAT, message_id=sent.message_id)


async def test_json_and_form_bodies_decode_alike(api: FakeBotApi) -> None:
    url = f"{api.base_url}{api.token}/sendMessage"
    reply = {"message_id": 99, "allow_sending_without_reply": True}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            url, json={"chat_id": CHAT, "text": "true", "reply_parameters": reply}
        )
        as_form = await client.post(  # the way PTB sends: strings raw, the rest JSON-encoded
            url,
            data={
                "chat_id": str(CHAT),
                "text": "true",
                "reply_parameters": '{"message_id": 99, "allow_sending_without_reply": true}',
            },
        )

    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert as_json.json()["ok"] and as_form.json()["ok"]
    from_json, from_form = api.sent("sendMessage")
    assert from_json.params == from_form.params
    assert from_form.params == {"chat_id": CHAT, "text": "true", "reply_parameters": reply}


async def test_wait_for_reports_what_it_saw_on_timeout(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(CHAT, "only this")

    with pytest.raises(AssertionError, match=r"sendVoice[\s\S]*only this"):
        await api.wait_for("sendVoice", timeout=0.1)


# -- drafts (sendMessageDraft) ----------------------------------------------------------------


async def test_drafts_are_shown_in_private_chats_only(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Textdraft_peer_invalid"):
        await bot.send_message_draft(GROUP, 7, "being written")
    await bot.send_message_draft(CHAT, 7, "being written")

    assert api.drafts(GROUP) == []
    assert api.draft_on_screen(CHAT) == "being written"


async def test_a_draft_needs_a_non_zero_id(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Draft_id_invalid"):
        await bot.send_message_draft(CHAT, 0, "being written")
    assert api.draft_on_screen(CHAT) is None


async def test_a_draft_holds_what_a_message_holds(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Textdraft_too_long"):
        await bot.send_message_draft(CHAT, 7, "🎙" * 2049)  # 4,098 UTF-16 units
    await bot.send_message_draft(CHAT, 7, "🎙" * 2048)
    await bot.send_message_draft(CHAT, 7, "")  # Telegram's own "Thinking…" placeholder

    assert api.drafts(CHAT) == ["🎙" * 2048, ""]


async def test_a_draft_lasts_until_the_message_comes_or_its_life_ends(
    api: FakeBotApi, bot: Bot
) -> None:
    now = [1000.0]
    api.draft_clock = lambda: now[0]
    await bot.send_message_draft(CHAT, 7, "first words")
    now[0] += 25
    await bot.send_message_draft(CHAT, 7, "first words and more")  # renewed in time
    now[0] += 29
    assert api.draft_on_screen(CHAT) == "first words and more"
    await bot.send_message(CHAT, "first words and more, finished")
    assert (api.draft_on_screen(CHAT), api.lapsed_drafts(CHAT)) == (None, [])

    await bot.send_message_draft(CHAT, 8, "a second answer")
    now[0] += 31  # nothing renewed it: it went from the screen
    assert api.draft_on_screen(CHAT) is None
    await bot.send_message(CHAT, "the second answer")
    assert api.lapsed_drafts(CHAT) == ["a second answer"]


async def test_drafts_take_nothing_from_a_groups_message_budget(api: FakeBotApi, bot: Bot) -> None:
    for _ in range(25):  # each refused for the chat's kind, none for flooding
        with pytest.raises(BadRequest, match="Textdraft_peer_invalid"):
            await bot.send_message_draft(GROUP, 7, "being written")
    for number in range(20):
        await bot.send_message(GROUP, f"message {number}")

    assert api.texts(GROUP)[-1] == "message 19"
