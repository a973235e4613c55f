"""A model MiMo refuses while the bot is in a Discord call (model ids move: see
`test_refused_models`): the live captions, their translations, the interpreter and the channel
reader each say it once in the call's chat, naming the setting to change, however many turns or
messages meet it, and log it in one line, never a traceback. Through the real discord.py, its
voice client and the stand-ins."""

from __future__ import annotations

import logging

import pytest

from core.chat.message_catalogue import text
from tests.integration.test_discord_interpreting import sentence_of_tone
from tests.integration.test_discord_listening import bot_in_server, in_the_lounge
from tests.integration.test_discord_reader import Members, in_lounge, posted_in
from tests.integration.test_refused_models import logged_errors
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import tone
from tests.waiting import until

ASR, TTS, CHAT = "mimo-v2.5-asr", "mimo-v2.5-tts", "mimo-v2.6-flash"


def refusal(model: str, setting: str, locale: str = "en") -> str:
    return text("error.mimo_model_refused", locale, model=model, setting=setting)


def asked_of(mimo: FakeMimo, model: str) -> int:
    """How many requests named `model` itself."""
    return sum(1 for body in mimo.requests if body.get("model") == model)


def one_clean_error(caplog: pytest.LogCaptureFixture, setting: str) -> str:
    """The one error the log holds: a line naming `setting`, no traceback anywhere."""
    [logged] = logged_errors(caplog)
    assert logged.exc_info is None and "Traceback" not in caplog.text
    assert f"set {setting} to a model MiMo offers" in logged.getMessage()
    return logged.getMessage()


async def listening_in(discord_api: FakeDiscord, server: Guild, members: Members, starter: int,
                       **options: bool) -> None:  # fmt: skip
    """`starter` runs /listen with `options`; returns once the bot is in the call and said so."""
    await members.answer(starter, "listen", **options)
    voice = discord_api.voice
    call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
    await voice.wait_until(lambda: call.dave.executed, what="the transition")
    await until(lambda: posted_in(discord_api, server.lounge), "the opening line")


@pytest.mark.parametrize(
    ("model", "setting"), [(TTS, "MIMO_TTS_MODEL"), (CHAT, "MIMO_CHAT_MODEL")], ids=["tts", "chat"]
)
async def test_the_interpreter_stops_with_one_line_naming_the_refused_models_setting(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    model: str,
    setting: str,
) -> None:
    """Bob's Chinese is to be spoken in English: the speech model (or the chat model that
    translates it) is refused. The call's chat hears it once with the setting, after his
    caption; his next turn is captioned all the same, and not tried again."""
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    members = Members(discord_api, server.general)
    mimo.refused_models.add(model)
    with caplog.at_level(logging.INFO):
        async with bot_in_server(discord_api, mimo, sqlite_url):
            mimo.asr_text = sentence_of_tone
            await members.answer(bob.user_id, "listen_me", allowed=True)
            # Pieces of 2 to 4 s: each 1-second turn one piece, as the stand-in's pitch wants.
            await listening_in(
                discord_api, server, members, bob.user_id, interpret=True, cheaper=True
            )
            stop = "I stopped interpreting in this call; the captions go on."
            await discord_api.voice.speak(bob, tone(660, 1.0))
            await until(lambda: stop in "\n".join(posted_in(discord_api, server.lounge)), stop)
            refusals = asked_of(mimo, model)
            await discord_api.voice.speak(bob, tone(660, 1.0))
            await until(lambda: len(mimo.calls(ASR)) == 2, "his second turn heard")
            await members.answer(bob.user_id, "stop_listening")

    said = "\n".join(posted_in(discord_api, server.lounge))
    assert said.count(f"{stop} {refusal(model, setting)}") == 1
    assert said.count("**Bob**: ") == 2  # both turns captioned
    assert said.index("**Bob**: ") < said.index(stop)
    assert asked_of(mimo, model) == refusals  # the second turn was not sent to be refused
    assert mimo.tts_wavs == []
    assert one_clean_error(caplog, setting).startswith("interpreting in ")


async def test_refused_translations_of_captions_are_said_once_and_the_captions_go_on(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = discord_api.add_guild("Server", locale="de")  # its chat reads German
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.refused_models.add(CHAT)
    with caplog.at_level(logging.INFO):
        async with bot_in_server(discord_api, mimo, sqlite_url):
            await members.answer(ann.user_id, "listen_me", allowed=True)
            await listening_in(
                discord_api, server, members, ann.user_id, translate=True, cheaper=True
            )
            for turns in (1, 2):
                await discord_api.voice.speak(ann, tone(440, 0.8))
                await until(
                    lambda n=turns: "\n".join(posted_in(discord_api, server.lounge)).count(  # type: ignore[misc]
                        "**Ann**: tone 440"
                    ) == n,
                    "Ann's caption",
                )  # fmt: skip
            await members.answer(ann.user_id, "stop_listening")

    said = "\n".join(posted_in(discord_api, server.lounge))
    expected = refusal(CHAT, "MIMO_CHAT_MODEL", "de")
    assert said.count(expected) == 1
    assert said.index("**Ann**: tone 440") < said.index(expected)
    assert "[German]" not in said
    assert asked_of(mimo, CHAT) == 1  # the second caption was not sent to be refused
    assert "no more translated captions" in one_clean_error(caplog, "MIMO_CHAT_MODEL")


async def test_refused_speech_recognition_in_a_call_is_said_once_for_every_turn(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.refused_models.add(ASR)
    with caplog.at_level(logging.INFO):
        async with bot_in_server(discord_api, mimo, sqlite_url):
            await members.answer(ann.user_id, "listen_me", allowed=True)
            await listening_in(discord_api, server, members, ann.user_id)
            for turns in (1, 2):
                await discord_api.voice.speak(ann, tone(440, 0.8))
                await until(lambda n=turns: len(mimo.calls(ASR)) == n, "Ann's turn sent")  # type: ignore[misc]
            expected = refusal(ASR, "MIMO_ASR_MODEL")
            await until(lambda: expected in "\n".join(posted_in(discord_api, server.lounge)), "")
            await members.answer(ann.user_id, "stop_listening")

    said = "\n".join(posted_in(discord_api, server.lounge))
    assert said.count(expected) == 1
    one_clean_error(caplog, "MIMO_ASR_MODEL")


async def test_the_channel_reader_says_a_refused_speech_model_once_and_reads_on(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.refused_models.add(TTS)
    with caplog.at_level(logging.INFO):
        async with bot_in_server(discord_api, mimo, sqlite_url):
            await members.answer(ann, "read_channel")
            for message in ("Hello everyone", "Over here", "Anyone?"):
                await discord_api.post_message(server.lounge, ann, message)
            await until(lambda: len(mimo.calls(TTS)) == 3, "every message tried")
            expected = refusal(TTS, "MIMO_TTS_MODEL")
            await until(lambda: posted_in(discord_api, server.lounge), "the refusal said")
            stopped = await members.answer(ann, "stop")

    assert posted_in(discord_api, server.lounge) == [expected]
    assert stopped.content.startswith("I stopped reading")
    assert "a message in" in one_clean_error(caplog, "MIMO_TTS_MODEL")
