"""A channel reading survives a restart (issue 73): the real `voicebridge run` in a subprocess
reads the Lounge's chat aloud in the Lounge of the Discord stand-in. The process is killed
(SIGKILL: nothing gets to clean up) or stopped for a deploy (SIGTERM), a message is posted while
it is gone, and it is started again: it is back in the voice channel by itself, says so once,
and reads the message posted meanwhile, then the ones posted after, never one it read before
the restart (each message's speech asked of MiMo's stand-in once). A reading everyone left
meanwhile is ended, said once, without joining; `/stop` deletes what was kept.
"""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

from bots.discord.place_access import place_of
from core.domain.listening.kept_call_values import KeptReading
from tests.integration.chatlog_db import unit_of_work
from tests.integration.restarts import (
    WAIT,
    environment,
    in_the_call_again,
    in_the_lounge,
    in_voice,
)
from tests.integration.test_discord_reader import Members, clips, posted_in, spoken_requests
from tests.integration.test_kill_restart import identified, voicebridge_run
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.waiting import until

BACK = re.compile(
    r"I was away for \d+:\d\d \(a restart\) and am reading the chat of <#(\d+)> aloud there again"
)
ENDED = re.compile(r"I was away for \d+:\d\d \(a restart\) and did not come back to <#\d+>")
WORDS = ("Alpha", "Bravo", "Charlie", "Delta")


async def test_a_reading_killed_mid_way_reads_on_from_the_first_unread_message(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann starts /read_channel; Alpha and Bravo are read; the bot is killed; Charlie is posted
    while it is gone. Started again, it is back in the Lounge by itself and reads Charlie, then
    Delta (posted after it came back), and never Alpha or Bravo again."""
    await read_on_after(signal.SIGKILL, discord_api, server, mimo, database_url, tmp_path)


async def test_a_reading_stopped_for_a_deploy_reads_on_from_the_first_unread_message(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """The same through SIGTERM then a start: a stop for a deploy is no end of the reading."""
    await read_on_after(signal.SIGTERM, discord_api, server, mimo, database_url, tmp_path)


async def read_on_after(
    stop: signal.Signals, discord_api: FakeDiscord, server: Guild, mimo: FakeMimo,
    database_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel")  # the Lounge's own chat
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await discord_api.post_message(server.lounge, bob.user_id, "Bravo is read next")
        await until(lambda: len(clips(call)) == 2, "Alpha and Bravo read aloud", WAIT)
        first.send_signal(stop)
        await asyncio.wait_for(first.wait(), WAIT)
    ended_before = [line for line in posted_in(discord_api, server.lounge) if "stopped" in line]
    await discord_api.post_message(server.lounge, ann.user_id, "Charlie came meanwhile")

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: reading_back(discord_api, server), "the chat told it is back", WAIT)
        again = await in_the_call_again(discord_api, server)
        await until(lambda: asked_for(mimo, "Charlie"), "Charlie made into speech", WAIT)
        await discord_api.post_message(server.lounge, bob.user_id, "Delta came after")
        await until(lambda: len(clips(again)) == 2, "Charlie and Delta read aloud", WAIT)
        kept = await kept_reading(database_url, server)
        stopped = await members.answer(ann.user_id, "stop")
        await until(lambda: not in_voice(discord_api, server), "the bot left", WAIT)
        await let_go(database_url, server)

    assert ended_before == []  # neither a stop for a deploy nor a crash ends the reading
    [line] = reading_back(discord_api, server)
    named = BACK.match(line)
    assert named is not None and named.group(1) == str(server.lounge)  # the Lounge, once
    said = [text for _, text in spoken_requests(mimo)]
    assert [[word for word in WORDS if word in text] for text in said] == [
        ["Alpha"], ["Bravo"], ["Charlie"], ["Delta"],
    ]  # fmt: skip
    assert kept is not None and kept.voice_id == str(server.lounge) and kept.own_chat
    assert stopped.content == f"I stopped reading aloud and left <#{server.lounge}>."


async def test_a_reading_everyone_left_meanwhile_ends_said_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Killed mid-reading, and everyone leaves the Lounge meanwhile: the next start does not
    join, says once that the reading ended, and reads nothing posted meanwhile."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel")
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
        first.kill()
        await first.wait()
    await discord_api.post_message(server.lounge, ann.user_id, "Bravo came meanwhile")
    await discord_api.leave_call(server, ann)

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: ended(discord_api, server), "the chat told it ended", WAIT)
        await let_go(database_url, server)

    assert len(ended(discord_api, server)) == 1
    assert not asked_for(mimo, "Bravo")


async def test_an_operator_stopping_for_good_ends_the_reading(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """CALLS_END_ON_STOP=true: the operator's stop is for good, so it ends the reading, and the
    next start takes nothing up: it does not come back, and reads nothing posted meanwhile."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(
        tmp_path, env | {"CALLS_END_ON_STOP": "true"}, "first", identified(discord_api)
    ):
        await members.answer(ann.user_id, "read_channel")
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
    assert await kept_reading(database_url, server) is None
    await discord_api.post_message(server.lounge, ann.user_id, "Bravo came meanwhile")
    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await members.answer(ann.user_id, "read_me")  # it is up by now

    assert reading_back(discord_api, server) == [] and ended(discord_api, server) == []
    assert not in_voice(discord_api, server)
    assert not asked_for(mimo, "Bravo")


def reading_back(discord_api: FakeDiscord, server: Guild) -> list[str]:
    return [line for line in posted_in(discord_api, server.lounge) if BACK.match(line)]


def ended(discord_api: FakeDiscord, server: Guild) -> list[str]:
    return [line for line in posted_in(discord_api, server.lounge) if ENDED.match(line)]


def asked_for(mimo: FakeMimo, word: str) -> bool:
    return any(word in text for _, text in spoken_requests(mimo))


async def kept_reading(url: str, server: Guild) -> KeptReading | None:
    """The reading the database keeps in `server` for a restart to take up."""
    async with unit_of_work(url) as uow:
        return await uow.live_readings.get(place_of(guild_id=server.id))


async def let_go(url: str, server: Guild) -> None:
    """Wait until the database keeps no reading of `server` (nothing to take up)."""
    async with asyncio.timeout(WAIT):
        while await kept_reading(url, server) is not None:
            await asyncio.sleep(0.05)
