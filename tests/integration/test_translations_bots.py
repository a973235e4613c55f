"""`/translate` through the real bots against the stand-ins. MiMo's stand-in translates by rule
("[LANGUAGE] text"), so a test sees what the request carried and which language it asked for."""

from __future__ import annotations

from pathlib import Path

from core.domain.voices.speaking_style_rules import clone_voice
from tests.integration.chatlog_db import query, settled_claims
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.test_voices_discord import clone_on_discord
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 101, 102
GROUP = -1001


def in_group(bot_api: FakeBotApi, message: dict[str, object]) -> dict[str, object]:
    bot_api.push(message)
    return message


async def one_more_text(bot_api: FakeBotApi, chat_id: int) -> None:
    before = len(bot_api.texts(chat_id))
    await bot_api.wait_until(lambda: len(bot_api.texts(chat_id)) > before or None)


def translations(mimo: FakeMimo) -> list[dict[str, object]]:
    return [
        body
        for body in mimo.calls("mimo-v2.6-flash")
        if "translate" in str(body["messages"][0].get("content", ""))  # type: ignore[index]
    ]


async def test_translate_a_voice_note_already_transcribed_without_hearing_it_again(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    mimo.asr_text = "我们明天见"
    bot_api.set_user_language(ALICE, "en")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        note = in_group(bot_api, bot_api.voice_message(
            chat_id=GROUP, user_id=BOB, data=voice_ogg, chat_type="supergroup"
        ))  # fmt: skip
        await bot_api.wait_for_texts(GROUP, ["我们明天见"])
        in_group(bot_api, bot_api.text_message(
            chat_id=GROUP, user_id=ALICE, text="/translate", chat_type="supergroup", reply_to=note
        ))  # fmt: skip
        await bot_api.wait_for_texts(GROUP, ["我们明天见", "[English] 我们明天见"])
        in_group(bot_api, bot_api.text_message(
            chat_id=GROUP, user_id=ALICE, text="/usage", chat_type="supergroup"
        ))  # fmt: skip
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].startswith("Used") or None)

    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # the kept transcript, not heard again
    [request] = translations(mimo)
    system, user = (m["content"] for m in request["messages"])  # type: ignore[attr-defined]
    assert system.startswith("You translate text into English.")
    assert user == "<text>\n我们明天见\n</text>"
    assert "Summaries: 1 of 20" in bot_api.texts(GROUP)[-1]  # charged like a summary


async def test_translate_a_text_into_a_named_language_or_refuse_what_is_not_one(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    bot_api.set_user_language(ALICE, "ja")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        said = in_group(bot_api, bot_api.text_message(
            chat_id=GROUP, user_id=BOB, text="See you at noon.", chat_type="supergroup"
        ))  # fmt: skip
        for words in ("/translate", "/translate it", "/translate Latin", "/translate 42x"):
            in_group(bot_api, bot_api.text_message(
                chat_id=GROUP, user_id=ALICE, text=words, chat_type="supergroup", reply_to=said
            ))  # fmt: skip
            await one_more_text(bot_api, GROUP)
        plain = in_group(bot_api, bot_api.text_message(
            chat_id=GROUP, user_id=ALICE, text="/translate", chat_type="supergroup"
        ))  # fmt: skip
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 5 or None)

    assert plain and bot_api.texts(GROUP)[:3] == [
        "[Japanese] See you at noon.",
        "[Italian] See you at noon.",
        "[Latin] See you at noon.",
    ]
    assert bot_api.texts(GROUP)[3].startswith("「42x」は翻訳先の言語として使えません。")
    assert bot_api.texts(GROUP)[4].startswith("ボイスメッセージ、音声、動画、テキストに /translate")
    assert len(translations(mimo)) == 3


async def test_discord_translate_a_text_or_a_recording(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice", locale="de")
    mimo.asr_text = "hello everyone"
    recording = discord_api.attachment(voice_ogg, filename="hi.ogg", content_type="audio/ogg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        typed = await discord_api.slash(server.general, alice, "translate", text="bonjour")
        [text] = await typed.wait_for_messages()
        heard = await discord_api.slash(
            server.general, alice, "translate", attachment=recording, language="zh"
        )
        [spoken] = await heard.wait_for_messages()
        empty = await discord_api.slash(server.general, alice, "translate", language="en")
        [refusal] = await empty.wait_for_messages()

    assert text.content == "[German] bonjour"  # the asker's language
    assert spoken.content == "[Chinese (Simplified)] hello everyone"
    assert refusal.content == "Gib mir einen Text oder eine Aufnahme zum Übersetzen."


async def test_discord_translate_menu_on_a_text_and_on_a_voice_message(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    """Apps → Translate: a text message's text, a voice message's transcript (the one posted
    already, not heard again), in the asker's language, for everyone in the channel."""
    alice = discord_api.add_member(server, "alice", locale="de")
    bob = discord_api.add_member(server, "bob")
    mimo.asr_text = "see you tomorrow"
    picture = discord_api.attachment(b"\x89PNG", filename="cat.png", content_type="image/png")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.post_message(server.general, bob, "bonjour tout le monde")
        typed = await discord_api.message_command(server.general, alice, "Translate", said)
        [text] = await typed.wait_for_messages()
        note = await discord_api.post_voice_message(server.general, bob, voice_ogg, duration=3)
        await discord_api.wait_until(
            lambda: "see you tomorrow" in discord_api.contents(server.general) or None,
            timeout=15,
            what="the voice message's transcript",
        )
        heard = await discord_api.message_command(server.general, alice, "Translate", note)
        [spoken] = await heard.wait_for_messages()
        shown = await discord_api.post_message(server.general, bob, attachments=[picture])
        nothing = await discord_api.message_command(server.general, alice, "Translate", shown)
        [refusal] = await nothing.wait_for_messages()

    assert text.content == "[German] bonjour tout le monde" and not text.ephemeral
    assert spoken.content == "[German] see you tomorrow" and not spoken.ephemeral
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # the transcript kept from the first time
    requests = [(r["messages"][0]["content"], r["messages"][1]["content"])  # type: ignore[index]
                for r in translations(mimo)]  # fmt: skip
    assert [user for _, user in requests] == [
        "<text>\nbonjour tout le monde\n</text>",
        "<text>\nsee you tomorrow\n</text>",
    ]
    assert all(system.startswith("You translate text into German.") for system, _ in requests)
    assert refusal.ephemeral
    assert refusal.content == (
        "Diese Nachricht hat keinen Text und kein Audio oder Video zum Übersetzen."
    )


async def test_autotranslate_puts_the_translation_under_the_transcript_unless_already_in_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    bot_api.set_member_status(GROUP, ALICE, "administrator")
    bot_api.set_user_language(ALICE, "en")
    mimo.asr_text = "我们明天见"

    def note() -> None:
        in_group(bot_api, bot_api.voice_message(
            chat_id=GROUP, user_id=BOB, data=voice_ogg, chat_type="supergroup"
        ))  # fmt: skip

    def command(words: str, user: int = ALICE) -> None:
        in_group(bot_api, bot_api.text_message(
            chat_id=GROUP, user_id=user, text=words, chat_type="supergroup"
        ))  # fmt: skip

    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        command("/autotranslate en", user=BOB)  # not an administrator
        await one_more_text(bot_api, GROUP)
        command("/autotranslate English")
        await one_more_text(bot_api, GROUP)
        note()
        await bot_api.wait_until(lambda: "Translation" in bot_api.texts(GROUP)[-1] or None)
        command("/autotranslate zh")
        await one_more_text(bot_api, GROUP)
        note()  # already in Chinese: no translation, no request for one
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1] == "我们明天见" or None)
        command("/autotranslate off")
        await one_more_text(bot_api, GROUP)

    texts = bot_api.texts(GROUP)
    assert texts[0] == "Only administrators can change settings in this chat."
    assert texts[1] == (
        "Transcripts here also get their translation into English. /autotranslate off stops it."
    )
    assert texts[2] == "我们明天见\n\nTranslation (English):\n[English] 我们明天见"  # one reply
    assert texts[3].startswith("Transcripts here also get their translation into Chinese")
    assert texts[5].startswith("Transcripts here get no automatic translation.")
    [request] = translations(mimo)  # only the first note's
    assert request["messages"][1]["content"] == "<text>\n我们明天见\n</text>"  # type: ignore[index]


async def test_autotranslate_adds_nothing_the_model_gave_back_unchanged(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    """A transcript in German under /autotranslate German: its script cannot tell (Latin, as
    English's), so the model is asked, and gives the text back as it was: nothing goes under
    the transcript, not a copy of it labelled a translation."""
    mimo.asr_text, mimo.texts_in = "Wir sehen uns morgen um acht.", {"German"}
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="/autotranslate de"))
        await one_more_text(bot_api, ALICE)
        bot_api.push(bot_api.voice_message(chat_id=ALICE, user_id=ALICE, data=voice_ogg))
        await bot_api.wait_until(lambda: bool(translations(mimo)) or None, what="the request")
        await settled_claims(sqlite_url)  # the note's claim ends once its reply is final

    assert bot_api.texts(ALICE)[1] == "Wir sehen uns morgen um acht."  # the transcript alone
    assert len(translations(mimo)) == 1


async def test_autotranslate_names_the_language_in_the_reader_s(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    """A German reader's chat translated into Japanese reads "Japanisch", not the English name
    the model is told."""
    mimo.asr_text = "Wir sehen uns morgen."
    bot_api.set_user_language(ALICE, "de")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.text_message(chat_id=ALICE, user_id=ALICE, text="/autotranslate ja"))
        await one_more_text(bot_api, ALICE)
        bot_api.push(bot_api.voice_message(chat_id=ALICE, user_id=ALICE, data=voice_ogg))
        await one_more_text(bot_api, ALICE)

    set_to, transcript = bot_api.texts(ALICE)
    assert set_to.startswith("Transkripte bekommen hier auch ihre Übersetzung (Sprache: Japanisch)")
    assert transcript == (
        "Wir sehen uns morgen.\n\nÜbersetzung (Japanisch):\n[Japanese] Wir sehen uns morgen."
    )
    [request] = translations(mimo)
    assert request["messages"][0]["content"].startswith(  # type: ignore[index]
        "You translate text into Japanese."
    )


async def test_discord_autotranslate_needs_manage_server_and_marks_the_translation(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    mimo.asr_text = "我们明天见"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        refused = await discord_api.slash(server.general, member, "autotranslate", language="en")
        [refusal] = await refused.wait_for_messages()
        chosen = await discord_api.slash(server.general, admin, "autotranslate", language="en")
        [set_to] = await chosen.wait_for_messages()
        await discord_api.post_voice_message(server.general, member, voice_ogg, duration=3)
        transcript = "我们明天见\n\nTranslation (English):\n[English] 我们明天见"  # one message
        await discord_api.wait_until(
            lambda: transcript in discord_api.contents(server.general) or None,
            timeout=15,
            what="the transcript with its translation",
        )

    assert refusal.ephemeral
    assert refusal.content == "Changing this server's settings needs the Manage Server permission."
    assert set_to.content.startswith("Transcripts here also get their translation into English.")
    assert len(translations(mimo)) == 1


async def test_discord_spoken_translation_in_the_askers_own_voice_once_allowed(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
    tmp_path: Path,
) -> None:
    """/translate … voice: the chat's voice until the asker, whose words they are, lets their
    own cloned voice speak translations of them (/voicetranslations); text for a language the
    speech model does not speak."""
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    spoken = {"text": "我们明天见", "language": "en", "voice": True}
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await clone_on_discord(discord_api, server, alice, posted, "Alice", tmp_path)
        before = await discord_api.slash(server.general, alice, "translate", **spoken)
        first = await before.wait_for_messages(2)
        allowing = await discord_api.slash(server.general, alice, "voicetranslations", allowed=True)
        [allowed] = await allowing.wait_for_messages()
        after = await discord_api.slash(server.general, alice, "translate", **spoken)
        second = await after.wait_for_messages(2)
        french = spoken | {"language": "fr"}
        [as_text] = await (
            await discord_api.slash(server.general, alice, "translate", **french)
        ).wait_for_messages()

    assert [m.is_voice_message for m in first] == [False, True]
    assert [m.is_voice_message for m in second] == [False, True]
    assert allowed.content == (  # Discord's syntax, not Telegram's "/voicetranslations off"
        "Your own voice here now speaks translations of your words (/translate … voice:True). "
        "/voicetranslations allowed:False stops it."
    )
    assert allowed.ephemeral
    models = [body["model"] for body in mimo.requests if "-tts" in body["model"]]
    assert models == ["mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone"]  # the chat's, then hers
    assert as_text.content == (
        "I can speak translations only in Chinese or English, so here it is as text.\n\n"
        "[French] 我们明天见"
    )


async def test_discord_speak_button_speaks_a_members_voice_message_in_their_voice_once_allowed(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
    tmp_path: Path,
) -> None:
    """Apps → Translate into English (spoken) has a Speak button, into German (not spoken) none.
    A click, by anyone, posts the translation as a voice message in the voice of the member who
    recorded the original once they allowed it (the server's before), from the kept transcript;
    it works after a restart, and for a deleted original the clicker alone is told."""
    alice = discord_api.add_member(server, "alice")
    bob = discord_api.add_member(server, "bob")
    carla = discord_api.add_member(server, "carla", locale="de")
    mimo.asr_text = "我们明天见"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(server.general, bob, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["我们明天见"])
        await clone_on_discord(discord_api, server, bob, note, "Bob", tmp_path)
        english = await discord_api.message_command(server.general, alice, "Translate", note)
        [translation] = await english.wait_for_messages()
        german = await discord_api.message_command(server.general, carla, "Translate", note)
        [übersetzung] = await german.wait_for_messages()
        before = await (await discord_api.click(translation, carla)).wait_for_messages(2)
        allowing = await discord_api.slash(server.general, bob, "voicetranslations", allowed=True)
        await allowing.wait_for_messages()

    async with running_discord(settings, discord_api):  # a new process: nothing kept in memory
        after = await (await discord_api.click(translation, alice)).wait_for_messages(2)
        await discord_api.delete_message(note)
        [gone] = await (await discord_api.click(translation, carla)).wait_for_messages()
    [(sample, mime)] = await query(sqlite_url, "SELECT sample, sample_mime FROM chat_voices")

    assert translation.content == "[English] 我们明天见" and not translation.ephemeral
    assert [b["label"] for b in translation.buttons] == ["Speak"]
    assert translation.buttons[0]["custom_id"] == f"speak:{server.general}:{note['id']}:en"
    assert übersetzung.content == "[German] 我们明天见" and übersetzung.buttons == []
    for line, spoken in (before, after):
        assert line.content == "🔊" and spoken.is_voice_message and not spoken.ephemeral
    speech = [(b["model"], b["audio"]["voice"], b["messages"][-1]["content"])
              for b in mimo.requests if "-tts" in b["model"]]  # fmt: skip
    # The stand-in's "[English] ..." is spoken as words: a leading bracket is never a style.
    assert speech == [
        ("mimo-v2.5-tts", "mimo_default", "English 我们明天见"),  # Bob had not allowed it yet
        ("mimo-v2.5-tts-voiceclone", clone_voice(bytes(sample), mime), "English 我们明天见"),
    ]
    # The note once (its transcript kept from the first time), and Bob's consent reading.
    assert len(mimo.calls("mimo-v2.5-asr")) == 2
    assert len(translations(mimo)) == 4  # each click translates again: translations are not kept
    assert gone.ephemeral and gone.content.startswith("Ich finde diese Nachricht nicht mehr")
