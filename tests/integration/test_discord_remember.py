"""`/remember days:30` on Discord as a server's administrator tries it: the channel's voice
messages of last month, recorded before the bot came, become findable; what it would cost is
said first, under Start; a member who may not read #secret finds none of its lines; run again,
nothing is heard twice; a bot's voice messages and a member's without Manage Server are not
imported, nor a channel the bot may not read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.chatlog_db import until_noted_deleted
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import READ_MESSAGE_HISTORY, VIEW_CHANNEL, FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

SAID = {
    2: "Too old: the deposit talk from two months ago.",
    3: "The landlord keeps the deposit until March.",
    4: "Secret: the deposit goes to the lawyer.",
    5: "A bot's deposit reminder.",
    6: "The deposit is back, says Bob.",
}
DONE = "This channel's past voice messages are in memory"


async def recorded(
    discord_api: FakeDiscord, channel: int, user: int, ogg: bytes, seconds: int, days_ago: int
) -> dict[str, Any]:
    """A voice message recorded `days_ago` days ago (the bot not there to hear it)."""
    voice = discord_api.attachment(
        ogg, filename="voice-message.ogg", content_type="audio/ogg", duration=seconds
    )
    at = datetime.now(UTC) - timedelta(days=days_ago)
    return await discord_api.post_message(channel, user, attachments=[voice], at=at)


async def remember(discord_api: FakeDiscord, channel: int, user: int, *, start: bool) -> str:
    """`/remember days:30` in `channel`; what it found, and (with `start`) its end."""
    asked = await discord_api.slash(channel, user, "remember", days=30)
    [found] = await asked.wait_for_messages()
    shown = found.content
    if not start or not found.buttons:
        return shown
    pressed = await discord_api.click(found, user, label="Start")
    await pressed.wait_for_callback()
    await discord_api.wait_until(
        lambda: any(DONE in c for c in discord_api.contents(channel)), timeout=60, what="the end"
    )
    assert found.content == "Started: the progress is in the channel."
    [progress] = [c for c in discord_api.contents(channel) if DONE in c]
    assert progress.endswith(f"-# Started by <@{user}> with /remember")  # whom to ask about it
    return shown


async def find(discord_api: FakeDiscord, channel: int, user: int, words: str) -> str:
    asked = await discord_api.slash(channel, user, "find", phrase=words)
    [page] = await asked.wait_for_messages()
    return page.content


async def test_remember_makes_last_months_voice_messages_findable_to_those_who_may_read_them(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    bob = discord_api.add_member(server, "bob")
    other_bot = discord_api.add_member(server, "reminders", bot=True)
    secret = await discord_api.add_text_channel(server, "secret")
    await discord_api.deny_in_channel(secret, bob, VIEW_CHANNEL)
    await recorded(discord_api, server.general, bob, notes[2], 2, days_ago=45)
    await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=21)
    await recorded(discord_api, server.general, other_bot, notes[5], 5, days_ago=5)
    await recorded(discord_api, secret, ann, notes[4], 4, days_ago=10)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, summary_retention_days=60
    )
    async with running_discord(settings, discord_api):
        refused = await remember(discord_api, server.general, bob, start=False)
        found = await remember(discord_api, server.general, ann, start=True)
        await remember(discord_api, secret, ann, start=True)
        again = await remember(discord_api, server.general, ann, start=False)
        anns = await find(discord_api, server.general, ann, "deposit")
        bobs = await find(discord_api, server.general, bob, "deposit")

    assert "Manage Server" in refused
    assert found.startswith(
        "Members' voice messages here in the last 30 days to transcribe: 1, 0:03 of speech."
    )
    assert "That is 0% of the server's daily audio quota of 2 hr" in found
    assert len(mimo.requests) == 2  # #general's and #secret's: not the bot's, not the old one
    assert "to transcribe: 0, 0:00 of speech." in again
    assert "Kept already, not transcribed again: 1." in again
    assert "keeps the **deposit** until March" in anns and "goes to the lawyer" in anns
    assert "keeps the **deposit** until March" in bobs
    assert "lawyer" not in bobs and str(secret) not in bobs  # Bob may not read #secret
    assert "two months ago" not in anns


async def test_a_member_who_said_no_is_left_out_of_remember_by_who_they_are(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Bob says no with /listen_me allowed:False; Ann's /remember then leaves his voice message
    out (Discord names its sender by id, as it named the member who said no), sends MiMo hers
    alone, and /find finds nothing of his."""
    heard: list[int] = []

    def hears(duration: float, body: object) -> str:
        heard.append(round(duration))
        return SAID[round(duration)]

    mimo.asr_text = hears
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    bob = discord_api.add_member(server, "bob")
    await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=5)
    await recorded(discord_api, server.general, bob, notes[6], 6, days_ago=4)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said_no = await discord_api.slash(server.general, bob, "listen_me", allowed=False)
        await said_no.wait_for_messages()
        found = await remember(discord_api, server.general, ann, start=True)
        anns = await find(discord_api, server.general, ann, "deposit")

    assert "to transcribe: 1, 0:03 of speech." in found
    assert "Of members who said no to being transcribed, left out: 1." in found
    assert heard == [3]  # Ann's alone, never Bob's
    assert "until March" in anns and "is back, says Bob" not in anns


async def test_messages_deleted_while_remember_runs_are_skipped_and_the_rest_imported(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Ann deletes her voice message while MiMo hears it, and Bob his, which has not come up
    yet: neither is kept, and the import goes on to Cy's."""
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    bob, cy = discord_api.add_member(server, "bob"), discord_api.add_member(server, "cy")
    heard = await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=5)
    waiting = await recorded(discord_api, server.general, bob, notes[6], 6, days_ago=4)
    await recorded(discord_api, server.general, cy, notes[4], 4, days_ago=3)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, asr_max_in_flight=1
    )
    async with running_discord(settings, discord_api):
        with mimo.held_each() as held:
            asked = await discord_api.slash(server.general, ann, "remember", days=30)
            [found] = await asked.wait_for_messages()
            pressed = await discord_api.click(found, ann, label="Start")
            await pressed.wait_for_callback()
            await mimo.wait_for_requests(1)
            await discord_api.delete_message(heard)
            await discord_api.delete_message(waiting)
            await until_noted_deleted(database_url, str(heard["id"]))
            held[0].let_go()
        await discord_api.wait_until(
            lambda: any(DONE in c for c in discord_api.contents(server.general)), timeout=60,
            what="the end",
        )  # fmt: skip
        anns = await find(discord_api, server.general, ann, "deposit")

    assert "goes to the lawyer" in anns
    assert "until March" not in anns and "is back" not in anns
    [end] = [c for c in discord_api.contents(server.general) if DONE in c]
    assert end.startswith(f"{DONE}: 1 transcribed (0:04 of speech), 0 could not be.")


async def test_remember_says_so_where_the_bot_may_not_read_the_history(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=3)
    await discord_api.deny_in_channel(server.general, discord_api.application_id,
                                      READ_MESSAGE_HISTORY)  # fmt: skip
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await remember(discord_api, server.general, ann, start=False)

    assert said == (
        "I cannot read this channel's past: give me View Channel and Read Message History here, "
        "then try again."
    )
    assert mimo.requests == []


async def test_cancel_imports_nothing(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=3)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, ann, "remember", days=7)
        [found] = await asked.wait_for_messages()
        pressed = await discord_api.click(found, ann, label="Cancel")
        await pressed.wait_for_callback()
        again = await remember(discord_api, server.general, ann, start=False)

    assert found.content == "Nothing was imported."
    assert found.buttons == []
    assert mimo.requests == []
    assert "to transcribe: 1, 0:03 of speech." in again  # nothing was kept: still to do


async def test_forget_during_remember_ends_the_import_and_keeps_nothing_it_heard(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    await recorded(discord_api, server.general, ann, notes[3], 3, days_ago=3)
    await recorded(discord_api, server.general, ann, notes[6], 6, days_ago=2)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_max_in_flight=1
    )
    stopped = "Nothing was imported."  # the progress message, as /forget ended the import
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, ann, "remember", days=30)
        [found] = await asked.wait_for_messages()
        with mimo.held():  # the first message at MiMo as /forget comes
            pressed = await discord_api.click(found, ann, label="Start")
            await pressed.wait_for_callback()
            await mimo.wait_for_requests(1)
            forgot = await discord_api.slash(server.general, ann, "forget")
            await forgot.wait_for_messages()
        await discord_api.wait_until(
            lambda: any(stopped in c for c in discord_api.contents(server.general)),
            timeout=60, what="the import's end",
        )  # fmt: skip
        anns = await find(discord_api, server.general, ann, "deposit")

    assert len(mimo.requests) == 1  # the second never sent
    assert "deposit" not in anns.replace("“deposit”", "")  # nothing kept after the forget
