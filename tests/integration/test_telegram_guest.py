"""Guest Mode end to end: someone replies "@bot" to a friend's voice note in a chat the bot is
not in, and the bot answers there once, as a guest, editing that answer into the transcript (or
the gist, a translation, an answer, a voice note); nothing goes to that chat by its id (real
python-telegram-bot, ffmpeg and SQLite or PostgreSQL, against the Bot API and MiMo stand-ins)."""

from __future__ import annotations

from typing import Any

import pytest

from bots.telegram.telegram_wording import text
from tests.integration.chatlog_db import query
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

CALLER, FRIEND = 7001, 7002
CHAT = FRIEND  # the caller's private chat with their friend, as the bot sees it
CACHE = -1007770001  # inline mode's storage chat
TRANSCRIPT = "heard 2.0 seconds"


def ask_as_guest(api: FakeBotApi, note: bytes, words: str = "") -> str:
    """The friend's voice note in their private chat with the caller, and the caller's reply
    to it mentioning the bot (followed by `words`)."""
    api.not_a_member(CHAT)
    recording = api.voice_message(chat_id=CHAT, user_id=FRIEND, data=note, duration=2)
    mention = f"@{api.bot_username} {words}".strip()
    return api.guest_query(chat_id=CHAT, user_id=CALLER, text=mention, reply_to=recording)


async def until_shown(api: FakeBotApi, query: str, condition: Any, what: str) -> str:
    await api.wait_until(lambda: condition(api.guest_text(query) or ""), what=what, timeout=30)
    return api.guest_text(query) or ""


def nothing_sent_to_the_chat(api: FakeBotApi) -> bool:
    return api.sent(chat_id=CHAT, include_rejected=True) == []


async def test_a_guest_reply_to_a_friends_voice_note_gets_its_transcript_in_place(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, short_ogg: bytes
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg)
        await until_shown(bot_api, query, lambda t: t == TRANSCRIPT, "the transcript")

    assert len(bot_api.sent("answerGuestQuery")) == 1
    [first] = bot_api.sent("answerGuestQuery")
    assert first.params["result"]["input_message_content"]["message_text"] == text(
        "guest.transcribing", "en"
    )
    assert nothing_sent_to_the_chat(bot_api)
    answer = bot_api.guest_answer(query)
    assert answer is not None and answer["guest_bot_caller_user"]["id"] == CALLER


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("tldr", lambda t: t.startswith("In short: gist of")),
        ("translate German", lambda t: t == "[German] heard 2.0 seconds"),
        ("ask who is coming?", lambda t: "a fake answer" in t),
    ],
)
async def test_guest_requests_choose_the_job(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    short_ogg: bytes,
    words: str,
    expected: Any,
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg, words)
        await until_shown(bot_api, query, expected, f"the answer to {words!r}")

    assert len(bot_api.sent("answerGuestQuery")) == 1
    assert nothing_sent_to_the_chat(bot_api)


async def test_guest_say_answers_with_a_voice_note_in_the_callers_voice(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg, "say See you at eight!")
        await bot_api.wait_until(lambda: bot_api.guest_answer(query) is not None, timeout=30)

    answer = bot_api.guest_answer(query)
    assert answer is not None
    [stored] = bot_api.sent("sendVoice", chat_id=CACHE)
    assert answer["voice"]["file_id"] == stored.result["voice"]["file_id"]
    [spoken] = mimo.calls("mimo-v2.5-tts")
    assert spoken["messages"][-1]["content"] == "See you at eight!"
    assert nothing_sent_to_the_chat(bot_api)


async def test_a_guest_request_over_the_callers_quota_gets_the_quota_line(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, daily_audio_seconds=1
    )
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg)
        shown = await until_shown(
            bot_api, query, lambda t: t not in ("", text("guest.transcribing", "en")), "a refusal"
        )

    assert "in a day" in shown and TRANSCRIPT not in shown
    assert "\n" not in shown.strip()  # one short line
    assert mimo.calls("mimo-v2.5-asr") == []
    assert nothing_sent_to_the_chat(bot_api)


async def test_a_long_transcript_is_cut_and_sent_whole_to_the_callers_own_chat(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    long_words = " ".join(["word"] * 1500)  # 7,500 characters
    mimo.asr_text = lambda seconds, body: long_words
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        bot_api.push(bot_api.text_message(chat_id=CALLER, user_id=CALLER, text="/start"))
        await bot_api.wait_for("sendMessage", chat_id=CALLER)
        query = ask_as_guest(bot_api, short_ogg)
        shown = await until_shown(
            bot_api, query, lambda t: t.endswith(text("guest.cut", "en")), "the cut transcript"
        )

    assert shown.startswith("word word") and len(shown) <= 4096
    [whole] = bot_api.sent("sendDocument", chat_id=CALLER)
    assert whole.files["document"].decode() == long_words
    assert nothing_sent_to_the_chat(bot_api)


async def answer_in_private(api: FakeBotApi, user: int, words: str) -> str:
    """`words` sent in `user`'s private chat with the bot; its answer."""
    before = len(api.sent("sendMessage", chat_id=user))
    api.push(api.text_message(chat_id=user, user_id=user, text=words))
    answers = await api.wait_for("sendMessage", chat_id=user, count=before + 1)
    return str(answers[-1].params["text"])


async def test_a_guest_query_is_the_callers_own_usage_language_and_voice(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    """The caller's quota pays for it, and it speaks the language and voice the caller chose in
    their own chat with the bot, not the chat it was asked in."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)
    bot_api.set_user_language(CALLER, None)  # the app says nothing: the chat's choice decides
    async with running(settings, bot_api):
        await answer_in_private(bot_api, CALLER, "/botlanguage de")
        await answer_in_private(bot_api, CALLER, "/voice Chloe")
        transcribed = ask_as_guest(bot_api, short_ogg)
        await until_shown(bot_api, transcribed, lambda t: t == TRANSCRIPT, "the transcript")
        said = ask_as_guest(bot_api, short_ogg, "say Bis gleich!")
        await bot_api.wait_until(lambda: bot_api.guest_answer(said) is not None, timeout=30)
        usage = await answer_in_private(bot_api, CALLER, "/usage")

    first = bot_api.sent("answerGuestQuery")[0]
    assert first.params["result"]["input_message_content"]["message_text"] == text(
        "guest.transcribing", "de"
    )
    [spoken] = mimo.calls("mimo-v2.5-tts")
    assert spoken["audio"]["voice"] == "Chloe"
    assert "Transkription: 2 Sek." in usage, usage
    assert nothing_sent_to_the_chat(bot_api)


async def test_a_guest_query_from_someone_off_the_allowlist_gets_the_refusal_line(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    """The allowlist names people and chats; a guest query is the caller's, wherever asked."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, allowed_users=f"telegram:{FRIEND}"
    )
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg)
        shown = await until_shown(bot_api, query, bool, "an answer")

    assert shown == text("limits.private", "en")
    assert mimo.calls("mimo-v2.5-asr") == []
    assert bot_api.downloads == []
    assert nothing_sent_to_the_chat(bot_api)


async def test_an_anonymous_administrators_guest_query_is_refused_in_one_line(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, short_ogg: bytes
) -> None:
    """In a group, an anonymous administrator comes as the group itself: nobody's own limits,
    language or private chat to answer for, so nothing is transcribed."""
    group = -1007770002
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        bot_api.not_a_member(group)
        recording = bot_api.voice_message(
            chat_id=group, user_id=FRIEND, data=short_ogg, chat_type="supergroup"
        )
        query = bot_api.guest_query(
            chat_id=group, user_id=CALLER, text=f"@{bot_api.bot_username}",
            reply_to=recording, chat_type="supergroup", anonymous=True,
        )  # fmt: skip
        shown = await until_shown(bot_api, query, lambda t: t != "", "the refusal")

    assert shown == (
        "Please send that from your own account, not as the group's anonymous administrator: "
        "I need to know which person is asking."
    )
    assert mimo.calls("mimo-v2.5-asr") == []


async def test_a_guest_transcript_is_kept_under_the_callers_own_chat_until_they_forget_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, short_ogg: bytes
) -> None:
    """The friend's voice note is transcribed for the caller: its transcript is kept (so the
    same recording is never paid for twice) under the caller's private chat with the bot, not
    the friend's chat, and `/forget` there deletes it."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, short_ogg)
        await until_shown(bot_api, query, lambda t: t == TRANSCRIPT, "the transcript")
        kept = await kept_under(database_url)
        bot_api.push(bot_api.text_message(chat_id=CALLER, user_id=CALLER, text="/forget"))
        await bot_api.wait_for("sendMessage", chat_id=CALLER)
        forgotten = await kept_under(database_url)

    assert kept == [("telegram", str(CALLER))]
    assert forgotten == []


async def kept_under(url: str) -> list[tuple[str, str]]:
    rows = await query(url, "SELECT platform, chat_id FROM recording_transcripts")
    return [(str(platform), str(chat)) for platform, chat in rows]
