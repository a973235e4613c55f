"""Live words (`/listen`): a member who talks for half a minute without a long pause sees their
words in the voice channel's chat while they speak, one caption growing piece by piece, in the
order said whatever order MiMo answers in, the seams shown once, and the turn kept as one line;
every piece heard by MiMo once. The voice server stand-in's member says tones, each "word" a
pitch of its own, with short dips between some (the pauses people make inside a sentence) and
none in the last eight seconds; MiMo's stand-in answers each piece with the words its pitch
stands for.
"""

from __future__ import annotations

import asyncio
import itertools
import math

import pytest

from tests.integration.test_discord_listening import (
    bot_in_server,
    in_the_lounge,
    listening_started,
)
from tests.integration.test_discord_reader import Members
from tests.scenarios.tones import sounding_pitch_of
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import tone
from tests.waiting import until

ASR = "mimo-v2.5-asr"
WORDS = 3.0  # seconds of each stretch of words, at one pitch
DIP = 0.3  # the short pause after it, inside the sentence
# What MiMo hears in each stretch: the seams overlap ("on" heard twice) and split a word.
SAID = {
    300: "Good morning everyone,",
    400: "we met on",
    500: "on Tuesday to talk",
    600: "about the transcrip",
    700: "transcription of calls",
    800: "and it went well.",
    900: "So now",
}
ON_AND_ON = 1100  # eight seconds without a pause, at the end: cut at four
LONG = ["we will", "show it"]  # what MiMo hears in each of its pieces
SPOKEN = len(SAID) * (WORDS + DIP) + 8.0
WHOLE = (
    "Good morning everyone, we met on Tuesday to talk about the transcription of calls "
    "and it went well. So now we will show it"
)


def turn_pcm() -> bytes:
    """The whole turn: 48 kHz PCM, short dips (silence the client's codec carries) between the
    stretches, none in the last eight seconds."""
    dip = bytes(round(DIP * 48_000) * 2)
    return b"".join(tone(p, WORDS) + dip for p in SAID) + tone(ON_AND_ON, 8.0)


class Hearing:
    """MiMo's answers: the words of the stretch a piece's pitch says, the long stretch's
    pieces in order; nothing for a sliver too short to hold a word."""

    def __init__(self) -> None:
        self.long = iter(LONG)

    def __call__(self, duration: float, body: Json) -> str:
        if duration < 0.3:
            return ""
        heard = sounding_pitch_of(body)
        nearest = min([*SAID, ON_AND_ON], key=lambda p: abs(p - heard))
        return SAID[nearest] if nearest in SAID else next(self.long, "")


def caption_of(discord_api: FakeDiscord, lounge: int) -> list[str]:
    """Every text Ann's caption had, in order: as posted, then each edit."""
    [message] = [m for m in discord_api.messages_in(lounge) if m.content.startswith("**Ann**")]
    first = next(call for call in discord_api.calls if call.route.startswith("POST")
                 and "**Ann**" in str((call.body or {}).get("content", "")))  # fmt: skip
    texts = [str(first.body["content"])]
    return texts + [content for id_, content in discord_api.edits if id_ == message.id]


async def test_a_long_turn_is_captioned_while_it_is_said_in_order_and_kept_as_one_line(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = Hearing()
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        let_go = mimo.hold_one(1)  # the second piece's answer comes after the third's
        speaking = asyncio.create_task(discord_api.voice.speak(ann, turn_pcm()))
        await until(lambda: any("Good morning" in t for t in _ann(discord_api, server)), "words")
        # Her first words are read while she still speaks, before her fourth stretch of words.
        assert not speaking.done() and ann.packets < 3 * (WORDS + DIP) * 50
        await mimo.wait_for_requests(4, model=ASR, timeout=30)  # pieces after the held one
        let_go.set()
        # A safety net, not a timer: what is asserted is that it came while she still spoke.
        await until(lambda: "the transcrip" in " ".join(_ann(discord_api, server)), "more words",
                    timeout=30)  # fmt: skip
        assert not speaking.done()  # the caption grows while she speaks
        await speaking
        await until(lambda: _ann(discord_api, server)[-1:] == [f"**Ann**: {WHOLE}"], "all",
                    timeout=30)  # fmt: skip
        await members.answer(ann.user_id, "stop_listening")

    shown = caption_of(discord_api, server.lounge)
    assert len(shown) >= 5  # posted, then edited as her pieces were heard
    # In the order said at every moment, though MiMo answered the third piece before the second.
    assert all(f"**Ann**: {WHOLE}".startswith(text) for text in shown)
    bye = discord_api.messages_in(server.lounge)[-1]
    kept = {file.filename: file.data.decode() for file in bye.attachments}["call.txt"]
    [line] = [line for line in kept.splitlines() if "Ann:" in line]
    assert line.endswith(f"Ann: {WHOLE}")  # the turn, one line, from when she began
    # Every piece heard once: what MiMo was sent is what she said, not a frame more.
    assert mimo.asr_audio_seconds == pytest.approx(SPOKEN, abs=0.2)
    assert len(mimo.calls(ASR)) >= math.ceil(SPOKEN / 4)


def _ann(discord_api: FakeDiscord, server: Guild) -> list[str]:
    """Ann's caption's texts so far."""
    try:
        return caption_of(discord_api, server.lounge)
    except ValueError:
        return []


async def test_listen_in_a_stage_channel_is_refused_in_one_line_saying_why(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann = discord_api.add_member(server, "Ann")
    async with bot_in_server(discord_api, mimo, sqlite_url):
        stage = await discord_api.add_voice_channel(server, "Town hall", stage=True)
        await discord_api.join_voice(server, ann, stage)
        members = Members(discord_api, server.general)
        await members.answer(ann, "listen_me", allowed=True)
        refused = await members.answer(ann, "listen")

    assert refused.content == (
        "I transcribe calls in voice channels only, not yet in stage channels: hold the call in "
        "a voice channel and run /listen there."
    )
    assert discord_api.voice_state_requests == []  # it never joined


async def test_pieces_coming_faster_than_the_channel_allows_are_batched_never_past_its_limit(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    talkers = await in_the_lounge(discord_api, server, "Ann", "Bob", "Cy", "Di")
    members = Members(discord_api, server.general)
    stretch = b"".join(tone(300, 2.1) + bytes(round(DIP * 48_000) * 2) for _ in range(4))
    async with bot_in_server(discord_api, mimo, sqlite_url):
        words = itertools.count(1)
        mimo.asr_text = lambda duration, body: f"w{next(words)}" if duration > 0.3 else ""
        for member in talkers:
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, talkers[0].user_id, cheaper=True)
        start = len(discord_api.calls)
        await asyncio.gather(*(discord_api.voice.speak(m, stretch) for m in talkers))
        heard = await mimo.wait_for_requests(16, model=ASR, timeout=30)
        await until(lambda: all(f"w{n}" in _chat(discord_api, server) for n in range(1, 17)),
                    "every piece's words")  # fmt: skip
        await members.answer(talkers[0].user_id, "stop_listening")

    assert len(heard) == 16  # four pieces each, each heard once
    captions = [
        call.at
        for call in discord_api.calls[start:]
        if call.params.get("channel_id") == str(server.lounge)
        and call.route.startswith(("POST /channels", "PATCH /channels"))
    ][:-1]  # the goodbye aside
    assert len(captions) < 16  # pieces that came together went in one request
    busiest = max(sum(1 for t in captions if 0 <= t - at < 5.0) for at in captions)
    assert busiest <= 5  # Discord's five messages in five seconds in a channel, never more


def _chat(discord_api: FakeDiscord, server: Guild) -> str:
    return " ".join(m.content for m in discord_api.messages_in(server.lounge))
