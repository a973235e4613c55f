"""A chat's own voices and long texts on Telegram, end to end: the real bot, the real MiMo
client against the MiMo stand-in, real ffmpeg, and SQLite (and PostgreSQL with
TEST_DATABASE_URL) holding the voices and their samples."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from core.domain.voices.speaking_style_rules import clone_voice
from core.infra.audio.ffmpeg_binary import ffmpeg_exe
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio, make_reading
from tests.integration.chatlog_db import query
from tests.integration.conftest import running, settings_for
from tests.integration.test_voice_consent_telegram import clone_by_reading
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)
probe = AUDIO.probe

ALICE, BOB = 2001, 2002
GROUP = -100777
DESIGN, CLONE, TTS = "mimo-v2.5-tts-voicedesign", "mimo-v2.5-tts-voiceclone", "mimo-v2.5-tts"


def post_text(bot_api: FakeBotApi, user: int, words: str, **kwargs: Any) -> dict[str, Any]:
    message = bot_api.text_message(
        chat_id=GROUP, user_id=user, text=words, chat_type="supergroup", **kwargs
    )
    bot_api.push(message)
    return message


async def reply_after(bot_api: FakeBotApi, already: int) -> str:
    calls = await bot_api.wait_for("sendMessage", count=already + 1, chat_id=GROUP)
    return str(calls[-1].params["text"])


async def command(bot_api: FakeBotApi, user: int, words: str, **kwargs: Any) -> str:
    """Post a command in the group and return the text the bot answers with."""
    already = len(bot_api.sent("sendMessage", chat_id=GROUP))
    post_text(bot_api, user, words, **kwargs)
    return await reply_after(bot_api, already)


async def whole_answer(bot_api: FakeBotApi, note: dict[str, Any]) -> str:
    """The bot's answer to `note` once it is whole: a long recording's live progress replaced
    by the transcript or the refusal."""

    def replies() -> list[str]:
        return [m["text"] for m in bot_api.replies_to(GROUP, note["message_id"])]

    await bot_api.wait_until(  # the progress sentences end in "…"; an answer does not
        lambda: bool(replies()) and not replies()[-1].endswith("…"), timeout=60, what="answer"
    )
    return replies()[-1]


async def spoken_reply(bot_api: FakeBotApi, user: int, words: str, note: dict[str, Any]) -> Any:
    """Post a command as a reply to `note` that answers with a voice note."""
    already = len(bot_api.sent("sendVoice", chat_id=GROUP))
    post_text(bot_api, user, words, reply_to=note)
    calls = await bot_api.wait_for("sendVoice", count=already + 1, chat_id=GROUP)
    return calls[-1]


async def voice_answer(bot_api: FakeBotApi, user: int, words: str, timeout: float = 15.0) -> Any:
    """Post a command that answers with a voice note; returns the sendVoice call."""
    already = len(bot_api.sent("sendVoice", chat_id=GROUP))
    post_text(bot_api, user, words)
    calls = await bot_api.wait_for("sendVoice", count=already + 1, chat_id=GROUP, timeout=timeout)
    return calls[-1]


def silences(path: Path) -> list[float]:
    """Where each pause of at least 0.2 s in the audio starts, in seconds."""
    run = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-af", "silencedetect=n=-35dB:d=0.2",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [float(start) for start in re.findall(r"silence_start: ([\d.]+)", run.stderr)]


async def chat_voices(url: str, chat_id: int) -> list[tuple[str, str, int]]:
    """(name, kind, sample bytes) of every stored voice of a Telegram chat."""
    rows = await query(
        url,
        "SELECT name, kind, sample FROM chat_voices WHERE platform = 'telegram'"
        " AND chat_id = :chat ORDER BY id",
        chat=str(chat_id),
    )
    return [(str(n), str(k), len(s or b"")) for n, k, s in rows]


async def design_reference(url: str, designed_wav: bytes, folder: Path) -> str:
    """The data URL a designed voice speaks from: its stored sample, which must be the audio
    the chat heard when it was designed (as long as that WAV, kept as MP3)."""
    [(sample,)] = await query(url, "SELECT sample FROM chat_voices WHERE kind = 'designed'")
    heard, kept = folder / "design.wav", folder / "sample.mp3"
    heard.write_bytes(designed_wav)
    kept.write_bytes(sample)
    heard_info, kept_info = await probe(heard), await probe(kept)
    assert kept_info.codec == "mp3"
    assert kept_info.duration == pytest.approx(heard_info.duration, abs=0.1)
    return "data:audio/mpeg;base64," + base64.b64encode(sample).decode()


async def test_a_designed_voice_is_heard_chosen_and_used_by_the_next_say(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    bot_api.set_member_status(GROUP, ALICE, "administrator")
    description = "a calm, low narrator with a slight smile"
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        refused = await command(bot_api, BOB, f"/voice design Narrator {description}")
        sample = await voice_answer(bot_api, ALICE, f"/voice design Narrator {description}")
        duplicate = await command(bot_api, ALICE, "/voice design narrator someone else")
        shadow = await command(bot_api, ALICE, "/voice design mia a built-in name")
        listing = await command(bot_api, BOB, "/voice")
        chosen = await command(bot_api, ALICE, "/voice narrator")
        await voice_answer(bot_api, BOB, "/say (whisper) Good evening [laugh] everyone")

    assert refused == "Only administrators can change settings in this chat."
    assert sample.params["caption"].startswith("Voice Narrator is ready")
    [first] = mimo.calls(DESIGN)
    designed_wav = mimo.tts_wavs[0]  # what the chat heard, and what the voice is from now on
    # The description is the voice: in the user message, no preset voice, no text rewriting.
    assert first["audio"] == {"format": "wav", "optimize_text_preview": False}
    assert first["messages"][0] == {"role": "user", "content": description}
    assert "Narrator" in first["messages"][1]["content"]
    assert duplicate.startswith(
        "“narrator” is taken: this chat or the speech service already has a voice"
    )
    assert shadow.startswith("“mia” is taken: this chat or the speech service already has")
    assert "• Narrator — designed: a calm, low narrator" in listing
    assert chosen == "Voice set to Narrator."
    # MIMO_TTS_MODEL is the preset model, yet the chosen voice speaks from the design's sample,
    # through voiceclone: the same voice every time, where voicedesign would vary.
    [said] = mimo.calls(CLONE)
    reference = await design_reference(database_url, designed_wav, tmp_path)
    assert said["audio"]["voice"] == reference
    # voiceclone performs audio tags (voicedesign would have read them out as words).
    assert said["messages"] == [
        {"role": "assistant", "content": "whisper Good evening [laugh] everyone"}
    ]
    assert [body for body in mimo.requests if body["model"] == TTS] == []
    [(name, kind, size)] = await chat_voices(database_url, GROUP)
    assert (name, kind) == ("Narrator", "designed") and 0 < size < len(designed_wav) / 4


async def test_a_long_say_in_a_designed_voice_is_one_voice_the_one_the_chat_heard(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """voicedesign gives a new voice on every request (the stand-in, like MiMo, changes it):
    every piece of a long note, on any day, speaks from the sample the chat chose."""
    bot_api.set_member_status(GROUP, ALICE, "administrator")
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, tts_piece_chars=50
    )
    async with running(settings, bot_api):
        await voice_answer(bot_api, ALICE, "/voice design Bard a warm storyteller")
        await command(bot_api, ALICE, "/voice bard")
        await voice_answer(bot_api, BOB, "/say " + "Once upon a time there was a voice. " * 5)

    [design, *pieces] = [body for body in mimo.requests if "-tts" in body["model"]]
    _, *heard_in_pieces = mimo.voices_heard  # after the design's own
    assert design["model"] == DESIGN and len(pieces) >= 3
    reference = await design_reference(database_url, mimo.tts_wavs[0], tmp_path)
    assert {(piece["model"], piece["audio"]["voice"]) for piece in pieces} == {(CLONE, reference)}
    assert len(set(heard_in_pieces)) == 1  # one voice through the note


async def test_a_longer_note_after_the_reading_is_an_ordinary_note_and_the_clone_keeps_the_reading(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Bob's voice is cloned from his reading. He asks for a sentence again, and sends a note
    of 65 seconds that says it: a reading is never that long (READING_SECONDS), so the note is
    transcribed as any note, the sentence stays open, and his clone speaks from his first
    reading, never from that note."""
    mimo.asr_text = ""  # what MiMo hears in the silence after a reading
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        first = (await command(bot_api, BOB, "/voice clone bobswap")).rsplit("\n\n", 1)[-1]
        already = len(bot_api.sent("sendMessage", chat_id=GROUP))
        bot_api.push(bot_api.voice_message(
            chat_id=GROUP, user_id=BOB, data=make_reading(tmp_path, first).read_bytes(),
            duration=8, chat_type="supergroup",
        ))  # fmt: skip
        cloned = await reply_after(bot_api, already)
        [(reading,)] = await query(database_url, "SELECT sample FROM chat_voices")
        again = (await command(bot_api, BOB, "/voice clone bobswap")).rsplit("\n\n", 1)[-1]
        long_note = bot_api.voice_message(
            chat_id=GROUP, user_id=BOB, data=make_reading(tmp_path, again, seconds=65).read_bytes(),
            duration=65, chat_type="supergroup",
        )  # fmt: skip
        bot_api.push(long_note)
        answer = await whole_answer(bot_api, long_note)
        [(kept,)] = await query(database_url, "SELECT sample FROM chat_voices")
        still_open = await query(
            database_url, "SELECT sentence FROM clone_challenges WHERE cloned_at IS NULL"
        )
        bot_api.set_member_status(GROUP, BOB, "administrator")
        await command(bot_api, BOB, "/voice bobswap")
        said = await voice_answer(bot_api, BOB, "/say Hello, it is me.")  # his own words

    assert cloned.startswith("Voice bobswap is cloned from your recording.")
    assert first != again
    assert answer == again  # its transcript, as any voice note's
    assert bytes(kept) == bytes(reading)  # the sample is still his reading
    assert [str(sentence) for (sentence,) in still_open] == [again]
    assert await mimo.samples_heard() == [first]  # the clone speaks from his reading
    # The sample is the reading, as mp3, sent as a data URL.
    [request] = mimo.calls(CLONE)
    url = request["audio"]["voice"]
    assert url == "data:audio/mpeg;base64," + base64.b64encode(bytes(kept)).decode()
    sample = tmp_path / "sample.mp3"
    sample.write_bytes(bytes(kept))
    info = await probe(sample)
    assert info.codec == "mp3"
    assert info.duration < 30
    assert request["messages"] == [{"role": "assistant", "content": "Hello, it is me."}]
    assert said.params["duration"] >= 1


async def test_a_cloned_voice_speaks_for_the_chat_only_while_its_owner_shares_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Bob, an administrator, cannot make Alice's cloned voice the group's until she shares it;
    once she takes it back, everyone but Alice hears the default voice again at once (the
    group's choice stays stored, and speaks again should she share it again)."""
    bot_api.set_member_status(GROUP, BOB, "administrator")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        await clone_by_reading(bot_api, ALICE, "Alice", tmp_path, GROUP)
        refused = await command(bot_api, BOB, "/voice Alice")
        listed = await command(bot_api, BOB, "/voice")
        not_his = await command(bot_api, BOB, "/voice share Alice")
        shared = await command(bot_api, ALICE, "/voice share alice")
        chosen = await command(bot_api, BOB, "/voice Alice")
        await voice_answer(bot_api, BOB, "/say Shared.")
        settings_shared = await command(bot_api, BOB, "/settings")
        unshared = await command(bot_api, ALICE, "/voice unshare Alice")
        await voice_answer(bot_api, BOB, "/say Taken back.")
        await voice_answer(bot_api, ALICE, "/say My own words.")
        settings_unshared = await command(bot_api, BOB, "/settings")
    [(stored_choice,)] = await query(database_url, "SELECT voice FROM chat_preferences")

    assert refused == (
        "“Alice” is cloned from someone's own voice, and they have not shared it with this "
        "chat: only its owner can share it, and until then it cannot be the chat's voice."
    )
    assert (
        "• Alice — cloned from a recording, not shared: it speaks only its owner's own words"
        in listed
    )
    assert not_his.startswith("Only the person a voice was cloned from can share it")
    assert shared.startswith("Your voice Alice is now shared with this chat")
    assert chosen == "Voice set to Alice."
    assert "• Cloned voices: Alice (shared)" in settings_shared
    assert unshared.startswith("Your voice Alice is no longer shared")
    assert "• Cloned voices: Alice (not shared)" in settings_unshared
    assert stored_choice == "Alice"
    spoken_in_clone = [r["messages"][-1]["content"] for r in mimo.calls(CLONE)]
    spoken_in_default = [r["messages"][-1]["content"] for r in mimo.requests if r["model"] == TTS]
    assert spoken_in_clone == ["Shared.", "My own words."]
    assert spoken_in_default == ["Taken back."]


async def test_deleting_a_voice_and_forget_remove_the_samples(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    voice = make_audio(tmp_path, fmt="ogg", seconds=4).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, mimo_tts_model="mimo-v2-tts"
    )
    async with running(settings, bot_api):
        bot_api.set_member_status(GROUP, ALICE, "administrator")
        notes = {}
        for user in (ALICE, BOB):
            notes[user] = bot_api.voice_message(
                chat_id=GROUP, user_id=user, data=voice, duration=4, chat_type="supergroup"
            )
            bot_api.push(notes[user])
            await bot_api.wait_for("sendMessage", count=len(notes), chat_id=GROUP)
        await clone_by_reading(bot_api, ALICE, "Mine", tmp_path, GROUP)
        await clone_by_reading(bot_api, BOB, "Bobs", tmp_path, GROUP)
        await command(bot_api, ALICE, "/voice Bobs")
        not_yours = await command(bot_api, BOB, "/voice delete Mine")
        unknown = await command(bot_api, BOB, "/voice delete Nobody")
        deleted = await command(bot_api, BOB, "/voice delete bobs")  # his own: no admin needed
        after_delete = await chat_voices(database_url, GROUP)
        await voice_answer(bot_api, BOB, "/say back to normal")
        done = await command(bot_api, ALICE, "/forget")
        after_forget = await chat_voices(database_url, GROUP)

    assert not_yours == "Only administrators can change settings in this chat."
    assert unknown.startswith("This chat has no voice of its own called “Nobody”")
    assert deleted == "Voice Bobs and everything stored with it are deleted."
    assert [(name, kind) for name, kind, size in after_delete if size > 0] == [("Mine", "cloned")]
    # The chosen voice is gone, so the default of the configured model speaks again.
    [request] = mimo.calls("mimo-v2-tts")
    assert request["audio"]["voice"] == "mimo_default"
    assert "its own voices with their samples" in done
    assert after_forget == []


async def test_a_3000_character_text_becomes_one_voice_note_of_sentence_pieces_in_order(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    sentences = [f"Sentence number {n} is here, and it says a little more. " for n in range(60)]
    long_text = "".join(sentences)[:3000].rsplit(". ", 1)[0] + "."
    assert len(long_text) > 2900
    mimo.tts_seconds_per_char = 0.01  # 30 s of speech, not 150: as telling, a fifth of the work
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        sent = await voice_answer(bot_api, BOB, f"/say {long_text}", timeout=60)
        usage = await command(bot_api, BOB, "/usage")

    pieces = [body["messages"][-1]["content"] for body in mimo.requests if body["model"] == TTS]
    assert len(pieces) == 3 and all(len(piece) <= 1000 for piece in pieces)
    pieces.sort(key=long_text.index)  # requests run side by side: sent in any order
    assert " ".join(pieces) == long_text  # whole sentences, nothing lost or repeated
    assert all(piece.endswith(".") for piece in pieces)  # cut at sentence ends
    assert len(bot_api.sent("sendVoice", chat_id=GROUP)) == 1
    note = tmp_path / "note.ogg"
    note.write_bytes(sent.files["voice"])
    info = await probe(note)
    # The stand-in speaks 0.01 s per character; pieces are joined with 0.3 s pauses, in order.
    expected = sum(len(piece) * 0.01 for piece in pieces) + 2 * 0.3
    assert (info.container, info.codec) == ("ogg", "opus")
    assert info.duration == pytest.approx(expected, abs=0.3)
    # Joined in the text's order: the pauses fall where the pieces' lengths put them.
    first, second = (len(piece) * 0.01 for piece in pieces[:2])
    pauses = silences(note)
    assert len(pauses) == 2
    assert pauses[0] == pytest.approx(first, abs=0.15)
    assert pauses[1] == pytest.approx(first + 0.3 + second, abs=0.25)
    spoken_chars = int(re.search(r"Speech: ([\d,]+)", usage).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert spoken_chars == sum(map(len, pieces))


async def test_a_spoken_translation_uses_the_speakers_own_voice_only_once_they_allowed_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    ogg = make_audio(tmp_path, fmt="ogg", seconds=4).read_bytes()
    mimo.asr_text = "我们明天见"
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        note = bot_api.voice_message(
            chat_id=GROUP, user_id=ALICE, data=ogg, duration=4, chat_type="supergroup"
        )
        bot_api.push(note)
        await bot_api.wait_for("sendMessage", chat_id=GROUP)  # its transcript
        no_voice_yet = await command(bot_api, ALICE, "/voicetranslations on")
        await clone_by_reading(bot_api, ALICE, "Alice", tmp_path, GROUP)
        no_reply = await command(bot_api, BOB, "/translate en voice")
        await spoken_reply(bot_api, BOB, "/translate en voice", note)  # the chat's voice
        someone_else = await command(bot_api, BOB, "/voicetranslations on")
        allowed = await command(bot_api, ALICE, "/voicetranslations on")
        await spoken_reply(bot_api, BOB, "/translate en voice", note)  # now in Alice's voice
        not_spoken = await command(bot_api, BOB, "/translate fr voice", reply_to=note)
        await command(bot_api, ALICE, "/voicetranslations off")
        await spoken_reply(bot_api, BOB, "/translate English voice", note)
        [(sample,)] = await query(database_url, "SELECT sample FROM chat_voices")

    assert no_voice_yet.startswith("You have no voice of your own in this chat yet")
    assert no_reply.startswith("Reply to a voice note, audio, video or text with /translate")
    assert someone_else.startswith("You have no voice of your own in this chat yet")
    assert allowed.startswith("Your own voice in this chat now speaks translations")
    speech = [(b["model"], b["audio"]["voice"], b["messages"][-1]["content"])
              for b in mimo.requests if "-tts" in b["model"]]  # fmt: skip
    alices = clone_voice(bytes(sample), "audio/mpeg")
    # The stand-in's "[English] ..." is spoken as words: a leading bracket is never a style.
    assert speech == [
        ("mimo-v2.5-tts", "mimo_default", "English 我们明天见"),  # not yet allowed
        (CLONE, alices, "English 我们明天见"),  # allowed: her own voice speaks her words
        ("mimo-v2.5-tts", "mimo_default", "English 我们明天见"),  # taken back
    ]
    assert not_spoken == (
        "I can speak translations only in Chinese or English, so here it is as text.\n\n"
        "[French] 我们明天见"
    )
