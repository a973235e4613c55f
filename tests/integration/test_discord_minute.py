"""A listened call in the account's minute (`core.domain.mimo.account_minute_rules`,
`core.app.listening.piece_stretching`): its captions are live work, sent before an import's requests
that wait for the minute, whose in-flight slot is set aside while they wait (`RequestGate.aside`),
so the import never starves them; and while the calls' speech would take more of the minute than it
holds, their pieces are cut longer (fewer requests, captions a little later), every word still
captioned and heard once, and shorter again once the pressure is gone. MiMo's stand-in holds the
same minute as the bot's settings, a short one; the voice server's members speak tones, each pitch a
word."""

from __future__ import annotations

import array
import itertools

import pytest

from core.domain.listening.live_speech_rules import SOONER
from core.domain.mimo.account_minute_rules import Urgency
from tests.integration.test_account_minute_telegram import short_minute
from tests.integration.test_discord_listening import (
    bot_in_server,
    listening_cog,
    listening_started,
    server_of,
)
from tests.integration.test_discord_remember import recorded
from tests.scenarios.discord_bot import Members, posted_in
from tests.scenarios.tones import recording_of, tone_heard
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import tone
from tests.waiting import until

ASR = "mimo-v2.5-asr"


async def test_a_calls_caption_goes_before_the_import_requests_waiting_for_the_minute(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """One request in flight for the whole process: the import's next request holds it while
    it waits for the minute, and sets it aside for the caption, which goes first."""
    heard: list[str] = []

    def hears(duration: float, body: Json) -> str:
        said = tone_heard(duration, body) if duration < 2 else "an old voice message"
        heard.append(said)
        return said

    ann = discord_api.add_member(server, "Ann", manage_guild=True)
    bob = discord_api.add_member(server, "Bob")
    for days_ago in (3, 2, 1):
        await recorded(discord_api, server.general, bob, notes[3], 3, days_ago=days_ago)
    in_call = await discord_api.join_call(server, ann, server.lounge)
    members = Members(discord_api, server.general)
    # A minute long enough that Ann's piece is in the queue, however busy the machine, before it
    # has room for the import's next message.
    minute = short_minute(mimo, requests=1, seconds=12.0)
    async with bot_in_server(discord_api, mimo, sqlite_url, asr_max_in_flight=1,
                             **minute) as bot:  # fmt: skip
        mimo.asr_text = hears
        await members.answer(ann, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann)
        asked = await discord_api.slash(server.general, ann, "remember", days=30)
        [found] = await asked.wait_for_messages()
        await (await discord_api.click(found, ann, label="Start")).wait_for_callback()
        # The import's first message took the minute's use; its next waits for the next.
        await until(lambda: heard == ["an old voice message"], "the first imported message")
        minute_here = bot.runtime.mimo.minute
        await until(lambda: minute_here.waiting()[Urgency.BACKGROUND] == 1, "its next in the queue")
        await discord_api.voice.speak(in_call, tone(440, 1.0))
        await until(lambda: "**Ann**: tone 440" in posted_in(discord_api, server.lounge),
                    "the caption", timeout=60)  # fmt: skip
        await discord_api.wait_until(
            lambda: heard.count("an old voice message") == 3, timeout=120, what="the import's end"
        )
        assert listening_cog(bot).listened.call_in(server_of(server)) is not None

    assert heard == ["an old voice message", "tone 440", *["an old voice message"] * 2]
    assert mimo.minute.refused == 0


# The words a member says, each a stretch of one pitch, a short dip between them (a pause
# inside a sentence, not the end of her turn).
WORDS = {300: "we", 400: "met", 500: "on", 600: "Tuesday", 700: "to", 800: "talk",
         900: "about", 1000: "calls"}  # fmt: skip
STRETCH, DIP = 2.0, 0.3
SPOKEN = len(WORDS) * (STRETCH + DIP)


def words_said_pcm() -> bytes:
    dip = bytes(round(DIP * 48_000) * 2)
    return b"".join(tone(pitch, STRETCH) + dip for pitch in WORDS)


class WordsHeard:
    """MiMo's answers: the words whose pitches sound in a piece, in order (a word cut in two
    by a piece's end is heard in both pieces, as MiMo hears a word cut at a seam); and the
    length of every piece it was sent."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, duration: float, body: Json) -> str:
        rate, pcm = recording_of(body)
        self.seconds.append(len(pcm) / 2 / rate)
        values, window = array.array("h", pcm), rate // 25  # 40 ms
        pitches = []
        for at in range(0, len(values) - window + 1, window):
            part = values[at : at + window]
            if max(part) > 2000:
                crossings = sum(1 for a, b in itertools.pairwise(part) if a < 0 <= b)
                pitches.append(round(crossings * 25, -2))
        runs = [(pitch, len(list(run))) for pitch, run in itertools.groupby(pitches)]
        return " ".join(WORDS[pitch] for pitch, length in runs if pitch in WORDS and length >= 3)


async def test_a_calls_pieces_grow_longer_while_the_minute_is_short_and_every_word_arrives(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann = discord_api.add_member(server, "Ann")
    in_call = await discord_api.join_call(server, ann, server.lounge)
    members = Members(discord_api, server.general)
    hearing = WordsHeard()
    # Four requests in a minute of 12 s: her speech, a second of it a second, would take
    # thirteen at the soonest pieces, four at the cheaper ones: two at pieces of 4 to 8 s.
    minute = short_minute(mimo, requests=4, seconds=12.0)
    async with bot_in_server(discord_api, mimo, sqlite_url, **minute) as bot:
        mimo.asr_text = hearing
        await members.answer(ann, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann)
        call = listening_cog(bot).listened.call_in(server_of(server))
        assert call is not None and call.pieces == SOONER
        await discord_api.voice.speak(in_call, words_said_pcm())
        whole = "**Ann**: " + " ".join(WORDS.values())
        await until(lambda: whole in posted_in(discord_api, server.lounge), "every word",
                    timeout=60)  # fmt: skip
        await until(lambda: call.pieces == SOONER, "the soonest pieces again", timeout=60)
        await members.answer(ann, "stop_listening")

    assert max(hearing.seconds) > 4.5  # past the cheaper pieces' four seconds
    assert len(hearing.seconds) < SPOKEN / 2
    assert sum(hearing.seconds) == pytest.approx(SPOKEN, abs=0.3)  # each second heard once
    assert mimo.minute.refused == 0
    bye = discord_api.messages_in(server.lounge)[-1]
    kept = {file.filename: file.data.decode() for file in bye.attachments}["call.txt"]
    [line] = [line for line in kept.splitlines() if "Ann:" in line]
    assert line.endswith("Ann: " + " ".join(WORDS.values()))  # one line, every word once
