"""A server's own voices on Discord, end to end: /design_voice, autocomplete, "Clone this voice"
(only on your own voice message, named in a modal, then cloned from a new voice message reading
the sentence it shows) and /delete_voice, with real discord.py."""

from __future__ import annotations

import re
from pathlib import Path

from tests.audio_factory import make_audio, make_reading
from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, Guild, SentMessage
from tests.standins.mimo import FakeMimo

DESIGN, CLONE, TTS = "mimo-v2.5-tts-voicedesign", "mimo-v2.5-tts-voiceclone", "mimo-v2.5-tts"
# The digits that end a consent sentence: three groups, each one's digits apart.
DIGITS_SHOWN = r"\d\xa0\d\xa0\d\xa0\d, \d\xa0\d\xa0\d\xa0\d, \d\xa0\d\xa0\d"


async def stored_voices(url: str) -> list[tuple[str, str, int]]:
    rows = await query(url, "SELECT name, kind, sample FROM chat_voices ORDER BY id")
    return [(str(n), str(k), len(s or b"")) for n, k, s in rows]


async def answer_to(discord_api: FakeDiscord, channel: int, message: dict[str, object]) -> str:
    """The bot's reply to a message a member posted."""
    replies = await discord_api.wait_until(
        lambda: (
            [m for m in discord_api.messages_in(channel) if m.reply_to == int(str(message["id"]))]
            or None
        ),
        timeout=30,
        what="the bot's reply",
    )
    return str(replies[0].content)


async def clone_on_discord(
    discord_api: FakeDiscord, server: Guild, member: int, posted: dict[str, object], name: str,
    folder: Path,
) -> tuple[SentMessage, str]:  # fmt: skip
    """`member` uses Apps → Clone this voice on their voice message `posted`, names the voice
    `name`, and reads the sentence shown in a new voice message: what the bot showed, and its
    answer to the reading."""
    asked = await asked_to_read(discord_api, server, member, posted, name)
    sentence = str(asked.content).rsplit("\n\n", 1)[-1]
    return asked, await read_aloud(discord_api, server, member, sentence, folder)


async def asked_to_read(
    discord_api: FakeDiscord, server: Guild, member: int, posted: dict[str, object], name: str
) -> SentMessage:
    """`member` uses Apps → Clone this voice on their voice message `posted` and names the voice
    `name`: the bot's answer, the sentence to read."""
    opened = await discord_api.message_command(server.general, member, "Clone this voice", posted)
    await opened.wait_for_callback()
    [asked] = await (await discord_api.submit_modal(opened, name)).wait_for_messages()
    return asked


async def read_aloud(
    discord_api: FakeDiscord, server: Guild, member: int, sentence: str, folder: Path
) -> str:
    """`member` reads `sentence` aloud in a new voice message: the bot's answer to it."""
    words = make_reading(folder, sentence).read_bytes()
    reading = await discord_api.post_voice_message(server.general, member, words, duration=8)
    return await answer_to(discord_api, server.general, reading)


async def test_a_server_designs_clones_chooses_and_deletes_its_own_voices(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        design = await discord_api.slash(
            server.general, admin, "design_voice", name="Calm", description="a calm, low narrator"
        )
        _, sample, designed = await design.wait_for_messages(3)
        refused = await discord_api.slash(
            server.general, member, "design_voice", name="Mine", description="a pirate"
        )
        [refusal] = await refused.wait_for_messages()

        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        others = await discord_api.message_command(
            server.general, admin, "Clone this voice", posted
        )
        [not_yours] = await others.wait_for_messages()
        asked, cloned = await clone_on_discord(
            discord_api, server, member, posted, "MemberVoice", tmp_path
        )

        typed = await discord_api.autocomplete(server.general, admin, "voice", "name", "server")
        await typed.wait_for_callback()
        sharing = await discord_api.slash(
            server.general, member, "voice", name="MemberVoice", share=True
        )
        await sharing.wait_for_messages()
        chosen = await discord_api.slash(server.general, admin, "voice", name="membervoice")
        await chosen.wait_for_messages()
        said = await discord_api.slash(server.general, member, "say", text="Ahoy there")
        _, spoken = await said.wait_for_messages(2)
        before = await stored_voices(database_url)
        gone = await discord_api.slash(server.general, member, "delete_voice", name="MemberVoice")
        [deleted] = await gone.wait_for_messages()

    assert sample.is_voice_message and not sample.ephemeral
    assert designed.content == (
        "Voice Calm is ready, and the voice message is a sample of how it sounds. "
        "Choose it with /voice name:Calm."
    )
    [request] = mimo.calls(DESIGN)
    assert "voice" not in request["audio"]
    assert request["messages"][0] == {"role": "user", "content": "a calm, low narrator"}
    assert refusal.content == "Changing this server's settings needs the Manage Server permission."
    assert not_yours.content == (
        "Only the person who recorded a voice message can clone its voice, with Apps → Clone "
        "this voice on it."
    )
    assert asked.ephemeral and str(asked.content).startswith(
        "To clone your voice, read this sentence aloud, the digits at its end one by one, and "
        "send it as a new voice message, here or in a DM to me, within 5 min:\n\nI am member, "
        "and I agree that voicebridge may speak in my voice on this server. "
    )
    assert re.fullmatch(DIGITS_SHOWN, str(asked.content).rsplit(". ", 1)[1])
    assert cloned.startswith(
        "Voice MemberVoice is cloned from your recording. Choose it with /voice name:MemberVoice; "
        "/delete_voice name:MemberVoice deletes it and its sample."
    )
    assert [c["value"] for c in typed.choices] == ["Calm", "MemberVoice"]
    assert spoken.is_voice_message
    [clone_request] = mimo.calls(CLONE)
    assert clone_request["audio"]["voice"].startswith("data:audio/mpeg;base64,")
    # What the server heard is the voice from now on: its sample is kept.
    [(_, _, designed_sample), _] = before
    assert [(n, k, size > 0) for n, k, size in before] == [
        ("Calm", "designed", True),
        ("MemberVoice", "cloned", True),
    ]
    assert deleted.content == "Voice MemberVoice and everything stored with it are deleted."
    assert await stored_voices(database_url) == [("Calm", "designed", designed_sample)]


async def test_a_members_cloned_voice_speaks_for_the_server_only_while_they_share_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """An administrator cannot make a member's cloned voice the server's, nor have Read aloud
    speak in it, until the member shares it; taking it back works at once."""
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)

    async def answer(user: int, command: str, **options: object) -> str:
        run = await discord_api.slash(server.general, user, command, **options)
        [reply] = await run.wait_for_messages()
        return str(reply.content)

    async def read_aloud(message: dict[str, object]) -> None:
        run = await discord_api.message_command(server.general, admin, "Read aloud", message)
        await run.wait_for_messages()

    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        await clone_on_discord(discord_api, server, member, posted, "Mine", tmp_path)
        refused = await answer(admin, "voice", name="Mine")
        listed = await answer(admin, "voice")
        shared = await answer(member, "voice", name="Mine", share=True)
        await answer(admin, "voice", name="Mine")
        words = await discord_api.post_message(server.general, admin, "Read while shared.")
        await read_aloud(words)
        unshared = await answer(member, "voice", name="Mine", share=False)
        later = await discord_api.post_message(server.general, admin, "Read once taken back.")
        await read_aloud(later)
        overview = await answer(admin, "settings")

    assert refused.startswith("“Mine” is cloned from someone's own voice, and they have not")
    assert "• Mine — cloned from a recording, not shared" in listed
    assert shared.startswith("Your voice Mine is now shared with this chat")
    assert unshared.startswith("Your voice Mine is no longer shared")
    assert "• Cloned voices: Mine (not shared)" in overview
    in_clone = [r["messages"][-1]["content"] for r in mimo.calls(CLONE)]
    in_default = [r["messages"][-1]["content"] for r in mimo.requests if r["model"] == TTS]
    assert in_clone == ["Read while shared."]
    assert in_default == ["Read once taken back."]


async def transcript_of(discord_api: FakeDiscord, channel: int, message: dict[str, object]) -> str:
    """The bot's reply to a message a member posted, once the progress it showed first (a
    recording longer than a minute's) has become the transcript."""

    def done() -> str | None:
        posted = int(str(message["id"]))
        replies = [m for m in discord_api.messages_in(channel) if m.reply_to == posted]
        # "Transcribing…", then the words so far above "0:33 of 1:05 transcribed…" as the
        # pieces come, then the text.
        finished = [m.content for m in replies if not m.content.endswith("…")]
        return finished[0] if finished else None

    found: str = await discord_api.wait_until(done, timeout=30, what="the transcript")
    return found


async def test_a_forwarded_reading_clones_nothing_and_says_so(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A member forwards someone's voice message reading the member's own sentence: a forward
    is never the member's own recording."""
    member = discord_api.add_member(server, "member")
    friend = discord_api.add_member(server, "friend")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        opened = await discord_api.message_command(
            server.general, member, "Clone this voice", posted
        )
        await opened.wait_for_callback()
        [asked] = await (await discord_api.submit_modal(opened, "Mine")).wait_for_messages()
        sentence = str(asked.content).rsplit("\n\n", 1)[-1]
        read = make_reading(tmp_path, sentence).read_bytes()
        friends = await discord_api.post_voice_message(server.general, friend, read, duration=8)
        forward = await discord_api.forward_message(server.general, member, friends)
        refused = await answer_to(discord_api, server.general, forward)

    assert refused == (
        "That voice message was forwarded: record the sentence yourself, as a new voice message."
    )
    assert await stored_voices(sqlite_url) == []


async def test_a_reading_longer_than_a_minute_clones_nothing_and_the_sentence_stays_open(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A member reads their sentence in a voice message of 65 seconds, which Discord declares
    as such (its attachment's `duration_secs`): a reading is never that long (READING_SECONDS),
    so it is transcribed as any voice message, nothing is cloned, and the sentence stays open."""
    mimo.asr_text = ""  # what MiMo hears in the silence after a reading
    member = discord_api.add_member(server, "member")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        await answer_to(discord_api, server.general, posted)  # its transcript
        opened = await discord_api.message_command(
            server.general, member, "Clone this voice", posted
        )
        await opened.wait_for_callback()
        [asked] = await (await discord_api.submit_modal(opened, "Mine")).wait_for_messages()
        sentence = str(asked.content).rsplit("\n\n", 1)[-1]
        words = make_reading(tmp_path, sentence, seconds=65).read_bytes()
        long = await discord_api.post_voice_message(server.general, member, words, duration=65)
        answer = await transcript_of(discord_api, server.general, long)
        still_open = await query(
            sqlite_url, "SELECT sentence FROM clone_challenges WHERE cloned_at IS NULL"
        )

    assert answer == sentence  # its transcript (after its progress), as any voice message's
    assert mimo.calls(CLONE) == [] and await stored_voices(sqlite_url) == []
    assert [str(open_sentence) for (open_sentence,) in still_open] == [sentence]


async def test_after_a_reading_a_members_voice_messages_are_transcribed_and_the_clone_keeps_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A member reads their sentence, then posts a short voice message and a 40-second one of
    someone else while the sentence would still have lasted: both get their transcripts, and
    the clone speaks from the reading alone."""
    member = discord_api.add_member(server, "member", manage_guild=True)
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    someone_else = make_audio(tmp_path, fmt="ogg", seconds=40).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        await answer_to(discord_api, server.general, posted)  # its transcript
        asked, cloned = await clone_on_discord(
            discord_api, server, member, posted, "Mine", tmp_path
        )
        sentence = str(asked.content).rsplit("\n\n", 1)[-1]
        words = make_reading(tmp_path, "See you at eight in the lounge.").read_bytes()
        short = await discord_api.post_voice_message(server.general, member, words, duration=4)
        short_answer = await answer_to(discord_api, server.general, short)
        long = await discord_api.post_voice_message(
            server.general, member, someone_else, duration=40
        )
        long_answer = await answer_to(discord_api, server.general, long)
        chosen = await discord_api.slash(server.general, member, "voice", name="Mine")
        await chosen.wait_for_messages()
        said = await discord_api.slash(server.general, member, "say", text="It is me.")
        await said.wait_for_messages(2)

    assert cloned.startswith("Voice Mine is cloned from your recording.")
    assert short_answer == "See you at eight in the lounge."
    assert long_answer == "heard 40.0 seconds"
    assert await mimo.samples_heard() == [sentence]
    assert [(n, k) for n, k, _ in await stored_voices(sqlite_url)] == [("Mine", "cloned")]


async def test_a_member_whose_language_mimo_does_not_document_may_read_the_english_sentence(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A member whose Discord is in German is shown the server's sentence in German and the
    English one beside it, both ending in the same digits; reading the English one clones the
    voice, and the answer is in German."""
    member = discord_api.add_member(server, "anna", locale="de")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        asked, cloned = await clone_on_discord(
            discord_api, server, member, posted, "Anna", tmp_path
        )

    read, german, offer, english = str(asked.content).split("\n\n")
    assert read.startswith("Um deine Stimme zu klonen, lies diesen Satz laut vor")
    assert german.startswith(
        "Ich bin anna und bin einverstanden, dass voicebridge auf diesem Server mit meiner Stimme "
        "spricht. "
    )
    assert offer.startswith("Die Spracherkennung von MiMo ist für Chinesisch und Englisch")
    assert english.startswith(
        "I am anna, and I agree that voicebridge may speak in my voice on this server. "
    )
    digits = english.rsplit(". ", 1)[1]
    assert re.fullmatch(DIGITS_SHOWN, digits)
    assert german.endswith(f". {digits}")
    assert cloned.startswith("Die Stimme Anna wurde aus deiner Aufnahme geklont.")
    assert [(n, k) for n, k, _ in await stored_voices(sqlite_url)] == [("Anna", "cloned")]


async def test_a_member_reading_another_members_sentence_clones_nothing(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Ann and Bob each ask to clone their voice; Bob reads Ann's sentence aloud in a voice
    message of his own. It does not end in his digits: refused, saying so, and nothing is
    cloned. Ann's reading of it clones hers."""
    ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        anns = await discord_api.post_voice_message(server.general, ann, voice, duration=3)
        bobs = await discord_api.post_voice_message(server.general, bob, voice, duration=3)
        sentence = str((await asked_to_read(discord_api, server, ann, anns, "Ann")).content)
        sentence = sentence.rsplit("\n\n", 1)[-1]
        await asked_to_read(discord_api, server, bob, bobs, "Bob")
        refused = await read_aloud(discord_api, server, bob, sentence, tmp_path)
        stored_then = await stored_voices(sqlite_url)
        cloned = await read_aloud(discord_api, server, ann, sentence, tmp_path)

    assert re.fullmatch(DIGITS_SHOWN, sentence.rsplit(". ", 1)[1])
    assert refused == (
        "The digits at the end were incomplete, wrong or out of order: read them one by one, as "
        "shown, and send the sentence again."
    )
    assert stored_then == []
    assert cloned.startswith("Voice Ann is cloned from your recording.")
    assert [(n, k) for n, k, _ in await stored_voices(sqlite_url)] == [("Ann", "cloned")]


async def test_a_nickname_with_markdown_is_shown_as_typed_in_the_sentence_and_still_read(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """The sentence names the member by their nickname: shown as typed (no link, no bold), and
    reading it aloud clones the voice all the same."""
    member = discord_api.add_member(server, "anna")
    await discord_api.set_nick(server, member, "x** [Verify](https://x.io) **")
    voice = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, member, voice, duration=3)
        asked, cloned = await clone_on_discord(
            discord_api, server, member, posted, "Anna", tmp_path
        )

    sentence = str(asked.content).rsplit("\n\n", 1)[-1]
    assert sentence.startswith("I am x\\*\\* \\[Verify](https://x.io) \\*\\*, and I agree")
    assert cloned.startswith("Voice Anna is cloned from your recording.")
