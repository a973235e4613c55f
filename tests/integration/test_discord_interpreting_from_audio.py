"""`/listen interpret:True` with DISCORD_INTERPRET_FROM=audio, end to end as a new user would try
it: each sentence translated from its sound by MiMo's audio understanding model, in one request
sent beside its recognition (which still makes the captions), then spoken. The bot `voicebridge
run` builds, members speaking in the Lounge as Discord clients do, MiMo's stand-in hearing each
tone as a sentence of its member's language (`tests.integration.test_discord_interpreting`)."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration.chatlog_db import query
from tests.integration.test_discord_interpreting import sentence_of_tone
from tests.integration.test_discord_listening import (
    bot_in_server,
    in_the_lounge,
    posted_in,
    server_of,
)
from tests.integration.test_discord_reader import (
    Members,
    assert_heard_as_spoken,
    clip_ended,
    clips,
    first_clip_after,
    spoken_requests,
)
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import Call
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import CallMember, tone
from tests.waiting import until

FROM_AUDIO = {"discord_interpret_from": "audio"}


def understanding(mimo: FakeMimo) -> list[Json]:
    """The requests to the audio model that carried audio (the translations from sound)."""
    return [
        body for body in mimo.requests
        if body.get("model") == "mimo-v2.6-flash" and _has_audio(body)
    ]  # fmt: skip


def chats(mimo: FakeMimo) -> list[Json]:
    """The text model's requests (translations of words): the same model id, no audio."""
    return [
        body for body in mimo.requests
        if body.get("model") == "mimo-v2.6-flash" and not _has_audio(body)
    ]  # fmt: skip


def _has_audio(body: Json) -> bool:
    return any(
        isinstance(part, dict) and part.get("type") == "input_audio"
        for message in body["messages"] if isinstance(message.get("content"), list)
        for part in message["content"]
    )  # fmt: skip


async def interpreted_call(
    discord_api: FakeDiscord, server: Guild, members: Members, starter: CallMember
) -> Call:
    """`/listen interpret:True` started by `starter`: the call once the bot is in it."""
    voice = discord_api.voice
    await members.answer(starter.user_id, "listen", interpret=True, cheaper=True)
    call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="call")
    await voice.wait_until(lambda: call.dave.executed, what="the transition")
    await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
    return call


async def test_bob_hears_ann_interpreted_from_her_sound_in_one_request_and_the_captions_stay(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Ann's English is heard in Chinese, Bob's Chinese in English; each sentence cost one
    request for its translation (its sound, thinking off), none to the text model; the captions
    come from the recognition and show the translation that was spoken; the audio is counted
    with the listening, as /ask counts it."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    mimo.tts_seconds_per_char = 0.02  # short clips: the test waits for each to end
    async with bot_in_server(discord_api, mimo, sqlite_url, **FROM_AUDIO):
        mimo.asr_text = sentence_of_tone
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        call = await interpreted_call(discord_api, server, members, ann)
        await discord_api.voice.speak(ann, tone(440, 1.0))
        await until(lambda: len(clips(call)) == 1 and clip_ended(call), "Ann's interpretation")
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(clips(call)) == 2 and clip_ended(call), "Bob's interpretation")
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "both captions")
        await members.answer(ann.user_id, "stop_listening")

    _opening, anns, bobs, *_ = posted_in(discord_api, server.lounge)
    assert anns == (
        "**Ann**: [Chinese] Hello everyone, shall we start?\n-# Hello everyone, shall we start?"
    )
    assert bobs == "**Bob**: [English] 好的，我们开始吧。\n-# 好的，我们开始吧。"
    spoken = spoken_requests(mimo)
    assert [said for _, said in spoken] == [
        "Chinese Hello everyone, shall we start?",
        "English 好的，我们开始吧。",
    ]
    for clip, wav in zip(clips(call), mimo.tts_wavs, strict=True):
        assert_heard_as_spoken(clip, wav)
    asked = understanding(mimo)
    assert len(asked) == 2 and chats(mimo) == []  # one request a sentence, no text translation
    assert all(body["thinking"] == {"type": "disabled"} for body in asked)
    assert len(mimo.calls("mimo-v2.5-asr")) == 2  # the captions' recognition, as ever
    assert mimo.understood_seconds == pytest.approx(2.0, abs=0.3)
    [(asked_seconds, tokens)] = await query(
        sqlite_url,
        "SELECT ask_seconds, prompt_tokens + completion_tokens FROM chat_usage"
        " WHERE chat_id = :row",
        row=f"{server_of(server).chat_id}/listen",
    )
    assert asked_seconds >= 2 and tokens >= 2 * 6  # 6.25 audio tokens a second, and the text


async def test_a_no_cuts_her_interpretation_from_sound_within_half_a_second(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Ann's long interpretation plays; one second in she says no: once the bot has answered
    it, under half a second more is heard, and nothing more of hers is asked for."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.tts_seconds_per_char = 0.15  # her interpretation lasts about 6 s
    async with bot_in_server(discord_api, mimo, sqlite_url, **FROM_AUDIO):
        mimo.asr_text = sentence_of_tone
        await members.answer(ann.user_id, "listen_me", allowed=True)
        call = await interpreted_call(discord_api, server, members, ann)
        await discord_api.voice.speak(ann, tone(440, 1.0))
        await until(lambda: len(call.speech) >= 50, "one second of hers heard")
        asked = await discord_api.slash(server.general, ann.user_id, "listen_me", allowed=False)
        await asked.wait_for_messages()
        await until(lambda: clip_ended(call), "her interpretation cut")
        heard_after_no = first_clip_after(call, asked.answered_at or 0.0)
        await members.answer(ann.user_id, "stop_listening")

    assert heard_after_no <= 25  # within half a second of audio
    assert len(clips(call)) == 1 and len(understanding(mimo)) == 1


async def test_a_no_while_his_sentence_is_translated_from_its_sound_speaks_nothing_of_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Bob's sentence is at the audio model when he says no: it is never spoken, even once
    the answer comes; his next sentence, after his yes again, is."""
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    members = Members(discord_api, server.general)
    mimo.tts_seconds_per_char = 0.02  # short clips: the test waits for the end of one
    bobs_answer = asyncio.Event()

    async def holding_bobs(body: Json) -> None:
        if body["model"] == "mimo-v2.6-flash" and _has_audio(body):
            await bobs_answer.wait()

    async with bot_in_server(discord_api, mimo, sqlite_url, **FROM_AUDIO):
        mimo.asr_text, mimo.before_answer = sentence_of_tone, holding_bobs
        await members.answer(bob.user_id, "listen_me", allowed=True)
        call = await interpreted_call(discord_api, server, members, bob)
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(understanding(mimo)) == 1, "his sentence at MiMo")
        await members.answer(bob.user_id, "listen_me", allowed=False)
        bobs_answer.set()
        await members.answer(bob.user_id, "listen_me", allowed=True)
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(clips(call)) == 1 and clip_ended(call), "his next sentence")
        await members.answer(bob.user_id, "stop_listening")

    # His next one alone: the one before his no never was, nor asked to be.
    assert [said for _, said in spoken_requests(mimo)] == ["English 好的，我们开始吧。"]
    assert len(understanding(mimo)) == 2


STOPPED = "I stopped interpreting in this call; the captions go on."


def lounge_lines(discord_api: FakeDiscord, server: Guild) -> str:
    """Every line posted in the Lounge's chat, in order."""
    return "\n".join(posted_in(discord_api, server.lounge))


async def test_a_refused_audio_model_stops_interpreting_once_naming_its_setting(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """MiMo refuses the audio model MIMO_AUDIO_MODEL names (`mimo-v2-omni`, retired: a 404
    naming its successor): interpreting stops with one line naming the setting, nothing is
    spoken, the captions go on, and the model is asked once."""
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(
        discord_api, mimo, sqlite_url, mimo_audio_model="mimo-v2-omni", **FROM_AUDIO
    ):
        mimo.asr_text = sentence_of_tone
        await members.answer(bob.user_id, "listen_me", allowed=True)
        await interpreted_call(discord_api, server, members, bob)
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: STOPPED in lounge_lines(discord_api, server), "the stop's line")
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(
            lambda: lounge_lines(discord_api, server).count("**Bob**: 好的") == 2, "his caption"
        )
        await members.answer(bob.user_id, "stop_listening")

    said = lounge_lines(discord_api, server)
    assert said.count(STOPPED) == 1  # said once, in the captions' stream
    [why] = [line for line in said.splitlines() if line.startswith(STOPPED)]
    assert "MIMO_AUDIO_MODEL" in why and "mimo-v2-omni" in why
    assert "**Bob**: 好的，我们开始吧。" in said  # the captions go on, untranslated
    assert mimo.tts_wavs == []
    assert len([b for b in mimo.requests if b.get("model") == "mimo-v2-omni"]) == 1  # once


async def test_a_turn_ending_without_a_full_stop_is_spoken_from_its_sound_and_captioned(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Ann says a sentence without its full stop and goes quiet, with `/listen`'s short
    pieces: her turn's last piece has no sound. That is silence: the request her pause sent
    stands for the sentence (one request, none to the text model), and her caption shows the
    translation spoken."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.tts_seconds_per_char = 0.02

    def heard(duration: float, body: Json) -> str:
        return "Okay so that is the plan" if duration >= 0.5 else "and"

    async with bot_in_server(discord_api, mimo, sqlite_url, **FROM_AUDIO):
        mimo.asr_text = heard
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True)
        voice = discord_api.voice
        call = await voice.wait_until(
            lambda: voice.live_call(server.id, server.lounge), what="call"
        )
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await discord_api.voice.speak(ann, tone(440, 1.0))
        await until(lambda: len(clips(call)) == 1 and clip_ended(call), "her interpretation")
        await until(lambda: "[Chinese]" in lounge_lines(discord_api, server), "its caption")
        await members.answer(ann.user_id, "stop_listening")

    assert len(understanding(mimo)) == 1 and chats(mimo) == []
    assert [said for _, said in spoken_requests(mimo)] == ["Chinese Okay so that is the plan"]
    assert "**Ann**: [Chinese] Okay so that is the plan" in lounge_lines(discord_api, server)
