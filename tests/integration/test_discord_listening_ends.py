"""Every way a listened call ends takes the core's one end path
(`core.app.listening.call_lifecycle`, `ListenedCalls._end`), once: the real discord.py against the
Discord stand-ins, each way as a member or a moderator brings it about. Each ends the same: the
goodbye posted once in the call's chat, the bot out of voice, the call gone from the core; the way
that asked first is the one recorded (`ListenedCall.why_ended`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bots.discord.application.bot_intents import VoicebridgeBot
from core.app.listening.listened_call import ListenedCall
from core.app.voice_calls.seats import Occupant
from core.domain import errors
from core.domain.shared_values import ChatRef
from tests.integration.chatlog_db import query
from tests.integration.test_discord_listening import (
    bot_in_server,
    in_the_lounge,
    listening_cog,
    listening_started,
    server_of,
)
from tests.integration.test_discord_reader import Members, posted_in
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember, tone
from tests.waiting import until

BYE = "I stopped listening and left"

Way = Callable[[FakeDiscord, Guild, Members, list[CallMember]], Awaitable[None]]


async def by_command(discord_api: FakeDiscord, server: Guild, members: Members,
                     people: list[CallMember]) -> None:  # fmt: skip
    await members.answer(people[0].user_id, "stop_listening")


async def everyone_gone(discord_api: FakeDiscord, server: Guild, members: Members,
                        people: list[CallMember]) -> None:  # fmt: skip
    for member in people:
        await discord_api.leave_call(server, member)


async def bot_moved(discord_api: FakeDiscord, server: Guild, members: Members,
                    people: list[CallMember]) -> None:  # fmt: skip
    other = await discord_api.add_voice_channel(server, "Quiet room")
    await discord_api.move_in_voice(server, discord_api.application_id, other)


async def bot_disconnected(discord_api: FakeDiscord, server: Guild, members: Members,
                           people: list[CallMember]) -> None:  # fmt: skip
    await discord_api.disconnect_from_voice(server, discord_api.application_id)


async def quota_used_up(discord_api: FakeDiscord, server: Guild, members: Members,
                        people: list[CallMember]) -> None:  # fmt: skip
    await discord_api.voice.speak(people[0], tone(660, 3.5))  # past what is left of the day's 3 s


async def connection_closed(discord_api: FakeDiscord, server: Guild, members: Members,
                            people: list[CallMember]) -> None:  # fmt: skip
    [call] = [c for c in discord_api.voice.calls_in(server.id) if c.ws and not c.ws.closed]
    await discord_api.voice.rate_limited(call)


def captioned(discord_api: FakeDiscord, server: Guild, pitch: int) -> bool:
    return any(f"tone {pitch}" in line for line in posted_in(discord_api, server.lounge))


def held_call(bot: VoicebridgeBot, server: Guild) -> ListenedCall:
    call = listening_cog(bot).listened.call_in(server_of(server))
    assert call is not None
    return call


@pytest.mark.parametrize(
    ("way", "why"),
    [
        (by_command, {"stopped by a command"}),
        (everyone_gone, {"nobody transcribed left in the call", "nobody left in the call"}),
        (bot_moved, {"out of the call"}),
        (bot_disconnected, {"out of the call", "the voice connection closed"}),
        (quota_used_up, {"refused"}),
        (connection_closed, {"the voice connection closed", "out of the call"}),
    ],
    ids=["command", "everyone-gone", "bot-moved", "bot-disconnected", "quota", "closed"],
)
async def test_each_way_a_call_ends_takes_the_one_end_path_once(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    way: Way,
    why: set[str],
) -> None:
    people = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url, daily_listen_seconds=3) as bot:
        await members.answer(people[0].user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, people[0].user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        call = held_call(bot, server)
        await discord_api.voice.speak(people[0], tone(440, 0.8))  # a line of its transcript
        await until(lambda: captioned(discord_api, server, 440), "Ann's caption")
        await way(discord_api, server, members, people)
        await until(lambda: any(BYE in line for line in posted_in(discord_api, server.lounge)),
                    "the goodbye", timeout=30)  # fmt: skip
        await until(lambda: listening_cog(bot).listened.call_in(server_of(server)) is None,
                    "the call gone")  # fmt: skip
        assert not listening_cog(bot).listening.listening(server_of(server))
        assert not bot.voice_channels.connected(server_of(server))  # out of voice

    taken = call.why_ended[0]
    assert any(w in taken for w in why), call.why_ended
    assert [BYE in line for line in posted_in(discord_api, server.lounge)].count(True) == 1
    # Nothing is kept for a restart to take up; the call's transcript is kept, marked whole.
    assert await kept_calls(sqlite_url, server) == []
    assert await transcripts_kept(sqlite_url, server) == [(call.roll.call, True)]


async def kept_calls(url: str, server: Guild) -> list[str]:
    """The calls the database keeps in `server` for a restart to take up, by voice channel."""
    rows = await query(url, "SELECT voice_id FROM live_calls WHERE chat_id = :chat",
                       chat=server_of(server).chat_id)  # fmt: skip
    return [str(voice) for (voice,) in rows]


async def transcripts_kept(url: str, server: Guild) -> list[tuple[str, bool]]:
    """The transcripts kept in `server`: each by name, and whether it is kept whole."""
    rows = await query(
        url, "SELECT recording, duration FROM recording_transcripts WHERE chat_id = :chat",
        chat=server_of(server).chat_id,
    )  # fmt: skip
    return [(str(recording), duration is not None) for recording, duration in rows]


async def test_a_join_that_fails_ends_the_call_through_the_one_end_path(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The voice connection cannot be made: the member is told, the listening is over in the
    core (a next /listen starts afresh), nothing is left registered."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        listened = listening_cog(bot).listened
        ended: list[ListenedCall] = []
        real_join = bot.voice_calls.join

        async def failing_join(where: ChatRef, voice_id: str, occupant: Occupant) -> object:
            call = listened.call_in(where)
            assert call is not None
            ended.append(call)
            raise errors.CouldNotJoin("the voice server did not answer", channel=f"<#{voice_id}>")

        bot.voice_calls.join = failing_join  # type: ignore[method-assign,assignment]
        await members.answer(ann.user_id, "listen_me", allowed=True)
        answer = await members.answer(ann.user_id, "listen")
        bot.voice_calls.join = real_join  # type: ignore[method-assign]
        assert listened.call_in(server_of(server)) is None
        assert not listening_cog(bot).listening.listening(server_of(server))

    assert "could not join" in answer.content
    assert [call.why_ended for call in ended] == [["could not join"]]
    assert await kept_calls(sqlite_url, server) == []  # nothing for a restart to take up
    assert await transcripts_kept(sqlite_url, server) == []  # nothing heard, nothing kept
