"""`/listen interpret:True` end to end, as a new user would try it: the bot `voicebridge run`
builds in the Lounge with its listening voice client, members speaking in it as Discord clients
do (`tests.standins.voice_members`), each a tone MiMo's stand-in hears as a sentence of their
language; what the bot says back into the call is what the voice server stand-in decodes: a
clip per interpretation, its pitch the voice that spoke it (`FakeMimo.voices_heard`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query, speech_counted
from tests.integration.test_discord_listening import (
    bot_in_server,
    in_the_lounge,
    listening_cog,
    pitch_of,
    posted_in,
    server_of,
)
from tests.integration.test_discord_reader import (
    CLONE,
    Members,
    assert_heard_as_spoken,
    clip_ended,
    clip_frames,
    clips,
    first_clip_after,
    left_by_itself,
    spoken_requests,
)
from tests.integration.test_discord_voice_wire import clip_pcm, pitch
from tests.integration.test_voices_discord import clone_on_discord
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import SAMPLE_RATE
from tests.standins.mimo import FakeMimo, Json, TtsStream
from tests.standins.voice_members import tone
from tests.waiting import until

SENTENCES = {440: "Hello everyone, shall we start?", 660: "好的，我们开始吧。", 550: "Bonjour"}
ENGLISH_VOICES = {"Mia", "Chloe", "Milo", "Dean"}


def sentence_of_tone(duration: float, body: Json) -> str:
    """MiMo's answer: the sentence of the member whose tone it was sent."""
    return SENTENCES[int(round(pitch_of(body), -1))]


async def test_the_call_hears_each_turn_in_the_other_language_in_the_speakers_allowed_voice(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    """The issue's "Done when": Ann's English heard in Chinese in her own voice (she allowed
    it), Bob's Chinese in English in a voice of English (he allowed no clone), Cy (who never
    said yes) neither captioned nor interpreted, /stop_listening ends both."""
    ann, bob, cy = await in_the_lounge(discord_api, server, "Ann", "Bob", "Cy")
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        mimo.asr_text = sentence_of_tone
        note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
        posted = await discord_api.post_voice_message(server.general, ann.user_id, note, duration=3)
        await clone_on_discord(discord_api, server, ann.user_id, posted, "AnnVoice", tmp_path)
        await members.answer(ann.user_id, "voicetranslations", allowed=True)
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        asr_before, tts_before = len(mimo.calls("mimo-v2.5-asr")), len(mimo.tts_wavs)
        started = await members.answer(ann.user_id, "listen", interpret=True, cheaper=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 1.0))
        await until(lambda: len(clips(call)) == 1 and len(mimo.tts_wavs) > tts_before, "Ann's")
        assert not clip_ended(call)  # Ann's interpretation plays on as Bob speaks: he is heard
        await speak(bob, tone(660, 1.0))
        await until(lambda: len(clips(call)) == 2, "Bob's interpretation heard")
        await speak(cy, tone(550, 1.0))  # never heard: Cy said no yes
        await members.answer(ann.user_id, "stop_listening")
        await voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")
        assert not listening_cog(bot).listening.listening(server_of(server))

    assert started.content.startswith(f"I am listening in <#{server.lounge}>")
    opening, anns, bobs, _bye = posted_in(discord_api, server.lounge)
    assert "I also interpret: what members who said yes say in Chinese or English" in opening
    assert anns == (
        "**Ann**: [Chinese] Hello everyone, shall we start?\n-# Hello everyone, shall we start?"
    )
    assert bobs == "**Bob**: [English] 好的，我们开始吧。\n-# 好的，我们开始吧。"
    spoken = spoken_requests(mimo)[-2:]
    # The stand-in's translation "[Chinese] …" is spoken without its brackets.
    assert spoken[0] == ("clone", "Chinese Hello everyone, shall we start?")  # her own voice
    assert spoken[1][0] in ENGLISH_VOICES and spoken[1][1] == "English 好的，我们开始吧。"
    assert (await mimo.samples_heard())[-1] is not None  # the clone speaks from her reading
    assert mimo.calls("mimo-v2.5-tts")[-2]["model"] == CLONE
    # What the call heard: two clips, each in the voice MiMo spoke it in.
    heard = clips(call)
    assert len(heard) == 2
    for clip, wav in zip(heard, mimo.tts_wavs[-2:], strict=True):
        spoken_pcm, rate = clip_pcm(wav)
        assert pitch(clip, SAMPLE_RATE) == pytest.approx(pitch(spoken_pcm, rate), rel=0.02)
    # Only Ann and Bob ever reached MiMo's ears: never Cy, never the bot's own interpretations.
    assert len(mimo.calls("mimo-v2.5-asr")) - asr_before == 2
    assert len(mimo.tts_wavs) - tts_before == 2
    # The costs: the captions' translations in the server's listening, the speech in its quota.
    used = {row[0]: row[1:] for row in await query(
        sqlite_url, "SELECT chat_id, prompt_tokens + completion_tokens, tts_chars FROM chat_usage"
    )}  # fmt: skip
    guild = server_of(server).chat_id
    assert used[f"{guild}/listen"][0] > 0
    assert used[guild][1] >= len("Hello everyone, shall we start?好的，我们开始吧。")


async def test_bob_hears_ann_interpreted_before_mimo_made_it_all_and_a_voice_refusing_streams_too(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 96's "Done when": MiMo streams Ann's interpretation in slices and holds the rest
    after the first; the call hears it begin meanwhile, then the whole of it, joined without a
    gap or a click. The English voices refuse to stream: Bob's interpretation is asked for
    whole and heard whole."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    mimo.tts_stream, mimo.tts_slices_hold = "slices", asyncio.Event()
    mimo.streams_refused |= ENGLISH_VOICES
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_of_tone
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True, cheaper=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 1.0))
        await until(lambda: len(call.speech) >= 5, "Ann's interpretation beginning")
        made_by_then = mimo.tts_streams_ended
        mimo.tts_slices_hold.set()
        await until(lambda: clip_ended(call), "Ann's interpretation played whole")
        await speak(bob, tone(660, 1.0))
        await until(lambda: len(clips(call)) == 2 and clip_ended(call), "Bob's interpretation")
        await members.answer(ann.user_id, "stop_listening")

    assert made_by_then == 0  # heard before MiMo had made it
    anns, bobs = clips(call)
    assert_heard_as_spoken(anns, mimo.tts_wavs[0])  # every slice, joined without a gap
    assert_heard_as_spoken(bobs, mimo.tts_wavs[1])
    asked = [(body["audio"]["voice"], body.get("stream")) for body in mimo.calls("mimo-v2.5-tts")]
    assert asked[0][0] not in ENGLISH_VOICES and asked[0][1] is True  # Ann's, in Chinese
    assert [stream for _, stream in asked[1:]] == [True, None]  # refused, then asked whole


async def test_an_interpretation_whose_stream_breaks_after_slices_played_counts_what_was_asked(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 103: MiMo's stream of Ann's interpretation breaks after three slices (the
    connection dropped). The call heard those; the server's speech of the day counts the
    characters MiMo was asked to speak, as MiMo bills a broken stream, once: it gave them all
    back."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    mimo.tts_stream, mimo.tts_cut_after = "slices", 3
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_of_tone
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True, cheaper=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 1.0))
        # Counted by then: the clip ends once its stream did, after its count was recorded.
        await until(lambda: clips(call) and clip_ended(call), "what came of it played")
        await members.answer(ann.user_id, "stop_listening")

    [(_, asked)] = spoken_requests(mimo)
    [heard] = clips(call)
    assert len(heard) / 2 / SAMPLE_RATE == pytest.approx(3 * 0.2, abs=0.05)  # what came
    # The translation as it was made, as a whole clip of it counts (MiMo is asked it without
    # the stand-in's brackets).
    made = f"[Chinese] {SENTENCES[440]}"
    assert asked == made.replace("[Chinese]", "Chinese")
    assert await speech_counted(sqlite_url, server_of(server).chat_id) == len(made)


async def test_interpreting_stops_with_one_line_after_the_captions_once_the_speech_runs_out(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The server's speech of the day is too short for Bob's interpretation: nothing is
    spoken, the chat is told once (in the captions' stream, after his caption), and the
    captions go on."""
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url, daily_tts_chars=5) as bot:
        mimo.asr_text = sentence_of_tone
        await members.answer(bob.user_id, "listen_me", allowed=True)
        await members.answer(bob.user_id, "listen", interpret=True, cheaper=True)
        call = await discord_api.voice.wait_until(
            lambda: discord_api.voice.live_call(server.id, server.lounge), what="the call"
        )
        await discord_api.voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "the stop's line")
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 4, "his next caption")
        await members.answer(bob.user_id, "stop_listening")
        assert not listening_cog(bot).listening.listening(server_of(server))

    _opening, caption, stopped, captioned, _bye = posted_in(discord_api, server.lounge)
    assert caption.startswith("**Bob**: ") and captioned.startswith("**Bob**: ")
    assert stopped.startswith("I stopped interpreting in this call; the captions go on.")
    assert mimo.tts_wavs == []  # nothing was spoken


@pytest.mark.parametrize("stream", ["whole", "slices"])
async def test_a_no_one_second_into_her_interpretation_silences_it_and_hers_waiting_never_plays(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, stream: TtsStream
) -> None:
    """The issue's "Done when": Ann's long interpretation plays, another of hers and one of
    Bob's wait in the queue; one second into hers she says no (/listen_me allowed:False). What
    the voice server receives of it once the bot answered her no is under half a second of
    audio (25 frames of 20 ms), hers waiting is never played, and Bob's plays next. So too where
    MiMo streams it in slices, at twice real time: her no comes while the slices still do."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    mimo.tts_seconds_per_char = 0.3  # her interpretation lasts about 12 s
    mimo.tts_stream, mimo.tts_pace = stream, 2.0 if stream == "slices" else 0.0
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        mimo.asr_text = sentence_of_tone
        interpreting = listening_cog(bot).listening.interpreting
        assert interpreting is not None
        interpreting.late_after = 120.0  # what waits in the queue is not dropped as late meanwhile
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True, cheaper=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 1.0))
        await until(lambda: len(call.speech) >= 1, "her interpretation playing")
        await speak(ann, tone(440, 1.0))  # her next turn, and Bob's, wait behind it
        await speak(bob, tone(660, 1.0))
        await until(lambda: len(mimo.tts_wavs) == 3, "all three interpretations made")
        await until(lambda: len(call.speech) >= 50, "one second of hers heard")
        asked = await discord_api.slash(server.general, ann.user_id, "listen_me", allowed=False)
        await asked.wait_for_messages()
        await until(lambda: len(clip_frames(call)) == 2, "the next interpretation", timeout=60)
        heard_after_no = first_clip_after(call, asked.answered_at or 0.0)
        await until(lambda: clip_ended(call), "Bob's interpretation played whole", timeout=30)
        await members.answer(bob.user_id, "stop_listening")

    assert heard_after_no <= 25  # within half a second of audio
    played = clips(call)
    assert len(played) == 2  # hers, cut, and Bob's: hers waiting never played
    [his] = [i for i, (_, said) in enumerate(spoken_requests(mimo)) if said.startswith("English")]
    bobs, rate = clip_pcm(mimo.tts_wavs[his])
    assert len(played[1]) / 2 / SAMPLE_RATE == pytest.approx(len(bobs) / 2 / rate, abs=0.1)
