"""At the pace of speech (issue 86), as a new user tries it with `/listen` as it comes: Ann's
first words of a long turn said without a pause appear in the voice channel's chat while she is
still talking, after about a second of it, not four; the audio MiMo is sent holds what she said
once, in pieces of under a second each (each billed one whole second). With
`/listen interpret:True`, Bob hears her first sentence interpreted before she finishes her
second. What is measured (how soon, at what cost) is in bench 11 and 13, not here: these wait
for events and assert what a member would notice.
"""

from __future__ import annotations

import asyncio
import itertools

from tests.integration.test_discord_listening import (
    bot_in_server,
    in_the_lounge,
    listening_started,
    posted_in,
)
from tests.integration.test_discord_reader import Members, clips
from tests.scenarios.tones import sounding_pitch_of
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import tone
from tests.waiting import until

ASR = "mimo-v2.5-asr"
PACKETS_A_SECOND = 50  # a Discord client's 20 ms Opus frames


async def test_first_words_of_a_long_turn_show_while_she_still_talks_each_heard_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    said = 8.0  # seconds without a pause: `/listen cheaper:True` would show nothing for 4 s
    async with bot_in_server(discord_api, mimo, sqlite_url):
        words = itertools.count(1)
        mimo.asr_text = lambda duration, body: f"w{next(words)}" if duration > 0.1 else ""
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        speaking = asyncio.create_task(discord_api.voice.speak(ann, tone(440, said)))
        await until(lambda: "w1" in " ".join(posted_in(discord_api, server.lounge)), "w1")
        # On screen while she talks, before she has said three seconds of the eight.
        assert not speaking.done() and ann.packets < 3 * PACKETS_A_SECOND
        await speaking
        await mimo.wait_for_requests(6, model=ASR, timeout=30)
        await until(lambda: all(f"w{n}" in _lounge_text(discord_api, server) for n in range(1, 7)),
                    "every piece's words")  # fmt: skip
        await members.answer(ann.user_id, "stop_listening")

    line = _lounge_text(discord_api, server)
    assert "**Ann**: w1 w2 w3 w4 w5 w6" in line  # one caption, in the order said
    # Every second said was sent once, in pieces under a whole second: billed as said, or nearly.
    assert said <= mimo.asr_audio_seconds <= said + 0.2
    assert len(mimo.calls(ASR)) >= 8  # pieces of under a second of her speech
    assert mimo.asr_billed_seconds <= said * 1.15


SENTENCES = {440: "Hello everyone.", 660: "Shall we start?"}


def sentence_nearest(duration: float, body: Json) -> str:
    """MiMo's answer: each piece of a sentence heard as that sentence's words (the pitch of its
    sound, its silences aside); nothing for a sliver."""
    heard = sounding_pitch_of(body)
    return SENTENCES[min(SENTENCES, key=lambda hz: abs(hz - heard))] if duration > 0.1 else ""


async def test_bob_hears_her_first_sentence_interpreted_before_she_finishes_her_second(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    voice = discord_api.voice
    pause = bytes(round(0.4 * 48_000) * 2)  # a breath between sentences: her turn goes on
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_nearest
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        turn = tone(440, 1.0) + pause + tone(660, 6.0)
        speaking = asyncio.create_task(voice.speak(ann, turn))
        await until(lambda: clips(call), "her first sentence interpreted", timeout=30)
        assert not speaking.done()  # ...while she is still saying her second
        await speaking
        await until(lambda: len(clips(call)) == 2, "her second sentence interpreted")
        await members.answer(ann.user_id, "stop_listening")

    spoken = [body["messages"][-1]["content"] for body in mimo.calls("mimo-v2.5-tts")]
    assert spoken[0] == "Chinese Hello everyone."  # the first sentence alone, first
    assert spoken[1].startswith("Chinese Shall we start?")  # then the rest, in order


def _lounge_text(discord_api: FakeDiscord, server: Guild) -> str:
    return " ".join(posted_in(discord_api, server.lounge))
