"""Answers in a Telegram group that only the asker sees (Bot API 10.2/10.3 ephemeral messages),
tried as members of a group would: Bob asks privately (the menu's ephemeral commands) for
/find, /usage and a transcript of Ann's voice note; Carol for the settings, a voice she may not
choose and the sentence to read to clone her own. Each answer reaches its asker alone, and the
group's history holds none of them. On a Bot API server that answers as 10.0 does, the same
answers arrive in Bob's private chat with the bot, and the log says why, once."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bots.telegram.answers import ephemeral_delivery
from bots.telegram.answers.group_visibility import PRIVATE_COMMANDS
from bots.telegram.commands.menu import COMMANDS, MENU_LANGUAGES
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP = -1001777
ANN, BOB, CAROL = 31, 32, 33
SAID = {
    2: "Please send the invoice to Acme by Friday.",
    3: "The invoice for March is paid, remind me about April.",
}
OLD_SERVER = "older than Bot API 10.2"


@pytest_asyncio.fixture
async def old_api() -> AsyncIterator[FakeBotApi]:
    """A Bot API server that answers as 10.0 does (a pinned local server)."""
    async with FakeBotApi(bot_api_version="10.0") as api:
        yield api


def bots_messages(api: FakeBotApi, chat: int) -> list[dict[str, Any]]:
    return [m for m in api.history(chat) if m["from"]["id"] == api.bot_id]


async def transcribed_for_all(api: FakeBotApi, user: int, data: bytes) -> dict[str, Any]:
    """A voice note in the group, once the bot posted its transcript there for everyone (its
    reply that said "Transcribing…" became it)."""
    note = api.voice_message(chat_id=GROUP, user_id=user, data=data, chat_type="supergroup")
    api.push(note)

    def transcribed() -> bool:
        replies = api.replies_to(GROUP, int(note["message_id"]))
        return any(not str(reply.get("text")).endswith("…") for reply in replies)

    await api.wait_until(transcribed, what="a transcript")
    return note


async def ask_privately(
    api: FakeBotApi, user: int, command: str, *, reply_to: dict[str, Any] | None = None
) -> str:
    """`user` sends `command` as their app sends an ephemeral command; the bot's answer to them
    alone, once it came."""
    before = len(api.ephemeral_texts(GROUP, user))
    api.push(api.ephemeral_command(chat_id=GROUP, user_id=user, text=command, reply_to=reply_to))
    await api.wait_until(
        lambda: len(api.ephemeral_texts(GROUP, user)) > before, what=f"an answer to {command}"
    )
    return api.ephemeral_texts(GROUP, user)[-1]


async def test_each_private_question_is_answered_to_its_asker_alone(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        await transcribed_for_all(
            bot_api, ANN, notes[2]
        )  # transcribed for everyone, as the chat wants
        bot_api.set_member_status(GROUP, ANN, "administrator")
        bot_api.push(bot_api.text_message(
            chat_id=GROUP, user_id=ANN, text="/autotranscribe off", chat_type="supergroup"
        ))  # fmt: skip
        await bot_api.wait_until(lambda: len(bots_messages(bot_api, GROUP)) == 2)
        public = [m["text"] for m in bots_messages(bot_api, GROUP)]
        second = bot_api.voice_message(
            chat_id=GROUP, user_id=ANN, data=notes[3], chat_type="supergroup"
        )
        bot_api.push(second)  # not transcribed for the group any more

        found = await ask_privately(bot_api, BOB, "/find invoice")
        usage = await ask_privately(bot_api, BOB, "/usage")
        transcript = await ask_privately(bot_api, BOB, "/transcribe", reply_to=second)
        settings = await ask_privately(bot_api, CAROL, "/settings")
        refused = await ask_privately(bot_api, CAROL, "/voice Chloe")
        consent = await ask_privately(bot_api, CAROL, "/voice clone Carol")

    assert found.startswith("Where “invoice” was said")
    assert "send the <b>invoice</b> to Acme" in found
    assert "today" in usage.casefold()
    assert transcript.endswith(SAID[3])
    assert bot_api.ephemeral_texts(GROUP, BOB) == [found, usage, transcript]
    assert "auto-transcribe" in settings.casefold()
    assert "administrator" in refused
    assert "I am User33, and I agree that voicebridge may speak in my voice" in consent
    assert bot_api.ephemeral_texts(GROUP, CAROL) == [settings, refused, consent]
    assert bot_api.ephemeral_texts(GROUP, ANN) == []  # Ann sees none of it
    for sent in bot_api.ephemeral_sent(GROUP):  # each is for the one who asked
        assert sent["receiver_user"]["id"] in {BOB, CAROL}
    # The group's history: the two voice notes, the admin's command and its two answers; not
    # one of the private questions, nor an answer to them.
    assert [m["text"] for m in bots_messages(bot_api, GROUP)] == public
    assert not any(SAID[3] in text for text in bot_api.texts(GROUP))
    members = [m for m in bot_api.history(GROUP) if m["from"]["id"] != bot_api.bot_id]
    said = [m.get("text", "") for m in members]
    assert said == ["", "/autotranscribe off", ""]  # two voice notes and Ann's command


async def test_the_menu_declares_the_private_commands_ephemeral_in_every_language(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        menus = {code: bot_api.commands_for(code) for code in ["", *MENU_LANGUAGES]}

    for code, menu in menus.items():
        assert [c["command"] for c in menu] == list(COMMANDS), code
        private = {c["command"] for c in menu if c.get("is_ephemeral")}
        assert private == set(PRIVATE_COMMANDS), code
    assert {"say", "summary", "tldr", "digest"}.isdisjoint(PRIVATE_COMMANDS)


async def test_an_old_bot_api_server_gets_the_answers_in_the_askers_private_chat(
    old_api: FakeBotApi,
    hearing: FakeMimo,
    sqlite_url: str,
    notes: dict[int, bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bots.telegram.answers.ephemeral_api")
    api = old_api
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))  # Bob started it
        await api.wait_until(lambda: len(api.texts(BOB)) == 1)
        note = await transcribed_for_all(api, ANN, notes[2])
        public = api.texts(GROUP)
        for command in ("/find invoice", "/usage"):  # 10.0 has no ephemeral commands
            api.push(api.text_message(
                chat_id=GROUP, user_id=BOB, text=command, chat_type="supergroup"
            ))  # fmt: skip
        api.push(api.text_message(
            chat_id=GROUP, user_id=BOB, text="/transcribe", chat_type="supergroup", reply_to=note
        ))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(BOB)) == 4, what="three private answers")
        # Carol never started a private chat with the bot: hers comes in the group.
        api.push(api.text_message(
            chat_id=GROUP, user_id=CAROL, text="/usage", chat_type="supergroup"
        ))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(GROUP)) == len(public) + 1)

    heading = f"For you alone, from “Chat {GROUP}”:"
    answers = api.texts(BOB)[1:]  # updates are handled side by side: any order
    assert all(a.startswith(heading) for a in answers), answers
    found = [a for a in answers if a.startswith(f"{heading}\n\nWhere “invoice” was said")]
    usage = [a for a in answers if "used in this chat today" in a.casefold()]
    transcript = [a for a in answers if a.endswith(SAID[2])]
    assert len(found) == len(usage) == len(transcript) == 1, answers
    assert api.texts(GROUP)[:-1] == public  # none of Bob's answers in the group
    assert "today" in api.texts(GROUP)[-1].casefold()  # Carol's, as she cannot get it privately
    assert all("is_ephemeral" not in c for c in api.commands)  # the old server dropped the field
    told = [r.getMessage() for r in caplog.records if OLD_SERVER in r.getMessage()]
    assert len(told) == 1, told


async def test_buttons_of_a_private_page_answer_the_member_who_pressed_them(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    basic = -4242  # a basic group: no links to messages, so a moment's button replies to it
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        said = []
        for n in range(11):
            note = bot_api.voice_message(chat_id=basic, user_id=100 + n, data=notes[2],
                                         chat_type="group")  # fmt: skip
            bot_api.push(note)
            await bot_api.wait_until(  # its transcript, where "Transcribing…" was
                lambda: (
                    len(bot_api.texts(basic)) == len(said) + 1
                    and not any(text.endswith("…") for text in bot_api.texts(basic))
                )
            )
            said.append(note)
        public = bot_api.texts(basic)
        bot_api.push(bot_api.ephemeral_command(
            chat_id=basic, user_id=BOB, text="/find invoice", chat_type="group"
        ))  # fmt: skip
        await bot_api.wait_until(lambda: len(bot_api.ephemeral_sent(basic)) == 1)
        [page] = bot_api.ephemeral_sent(basic)
        labels = {b["text"]: b["callback_data"] for row in page["reply_markup"]["inline_keyboard"]
                  for b in row}  # fmt: skip
        assert labels["Next ›"] == "find:p:1:invoice"  # the words: the page may not name /find
        press_button(bot_api, BOB, page, labels["Next ›"])
        await bot_api.wait_until(lambda: "(11–11;" in bot_api.ephemeral_texts(basic, BOB)[0])
        press_button(bot_api, BOB, page, labels["↩ 1"])
        await bot_api.wait_until(lambda: len(bot_api.ephemeral_sent(basic)) == 2)

    first, shown = bot_api.ephemeral_sent(basic)
    assert first["receiver_user"]["id"] == shown["receiver_user"]["id"] == BOB
    assert shown["text"] == "Here, 0:00 into this recording."
    assert shown["reply_to_message"]["message_id"] in {n["message_id"] for n in said}
    assert bot_api.texts(basic) == public  # the group saw no page, no page changed, no moment


def press_button(api: FakeBotApi, user: int, message: dict[str, Any], data: str) -> None:
    api.push_update({"callback_query": {
        "id": f"{user}-{data}", "from": {"id": user, "is_bot": False, "first_name": "Bob"},
        "chat_instance": "1", "message": message, "data": data,
    }})  # fmt: skip


async def test_an_answer_too_late_to_be_ephemeral_goes_to_the_askers_private_chat(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    shift = [0.0]
    real = bot_api.ephemeral_clock
    bot_api.ephemeral_clock = lambda: real() + shift[0]
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        bot_api.push(bot_api.text_message(chat_id=BOB, user_id=BOB, text="/start"))
        await bot_api.wait_until(lambda: len(bot_api.texts(BOB)) == 1)
        await transcribed_for_all(bot_api, ANN, notes[2])
        public = bot_api.texts(GROUP)
        released = bot_api.hold("sendMessage")
        bot_api.push(bot_api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage"))
        await bot_api.wait_until(lambda: "sendMessage" in bot_api.waiting, what="the answer")
        shift[0] = 16.0  # the bot was slow: Telegram's 15 seconds to answer are over
        released.set()
        await bot_api.wait_until(lambda: len(bot_api.texts(BOB)) == 2, what="a private answer")

    [refused] = [c for c in bot_api.sent("sendMessage", include_rejected=True) if not c.ok]
    assert refused.error == "Bad Request: BOT_NOT_ADMIN"  # the real server's words
    assert bot_api.texts(BOB)[1].startswith(f"For you alone, from “Chat {GROUP}”:")
    assert "today" in bot_api.texts(BOB)[1].casefold()
    assert bot_api.texts(GROUP) == public and bot_api.ephemeral_texts(GROUP, BOB) == []


async def test_an_answer_too_late_for_a_member_without_a_private_chat_never_reaches_the_group(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str
) -> None:
    """Carol never started a private chat with the bot. Her /usage, asked privately, is answered
    too late for Telegram to take it as ephemeral, and her private chat refuses it too (a bot
    cannot start one): the answer is lost, and the group sees nothing of it (a stop waits for
    the handling of every update it had)."""
    shift = [0.0]
    real = bot_api.ephemeral_clock
    bot_api.ephemeral_clock = lambda: real() + shift[0]
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        released = bot_api.hold("sendMessage")
        bot_api.push(bot_api.ephemeral_command(chat_id=GROUP, user_id=CAROL, text="/usage"))
        await bot_api.wait_until(lambda: "sendMessage" in bot_api.waiting, what="the answer")
        shift[0] = 16.0  # the bot was slow: Telegram's 15 seconds to answer are over
        released.set()
        await bot_api.wait_until(lambda: refused_in(bot_api, CAROL), what="her chat's refusal")

    assert "can't initiate conversation" in (refused_in(bot_api, CAROL)[0].error or "")
    assert bot_api.texts(GROUP) == [] and bots_messages(bot_api, GROUP) == []
    assert bot_api.ephemeral_texts(GROUP, CAROL) == [] and bot_api.texts(CAROL) == []


def refused_in(api: FakeBotApi, chat: int) -> list[Any]:
    """The bot's messages to `chat` that Telegram refused."""
    sent = api.sent("sendMessage", include_rejected=True)
    return [c for c in sent if not c.ok and int(c.params["chat_id"]) == chat]


async def test_a_bot_that_is_no_administrator_answers_privately_only_what_was_asked_so(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str
) -> None:
    """The bot does not administer the group, so Telegram lets it send a message for one
    member alone only in answer to that member's ephemeral command, within 15 seconds. Bob's
    /usage chosen from the menu is answered to him alone; the same typed openly is answered
    openly, as a typed command is; the bot never tries a private message Telegram refuses."""
    asked = {"chat_id": GROUP, "user_id": BOB, "chat_type": "supergroup"}
    async with running(settings_for(bot_api=bot_api, mimo=hearing, database_url=sqlite_url),
                       bot_api):  # fmt: skip
        privately = await ask_privately(bot_api, BOB, "/usage")
        bot_api.push(bot_api.text_message(text="/usage", **asked))
        await bot_api.wait_until(lambda: bot_api.texts(GROUP), what="/usage typed openly")

    assert "today" in privately.casefold()
    assert bot_api.ephemeral_texts(GROUP, BOB) == [privately]
    [openly] = bot_api.texts(GROUP)
    assert "today" in openly.casefold()
    assert [c for c in bot_api.sent("sendMessage", include_rejected=True) if not c.ok] == []


async def test_made_an_administrator_the_bot_answers_typed_commands_privately_at_once(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A command typed openly (not chosen from the menu) is answered privately only by a bot
    that administers the group. Telegram tells the bot when Ann makes it one
    (`my_chat_member`): Bob's next /usage is his alone, and the bot asked its rights once in
    all, not once a command, nor stayed on what it learnt before the promotion."""
    caplog.set_level(logging.DEBUG, logger="bots.telegram.answers.ephemeral_api")
    api = bot_api
    asked = {"chat_id": GROUP, "user_id": BOB, "chat_type": "supergroup"}
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        api.push(api.text_message(text="/usage", **asked))
        await api.wait_until(lambda: len(api.texts(GROUP)) == 1, what="/usage, openly")
        api.set_member_status(GROUP, api.bot_id, "administrator", by=ANN)
        await api.wait_until(lambda: "rights in" in caplog.text, what="the promotion told")
        for _ in range(3):
            api.push(api.text_message(text="/usage", **asked))
        await api.wait_until(lambda: len(api.ephemeral_texts(GROUP, BOB)) == 3)

    assert len(api.texts(GROUP)) == 1  # the one before the promotion
    own = [c for c in api.sent("getChatMember") if int(c.params["user_id"]) == api.bot_id]
    assert len(own) == 1


async def untranscribed_note(api: FakeBotApi, data: bytes) -> dict[str, Any]:
    """Ann's voice note in a group where Ann, an administrator, turned auto-transcribe off."""
    api.set_member_status(GROUP, ANN, "administrator")
    api.push(api.text_message(
        chat_id=GROUP, user_id=ANN, text="/autotranscribe off", chat_type="supergroup"
    ))  # fmt: skip
    await api.wait_until(lambda: len(api.texts(GROUP)) == 1, what="auto-transcribe off")
    recording = api.voice_message(chat_id=GROUP, user_id=ANN, data=data, chat_type="supergroup")
    api.push(recording)
    return recording


# About 2,000 characters: more than the 1,024 an ephemeral edit takes (PLATFORMS.md).
LONG = " ".join(f"Point {n}: the invoice for client {n} is due on Friday." for n in range(1, 40))


async def test_a_private_transcript_longer_than_an_edit_takes_reaches_its_asker_whole(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Bob asks privately for the transcript of Ann's voice note, whose words run to about
    2,000 characters. The real server refuses an ephemeral edit over 1,024 characters
    (MEDIA_CAPTION_TOO_LONG), though a message takes 4,096: the status shown while MiMo
    hears the note becomes the transcript's beginning, and the rest follows in a message of
    its own. Bob reads every word; Telegram refused nothing; nobody else saw any of it."""
    assert 1900 < len(LONG) < 2100
    mimo.asr_text = lambda duration, body: LONG
    mimo.asr_stream_hold = asyncio.Event()  # MiMo's first words, then a wait
    note = make_audio(tmp_path, fmt="ogg", seconds=4).read_bytes()
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        recording = await untranscribed_note(api, note)
        public = api.texts(GROUP)
        api.push(api.ephemeral_command(
            chat_id=GROUP, user_id=BOB, text="/transcribe", reply_to=recording
        ))  # fmt: skip
        await api.wait_until(lambda: api.ephemeral_texts(GROUP, BOB), what="the status")
        mimo.asr_stream_hold.set()
        await api.wait_until(
            lambda: " ".join(api.ephemeral_texts(GROUP, BOB)).endswith(
                "client 39 is due on Friday."
            ),
            what="the whole transcript",
        )

    shown = api.ephemeral_texts(GROUP, BOB)
    assert " ".join(shown) == LONG and len(shown) == 2, shown
    assert refused_calls(api) == []
    edits = api.sent("editEphemeralMessageText")
    assert edits and all(len(c.params["text"]) <= 1024 for c in edits)
    assert api.texts(GROUP) == public and api.texts(BOB) == []  # not the group, nor elsewhere
    assert api.ephemeral_texts(GROUP, ANN) == api.ephemeral_texts(GROUP, CAROL) == []
    assert {m["receiver_user"]["id"] for m in api.ephemeral_sent(GROUP)} == {BOB}


async def test_an_ephemeral_id_given_to_a_newer_answer_is_never_edited_for_the_older(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    """Bob's private /transcribe shows its status while MiMo hears the note; Bob's app
    restarts and drops it, and Telegram gives its ephemeral id to the bot's next message to
    him, the answer to his /usage. When the transcript is ready, the bot does not edit that id
    (it would turn Bob's /usage into the transcript): the transcript comes as a message of its
    own, and the /usage answer stays as it was."""
    api = bot_api
    hearing.asr_stream_hold = asyncio.Event()  # MiMo's first words, then a wait
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        recording = await untranscribed_note(api, notes[3])
        api.push(api.ephemeral_command(
            chat_id=GROUP, user_id=BOB, text="/transcribe", reply_to=recording
        ))  # fmt: skip
        await api.wait_until(lambda: api.ephemeral_texts(GROUP, BOB), what="the status")
        [status] = api.ephemeral_sent(GROUP)
        api.expire_ephemeral(GROUP, BOB)  # Bob's app restarted
        usage = await ask_privately(api, BOB, "/usage")
        [answer] = api.ephemeral_sent(GROUP)
        assert answer["ephemeral_message_id"] == status["ephemeral_message_id"]  # reused
        hearing.asr_stream_hold.set()
        await api.wait_until(lambda: len(api.ephemeral_texts(GROUP, BOB)) == 2)

    assert api.ephemeral_texts(GROUP, BOB) == [usage, SAID[3]]
    assert "today" in usage.casefold()
    edits = api.sent("editEphemeralMessageText", include_rejected=True)
    assert all(c.params["ephemeral_message_id"] != status["ephemeral_message_id"] for c in edits)
    assert refused_calls(api) == []
    assert all(c.params.get("message_id") != 0 for c in api.calls)  # 0 names no message


async def test_a_private_transcript_whose_status_vanished_comes_anew(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    """Telegram does not promise an ephemeral message stays: Bob's app restarts while MiMo
    hears the note, and the status the transcript was to become is gone ("message to edit not
    found", the one refusal the bot could not foresee). The transcript comes as a new
    message: Bob reads it all the same."""
    hearing.asr_stream_hold = asyncio.Event()
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        recording = await untranscribed_note(api, notes[3])
        api.push(api.ephemeral_command(
            chat_id=GROUP, user_id=BOB, text="/transcribe", reply_to=recording
        ))  # fmt: skip
        await api.wait_until(lambda: api.ephemeral_texts(GROUP, BOB), what="the status")
        api.expire_ephemeral(GROUP, BOB)
        hearing.asr_stream_hold.set()
        await api.wait_until(lambda: api.ephemeral_texts(GROUP, BOB), what="the transcript")

    assert api.ephemeral_texts(GROUP, BOB) == [SAID[3]]
    assert [error for _, error in refused_calls(api)] == ["Bad Request: message to edit not found"]
    assert api.texts(BOB) == [] and api.ephemeral_texts(GROUP, ANN) == []


async def test_a_private_answer_a_member_missed_offline_comes_again_when_asked_again(
    bot_api: FakeBotApi, hearing: FakeMimo, sqlite_url: str
) -> None:
    """Telegram does not promise to deliver an ephemeral message ("especially if the user is
    offline") and tells the bot nothing when it does not: Bob's app went offline as he asked
    for /usage, and the answer never reached him. The bot takes nothing for delivered: asked
    again, it answers again."""
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        api.offline.add(BOB)
        api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage"))
        await api.wait_until(lambda: api.sent("sendMessage"), what="the answer Bob misses")
        assert api.ephemeral_texts(GROUP, BOB) == []
        api.offline.discard(BOB)
        usage = await ask_privately(api, BOB, "/usage")

    assert "today" in usage.casefold() and api.ephemeral_texts(GROUP, BOB) == [usage]
    assert len(api.ephemeral_sent(GROUP)) == 2 and api.texts(GROUP) == []
    assert refused_calls(api) == []


async def test_past_its_15_seconds_the_bot_answers_privately_without_a_refusal(
    bot_api: FakeBotApi,
    hearing: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bot that administers nothing may answer a member's ephemeral command ephemerally
    within 15 seconds; later Telegram refuses it (BOT_NOT_ADMIN). The bot keeps the time
    itself and, once they are over, answers in the member's private chat straight away, as
    who-sees-what says, without a refused call; made an administrator, it answers
    ephemerally again. (Here every answer is late: the margin the bot leaves itself is the
    whole 15 seconds.)"""
    monkeypatch.setattr(
        ephemeral_delivery, "WINDOW_MARGIN_SECONDS", ephemeral_delivery.WINDOW_SECONDS
    )
    caplog.set_level(logging.DEBUG, logger="bots.telegram.answers.ephemeral_api")
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=hearing, database_url=sqlite_url), api):
        api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))
        await api.wait_until(lambda: len(api.texts(BOB)) == 1)
        api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage"))
        await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="a private answer")
        api.set_member_status(GROUP, api.bot_id, "administrator", by=ANN)
        await api.wait_until(lambda: "rights in" in caplog.text, what="the promotion told")
        usage = await ask_privately(api, BOB, "/usage")

    assert api.texts(BOB)[1].startswith(f"For you alone, from “Chat {GROUP}”:")
    assert "today" in api.texts(BOB)[1].casefold() and "today" in usage.casefold()
    assert api.ephemeral_texts(GROUP, BOB) == [usage] and api.texts(GROUP) == []
    assert refused_calls(api) == []


async def test_a_private_page_too_long_for_an_edit_comes_whole_with_its_buttons(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Bob's private /find has two pages; the first runs past the 1,024 characters the real
    server takes in an ephemeral edit. Shown again after the second page, the first comes
    whole as a new message with its buttons under it, the one the buttons were on deleted:
    Bob reads one page, all of it, and Telegram refused nothing."""
    said = (
        "In the meeting we agreed that the invoice for the new office furniture goes to Acme "
        "by Friday, and that Dana checks the delivery dates with the supplier first."
    )
    mimo.asr_text = lambda duration, body: said
    note = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    api = bot_api
    # Eleven transcripts, each a reply and its edit, spend more than a group's twenty requests
    # a minute: the bot waits for room for the rest, which is not what this test is about.
    api.group_messages_per_minute = None
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        for n in range(11):
            await transcribed_for_all(api, 100 + n, note)
        api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/find invoice"))
        await api.wait_until(lambda: len(api.ephemeral_sent(GROUP)) == 1, what="the first page")
        [first] = api.ephemeral_sent(GROUP)
        press_button(api, BOB, first, button_data(first)["Next ›"])
        await api.wait_until(lambda: "(11–11;" in api.ephemeral_texts(GROUP, BOB)[0])
        [second] = api.ephemeral_sent(GROUP)
        press_button(api, BOB, second, button_data(second)["‹ Previous"])
        await api.wait_until(lambda: "(1–10;" in api.ephemeral_texts(GROUP, BOB)[0])

    assert len(re.sub(r"<[^>]*>", "", first["text"])) > 1024  # more than an edit takes
    [again] = api.ephemeral_sent(GROUP)  # the first page shown again, alone on Bob's screen
    assert again["text"] == first["text"] and button_data(again) == button_data(first)
    assert again["ephemeral_message_id"] != first["ephemeral_message_id"]
    assert refused_calls(api) == []
    assert api.ephemeral_texts(GROUP, ANN) == [] and not any("Where" in t for t in api.texts(GROUP))


def refused_calls(api: FakeBotApi) -> list[tuple[str, str | None]]:
    """The bot's calls Telegram refused, but for a long poll cut short by the next one and
    the bot's one question whether the server has ephemeral messages (a deletion of nothing,
    `ephemeral_api.supported`), which no member notices."""
    return [
        (c.method, c.error)
        for c in api.calls
        if not c.ok
        and c.method != "getUpdates"
        and not (c.method == "deleteEphemeralMessage" and c.params.get("chat_id") == 0)
    ]


def button_data(message: dict[str, Any]) -> dict[str, str]:
    """A message's buttons: label to callback data."""
    rows = message["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}
