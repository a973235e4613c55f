"""After a call the bot listened to: its transcript kept with speakers and times, posted with the
goodbye as .txt, .srt and .vtt, summed up by `/summary call:True` (who decided what, who does
what), and nothing at all of a member who never said yes. The bot `voicebridge run` builds,
against the Discord stand-in's voice server, whose members speak tones: MiMo's stand-in hears
each tone's pitch and answers with the sentence the test gave that pitch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from tests.integration.chatlog_db import query, tables_holding
from tests.integration.test_discord_listening import (
    ASR,
    bot_in_server,
    in_the_lounge,
    listening_cog,
    listening_started,
    pitch_of,
    server_of,
)
from tests.integration.test_discord_reader import Members, posted_in
from tests.standins.discord_api import (
    CHANGE_NICKNAME,
    EVERYONE_PERMISSIONS,
    READ_MESSAGE_HISTORY,
    SET_VOICE_CHANNEL_STATUS,
    FakeDiscord,
    Guild,
    SentMessage,
)
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import tone
from tests.subtitle_files import parse_srt, parse_vtt
from tests.waiting import until

T = TypeVar("T")

SAID = {
    440: "we decide to ship on Friday",
    550: "I will write the release notes",
    660: "my secret plans for the weekend",
}


def sentence_heard(duration: float, body: Json) -> str:
    """MiMo's answer: the sentence the test gave the pitch it heard."""
    return SAID[int(round(pitch_of(body), -1))]


async def the_call(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, **settings: Any
) -> tuple[Members, list[int]]:
    """Ann and Cleo said yes, Bob did not; all three speak, Ann starts and stops the listening.
    Returns the members of the lounge's chat, and Ann's, Bob's and Cleo's ids."""
    ann, bob, cleo = await in_the_lounge(discord_api, server, "Ann", "Bob", "Cleo")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    for member in (ann, cleo):
        await members.answer(member.user_id, "listen_me", allowed=True)
    await listening_started(discord_api, server, members, ann.user_id)
    await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
    await speak(ann, tone(440, 0.8))
    await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Ann's line")
    await speak(bob, tone(660, 0.8))
    await speak(cleo, tone(550, 0.8))
    await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Cleo's line")
    await members.answer(ann.user_id, "stop_listening")
    await until(lambda: len(posted_in(discord_api, server.lounge)) == 4, "the goodbye")
    return members, [ann.user_id, bob.user_id, cleo.user_id]


def goodbye(discord_api: FakeDiscord, server: Guild) -> SentMessage:
    return [m for m in discord_api.messages_in(server.lounge) if m.interaction_id is None][-1]


async def test_after_the_call_its_summary_names_who_decided_what_and_nothing_of_bob_is_kept(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        _, (ann, bob, cleo) = await the_call(discord_api, server, mimo, sqlite_url)
        asked = await discord_api.slash(server.lounge, cleo, "summary", call=True)
        card, transcript = await asked.wait_for_messages(2)

    opening, *lines, bye = posted_in(discord_api, server.lounge)
    assert "Transcribed: Ann, Cleo\nNot transcribed: Bob\n" in opening
    assert lines == [
        "**Ann**: we decide to ship on Friday",
        "**Cleo**: I will write the release notes",
    ]
    assert len(mimo.calls(ASR)) == 2  # Bob's words never reached MiMo
    assert bye.startswith(f"I stopped listening and left <#{server.lounge}>.\n")
    # The summary: who decided, who does what, each at its time in the call.
    assert "Decisions\n• [00:0" in card.content, card.content
    assert "] decision: Ann: we decide to ship on Friday" in card.content
    assert "Action items\n• [00:0" in card.content
    assert "] action: Cleo: I will write the release notes" in card.content
    [file] = transcript.attachments
    said = file.data.decode().splitlines()
    assert [line.split("] ", 1)[1] for line in said] == [
        "Ann: we decide to ship on Friday",
        "Cleo: I will write the release notes",
    ]
    # Nothing of Bob's is stored anywhere: no row of any table holds his id or his words.
    assert await tables_holding(sqlite_url, str(bob)) == []
    assert await tables_holding(sqlite_url, "weekend") == []
    speakers = await query(
        sqlite_url,
        "SELECT speaker_id, speaker, count(*) FROM recording_transcript_parts"
        " GROUP BY speaker_id, speaker ORDER BY speaker",
    )
    assert speakers == [(str(ann), "Ann", 1), (str(cleo), "Cleo", 1)]


async def test_the_goodbye_carries_the_call_as_text_and_subtitles_with_speakers(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        await the_call(discord_api, server, mimo, sqlite_url)

    bye = goodbye(discord_api, server)
    assert bye.content.endswith("with who said what: as text, and as subtitles."), bye.content
    files = {file.filename: file.data.decode() for file in bye.attachments}
    assert sorted(files) == ["call.srt", "call.txt", "call.vtt"]
    assert [line.split("] ", 1)[1] for line in files["call.txt"].splitlines()] == [
        "Ann: we decide to ship on Friday",
        "Cleo: I will write the release notes",
    ]
    srt, vtt = parse_srt(files["call.srt"]), parse_vtt(files["call.vtt"])
    assert [c.text.replace("\n", " ") for c in srt] == [
        "Ann: we decide to ship on Friday",
        "Cleo: I will write the release notes",
    ]
    assert [(c.voice, c.text.replace("\n", " ")) for c in vtt] == [
        ("Ann", "we decide to ship on Friday"),
        ("Cleo", "I will write the release notes"),
    ]
    assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt]
    # Cleo spoke after Ann (and after Bob, who is not in it): her line starts later.
    assert srt[0].end <= srt[1].start
    assert 0.5 <= srt[0].end - srt[0].start <= 1.5


async def test_a_call_summary_where_no_call_was_listened_to_says_so(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    member = discord_api.add_member(server, "Ann")
    async with bot_in_server(discord_api, mimo, sqlite_url):
        asked = await discord_api.slash(server.lounge, member, "summary", call=True)
        [answer] = await asked.wait_for_messages()

    assert answer.content.startswith("I keep no call of this voice channel"), answer.content
    assert mimo.requests == []


async def test_forget_deletes_the_calls_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        members, (ann, _, _) = await the_call(discord_api, server, mimo, sqlite_url)
        admin = discord_api.add_member(server, "Dee", manage_guild=True)
        await members.answer(admin, "forget")
        asked = await discord_api.slash(server.lounge, ann, "summary", call=True)
        [answer] = await asked.wait_for_messages()

    assert answer.content.startswith("I keep no call of this voice channel"), answer.content
    assert await query(sqlite_url, "SELECT count(*) FROM recording_transcript_parts") == [(0,)]


@pytest.mark.parametrize("idle", [1.5])
async def test_the_bot_leaves_once_nobody_it_transcribes_spoke_for_the_idle_time(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, idle: float
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    async with bot_in_server(
        discord_api, mimo, sqlite_url, discord_listen_idle_seconds=idle
    ) as bot:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "the goodbye")
        # The goodbye may be posted a moment before the call is let go (a loaded machine).
        await until(
            lambda: listening_cog(bot).listened.call_in(server_of(server)) is None, "the end"
        )

    assert posted_in(discord_api, server.lounge)[1] == (
        f"I stopped listening and left <#{server.lounge}>."
    )


async def test_the_bot_leaves_when_the_last_member_it_transcribes_leaves(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, bob.user_id)
        await discord_api.leave_call(server, ann)  # Bob stays, never transcribed
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "the goodbye")

    assert posted_in(discord_api, server.lounge)[1] == (
        f"I stopped listening and left <#{server.lounge}>."
    )


async def test_a_question_about_the_call_is_answered_from_its_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.answer_text = "Ann decided to ship on Friday."
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        _, (_, _, cleo) = await the_call(discord_api, server, mimo, sqlite_url)
        asked = await discord_api.slash(
            server.lounge, cleo, "ask", question="Who decided what?", call=True
        )
        [answer] = await asked.wait_for_messages()
        unnamed = await discord_api.slash(server.lounge, cleo, "ask", question="Zeppelins?")
        [refusal] = await unnamed.wait_for_messages()

    assert answer.content == "Ann decided to ship on Friday."
    [request] = [body for body in mimo.requests if body["model"] != ASR]
    prompt = "\n".join(str(m["content"]) for m in request["messages"])
    assert "Who decided what?" in prompt
    assert "] Ann: we decide to ship on Friday\n" in prompt
    assert "] Cleo: I will write the release notes" in prompt
    assert "weekend" not in prompt
    # Without call:True, what was said in the channel's calls and voice messages is asked.
    assert refusal.content.startswith("Nothing I kept here from the last 7 days speaks of that")


async def test_a_turn_is_one_caption_edited_while_it_goes_on_and_a_new_speaker_a_new_one(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, cleo = await in_the_lounge(discord_api, server, "Ann", "Cleo")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url, caption_gap=30.0):
        mimo.asr_text = sentence_heard
        for member in (ann, cleo):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        await speak(ann, tone(440, 0.8))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Ann's caption")
        await speak(ann, tone(550, 0.8))  # her turn goes on: her caption grows
        await until(lambda: discord_api.edits, "her caption edited")
        await speak(cleo, tone(550, 0.8))  # another speaker: a caption of her own
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Cleo's caption")
        await speak(ann, tone(440, 0.8))  # Ann again, after Cleo: a new caption
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 4, "Ann's next one")

    assert posted_in(discord_api, server.lounge)[1:4] == [
        "**Ann**: we decide to ship on Friday I will write the release notes",
        "**Cleo**: I will write the release notes",
        "**Ann**: we decide to ship on Friday",
    ]
    [(edited, _)] = discord_api.edits
    assert edited == discord_api.messages_in(server.lounge)[1].id


async def seen_while_ann_is_listened_to(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    look: Callable[[], T],
) -> T:  # fmt: skip
    """Ann says yes and runs /listen, then /stop_listening; what `look` saw once the opening
    line was posted."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        seen = look()
        await members.answer(ann.user_id, "stop_listening")
    return seen


@pytest.mark.parametrize("may_set_status", [True, False])
async def test_the_voice_channels_status_says_the_bot_listens_while_it_does(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, may_set_status: bool
) -> None:
    if not may_set_status:
        discord_api.bot_permissions &= ~SET_VOICE_CHANNEL_STATUS
    status_while_listening = await seen_while_ann_is_listened_to(
        discord_api, server, mimo, sqlite_url, lambda: discord_api.voice_statuses.get(server.lounge)
    )

    shown = "🎙️ Transcribing what the members who said yes say"
    if may_set_status:
        assert status_while_listening == shown
        assert discord_api.voice_status_changes == [(server.lounge, shown), (server.lounge, None)]
    else:  # refused (403): the bot listens all the same, and the chat's line says it
        assert status_while_listening is None
        assert discord_api.voice_status_changes == []
        refused = [c for c in discord_api.calls if c.route.endswith("/voice-status")]
        assert [c.status for c in refused] == [403]
    assert "Transcribed: Ann" in posted_in(discord_api, server.lounge)[0]


@pytest.mark.parametrize(("given", "may_change"), [(None, True), ("Scribe", True), (None, False)])
async def test_the_bots_nickname_says_it_listens_and_the_old_one_comes_back(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    given: str | None,
    may_change: bool,
) -> None:
    bot = discord_api.application_id
    await discord_api.set_nick(server, bot, given)  # a moderator's name for the bot, or none
    if not may_change:  # neither @everyone nor the bot's role may change nicknames
        discord_api.bot_permissions &= ~CHANGE_NICKNAME
        await discord_api.set_role_permissions(
            server, server.id, ~CHANGE_NICKNAME & EVERYONE_PERMISSIONS
        )
    nick_while_listening = await seen_while_ann_is_listened_to(
        discord_api, server, mimo, sqlite_url, lambda: discord_api.nick_of(server, bot)
    )

    if may_change:
        assert nick_while_listening == f"🎙️ {given or 'voicebridge'}"
        assert discord_api.nick_changes == [(server.id, nick_while_listening), (server.id, given)]
    else:  # refused (403): the bot listens all the same
        assert nick_while_listening is None
        assert discord_api.nick_changes == []
        refused = [c for c in discord_api.calls if c.route.endswith("/members/@me")]
        assert [c.status for c in refused] == [403]
    assert discord_api.nick_of(server, bot) == given
    assert "Transcribed: Ann" in posted_in(discord_api, server.lounge)[0]


@pytest.mark.parametrize(("left", "restored"), [("🎙️ voicebridge", None), ("🎙️ Scribe", "Scribe")])
async def test_a_listening_nickname_left_by_a_process_that_died_comes_off(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    left: str,
    restored: str | None,
) -> None:
    await discord_api.set_nick(server, discord_api.application_id, left)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await until(lambda: discord_api.nick_changes, "the nickname changed")

    assert discord_api.nick_changes == [(server.id, restored)]


async def test_a_member_who_may_not_read_the_voice_channels_chat_gets_nothing_of_the_call(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        await the_call(discord_api, server, mimo, sqlite_url)
        dan = discord_api.add_member(server, "Dan")
        await discord_api.deny_in_channel(server.lounge, dan, READ_MESSAGE_HISTORY)
        answers = []
        asking = {"summary": {"call": True}, "ask": {"question": "Who?", "call": True}}
        for command, options in asking.items():
            asked = await discord_api.slash(server.lounge, dan, command, **options)
            [answer] = await asked.wait_for_messages()
            answers.append(answer.content)

    assert len(mimo.calls(ASR)) == len(mimo.requests)  # no summary, no answer was made
    hidden = "That takes View Channel and Read Message History in this channel"
    assert all(answer.startswith(hidden) for answer in answers), answers
