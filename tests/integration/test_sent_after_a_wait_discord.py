"""What the bot sends after waiting for MiMo is checked again as it leaves, on Discord (issue
103, `core.app.rules.outgoing_check`): a message deleted or a member's no that lands while MiMo
writes keeps what was made of it out of the channel, and the member who asked reads why. The real
discord.py client against the Discord stand-in, MiMo's stand-in holding its answer while the
deletion or the no lands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.chatlog_db import until_noted_deleted
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_call_transcript import sentence_heard, the_call
from tests.integration.test_discord_listening import bot_in_server
from tests.integration.test_telegram_summaries import summary_requests
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

ANSWER_GONE = (
    "Part of what I was answering from was deleted, forgotten with /forget or taken back by its "
    "speaker while I wrote the answer, so I have not sent it. Ask again to be answered from what "
    "is still kept."
)
SUMMARY_GONE = (
    "Part of what I was summarising was deleted, forgotten with /forget or taken back by its "
    "speaker while I wrote the summary, so I have not sent it. Ask again for a summary of what is "
    "still here."
)
RECORDING_GONE = (
    "That recording was deleted, or what I keep here was forgotten with /forget, while I worked "
    "on it, so I have not sent what I made of it."
)
SECRET = "the door code is 4721"


async def test_a_channel_summary_is_not_sent_once_a_message_it_sums_up_is_deleted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str
) -> None:
    """Bob takes back his message while MiMo sums up the channel: Alice reads why there is no
    summary, and her next /summary (since the last one, which this was not) sums up what is
    still there."""
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    now = datetime.now(UTC)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        say = discord_api.post_message
        await say(server.general, alice, "Lunch at noon?", at=now - timedelta(minutes=2))
        taken_back = await say(server.general, bob, f"yes, {SECRET}", at=now - timedelta(minutes=1))
        with mimo.held_each() as held:
            asked = await discord_api.slash(server.general, alice, "summary")
            await mimo.wait_for_requests(1)
            await discord_api.delete_message(taken_back)
            await until_noted_deleted(database_url, str(taken_back["id"]))
            held[0].let_go()
            [refused] = await asked.wait_for_messages()
        again = await discord_api.slash(server.general, alice, "summary")
        [summary] = await again.wait_for_messages()

    assert refused.content == SUMMARY_GONE
    assert summary.content.startswith("Summary of 1 message since"), summary.content
    first, second = summary_requests(mimo)
    assert SECRET in str(first) and SECRET not in str(second)


async def test_an_answer_from_the_channels_memory_is_not_sent_once_its_line_is_deleted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    voice_ogg: bytes,
) -> None:  # fmt: skip
    """`/ask` alone in #general answers from Bob's voice message; Bob deletes it while MiMo
    writes the answer: Alice reads why instead of an answer that may quote it."""
    mimo.asr_text = f"lunch is on friday and {SECRET}"
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(server.general, bob, voice_ogg, duration=3)
        await discord_api.wait_until(  # its transcript, where a status may have come first
            lambda: any("lunch" in said for said in discord_api.contents(server.general)),
            timeout=15, what="the transcript",
        )  # fmt: skip
        with mimo.held_each() as held:
            asked = await discord_api.slash(server.general, alice, "ask", question="when lunch?")
            await mimo.wait_for_requests(2)  # its transcript, then the answer (held)
            await discord_api.delete_message(note)
            await until_noted_deleted(database_url, str(note["id"]))
            held[0].let_go()
            [refused] = await asked.wait_for_messages()

    assert refused.content == ANSWER_GONE
    assert SECRET in str(mimo.requests[-1])  # it was handed to the model, and is not sent


async def test_a_translation_of_a_recording_is_not_sent_once_its_message_is_deleted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    voice_ogg: bytes,
) -> None:  # fmt: skip
    """Alice asks for the translation of Bob's audio file (Apps → Translate); Bob deletes his
    message while MiMo translates its transcript: Alice reads why."""
    mimo.asr_text = f"see you friday, {SECRET}"
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    audio = discord_api.attachment(voice_ogg, filename="plan.ogg", content_type="audio/ogg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.post_message(server.general, bob, "", attachments=[audio])
        with mimo.held_each() as held:
            asked = await discord_api.message_command(server.general, alice, "Translate", said)
            await mimo.wait_for_requests(1)
            held[0].let_go()  # its transcript
            await mimo.wait_for_requests(2)  # its translation
            await discord_api.delete_message(said)
            await until_noted_deleted(database_url, str(said["id"]))
            held[1].let_go()
            [refused] = await asked.wait_for_messages()

    assert refused.content == RECORDING_GONE
    assert not any(SECRET in content for content in discord_api.contents(server.general))


async def test_an_answer_about_a_recording_is_not_sent_once_its_message_is_deleted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    voice_ogg: bytes,
) -> None:  # fmt: skip
    """Alice asks about Bob's audio file (Apps → Ask about this audio); Bob deletes his message
    while MiMo hears it: Alice reads why."""
    mimo.answer_text = f"Bob says {SECRET}"
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    audio = discord_api.attachment(voice_ogg, filename="plan.ogg", content_type="audio/ogg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.post_message(server.general, bob, "", attachments=[audio])
        opened = await discord_api.message_command(
            server.general, alice, "Ask about this audio", said
        )
        await opened.wait_for_callback()
        with mimo.held_each() as held:
            submitted = await discord_api.submit_modal(opened, "What does Bob say?")
            await mimo.wait_for_requests(1)
            await discord_api.delete_message(said)
            await until_noted_deleted(database_url, str(said["id"]))
            held[0].let_go()
            [refused] = await submitted.wait_for_messages()

    assert refused.content == RECORDING_GONE
    assert not any(SECRET in content for content in discord_api.contents(server.general))


async def test_a_calls_summary_and_answer_are_not_sent_once_a_speaker_in_it_says_no(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """After a call Ann and Cleo were transcribed in, Cleo says no (`/listen_me
    allowed:False`) while MiMo writes the call's summary, then while it answers a question
    about the call: neither is sent, and whoever asked reads why. Asked again, her lines kept
    from before her no are what the call's summary is made of, as `/find` shows them."""
    async with bot_in_server(discord_api, mimo, sqlite_url):
        mimo.asr_text = sentence_heard
        members, (ann, _, cleo) = await the_call(discord_api, server, mimo, sqlite_url)
        with mimo.held_each() as held:
            asked = await discord_api.slash(server.lounge, ann, "summary", call=True)
            await mimo.wait_for_requests(3)  # two lines heard, then the summary
            await members.answer(cleo, "listen_me", allowed=False)
            held[-1].let_go()
            [summary_refused] = await asked.wait_for_messages()
        with mimo.held_each() as held:
            asked = await discord_api.slash(
                server.lounge, ann, "ask", question="who writes the notes?", call=True
            )
            await mimo.wait_for_requests(4)
            await members.answer(cleo, "listen_me", allowed=True)  # a yes moves no count
            await members.answer(cleo, "listen_me", allowed=False)
            held[-1].let_go()
            [answer_refused] = await asked.wait_for_messages()
        again = await discord_api.slash(server.lounge, ann, "summary", call=True)
        card, _ = await again.wait_for_messages(2)

    assert summary_refused.content == SUMMARY_GONE
    assert answer_refused.content == ANSWER_GONE
    assert "] action: Cleo: I will write the release notes" in card.content
