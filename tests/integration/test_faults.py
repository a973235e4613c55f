"""Faults at every far end, as users live through them: Telegram's flood control, Discord's rate
limits, and a MiMo that fails, hangs, breaks connections, sends garbage or is down for good.

Every test runs the real bots (`voicebridge run`) against the loopback stand-ins, which inject
the faults deterministically. What is asserted is what a chat sees: each message gets exactly one
answer, its result or one clear sentence, and the bot keeps answering afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest

from core.chat.message_catalogue import EN, text
from core.domain.errors import (
    MimoBadResponse,
    MimoError,
    MimoRateLimited,
    MimoUnavailable,
    MimoUnreachable,
)
from core.infra.mimo.http_transport import MimoWire
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import (
    DROPPED,
    EMPTY,
    NO_CHOICES,
    NOT_JSON,
    RATE_LIMITED,
    SERVER_ERROR,
    FakeMimo,
    Fault,
    overloaded,
    slow,
)
from tests.standins.telegram_api import FakeBotApi

T = TypeVar("T")

USER = 1001
# MiMo's failures as a chat hears them; the breaker's sentence says how long is left.
FAILURE_SENTENCES = {
    text("error.mimo_unavailable", "en"),
    text("error.mimo_bad_response", "en"),
    text("error.mimo_rate_limited", "en"),
}
CIRCUIT_OPEN = re.compile(
    re.escape(EN["error.mimo_circuit_open"]).replace(
        re.escape("{wait}"), r"(?:\d+ min|\d+ sec|\d+ min, \d+ sec)"
    )
)
# Quick retries, so a test spends its time on the faults rather than on backoff.
FAST = {"mimo_retry_wait_seconds": 0.05}


async def eventually(probe: Callable[[], T | None], *, what: str, timeout: float = 60.0) -> T:
    """Poll `probe` until it returns something true (generous timeout, nothing timed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := probe()):
        if loop.time() > deadline:
            raise AssertionError(f"expected {what} within {timeout} s")
        await asyncio.sleep(0.05)
    return found


def answers(bot_api: FakeBotApi, note: dict[str, Any]) -> list[str]:
    """What the chat shows in answer to `note` now: the texts of the bot's replies to it."""
    replies = bot_api.replies_to(note["chat"]["id"], note["message_id"])
    return [str(r.get("text") or r.get("caption") or "<file>") for r in replies]


def is_final(answer: str, transcript: str) -> bool:
    return (
        answer == transcript or answer in FAILURE_SENTENCES or bool(CIRCUIT_OPEN.fullmatch(answer))
    )


def problems_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors our code logged: a failure it did not expect (the generic reply's cause)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("bots", "core"))
    ]


# --- Telegram flood control ----------------------------------------------------------------------


async def test_a_voice_note_gets_its_transcript_through_flood_control(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        bot_api.flood_next("sendMessage", times=2, retry_after=1)
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=notes[3], duration=3)
        bot_api.push(note)
        await eventually(lambda: "heard 3.0 seconds" in answers(bot_api, note), what="transcript")

    assert answers(bot_api, note) == ["heard 3.0 seconds"]
    refused = [c for c in bot_api.sent("sendMessage", include_rejected=True) if not c.ok]
    assert [c.error for c in refused] == ["Too Many Requests: retry after 1"] * 2


async def test_say_gets_its_voice_note_through_flood_control(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        bot_api.flood_next("sendVoice", times=2, retry_after=1)
        asked = bot_api.text_message(chat_id=USER, user_id=USER, text="/say Hold on, please.")
        bot_api.push(asked)
        await bot_api.wait_for("sendVoice", chat_id=USER, timeout=30)

    assert len(bot_api.sent("sendVoice", include_rejected=True)) == 3  # two refused, then sent
    assert answers(bot_api, asked) == ["<file>"]  # the voice note, and nothing else
    assert bot_api.sent("sendMessage") == []


async def test_a_chat_action_outlasts_flood_control_without_harm(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ "recording voice…" while /say's speech is made, refused by flood control more often than
    the rate limiter retries: it gives up quietly and the voice note still comes."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    caplog.set_level(logging.DEBUG, logger="bots.telegram.answers.telegram_replies")
    async with running(settings, bot_api):
        # More refusals than the rate limiter retries: the keep-alive itself gets RetryAfter.
        bot_api.flood_next("sendChatAction", times=5, retry_after=1)
        asked = bot_api.text_message(chat_id=USER, user_id=USER, text="/say Good night.")
        with mimo.held():  # MiMo answers once the indicator has run out of retries
            bot_api.push(asked)
            await eventually(
                lambda: "chat action not shown: RetryAfter" in caplog.messages, what="the give-up"
            )
        await bot_api.wait_for("sendVoice", chat_id=USER, timeout=30)

    assert answers(bot_api, asked) == ["<file>"]
    assert len(bot_api.sent("sendChatAction", include_rejected=True)) >= 4
    assert problems_logged(caplog) == []


# --- Discord rate limits -------------------------------------------------------------------------


async def test_discord_replies_arrive_through_rate_limits(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    notes: dict[int, bytes],
) -> None:
    alice = discord_api.add_member(server, "alice")
    messages = "POST /channels/{channel_id}/messages"
    followups = "POST /webhooks/{application_id}/{token}"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        discord_api.rate_limit_next(messages, times=2, retry_after=0.5)
        note = await discord_api.post_voice_message(server.general, alice, notes[3], duration=3)

        def replies() -> list[str]:
            shown = discord_api.messages_in(server.general)
            return [m.content for m in shown if m.reply_to == int(note["id"])]

        await discord_api.wait_until(
            lambda: "heard 3.0 seconds" in replies(), timeout=30, what="the transcript"
        )
        discord_api.rate_limit_next(followups, times=1, retry_after=0.5)
        said = await discord_api.slash(server.general, alice, "say", text="Rate limits pass.")
        line, voice = await said.wait_for_messages(count=2, timeout=30)

    assert replies() == ["heard 3.0 seconds"]  # one reply, nothing doubled
    statuses = [c.status for c in discord_api.sent(messages, include_refused=True)]
    assert statuses[:3] == [429, 429, 200] and set(statuses[2:]) == {200}
    assert voice.is_voice_message
    assert [c.status for c in discord_api.sent(followups, include_refused=True)] == [429, 200]
    assert said.visible == [line, voice]


# --- MiMo faults ---------------------------------------------------------------------------------

PATIENT = 60.0  # seconds: a wire that waits longer than any answer takes here
CHAT = {
    "model": "mimo-v2.6-flash",
    "messages": [{"role": "user", "content": "Hello?"}],
    "thinking": {"type": "disabled"},  # as the bot asks: else the answer is only thought
}


@pytest.mark.parametrize("streamed", [False, True], ids=["answer", "stream"])
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (SERVER_ERROR, MimoUnavailable),
        (overloaded(0.1), MimoUnavailable),
        (RATE_LIMITED, MimoRateLimited),
        # No answer at all: what chats hear is MimoUnavailable's, the command line names the URL.
        (DROPPED, MimoUnreachable),
        (slow(5), MimoUnreachable),
        (NOT_JSON, MimoBadResponse),
        (EMPTY, MimoBadResponse),
        (NO_CHOICES, MimoBadResponse),
    ],
    ids=lambda value: str(value) if isinstance(value, Fault) else value.__name__,
)
async def test_each_mimo_fault_reaches_the_wire_as_the_error_users_are_told(
    mimo: FakeMimo, fault: Fault, error: type[MimoError], streamed: bool
) -> None:
    async with httpx.AsyncClient() as http:

        def wire(timeout: float) -> MimoWire:
            return MimoWire(
                http=http, api_key=mimo.api_key, base_url=mimo.base_url, timeout=timeout,
                max_retries=0,
            )  # fmt: skip

        # A deadline only where the fault is the lack of an answer in time: MiMo holds the
        # request 5 s, five times the wire's patience however busy the machine. Elsewhere, a
        # loopback answer slower than a second on a busy machine must not read as no answer.
        failing = wire(1.0 if fault.kind == "slow" else PATIENT)
        mimo.fail_always(fault)
        with pytest.raises(error) as caught:
            if streamed:
                [chunk async for chunk in failing.stream({**CHAT, "stream": True})]
            else:
                await failing.post(CHAT)
        mimo.recover()
        answer = await wire(PATIENT).post(CHAT)

    assert type(caught.value) is error
    assert mimo.faults_served == [fault]
    assert answer["choices"][0]["message"]["content"] == mimo.answer_text


async def test_with_a_third_of_mimo_calls_failing_every_voice_note_gets_one_clear_answer(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    notes: dict[int, bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, mimo_timeout_seconds=4, **FAST
    )
    # Faults the client retries alternate with ones it cannot (an unreadable answer, or a slow
    # one that outlives the call's whole deadline): whether a note is then saved by a retry
    # or told of the failure, it gets one answer.
    faults = [overloaded(0.2), NOT_JSON, SERVER_ERROR, slow(6), DROPPED, NO_CHOICES]
    chats = [(USER, "private"), (USER + 1, "private"), (-100501, "supergroup"), (-100502, "group")]
    async with running(settings, bot_api):
        mimo.fail_every(3, [*faults, RATE_LIMITED, EMPTY])
        sent: list[tuple[dict[str, Any], str]] = []
        for number in range(15):
            chat_id, chat_type = chats[number % len(chats)]
            seconds = 2 + number % 3
            note = bot_api.voice_message(
                chat_id=chat_id,
                user_id=abs(chat_id) + number,
                data=notes[seconds],
                duration=seconds,
                chat_type=chat_type,
            )
            bot_api.push(note)
            sent.append((note, f"heard {seconds:.1f} seconds"))
        for note, transcript in sent:
            await eventually(
                lambda n=note, t=transcript: any(is_final(a, t) for a in answers(bot_api, n)),
                what=f"an answer to note {note['message_id']} in chat {note['chat']['id']}",
            )
        for chat_id, chat_type in chats:
            bot_api.push(
                bot_api.text_message(
                    chat_id=chat_id, user_id=abs(chat_id), text="/settings", chat_type=chat_type
                )
            )
        for chat_id, _ in chats:
            await eventually(
                lambda c=chat_id: any(
                    str(call.params["text"]).startswith("Settings for this chat")
                    for call in bot_api.sent("sendMessage", chat_id=c)
                ),
                what=f"/settings answered in chat {chat_id}",
            )
    # Leaving `running` waited for every handler: nothing more can arrive.

    outcomes = [(answers(bot_api, note), transcript) for note, transcript in sent]
    for shown, transcript in outcomes:
        assert len(shown) == 1, f"expected one answer, the chat shows {shown}"
        assert is_final(shown[0], transcript), shown
    assert any(shown == [transcript] for shown, transcript in outcomes)
    assert len(mimo.faults_served) >= 5  # the faults did happen, and were lived through
    assert problems_logged(caplog) == []  # no unexpected exception, so no stack trace anywhere


async def test_when_mimo_is_down_the_breaker_stops_calling_it_and_says_when_to_try_again(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    notes: dict[int, bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(
        bot_api=bot_api,
        mimo=mimo,
        database_url=sqlite_url,
        mimo_max_retries=1,
        mimo_breaker_failures=3,
        mimo_breaker_cooldown_seconds=600,  # stays open for the whole test
        **FAST,
    )
    caplog.set_level(logging.INFO, logger="core.infra.mimo.circuit_breaker")
    shown: list[str] = []
    async with running(settings, bot_api):
        mimo.fail_always(SERVER_ERROR)
        for number in range(6):
            person = USER + number  # one note each: per-person limits stay out of the way
            note = bot_api.voice_message(chat_id=person, user_id=person, data=notes[2], duration=2)
            bot_api.push(note)
            [answer] = await eventually(
                lambda n=note: [a for a in answers(bot_api, n) if is_final(a, "")],
                what=f"an answer to voice note {number + 1}",
            )
            shown.append(answer)
        requests_while_open = len(mimo.requests)
        asked = bot_api.text_message(chat_id=USER - 1, user_id=USER - 1, text="/say Anyone?")
        bot_api.push(asked)
        [refusal] = await eventually(lambda: answers(bot_api, asked), what="an answer to /say")

    # Until the breaker opens, MiMo's failure; from then on, the breaker's sentence.
    assert shown[0] == text("error.mimo_unavailable", "en")
    opened_at = next(i for i, answer in enumerate(shown) if CIRCUIT_OPEN.fullmatch(answer))
    assert opened_at <= 3
    assert set(shown[:opened_at]) == {text("error.mimo_unavailable", "en")}
    for answer in [*shown[opened_at:], refusal]:
        assert CIRCUIT_OPEN.fullmatch(answer), answer
        assert answer.endswith("about 10 min.")  # the cooldown: 600 s, in whole minutes
    # The threshold's worth of calls, each tried twice; then nothing at all.
    assert requests_while_open == len(mimo.requests) == 3 * 2
    opened = [r for r in caplog.records if r.name == "core.infra.mimo.circuit_breaker"]
    assert [r.levelname for r in opened] == ["WARNING"]  # logged once, not per refused call
