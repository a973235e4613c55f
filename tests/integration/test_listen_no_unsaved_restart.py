"""A no the database could not store holds "until this call ends" (`errors.NoNotSaved`), and a
restart is no end of the call: the bot stopped for a deploy and started again takes the call up,
and the member who said no is still not transcribed. The bot runs in this event loop against
the Discord stand-in, twice, on one SQLite database whose consents are unwritable as the member
says no, and writable again by the time the bot stops."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bots.discord.place_access import place_of
from core.domain.shared_values import ChatRef
from tests.integration.chatlog_db import unit_of_work
from tests.integration.restarts import back, in_the_call_again
from tests.integration.test_discord_listen_no import consents_unwritable, consents_writable
from tests.integration.test_discord_listening import (
    bot_in_server,
    heard_tones,
    in_the_lounge,
    listening_started,
)
from tests.integration.test_discord_reader import Members, posted_in
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import tone
from tests.waiting import until


async def test_a_no_that_could_not_be_stored_still_holds_once_the_call_is_taken_up(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, bob.user_id)
        await speak(ann, tone(440, 0.6))
        await until(lambda: "**Ann**: tone 440" in posted_in(discord_api, server.lounge), "hers")
        await consents_unwritable(sqlite_url)
        said_no = await members.answer(ann.user_id, "listen_me", allowed=False)
        await consents_writable(sqlite_url)  # before the bot stops for a deploy
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await until(lambda: back(discord_api, server), "the chat told it is back")
        await in_the_call_again(discord_api, server)
        await speak(ann, tone(550, 0.6))  # the same call: her no holds
        await speak(bob, tone(660, 0.6))
        await until(lambda: "**Bob**: tone 660" in posted_in(discord_api, server.lounge), "his")
        await members.answer(bob.user_id, "stop_listening")

    assert "it holds only until this call ends" in said_no.content
    assert "Not transcribed: Ann" in back(discord_api, server)[0]
    # Her no holds: MiMo hears her tone before the restart and only Bob's after. (A CI host that
    # stops the test process mid-tone can cut Bob's turn in two, each piece his.)
    assert [tone for tone, _ in itertools.groupby(heard_tones(mimo))] == [440, 660]


async def test_a_no_that_could_not_be_stored_is_stored_while_the_call_goes_on_or_it_is_not_kept(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A crash skips the stop's last try to store the no: so while the call goes on, each beat
    that keeps it alive tries to store that no first, and while it cannot, the call is not kept
    for a restart to take up (hearing Ann again from her stored yes). Once it can, her no is
    stored and the call is kept again at the next beat."""
    monkeypatch.setattr("core.app.listening.call_lifecycle.ALIVE_SECONDS", 0.2)
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    place = place_of(guild_id=server.id)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until_call_kept(sqlite_url, place, kept=True)
        await consents_unwritable(sqlite_url)
        await members.answer(ann.user_id, "listen_me", allowed=False)
        await until_call_kept(sqlite_url, place, kept=False)  # a crash now takes nothing up
        await consents_writable(sqlite_url)
        await until_call_kept(sqlite_url, place, kept=True)
        async with unit_of_work(sqlite_url) as uow:
            refusing = await uow.listening_consents.refusing(place)

    assert str(ann.user_id) in refusing


async def until_call_kept(url: str, place: ChatRef, *, kept: bool) -> None:
    async with asyncio.timeout(30):
        while True:
            async with unit_of_work(url) as uow:
                if (await uow.live_calls.get(place) is not None) is kept:
                    return
            await asyncio.sleep(0.05)
