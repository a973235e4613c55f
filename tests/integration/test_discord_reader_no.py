"""A member's no to being read (`/read_me allowed:False`) while the channel reader reads them:
what the voice server receives of their clip after the no, and whether their next one, made
into speech already, is ever played (the bot `voicebridge run` builds, discord.py's real voice
client, the voice stand-in hearing what plays)."""

from __future__ import annotations

from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_reader import (
    assert_heard_as_spoken,
    clip_ended,
    clip_frames,
    clips,
    first_clip_after,
    in_lounge,
    spoken_requests,
)
from tests.scenarios.discord_bot import Members
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.waiting import until

ADDRESS = "my address is 12 Elm Street"


async def test_a_no_cuts_the_members_clip_playing_and_theirs_made_already_never_plays(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str
) -> None:
    """The issue's finding 5: Bob's long message plays and his next one is already made into
    speech when he says no. What the voice server receives of his clip once the bot has
    answered his no is under half a second of audio (25 frames of 20 ms), his address is never
    played, and Ann's message after it is, whole. (Counted from the answer, not from the
    command's sending.)"""
    ann, bob = await in_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    voice = discord_api.voice
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, bob, "A long story, " * 14)
        await discord_api.post_message(server.lounge, bob, ADDRESS)
        await discord_api.post_message(server.lounge, ann, "The end")
        await voice.wait_until(lambda: voice.calls and len(voice.calls[-1].speech) >= 50,
                               what="one second of his story heard")  # fmt: skip
        call = voice.calls[-1]
        await until(lambda: len(spoken_requests(mimo)) == 2, "his address made ahead")
        asked = await discord_api.slash(server.general, bob, "read_me", allowed=False)
        [said_no] = await asked.wait_for_messages()
        await until(
            lambda: len(clip_frames(call)) == 2 and clip_ended(call), "the next clip played"
        )
        heard_after_no = first_clip_after(call, asked.answered_at or 0.0)

    assert said_no.content.startswith("I do not read your messages aloud")
    assert heard_after_no <= 25  # within half a second of audio
    said = [words for _, words in spoken_requests(mimo)]
    assert any(ADDRESS in words for words in said[:2])  # made before the no...
    _cut, the_end = clips(call)  # ...and never played
    assert_heard_as_spoken(
        the_end, mimo.tts_wavs[next(i for i, w in enumerate(said) if w.endswith("The end"))]
    )
