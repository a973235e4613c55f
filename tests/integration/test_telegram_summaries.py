"""Group summaries end to end: the real bot logs a group, summarises it through MiMo's chat
model, and keeps each group's messages to itself."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.audio_factory import make_audio
from tests.integration.chatlog_db import logged, settled_claims, until_logged
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP_A, GROUP_B = -100111, -100222
ALICE, BOB, CAROL = 11, 12, 13
SUMMARY = (
    "Topics\n• launch date\nDecisions\n• none\nOpen questions\n• Friday?\n"
    "Action items\n• Bob: ask QA"
)
USAGE = "Usage: /summary [window] [voice]."


def post(
    bot_api: FakeBotApi, chat_id: int, user_id: int, words: str, *, at: int | None = None
) -> dict[str, Any]:
    """A text from `user_id` in a group, sent at Unix time `at` (default now)."""
    message = bot_api.text_message(
        chat_id=chat_id, user_id=user_id, text=words, chat_type="supergroup"
    )
    if at is not None:
        message["date"] = at
    bot_api.push(message)
    return message


def voice_in(
    bot_api: FakeBotApi,
    chat_id: int,
    user_id: int,
    data: bytes,
    *,
    at: int,
    caption: str | None = None,
) -> dict[str, Any]:
    message = bot_api.voice_message(
        chat_id=chat_id, user_id=user_id, data=data, chat_type="supergroup", caption=caption
    )
    message["date"] = at
    bot_api.push(message)
    return message


async def next_reply(bot_api: FakeBotApi, chat_id: int) -> str:
    already = len(bot_api.sent("sendMessage", chat_id=chat_id))
    calls = await bot_api.wait_for("sendMessage", count=already + 1, chat_id=chat_id)
    return str(calls[-1].params["text"])


def summary_requests(mimo: FakeMimo) -> list[dict[str, Any]]:
    """MiMo chat-model requests without audio: summaries (audio questions carry a list)."""
    return [
        body
        for body in mimo.calls("mimo-v2.6-flash")
        if isinstance(body["messages"][-1]["content"], str)
    ]


def conversation(body: dict[str, Any]) -> list[str]:
    """The conversation lines of a summary request, without their timestamps."""
    user = body["messages"][-1]["content"]
    inside = user.split("<conversation>\n", 1)[1].split("\n</conversation>", 1)[0]
    return [re.sub(r"^\[[\d\- :]+\] ", "", line) for line in inside.splitlines()]


@pytest.fixture
def clip_notes(tmp_path: Path) -> dict[int, bytes]:
    return {s: make_audio(tmp_path, fmt="ogg", seconds=s).read_bytes() for s in (2, 3)}


async def test_a_group_summary_holds_exactly_that_groups_messages_in_the_window(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, clip_notes: dict[int, bytes]
) -> None:
    mimo.answer_text = SUMMARY
    now = int(time.time())
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        post(bot_api, GROUP_A, ALICE, "Old news from this morning", at=now - 3 * 3600)
        post(bot_api, GROUP_A, ALICE, "Shall we move the launch to Friday?", at=now - 50)
        post(bot_api, GROUP_B, CAROL, "Group B keeps its own secrets", at=now - 45)
        voice_in(bot_api, GROUP_A, BOB, clip_notes[2], at=now - 40)
        post(bot_api, GROUP_A, BOB, "/help")
        voice_in(bot_api, GROUP_A, ALICE, clip_notes[3], at=now - 30, caption="my view")
        post(bot_api, GROUP_B, CAROL, "Still only group B", at=now - 20)
        await bot_api.wait_for("sendMessage", count=3, chat_id=GROUP_A)  # 2 transcripts, help
        await until_logged(database_url, GROUP_A, 5)
        await until_logged(database_url, GROUP_B, 2)

        post(bot_api, GROUP_A, BOB, "/summary 2h")
        reply_a = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_B, CAROL, "/summary")
        reply_b = await next_reply(bot_api, GROUP_B)

    request_a, request_b = summary_requests(mimo)
    assert conversation(request_a) == [
        "User11: Shall we move the launch to Friday?",
        "User12 [voice note]: heard 2.0 seconds",
        "User11 [caption]: my view",
        "User11 [voice note]: heard 3.0 seconds",
    ]
    assert conversation(request_b) == [
        "User13: Group B keeps its own secrets",
        "User13: Still only group B",
    ]
    assert request_a["thinking"] == {"type": "disabled"}
    assert re.match(r"Summary of 4 messages since .+ UTC:", reply_a)
    assert reply_a.endswith(SUMMARY)
    assert re.match(r"Summary of 2 messages since .+ UTC:", reply_b)
    assert any(
        c.params["action"] == "typing" for c in bot_api.sent("sendChatAction", chat_id=GROUP_A)
    )


async def test_what_is_logged_and_what_never_is(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, clip_notes: dict[int, bytes]
) -> None:
    now = int(time.time())
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="a private word"))
        post(bot_api, GROUP_A, ALICE, "/settings")
        from_a_bot = post(bot_api, GROUP_A, 999, "I am another bot", at=now)
        from_a_bot["from"]["is_bot"] = True
        edited = bot_api.text_message(
            chat_id=GROUP_A, user_id=BOB, text="edited later", chat_type="supergroup"
        )
        bot_api.push_update({"edited_message": edited})
        post(bot_api, GROUP_A, BOB, "hello\nworld", at=now)
        voice_in(bot_api, GROUP_A, ALICE, clip_notes[2], at=now + 1, caption="listen")
        await bot_api.wait_for("sendMessage", count=2, chat_id=GROUP_A)  # settings, transcript
        await until_logged(sqlite_url, GROUP_A, 3)

    assert await logged(sqlite_url, GROUP_A) == [
        ("User12", "text", "hello\nworld"),
        ("User11", "caption", "listen"),
        ("User11", "transcript", "heard 2.0 seconds"),
    ]
    assert await logged(sqlite_url, ALICE) == []


async def test_without_a_window_it_summarises_since_the_last_summary(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    now = int(time.time())
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        post(bot_api, GROUP_A, ALICE, "from two days ago", at=now - 2 * 86400)
        post(bot_api, GROUP_A, ALICE, "first", at=now - 10)
        await until_logged(sqlite_url, GROUP_A, 2)
        post(bot_api, GROUP_A, BOB, "/summary")
        await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, ALICE, "second")
        await until_logged(sqlite_url, GROUP_A, 3)
        post(bot_api, GROUP_A, BOB, "/summary")
        await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "/summary")
        nothing = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "/summary 200")
        await next_reply(bot_api, GROUP_A)

    first, second, last_200 = map(conversation, summary_requests(mimo))
    assert first == ["User11: first"]  # the last 24 h, before any summary
    assert second == ["User11: second"]
    assert nothing.startswith("There is nothing to summarise in that window.")
    assert last_200 == ["User11: from two days ago", "User11: first", "User11: second"]


async def test_a_long_window_is_summarised_in_parts_within_the_budget(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, summary_max_prompt_chars=2000
    )
    now = int(time.time())
    async with running(settings, bot_api):
        for n in range(30):
            post(
                bot_api,
                GROUP_A,
                ALICE + n % 2,
                f"point {n}: " + "we should discuss this " * 4,
                at=now - 100 + n,
            )
        await until_logged(sqlite_url, GROUP_A, 30)
        post(bot_api, GROUP_A, BOB, "/summary")
        reply = await next_reply(bot_api, GROUP_A)

    requests = summary_requests(mimo)
    sizes = [sum(len(m["content"]) for m in body["messages"]) for body in requests]
    parts = [body for body in requests if "<conversation>" in body["messages"][-1]["content"]]
    points = [
        int(n)
        for body in parts
        for n in re.findall(r"point (\d+):", body["messages"][-1]["content"])
    ]
    assert len(parts) >= 2
    assert max(sizes) <= 2000
    assert points == list(range(30))  # every message in exactly one part, in order
    assert "<summaries>" in requests[-1]["messages"][-1]["content"]  # then one merge
    assert reply.endswith("a fake answer")


async def test_bad_windows_get_the_usage_line_and_private_chats_an_explanation(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        replies = []
        for argument in ("5x", "0", "2h 3d", "99999d", "yesterday"):
            post(bot_api, GROUP_A, ALICE, f"/summary {argument}")
            replies.append(await next_reply(bot_api, GROUP_A))
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="/summary"))
        private = await next_reply(bot_api, ALICE)

    assert all(reply.startswith(USAGE) for reply in replies), replies
    assert private.startswith("Summaries are for group chats")
    assert mimo.requests == []


async def test_summary_voice_also_reads_it_out_in_the_chat_voice(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.answer_text = SUMMARY
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        post(bot_api, GROUP_A, ALICE, "Let us ship on Friday")
        await until_logged(sqlite_url, GROUP_A, 1)
        post(bot_api, GROUP_A, ALICE, "/summary voice")
        [note] = await bot_api.wait_for("sendVoice", chat_id=GROUP_A)
        [text_reply] = bot_api.sent("sendMessage", chat_id=GROUP_A)

    assert text_reply.params["text"].endswith(SUMMARY)
    assert note.files["voice"].startswith(b"OggS")
    spoken = " ".join(body["messages"][-1]["content"] for body in mimo.calls("mimo-v2.5-tts"))
    assert "launch date" in spoken and "Bob: ask QA" in spoken
    assert "•" not in spoken  # bullets are for reading, not for saying


async def test_a_voice_summary_past_the_askers_share_of_speech_comes_as_text_only(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.answer_text = SUMMARY
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, daily_person_tts_chars=5
    )
    async with running(settings, bot_api):
        post(bot_api, GROUP_A, ALICE, "Let us ship on Friday")
        await until_logged(sqlite_url, GROUP_A, 1)
        post(bot_api, GROUP_A, ALICE, "/summary voice")
        reply = await next_reply(bot_api, GROUP_A)

    assert reply.endswith(SUMMARY)  # made and paid for: it goes out, as text
    assert bot_api.sent("sendVoice", chat_id=GROUP_A) == []  # the note is decided before it
    assert mimo.calls("mimo-v2.5-tts") == []


async def test_summary_off_stops_logging_for_admins_only_and_on_resumes(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        post(bot_api, GROUP_A, BOB, "/summary off")
        refused = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, ALICE, "/summary off")
        off = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "not kept")
        post(bot_api, GROUP_A, BOB, "/summary")
        nothing = await next_reply(bot_api, GROUP_A)
        # Updates run concurrently: "not kept" is handled (its claim settled) before logging
        # resumes, or it could be logged after "/summary on".
        await settled_claims(sqlite_url)
        post(bot_api, GROUP_A, ALICE, "/summary on")
        on = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "kept again")
        await until_logged(sqlite_url, GROUP_A, 1)

    assert refused == "Only administrators can use /summary off in this chat."
    assert off.startswith("Done: logging is off")
    assert nothing.startswith("Logging is off in this chat")
    assert on.startswith("Done: logging is on")
    assert await logged(sqlite_url, GROUP_A) == [("User12", "text", "kept again")]


async def test_summaries_follow_the_chat_language(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        post(bot_api, GROUP_A, ALICE, "/language zh")
        await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "我们周五发布吧")
        await until_logged(sqlite_url, GROUP_A, 1)
        post(bot_api, GROUP_A, BOB, "/summary")
        await next_reply(bot_api, GROUP_A)

    [request] = summary_requests(mimo)
    assert "Simplified Chinese" in request["messages"][0]["content"]


async def test_the_new_commands_are_registered_and_in_help(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="/help"))
        help_text = await next_reply(bot_api, ALICE)

    assert {"summary", "digest", "forget"} <= {c["command"] for c in bot_api.commands}
    for command in ("/summary", "/digest", "/forget"):
        assert command in help_text
