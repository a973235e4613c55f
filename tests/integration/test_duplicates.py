"""A message delivered twice is answered once: Telegram updates served again (same update_id, or
the same message in a new update), Discord events replayed, replicas racing for one message.

Real python-telegram-bot and discord.py against the stand-ins, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text as sql

from core.app.rules.work_claims import Claims
from core.domain.rules.claim_values import Claim
from core.infra.storage import SqlAlchemyUnitOfWork, create_engine
from core.ports import SystemClock
from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins.clock import ManualClock
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 2024
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"


@pytest.fixture
def work_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="core.app.rules.work_claims")
    caplog.set_level(
        logging.INFO, logger="bots.discord.answers.interaction_acks"
    )  # interactions stop at the defer
    return caplog


async def second_deliveries_ignored(caplog: pytest.LogCaptureFixture, count: int) -> None:
    """Wait until the bot has dropped `count` second deliveries (it answers them with nothing,
    so its log line is the only sign that it is done with them)."""
    for _ in range(3000):
        ignored = [r for r in caplog.records if "ignored a second delivery" in r.getMessage()]
        if len(ignored) >= count:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"the bot never dropped {count} second deliveries")


async def test_a_telegram_voice_note_delivered_again_is_transcribed_once(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    work_log: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
        update_id = bot_api.push(note)
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
        bot_api.redeliver(update_id)  # the same update again, as if never confirmed
        bot_api.push(note)  # the same message in a new update, as a retrying proxy sends it
        await second_deliveries_ignored(work_log, 2)
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
        await bot_api.wait_for("sendMessage", count=2, chat_id=USER)

    replies = bot_api.replies_to(USER, note["message_id"])
    assert [reply["text"] for reply in replies] == ["heard 3.0 seconds"]
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # MiMo was paid once


async def test_a_voice_note_is_marked_answered_once_its_transcript_is_sent_not_before(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """While Telegram has not yet taken the transcript, the note's claim is still 'started': a
    bot killed at that moment leaves it for the next start to redo. Marked done before the
    send, the note would stay unanswered for good. Then, as Telegram confirms it, the claim is
    done and names the message that answered it. (On both databases: the claims' rules do not
    depend on which one holds them.)"""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        released = bot_api.hold("sendMessage")
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
        bot_api.push(note)
        await bot_api.wait_until(
            lambda: "sendMessage" in bot_api.waiting, timeout=60, what="the transcript's send"
        )
        while_sending = await claim_of(database_url, note)
        released.set()
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
        [(state, payload)] = await settled_claims_of(database_url, note)

    [transcript] = bot_api.sent("sendMessage", chat_id=USER)
    assert [state for state, _ in while_sending] == ["started"]
    assert (state, payload) == ("done", f"answered by {transcript.result['message_id']}")


async def test_a_telegram_voice_note_whose_claim_cannot_be_stored_still_gets_its_transcript(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    work_log: pytest.LogCaptureFixture,
) -> None:
    """The database refuses every claim (a disk full, a hiccup) as a voice note arrives: the
    note is neither dropped as a second delivery nor left unanswered; it is transcribed
    unclaimed, and once the claims are stored again, the bot answers as before."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        async with claims_refused(database_url):
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
            bot_api.push(note)
            await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
        await bot_api.wait_for("sendMessage", count=2, chat_id=USER)

    replies = bot_api.replies_to(USER, note["message_id"])
    assert [reply["text"] for reply in replies] == ["heard 3.0 seconds"]
    assert "handling it unclaimed" in work_log.text
    assert "ignored a second delivery" not in work_log.text
    assert await claim_of(database_url, note) == []  # nothing of it could be stored


@asynccontextmanager
async def claims_refused(url: str) -> AsyncIterator[None]:
    """Until the block ends, the database refuses to store any claim (every other write goes
    through), as a disk that fills up or a failing table would."""
    if url.startswith("sqlite"):
        made = [
            "CREATE TRIGGER claims_refused BEFORE INSERT ON processed_updates"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        ]
        dropped = ["DROP TRIGGER claims_refused"]
    else:
        made = [
            "CREATE FUNCTION claims_refused() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$",
            "CREATE TRIGGER claims_refused BEFORE INSERT ON processed_updates"
            " FOR EACH ROW EXECUTE FUNCTION claims_refused()",
        ]
        dropped = [
            "DROP TRIGGER claims_refused ON processed_updates",
            "DROP FUNCTION claims_refused",
        ]
    await changed(url, made)
    try:
        yield
    finally:
        await changed(url, dropped)


async def changed(url: str, statements: list[str]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(sql(statement))
    finally:
        await engine.dispose()


async def claim_of(url: str, message: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The state and payload of the claim on a Telegram message (by its chat and id)."""
    rows = await query(
        url,
        "SELECT state, payload FROM processed_updates WHERE platform = 'telegram'"
        " AND chat_id = :chat AND message_id = :message",
        chat=str(message["chat"]["id"]),
        message=str(message["message_id"]),
    )
    return [(str(state), payload) for state, payload in rows]


async def settled_claims_of(url: str, message: dict[str, Any]) -> list[tuple[str, str | None]]:
    """`claim_of`, once it is no longer 'started' (it is marked just after Telegram answers)."""
    for _ in range(500):
        rows = await claim_of(url, message)
        if rows and all(state != "started" for state, _ in rows):
            return rows
        await asyncio.sleep(0.02)
    raise AssertionError(f"the claim is still started: {rows}")


async def test_a_telegram_command_delivered_again_while_it_runs_is_answered_once(
    bot_api: FakeBotApi, database_url: str, work_log: pytest.LogCaptureFixture
) -> None:
    async with FakeMimo() as mimo:
        settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
        async with running(settings, bot_api):
            with mimo.held():  # MiMo speaks once the second delivery was dropped
                command = bot_api.text_message(chat_id=USER, user_id=USER, text="/say Hello there")
                update_id = bot_api.push(command)
                await wait_for_request(mimo, "mimo-v2.5-tts")  # the first delivery is at work
                bot_api.redeliver(update_id)
                await second_deliveries_ignored(work_log, 1)
            await bot_api.wait_for("sendVoice", chat_id=USER)

    assert len(bot_api.sent("sendVoice", chat_id=USER)) == 1
    assert len(mimo.calls("mimo-v2.5-tts")) == 1


async def wait_for_request(mimo: FakeMimo, model: str) -> None:
    for _ in range(3000):
        if mimo.calls(model):
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"no {model} request reached MiMo")


async def test_a_discord_voice_message_or_command_replayed_is_answered_once(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    work_log: pytest.LogCaptureFixture,
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        overview = await discord_api.slash(server.general, alice, "settings")
        await overview.wait_for_messages()
        # A resumed gateway session replays what it thinks the bot missed.
        await discord_api.replay("MESSAGE_CREATE", note)
        await discord_api.replay("INTERACTION_CREATE", overview.payload)
        await second_deliveries_ignored(work_log, 2)
        await (await discord_api.slash(server.general, alice, "help")).wait_for_messages()

    replies = [m for m in discord_api.messages_in(server.general) if m.reply_to == int(note["id"])]
    assert [m.content for m in replies] == ["heard 3.0 seconds"]
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    assert len(overview.visible) == 1
    callbacks = [
        c for c in discord_api.sent(CALLBACK) if c.params["interaction_id"] == str(overview.id)
    ]
    assert len(callbacks) == 1


async def test_replicas_racing_for_one_message_claim_it_once(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    replicas = [
        Claims(
            uow=uow_factory, instance=f"replica-{n}", clock=SystemClock(), retention=timedelta(1)
        )
        for n in range(6)
    ]
    message = Claim("telegram", "-100777", "42")

    won = await asyncio.gather(*(replica.claim(message) for replica in replicas))

    assert sorted(won, key=bool) == [False] * 5 + [True]


async def test_replicas_racing_for_a_lapsed_claim_redo_it_once_and_keep_no_text(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], database_url: str
) -> None:
    def replica(name: str, lease: timedelta) -> Claims:
        return Claims(
            uow=uow_factory, instance=name, clock=SystemClock(), retention=timedelta(1), lease=lease
        )

    message = Claim("telegram", "-100777", "43")
    assert await replica("dead", timedelta(milliseconds=50)).claim(
        message, '{"text": "/say hello"}'
    )
    await asyncio.sleep(0.1)  # "dead" renews nothing: its lease lapses
    # The winner's lease outlasts the race however slow the machine: only "dead"'s may lapse.
    replicas = [replica(f"replica-{n}", timedelta(minutes=1)) for n in range(6)]
    redone: list[tuple[Claims, str]] = []

    async def redo(owner: Claims, claim: Claim, payload: str) -> None:
        redone.append((owner, payload))

    async def never(claim: Claim) -> None:
        raise AssertionError("it could be redone")

    await asyncio.gather(
        *(r.sweep("telegram", functools.partial(redo, r), never) for r in replicas)
    )

    [(winner, payload)] = redone
    assert payload == '{"text": "/say hello"}'
    async with winner.handling(message, payload) as first:  # the redone work claims it
        assert first
    stored = await query(
        database_url, "SELECT state, payload FROM processed_updates WHERE message_id = '43'"
    )
    assert stored == [("done", None)]  # the message's text is not kept once answered


class SharedClock:
    """The time both replicas read, moved by the test."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def test_a_claim_its_slow_owner_answers_after_a_sweep_read_it_is_not_redone(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], database_url: str
) -> None:
    """A replica stalls past its leases on two messages (alive, only slow); another sweeps,
    finds both lapsed, and redoes the first. Meanwhile the slow one answers the second and
    marks it done: the sweep must leave it, or the chat gets a second answer."""
    clock = SharedClock()

    def replica(name: str) -> Claims:
        return Claims(uow=uow_factory, instance=name, clock=clock, retention=timedelta(1))

    slow, sweeper = replica("slow"), replica("sweeper")
    first, second = Claim("telegram", "-100777", "44"), Claim("telegram", "-100777", "45")
    assert await slow.claim(first, '{"text": "/say one"}')
    clock.at += timedelta(seconds=1)
    assert await slow.claim(second, '{"text": "/say two"}')
    clock.at += timedelta(minutes=1)  # both leases lapse: the slow one renewed nothing
    redone: list[Claim] = []
    told: list[Claim] = []

    async def redo(claim: Claim, payload: str) -> None:
        redone.append(claim)
        if claim == first:
            await slow.finish(second)  # the slow replica's answer to the second goes out

    async def tell(claim: Claim) -> None:
        told.append(claim)

    taken = await sweeper.sweep("telegram", redo, tell)

    assert (taken, redone, told) == (1, [first], [])
    rows = await query(
        database_url,
        "SELECT message_id, state, owner, attempts FROM processed_updates ORDER BY message_id",
    )
    assert [(m, state, attempts) for m, state, _, attempts in rows] == [
        ("44", "started", 1),  # taken over, its work redone
        ("45", "done", 0),  # answered once, by the slow replica, and left so
    ]
    assert rows[1][2] == slow.owner


async def test_claims_are_deleted_after_the_retention_period(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    clock = ManualClock()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, summary_retention_days=2
    )
    async with running(settings, bot_api, clock=clock):
        await clock.settled()
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        kept = await finished_claims(database_url)
        await clock.advance(timedelta(days=1, hours=1))
        after_a_day = await claim_rows(database_url)
        await clock.advance(timedelta(days=1, hours=1))
        after_two_days = await claim_rows(database_url)

    assert kept == after_a_day == [("telegram", str(USER), "done")]
    assert after_two_days == []


async def claim_rows(url: str) -> list[tuple[str, str, str]]:
    rows = await query(url, "SELECT platform, chat_id, state FROM processed_updates")
    return [(str(p), str(c), str(s)) for p, c, s in rows]


async def finished_claims(url: str, timeout: float = 15.0) -> list[tuple[str, str, str]]:
    """The claims once none is still started: a command's claim is finished just after its
    reply is sent, so right after the reply it may not be yet."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await claim_rows(url)
        if all(state != "started" for *_, state in found):
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"claims still started after {timeout} s: {found}")
        await asyncio.sleep(0.02)


async def test_a_discord_modal_submission_replayed_while_it_runs_is_answered_once(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    work_log: pytest.LogCaptureFixture,
) -> None:
    """ "Ask about this audio": the question typed in the modal is asked of MiMo once, even when
    the gateway delivers the submission again while the answer is being made."""
    alice = discord_api.add_member(server, "alice")
    memo = discord_api.attachment(voice_ogg, filename="memo.ogg", content_type="audio/ogg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_message(server.general, alice, "call", attachments=[memo])
        opened = await discord_api.message_command(
            server.general, alice, "Ask about this audio", posted
        )
        await opened.wait_for_callback()
        with mimo.held():  # MiMo answers once the replay was dropped
            submitted = await discord_api.submit_modal(opened, "Who speaks first?")
            await submitted.wait_for_callback()
            await discord_api.replay("INTERACTION_CREATE", submitted.payload)
            await second_deliveries_ignored(work_log, 1)
        [reply] = await submitted.wait_for_messages()

    assert reply.content == "a fake answer"
    assert len(mimo.calls("mimo-v2.6-flash")) == 1
    callbacks = [
        c for c in discord_api.sent(CALLBACK) if c.params["interaction_id"] == str(submitted.id)
    ]
    assert len(callbacks) == 1
