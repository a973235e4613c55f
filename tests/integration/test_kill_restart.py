"""Killing the bot mid-work and starting it again loses no preference and no stored message,
and the work it was doing is finished: the voice note transcribed by the next start (or by
another replica once the dead one's lease lapses); what cannot be redone is reported once.

The real `voicebridge run` in a subprocess, configured by environment alone, against the
stand-ins, on a real SQLite file and on PostgreSQL; SIGKILL, so nothing gets to clean up.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from bots.discord.discord_wording import text
from core.infra.storage import create_engine
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import settled_claims, until_logged
from tests.scenarios.processes import (
    discord_environment,
    identified,
    operator_environment,
    voicebridge_run,
)
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, heard_whole
from tests.standins.telegram_api import FakeBotApi

USER = 4242
GROUP = -1004242
ALICE, BOB = 5001, 5002
SAID_IN_GROUP = [
    (ALICE, "Shall we move the launch to Friday?"),
    (BOB, "Friday works, I will tell the designers."),
    (ALICE, "Great, then the demo is on Thursday."),
]
HELD_SECONDS = 10  # MiMo sits on the transcription this long: the kill comes long before
TRANSCRIPT = "heard 2.0 seconds"
# A long note's reply while MiMo holds its third piece: the first two pieces' words, then how far.
TWO_PIECES_HEARD = re.compile(
    r"(?P<words>heard \d+\.\d seconds heard \d+\.\d seconds)\n\n0:\d\d of 0:35 transcribed…"
)
INTERRUPTED = text("work.interrupted", "en")


async def test_killed_mid_work_the_bot_keeps_everything_and_finishes_each_request(
    tmp_path: Path, database_url: str
) -> None:
    """Killed while MiMo works on a transcript, a /say and a /summary: the next start finishes
    all three, one answer each, with no word from the user, and nothing stored is lost."""
    voice_note = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = telegram_environment(bot_api, mimo, database_url)
        async with voicebridge_run(tmp_path, env, "first", published(bot_api)) as first:
            await answer_to_command(bot_api, USER, "/voice Chloe")
            for author, words in SAID_IN_GROUP:
                bot_api.push(group_text(bot_api, author, words))
            await until_logged(database_url, GROUP, len(SAID_IN_GROUP), timeout=60)
            mimo.delay = HELD_SECONDS
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_note)
            bot_api.push(note)
            bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say Good night."))
            bot_api.push(
                bot_api.text_message(
                    chat_id=GROUP, user_id=ALICE, text="/summary", chat_type="supergroup"
                )
            )
            for model in ("mimo-v2.5-asr", "mimo-v2.5-tts"):
                await mimo_received(mimo, model)
            await mimo_asked(mimo)
            first.kill()
            await first.wait()
        mimo.delay = 0

        async with voicebridge_run(tmp_path, env, "second", published(bot_api)):
            await bot_api.wait_until(
                lambda: TRANSCRIPT in bot_api.texts(USER), timeout=60, what="the transcript"
            )
            await bot_api.wait_for("sendVoice", chat_id=USER, timeout=60)
            await bot_api.wait_until(
                lambda: any("a fake answer" in t for t in bot_api.texts(GROUP)),
                timeout=60,
                what="the summary",
            )
            overview = await answer_to_command(bot_api, USER, "/settings")
        async with voicebridge_run(tmp_path, env, "third", published(bot_api)):
            await answer_to_command(bot_api, USER, "/help")  # it has looked for leftovers by now

    assert bot_api.texts(USER).count(TRANSCRIPT) == 1
    assert not [text for text in bot_api.texts(USER) if text == INTERRUPTED]
    [answer] = [
        c for c in bot_api.sent("sendMessage", chat_id=USER) if "reply_parameters" in c.params
    ]
    assert answer.params["reply_parameters"]["message_id"] == note["message_id"]
    assert len(mimo.calls("mimo-v2.5-asr")) == 2  # the killed request, and the one redone
    assert len(bot_api.sent("sendVoice", chat_id=USER)) == 1
    assert len(mimo.calls("mimo-v2.5-tts")) == 2
    assert len([t for t in bot_api.texts(GROUP) if "a fake answer" in t]) == 1
    assert INTERRUPTED not in bot_api.texts(GROUP)
    assert "Voice: Chloe" in overview
    asked = [body for body in mimo.requests if body.get("model") == "mimo-v2.6-flash"]
    assert len(asked) == 2
    prompt = json.dumps(asked[-1]["messages"], ensure_ascii=False)
    assert all(words in prompt for _, words in SAID_IN_GROUP)


async def test_killed_mid_recording_the_pieces_mimo_had_answered_are_not_paid_again(
    tmp_path: Path, database_url: str
) -> None:
    """A long note in pieces: MiMo answered two, then the bot was killed waiting for the third.
    The next start sends MiMo only the pieces it had not answered, and the transcript is whole."""
    long_note = make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = telegram_environment(bot_api, mimo, database_url) | {
            "ASR_PIECE_SECONDS": "10", "ASR_CONCURRENCY": "1",
        }  # fmt: skip
        async with voicebridge_run(tmp_path, env, "first", published(bot_api)) as first:
            mimo.hold_after(2)
            bot_api.push(
                bot_api.voice_message(chat_id=USER, user_id=USER, data=long_note, duration=35)
            )
            for _ in range(6000):
                if len(mimo.calls("mimo-v2.5-asr")) == 3:
                    break
                await asyncio.sleep(0.01)
            first.kill()
            await first.wait()
        mimo.hold_after(None)

        async with voicebridge_run(tmp_path, env, "second", published(bot_api)):
            await bot_api.wait_until(
                lambda: any(heard_whole(t) for t in bot_api.texts(USER)),
                timeout=60,
                what="the transcript",
            )

    [transcript] = [t for t in bot_api.texts(USER) if heard_whole(t)]
    pieces = [float(s) for s in re.findall(r"heard (\d+\.\d) seconds", transcript)]
    assert len(pieces) >= 4 and sum(pieces) == pytest.approx(35, abs=0.5)
    # Three before the kill (two answered, one cut off), then only the pieces never answered.
    assert len(mimo.calls("mimo-v2.5-asr")) == 3 + len(pieces) - 2


@pytest.mark.parametrize("chat_type", ["private", "supergroup"])
async def test_a_long_notes_words_show_as_heard_and_its_transcript_comes_once_across_a_kill(
    tmp_path: Path, database_url: str, chat_type: str
) -> None:
    """A long note in pieces, in a private chat and in a group: the reply shows the first
    pieces' words while MiMo holds the rest; killed then, the next start finishes the work in
    that same reply, and the chat reads the transcript once."""
    long_note = make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()
    chat = USER if chat_type == "private" else GROUP
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = telegram_environment(bot_api, mimo, database_url) | {
            "ASR_PIECE_SECONDS": "10", "ASR_CONCURRENCY": "1",
        }  # fmt: skip
        async with voicebridge_run(tmp_path, env, "first", published(bot_api)) as first:
            mimo.hold_after(2)
            note = bot_api.voice_message(
                chat_id=chat, user_id=USER, data=long_note, duration=35, chat_type=chat_type
            )
            bot_api.push(note)
            await bot_api.wait_until(
                lambda: TWO_PIECES_HEARD.fullmatch(" ".join(bot_api.texts(chat))) is not None,
                timeout=60,
                what="the first two pieces' words",
            )
            [words_shown] = bot_api.texts(chat)
            first.kill()
            await first.wait()
        mimo.hold_after(None)

        async with voicebridge_run(tmp_path, env, "second", published(bot_api)):
            await bot_api.wait_until(
                lambda: any(not t.endswith("…") for t in bot_api.texts(chat)),
                timeout=60,
                what="the transcript",
            )

    [transcript] = bot_api.texts(chat)  # one message: the reply, edited into the transcript
    [reply] = bot_api.replies_to(chat, note["message_id"])
    assert reply["text"] == transcript
    [status] = bot_api.sent("sendMessage", chat_id=chat)  # "Transcribing…", sent once
    assert status.result["message_id"] == reply["message_id"]
    shown = TWO_PIECES_HEARD.fullmatch(words_shown)
    assert shown is not None and transcript.startswith(shown["words"])  # the transcript's start
    pieces = [float(s) for s in re.findall(r"heard (\d+\.\d) seconds", transcript)]
    assert len(pieces) >= 4 and sum(pieces) == pytest.approx(35, abs=0.5)


async def test_group_messages_telegram_handed_over_survive_a_kill(
    tmp_path: Path, database_url: str
) -> None:
    """Telegram forgets an update once the bot's next poll confirms it. With the database held
    locked, nothing can be stored: the bot must not confirm what it fetched, so the group's
    lines killed with the process come again to the next start and are kept for /summary."""
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = telegram_environment(bot_api, mimo, database_url)
        first_start = voicebridge_run(
            tmp_path, env | {"LOG_LEVEL": "DEBUG"}, "first", published(bot_api)
        )
        async with first_start as first, database_locked(database_url):
            pushed = [bot_api.push(group_text(bot_api, *said)) for said in SAID_IN_GROUP]
            await bot_api.wait_until(
                lambda: set(pushed) <= set(bot_api.served), timeout=30, what="the fetch"
            )
            # The poller hands what it fetched to storage first, and waits there: it must not
            # have polled again, which would have confirmed the updates to Telegram.
            await until_in_log(
                tmp_path / "first.log", "claiming Claim(platform='telegram'", count=1
            )
            offsets = [call.params.get("offset", 0) for call in bot_api.sent("getUpdates")]
            assert max(offsets) <= min(pushed)
            first.kill()
            await first.wait()

        async with voicebridge_run(tmp_path, env, "second", published(bot_api)):
            await until_logged(database_url, GROUP, len(SAID_IN_GROUP), timeout=60)
            summary = await answer_to_command(bot_api, GROUP, "/summary", user_id=ALICE)

    assert "a fake answer" in summary
    [asked] = [body for body in mimo.requests if body.get("model") == "mimo-v2.6-flash"]
    prompt = json.dumps(asked["messages"], ensure_ascii=False)
    assert all(prompt.count(words) == 1 for _, words in SAID_IN_GROUP)


async def test_a_guest_answer_killed_mid_transcription_is_finished_in_place_by_the_next_start(
    tmp_path: Path, database_url: str
) -> None:
    """Guest Mode: the answer ("Transcribing…") was posted, then the bot was killed while MiMo
    worked. The next start edits that same message into the transcript: no second answer (the
    query could not be answered twice anyway), and nothing sent to the chat by its id."""
    voice_note = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        env = telegram_environment(bot_api, mimo, database_url)
        friend = USER + 1  # the caller's private chat with a friend: the bot is not in it
        bot_api.not_a_member(friend)
        async with voicebridge_run(tmp_path, env, "first", published(bot_api)) as first:
            mimo.delay = HELD_SECONDS
            note = bot_api.voice_message(chat_id=friend, user_id=friend, data=voice_note)
            query = bot_api.guest_query(
                chat_id=friend, user_id=USER, text=f"@{bot_api.bot_username}", reply_to=note
            )
            await bot_api.wait_for("answerGuestQuery", timeout=60)
            await mimo_received(mimo, "mimo-v2.5-asr")
            first.kill()
            await first.wait()
        mimo.delay = 0

        async with voicebridge_run(tmp_path, env, "second", published(bot_api)):
            await bot_api.wait_until(
                lambda: bot_api.guest_text(query) == TRANSCRIPT, timeout=60, what="the transcript"
            )

    assert len(bot_api.sent("answerGuestQuery", include_rejected=True)) == 1
    assert bot_api.sent(chat_id=friend, include_rejected=True) == []
    assert len(mimo.calls("mimo-v2.5-asr")) == 2  # the killed request, and the one redone


@asynccontextmanager
async def database_locked(url: str) -> AsyncIterator[None]:
    """No other connection can write to the bot's tables until the block ends."""
    if url.startswith("sqlite"):
        database = sqlite3.connect(url.split(":///", 1)[1], isolation_level=None)
        try:
            database.execute("BEGIN IMMEDIATE")  # SQLite's one write lock, held
            yield
            database.execute("ROLLBACK")
        finally:
            database.close()
        return
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = "processed_updates, chat_messages"
            await connection.execute(sql(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
            yield
            await connection.rollback()
    finally:
        await engine.dispose()


async def test_killed_mid_work_discord_finishes_the_voice_message_the_command_and_the_modal(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A voice message being transcribed when `voicebridge run` is killed is fetched again and
    transcribed by the next start; a /say and an "Ask about this audio" question, whose
    "thinking…" placeholders outlived the process, are run again and fill them: one answer
    each, nothing asked twice of the user."""
    alice = discord_api.add_member(server, "alice")
    # Bob's voice message: automatic transcripts count against their sender's minute, and
    # Alice's, with the work redone after the kill, would go past it.
    bob = discord_api.add_member(server, "bob")
    voice = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    env = discord_environment(discord_api, mimo, database_url)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        recording = discord_api.attachment(voice, filename="memo.ogg", content_type="audio/ogg")
        memo = await discord_api.post_message(
            server.general, alice, "the call", attachments=[recording]
        )
        opened = await discord_api.message_command(
            server.general, alice, "Ask about this audio", memo
        )
        await opened.wait_for_callback(timeout=60)
        mimo.delay = HELD_SECONDS
        note = await discord_api.post_voice_message(server.general, bob, voice, duration=2)
        said = await discord_api.slash(server.random, alice, "say", text="Hello from the tests.")
        asked = await discord_api.submit_modal(opened, "Who speaks first?")
        for model in ("mimo-v2.5-asr", "mimo-v2.5-tts"):
            await mimo_received(mimo, model)
        await mimo_asked(mimo)
        for words in ("Shall we ship on Friday?", "Friday works."):
            await discord_api.post_message(server.random, alice, words)
        summarised = await discord_api.slash(server.random, alice, "summary")
        await mimo_asked(mimo, count=2)
        first.kill()
        await first.wait()
    mimo.delay = 0

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await discord_api.wait_until(
            lambda: TRANSCRIPT in discord_api.contents(server.general), timeout=60, what="it"
        )
        spoken = await said.wait_for_messages(2, timeout=60)
        [answer] = await asked.wait_for_messages(timeout=60)
        [summary] = await summarised.wait_for_messages(timeout=60)
    async with voicebridge_run(tmp_path, env, "third", identified(discord_api)):
        pass  # a third start finds nothing left to do

    transcripts = [m for m in discord_api.messages_in(server.general) if m.content == TRANSCRIPT]
    [transcript] = transcripts
    assert transcript.reply_to == int(note["id"])
    assert transcript.allowed_mentions == {"parse": [], "replied_user": False}
    assert len(mimo.calls("mimo-v2.5-asr")) == 2  # the killed request, and the one redone
    # /say: its placeholder filled, then one voice message, in the interaction Alice saw.
    assert [m.is_voice_message for m in spoken] == [False, True]
    assert len(mimo.calls("mimo-v2.5-tts")) == 2
    assert answer.content == "a fake answer"
    asked_mimo = [
        json.dumps(body["messages"], ensure_ascii=False)
        for body in mimo.requests
        if body.get("model") == "mimo-v2.6-flash"
    ]
    assert len(asked_mimo) == 4  # the killed question and summary, and the two redone
    assert sum("Who speaks first?" in prompt for prompt in asked_mimo) == 2
    assert sum("Shall we ship on Friday?" in prompt for prompt in asked_mimo) == 2
    assert "a fake answer" in summary.content
    interrupted = [text("discord.work.interrupted", "en", user=f"<@{alice}>"), INTERRUPTED]
    everything = discord_api.contents(server.general) + discord_api.contents(server.random)
    assert not [line for line in everything if line in interrupted]


async def test_killed_mid_gist_a_click_on_the_gist_button_is_answered_by_the_next_start(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A click on the Gist button whose gist was being made when the process was killed is
    claimed like a command: the next start runs it again and fills the "thinking…" placeholder
    the clicker is looking at, once, from the kept transcript."""
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    long_note = make_audio(tmp_path, fmt="ogg", seconds=61).read_bytes()
    env = discord_environment(discord_api, mimo, database_url)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await discord_api.post_voice_message(server.general, bob, long_note, duration=61)
        [transcript] = await discord_api.wait_for_messages(server.general, timeout=60)
        await discord_api.wait_until(lambda: transcript.buttons, timeout=60, what="the button")
        await settled_claims(database_url)  # the voice message's: the kill cuts off the click
        heard = len(mimo.calls("mimo-v2.5-asr"))
        mimo.delay = HELD_SECONDS
        clicked = await discord_api.click(transcript, alice)
        await mimo_asked(mimo)
        first.kill()
        await first.wait()
    mimo.delay = 0

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        [card, timed] = await clicked.wait_for_messages(2, timeout=60)

    assert card.content.startswith("In short: gist of") and card.interaction_id == clicked.id
    assert [f.filename for f in timed.attachments] == ["transcript.txt"]
    assert len(mimo.calls("mimo-v2.5-asr")) == heard  # the transcript, kept
    asked = sum(body.get("model") == "mimo-v2.6-flash" for body in mimo.requests)
    assert asked == 2  # killed, redone
    assert len(clicked.visible) == 2


async def test_killed_mid_translation_a_click_on_speak_is_answered_by_the_next_start(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A click on the Speak button under Apps → Translate's answer, killed while its
    translation was being made, is redone by the next start: a voice message after the line
    filling the placeholder the clicker sees, once, from the kept transcript."""
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    env = discord_environment(discord_api, mimo, database_url)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        note = await discord_api.post_voice_message(server.general, bob, note_ogg, duration=3)
        await discord_api.wait_for_messages(server.general, timeout=60)  # its transcript
        menu = await discord_api.message_command(server.general, alice, "Translate", note)
        [translation] = await menu.wait_for_messages(timeout=60)
        # The menu's claim is finished just after its answer: settled, the kill cuts off the
        # click alone (a kill before it would redo the menu too, as promised).
        await settled_claims(database_url)
        heard = len(mimo.calls("mimo-v2.5-asr"))
        mimo.delay = HELD_SECONDS
        clicked = await discord_api.click(translation, alice, label="Speak")
        await mimo_asked(mimo, 2)
        first.kill()
        await first.wait()
    mimo.delay = 0

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        [line, spoken] = await clicked.wait_for_messages(2, timeout=60)

    assert line.content == "🔊" and spoken.is_voice_message and not spoken.ephemeral
    assert len(mimo.calls("mimo-v2.5-asr")) == heard  # the transcript, kept
    asked = sum(body.get("model") == "mimo-v2.6-flash" for body in mimo.requests)
    assert asked == 3  # killed, redone
    assert len(clicked.visible) == 2


async def test_an_interrupted_command_that_cannot_be_redone_is_reported_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A /say whose interaction is gone by the restart (its message menu's target deleted
    meanwhile is the same: nothing to redo it from) is reported in its channel, naming who ran
    it, once: here the claim of a process that never stored the interaction."""
    alice = discord_api.add_member(server, "alice")
    env = discord_environment(discord_api, mimo, database_url)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        mimo.delay = HELD_SECONDS
        await discord_api.slash(server.random, alice, "say", text="Hello from the tests.")
        await mimo_received(mimo, "mimo-v2.5-tts")
        first.kill()
        await first.wait()
    mimo.delay = 0
    await forget_what_to_redo(database_url)

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await discord_api.wait_for_messages(server.random, timeout=60)
    async with voicebridge_run(tmp_path, env, "third", identified(discord_api)):
        pass

    [line] = discord_api.messages_in(server.random)
    assert line.content == text("discord.work.interrupted", "en", user=f"<@{alice}>")
    assert line.allowed_mentions == {"parse": []}  # names, never pings
    assert len(mimo.calls("mimo-v2.5-tts")) == 1


async def forget_what_to_redo(url: str) -> None:
    """As a claim made before interactions were stored with it looks."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sql("UPDATE processed_updates SET payload = NULL"))
    finally:
        await engine.dispose()


async def test_a_replica_takes_over_a_dead_replicas_work_once_its_lease_lapses(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Two replicas under different names (as two containers have): while the first works, it
    renews its lease and the second leaves its voice message alone; killed, its lease lapses
    and the second finishes the work."""
    alice = discord_api.add_member(server, "alice")
    voice = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    env = discord_environment(discord_api, mimo, database_url) | {"WORK_LEASE_SECONDS": "3"}
    mimo.delay = 30
    async with voicebridge_run(
        tmp_path, env | {"INSTANCE_NAME": "a"}, "a", identified(discord_api)
    ) as a:
        note = await discord_api.post_voice_message(server.general, alice, voice, duration=2)
        await mimo_received(mimo, "mimo-v2.5-asr")
        b_env = env | {"INSTANCE_NAME": "b", "LOG_LEVEL": "DEBUG"}
        async with voicebridge_run(tmp_path, b_env, "b", identified(discord_api)):
            # b sweeps as it starts, then every lease: by its third sweep a's first lease has
            # lapsed more than a lease ago, so only a's renewals keep the voice message a's.
            await until_in_log(tmp_path / "b.log", "swept discord", count=3)
            assert len(mimo.calls("mimo-v2.5-asr")) == 1
            mimo.delay = 0
            a.kill()
            await a.wait()
            await discord_api.wait_for_contents(server.general, [TRANSCRIPT], timeout=60)

    [reply] = discord_api.messages_in(server.general)
    assert reply.reply_to == int(note["id"])
    assert len(mimo.calls("mimo-v2.5-asr")) == 2


def telegram_environment(bot_api: FakeBotApi, mimo: FakeMimo, database_url: str) -> dict[str, str]:
    """What an operator sets: nothing from the developer's shell, no .env."""
    return operator_environment(mimo, database_url) | {
        "TELEGRAM_BOT_TOKEN": bot_api.token,
        "TELEGRAM_API_URL": bot_api.root,
    }


def published(bot_api: FakeBotApi) -> Awaitable[object]:
    """Telegram's bot is ready when it publishes its commands: it has taken over leftovers by
    then, and polls next. Not its first poll: a killed process's last poll may still end."""
    return bot_api.wait_for(
        "setMyCommands", count=len(bot_api.sent("setMyCommands")) + 1, timeout=60
    )


async def answer_to_command(
    bot_api: FakeBotApi, chat_id: int, words: str, *, user_id: int = USER
) -> str:
    """Send a command and return the bot's answer."""
    answered = len(bot_api.sent("sendMessage", chat_id=chat_id))
    chat_type = "private" if chat_id > 0 else "supergroup"
    bot_api.push(
        bot_api.text_message(chat_id=chat_id, user_id=user_id, text=words, chat_type=chat_type)
    )
    calls = await bot_api.wait_for("sendMessage", count=answered + 1, chat_id=chat_id, timeout=60)
    return str(calls[answered].params["text"])


def group_text(bot_api: FakeBotApi, author: int, words: str) -> dict[str, object]:
    return bot_api.text_message(chat_id=GROUP, user_id=author, text=words, chat_type="supergroup")


async def mimo_asked(mimo: FakeMimo, count: int = 1) -> None:
    """`count` requests to the chat and audio model (`mimo-v2.6-flash` itself) reached MiMo."""
    for _ in range(6000):
        if sum(body.get("model") == "mimo-v2.6-flash" for body in mimo.requests) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no question reached MiMo")


async def until_in_log(log: Path, words: str, *, count: int, timeout: float = 60) -> None:
    """Until a process's log holds `words` on `count` lines."""
    async with asyncio.timeout(timeout):
        while log.read_text(errors="replace").count(words) < count:
            await asyncio.sleep(0.05)


async def mimo_received(mimo: FakeMimo, model: str) -> None:
    for _ in range(6000):
        if mimo.calls(model):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {model} request reached MiMo")
