"""Spoken consent on Telegram, end to end (`core.app.voices.clone_consent`): the real bot against
the Bot API stand-in, the real MiMo client against the MiMo stand-in (which hears the words a test
reads, `tests.standins.spoken_words`), real ffmpeg and storage. A voice is cloned only from a fresh
voice note of its owner reading the one-time sentence the bot showed them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.audio_factory import make_audio, make_reading
from tests.integration.chatlog_db import query
from tests.integration.conftest import running, settings_for
from tests.standins.clock import ManualClock
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 2001, 2002
GROUP = -100778
OTHER_GROUP = -100779  # another group the bot is in
CLONE = "mimo-v2.5-tts-voiceclone"
ASR = "mimo-v2.5-asr"
# The digits that end a consent sentence: three groups, each one's digits apart.
DIGITS_SHOWN = r"\d\xa0\d\xa0\d\xa0\d, \d\xa0\d\xa0\d\xa0\d, \d\xa0\d\xa0\d"


async def said_in(bot_api: FakeBotApi, chat: int, message: dict[str, Any]) -> str:
    """Push `message` into `chat` and return the text the bot answers there with (a transcript
    once the reply that said "Transcribing…" has become it)."""
    already = len(bot_api.texts(chat))

    def answered() -> bool:
        texts = bot_api.texts(chat)
        return len(texts) > already and not texts[-1].endswith("…")

    bot_api.push(message)
    await bot_api.wait_until(answered, what=f"the answer in {chat}")
    return bot_api.texts(chat)[-1]


async def answer_in(bot_api: FakeBotApi, user: int, words: str, chat: int = GROUP) -> str:
    kind = "private" if chat > 0 else "supergroup"
    message = bot_api.text_message(chat_id=chat, user_id=user, text=words, chat_type=kind)
    return await said_in(bot_api, chat, message)


def sentence_in(answer: str) -> str:
    """The sentence the bot asks to be read: its answer's last paragraph."""
    return answer.rsplit("\n\n", 1)[-1]


def reading(
    bot_api: FakeBotApi, user: int, words: str, folder: Path, chat: int = GROUP, **kwargs: Any
) -> dict[str, Any]:
    """A new voice note of `user` reading `words` aloud in `chat`."""
    kind = "private" if chat > 0 else "supergroup"
    data = make_reading(folder, words).read_bytes()
    return bot_api.voice_message(
        chat_id=chat, user_id=user, data=data, duration=8, chat_type=kind, **kwargs
    )


async def clone_by_reading(
    bot_api: FakeBotApi, user: int, name: str, folder: Path, chat: int = GROUP
) -> str:
    """`user` asks to clone their voice as `name` and reads the sentence: the bot's answer."""
    asked = await answer_in(bot_api, user, f"/voice clone {name}", chat)
    return await said_in(bot_api, chat, reading(bot_api, user, sentence_in(asked), folder, chat))


async def voices_kept(url: str) -> list[tuple[str, str | None]]:
    rows = await query(url, "SELECT name, owner_id FROM chat_voices ORDER BY id")
    return [(str(name), owner) for name, owner in rows]


async def verified_of(url: str) -> list[tuple[str, bool]]:
    rows = await query(url, "SELECT name, verified FROM chat_voices ORDER BY id")
    return [(str(name), bool(verified)) for name, verified in rows]


async def execute(url: str, sql: str, **params: Any) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(sql), params)
    finally:
        await engine.dispose()


async def test_a_member_clones_their_voice_by_reading_the_sentence_and_say_speaks_in_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        asked = await answer_in(bot_api, ALICE, "/voice clone Alice")
        sentence = sentence_in(asked)
        cloned = await said_in(bot_api, GROUP, reading(bot_api, ALICE, sentence, tmp_path))
        stored = await verified_of(database_url)
        bot_api.set_member_status(GROUP, ALICE, "administrator")
        await answer_in(bot_api, ALICE, "/voice alice")
        bot_api.push(bot_api.text_message(
            chat_id=GROUP, user_id=ALICE, text="/say Hello, it is me.", chat_type="supergroup"
        ))  # fmt: skip
        await bot_api.wait_for("sendVoice", chat_id=GROUP)

    assert asked.startswith(
        "To clone your voice, read this sentence aloud, the digits at its end one by one, and "
        "send it as a new voice note"
    )
    assert re.fullmatch(
        r"I am User2001, and I agree that voicebridge may speak in my voice in this chat\. "
        + DIGITS_SHOWN,
        sentence,
    )
    assert cloned == (
        "Voice Alice is cloned from your recording. Choose it with /voice Alice; "
        "/voice delete Alice deletes it and its sample."
    )  # and nothing about a longer recording: the reading is the sample
    assert stored == [("Alice", True)]
    [spoken] = mimo.calls(CLONE)
    assert spoken["messages"] == [{"role": "assistant", "content": "Hello, it is me."}]


async def test_a_copy_a_forward_a_note_via_a_bot_and_wrong_words_clone_nothing(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Bob cannot clone his voice from Alice's recording of his sentence, however it reaches
    him, nor from a reading of the wrong digits; each refusal names what failed."""
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        sentence = sentence_in(await answer_in(bot_api, BOB, "/voice clone Bob", chat=BOB))
        alices = reading(bot_api, ALICE, sentence, tmp_path)  # she reads his, in the group
        await said_in(bot_api, GROUP, alices)  # its transcript: she has no sentence open
        copied = await said_in(bot_api, BOB, bot_api.voice_message(
            chat_id=BOB, user_id=BOB, data=b"", copy_of=alices
        ))  # fmt: skip
        forwarded = await said_in(
            bot_api, BOB, reading(bot_api, BOB, sentence, tmp_path, BOB, forwarded_from=ALICE)
        )
        via_bot = await said_in(
            bot_api, BOB, reading(bot_api, BOB, sentence, tmp_path, BOB, via_bot=999)
        )
        frame, digits = sentence.rsplit(". ", 1)
        wrong = f"{frame}. {digits.translate(str.maketrans('0123456789', '1234567890'))}"
        wrong_digits = await said_in(bot_api, BOB, reading(bot_api, BOB, wrong, tmp_path, BOB))
        stored = await voices_kept(database_url)

    assert copied == (
        "That voice note is a copy of someone else's recording: record the sentence yourself, "
        "as a new voice note."
    )
    assert forwarded.startswith("That voice note was forwarded")
    assert via_bot.startswith("That voice note was sent through a bot")
    assert wrong_digits == (
        "The digits at the end were incomplete, wrong or out of order: read them one by one, as "
        "shown, and send the sentence again."
    )
    assert stored == []
    assert mimo.calls(CLONE) == []


async def test_a_reading_in_a_third_chat_clones_nothing_and_the_sentence_stays_open(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Bob asks for his sentence in the group and reads it in another group the bot is in:
    neither where he asked nor his private chat with the bot, so it is an ordinary voice note
    there, and nothing is cloned. His reading where he asked still clones his voice."""
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        sentence = sentence_in(await answer_in(bot_api, BOB, "/voice clone Bob"))
        elsewhere = await said_in(
            bot_api, OTHER_GROUP, reading(bot_api, BOB, sentence, tmp_path, OTHER_GROUP)
        )
        stored_then = await voices_kept(database_url)
        here = await said_in(bot_api, GROUP, reading(bot_api, BOB, sentence, tmp_path))

    assert elsewhere == sentence  # its transcript, as any voice note's
    assert stored_then == []
    assert here.startswith("Voice Bob is cloned from your recording.")
    assert await voices_kept(database_url) == [("Bob", str(BOB))]


async def test_a_clone_made_before_spoken_consent_cannot_be_shared_until_read_for(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        await answer_in(bot_api, ALICE, "/voice")  # the chat exists
        await execute(
            database_url,
            "INSERT INTO chat_voices (platform, chat_id, name, name_key, kind, description,"
            " sample, sample_mime, owner_id, speaks_translations, shared, reads_messages,"
            " verified) VALUES ('telegram', :chat, 'Old', 'old', 'cloned', '', :sample,"
            " 'audio/mpeg', :owner, false, false, false, false)",
            chat=str(GROUP), sample=b"mp3", owner=str(ALICE),
        )  # fmt: skip
        listed = await answer_in(bot_api, BOB, "/voice")
        refused = await answer_in(bot_api, ALICE, "/voice share Old")
        verified = await clone_by_reading(bot_api, ALICE, "old", tmp_path)
        shared = await answer_in(bot_api, ALICE, "/voice share Old")

    assert "• Old — cloned before spoken consent, not verified" in listed
    assert refused.startswith("“Old” was cloned before voices needed their owner's spoken")
    assert verified.startswith("Voice Old is cloned from your recording.")
    assert shared.startswith("Your voice Old is now shared with this chat")
    assert await verified_of(database_url) == [("Old", True)]


async def test_attempts_at_cloning_are_limited_per_person_a_day_and_shown_in_usage(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """Across chats: asking in the group and in a private chat counts against one person."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, voice_clone_attempts_per_day=2
    )
    async with running(settings, bot_api):
        first = await answer_in(bot_api, ALICE, "/voice clone Alice")
        second = await answer_in(bot_api, ALICE, "/voice clone Alice", chat=ALICE)
        third = await answer_in(bot_api, ALICE, "/voice clone Alice")
        bobs = await answer_in(bot_api, BOB, "/voice clone Bob")
        usage = await answer_in(bot_api, ALICE, "/usage")

    assert first.startswith("To clone your voice") and second.startswith("To clone your voice")
    assert third.startswith(
        "You have asked to clone a voice 2 times today, the most a day allows; try again in"
    )
    assert bobs.startswith("To clone your voice")
    assert "• Your attempts at cloning your voice today: 2 of 2" in usage


async def test_a_copy_of_another_members_voice_note_clones_nothing_and_is_transcribed(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """The issue's own case: Annie's voice note in the group, copied by Bob into his private
    chat with the bot ("hide sender name": no forward header), offered as his reading. It does
    not say his sentence: it is an ordinary voice note, and gets its transcript."""
    annies = reading(bot_api, ALICE, "Hello everyone, see you at eight.", tmp_path)
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        await said_in(bot_api, GROUP, annies)  # its transcript
        asked = await answer_in(bot_api, BOB, "/voice clone annie", chat=BOB)
        copy = bot_api.voice_message(chat_id=BOB, user_id=BOB, data=b"", copy_of=annies)
        answered = await said_in(bot_api, BOB, copy)
        stored = await voices_kept(database_url)

    assert asked.startswith("To clone your voice")
    assert answered == "Hello everyone, see you at eight."
    assert stored == []
    assert mimo.calls(CLONE) == []


async def test_after_her_clone_anns_voice_notes_short_and_long_are_transcribed(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann clones her voice in her private chat and goes on sending voice notes: each gets its
    transcript, never a refusal; so does a note she sends before reading, and one far too long
    to be a reading. A short note while her sentence is open is heard by MiMo once."""
    ann = ALICE
    long_note = make_audio(tmp_path, fmt="ogg", seconds=90).read_bytes()

    def note(words: str) -> dict[str, Any]:
        return reading(bot_api, ann, words, tmp_path, ann)

    def long() -> dict[str, Any]:
        return bot_api.voice_message(
            chat_id=ann, user_id=ann, data=long_note, duration=90, chat_type="private"
        )

    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        sentence = sentence_in(await answer_in(bot_api, ann, "/voice clone Ann", chat=ann))
        heard_before = len(mimo.calls(ASR))
        before = [await said_in(bot_api, ann, note("See you at the station at six."))]
        heard_once = len(mimo.calls(ASR)) - heard_before
        before.append(await said_in(bot_api, ann, long()))
        cloned = await said_in(bot_api, ann, note(sentence))
        after = [
            await said_in(bot_api, ann, note("Buy bread on the way home, please.")),
            await said_in(bot_api, ann, long()),
            await said_in(bot_api, ann, note(sentence)),  # the sentence again: closed
        ]
        stored = await voices_kept(database_url)

    long_heard = "heard 45.0 seconds heard 45.0 seconds"  # two pieces, as the stand-in hears
    assert before == ["See you at the station at six.", long_heard]
    assert heard_once == 1
    assert cloned.startswith("Voice Ann is cloned from your recording.")
    assert after == ["Buy bread on the way home, please.", long_heard, sentence]
    assert stored == [("Ann", str(ann))]
    assert await mimo.samples_heard() == []  # nothing spoken in it yet; one clone stored


async def test_a_reader_of_a_language_mimo_does_not_document_may_read_the_english_sentence(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """MiMo's speech recognition documents Chinese and English: a German reader is shown the
    English sentence too (ending in the same digits), and reading it clones the voice."""
    bot_api.set_user_language(ALICE, "de")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        asked = await answer_in(bot_api, ALICE, "/voice clone Anna", chat=ALICE)
        english = sentence_in(asked)
        cloned = await said_in(bot_api, ALICE, reading(bot_api, ALICE, english, tmp_path, ALICE))
        stored = await voices_kept(database_url)

    read, german, offer = asked.split("\n\n")[:3]
    assert read.startswith("Um deine Stimme zu klonen, lies diesen Satz laut vor")
    assert re.fullmatch(
        r"Ich bin User2001 und bin einverstanden, dass voicebridge in diesem Chat mit meiner "
        r"Stimme spricht\. " + DIGITS_SHOWN,
        german,
    )
    assert offer.startswith("Die Spracherkennung von MiMo ist für Chinesisch und Englisch")
    assert re.fullmatch(
        r"I am User2001, and I agree that voicebridge may speak in my voice in this chat\. "
        + DIGITS_SHOWN,
        english,
    )
    assert german.rsplit(". ", 1)[1] == english.rsplit(". ", 1)[1]
    assert cloned.startswith("Die Stimme Anna")
    assert stored == [("Anna", str(ALICE))]


async def test_a_note_heard_for_a_reading_counts_once_against_the_senders_minute(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """With two requests a minute per person, Ann's two ordinary notes while her sentence is
    open both get their transcripts: hearing one to tell it is no reading is not a request of
    its own."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_user_per_minute=2
    )
    async with running(settings, bot_api):
        await answer_in(bot_api, ALICE, "/voice clone Ann", chat=ALICE)
        first = await said_in(bot_api, ALICE, reading(bot_api, ALICE, "One.", tmp_path, ALICE))
        second = await said_in(bot_api, ALICE, reading(bot_api, ALICE, "Two.", tmp_path, ALICE))

    assert [first, second] == ["One.", "Two."]


async def test_bob_reading_anns_sentence_is_refused_and_anns_reading_in_korean_clones_hers(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann and Bob, whose Telegram is in Korean, each ask to clone their voice in the group. Bob
    reads Ann's sentence in a voice note of his own: it does not end in his digits, so it is
    refused, saying so. Ann reads hers, and the recogniser writes her digits in hangul (육이구공,
    Sino-Korean, as a Korean reader says them): it clones her voice."""
    bot_api.set_user_language(ALICE, "ko")
    bot_api.set_user_language(BOB, "ko")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        asked = await answer_in(bot_api, ALICE, "/voice clone Ann")
        anns = asked.split("\n\n")[1]  # the Korean sentence (the English one follows)
        await answer_in(bot_api, BOB, "/voice clone Bob")
        refused = await said_in(bot_api, GROUP, reading(bot_api, BOB, anns, tmp_path))
        stored_then = await voices_kept(database_url)
        frame, digits = anns.rsplit(". ", 1)
        hangul = str.maketrans(dict(zip("0123456789", "공일이삼사오육칠팔구", strict=True)))
        in_hangul = f"{frame}. {digits.translate(hangul)}"
        cloned = await said_in(bot_api, GROUP, reading(bot_api, ALICE, in_hangul, tmp_path))

    assert re.fullmatch(
        r"저는 User2001이고, voicebridge가 이 채팅에서 제 목소리로 말하는 것에 동의해요\. "
        + DIGITS_SHOWN,
        anns,
    )
    assert "4" not in anns.rsplit(". ", 1)[1]  # 사, 死: never drawn for a Korean reader
    assert refused == (
        "끝의 숫자가 빠졌거나 틀렸거나 순서가 달랐어요: "
        "보이는 그대로 한 자리씩 읽고 다시 보내 주세요."
    )
    assert stored_then == []
    assert cloned.startswith("녹음에서 목소리 Ann 복제를 마쳤어요.")
    assert await voices_kept(database_url) == [("Ann", str(ALICE))]


async def test_readings_refused_count_against_the_senders_minute_as_any_note_does(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """With two requests a minute per person, Bob's sentence open, his readings of the wrong
    digits are heard twice, then he is asked to slow down: each costs a recognition as any
    note does, and a sentence open is no way past the minute's limit. (The bot's clock stands
    at the start of this minute, so that the test's requests all fall in one clock minute.)"""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_user_per_minute=2
    )
    minute = ManualClock(datetime.now(UTC).replace(second=0, microsecond=0))
    async with running(settings, bot_api, clock=minute):
        sentence = sentence_in(await answer_in(bot_api, BOB, "/voice clone Bob", chat=BOB))
        frame, digits = sentence.rsplit(". ", 1)
        wrong = f"{frame}. {digits.translate(str.maketrans('0123456789', '1234567890'))}"
        answers = [
            await said_in(bot_api, BOB, reading(bot_api, BOB, wrong, tmp_path, BOB))
            for _ in range(3)
        ]

    assert answers[:2] == [answers[0]] * 2
    assert answers[0].startswith("The digits at the end were incomplete, wrong or out of order")
    assert answers[2].startswith("Slow down: at most 2 requests a minute per person.")
    assert len(mimo.calls(ASR)) == 2
