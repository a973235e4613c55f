"""A call or a channel reading kept through a restart passes the allowlist again before it is
taken up (issue 82, finding 4): the real `voicebridge run` listens (or reads) in the Lounge of
the Discord stand-in while the server (or the member who started it) is on ALLOWED_CHATS (or
ALLOWED_USERS), and is killed; the operator takes it off the list and starts the bot again. It
does not come back to the Lounge: the call is ended with its transcript and why, the reading
said ended once and why, nothing of either is kept to take up, and nothing more reaches MiMo.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.chatlog_db import query
from tests.integration.restarts import in_voice
from tests.integration.test_call_restarts import (
    kept_call,
    listening_again,
    said_and_captioned,
    until_goodbye,
)
from tests.integration.test_discord_listening import heard_tones
from tests.integration.test_discord_reader import clips, spoken_requests
from tests.integration.test_reading_restarts import ended, kept_reading, reading_back
from tests.scenarios.discord_bot import Members, posted_in, transcript_lines
from tests.scenarios.processes import identified, voicebridge_run
from tests.scenarios.restarts import AWAY, environment, in_the_lounge
from tests.scenarios.tones import tone_heard
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.waiting import until

WAIT = 60.0  # a safety net: each wait ends with the event it waits for
WHY = "Neither this server nor the member who started it is among those I serve any more."
ELSEWHERE = "discord:1"  # the operator's list, once the server (or the member) is off it


async def test_a_call_in_a_server_taken_off_the_allowlist_is_ended_not_rejoined(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann listens in the Lounge of a server on ALLOWED_CHATS; the bot is killed, the server
    taken off the list, the bot started again: it does not join the Lounge, its goodbye there
    says why with the transcript of what was heard, the database keeps no call to take up, and
    Ann's words after the restart never reach MiMo."""
    mimo.asr_text = tone_heard
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    listed = env | {"ALLOWED_CHATS": f"discord:{server.id}"}
    async with voicebridge_run(tmp_path, listed, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_again(discord_api, server, members, ann, cheaper=True)
        await said_and_captioned(discord_api, server, ann, 440)
        first.kill()
        await first.wait()
    assert await kept_call(database_url, server) is not None  # a call to take up, while listed

    off = env | {"ALLOWED_CHATS": ELSEWHERE}
    async with voicebridge_run(tmp_path, off, "second", identified(discord_api)):
        await until(lambda: ended_or_back(discord_api, server), "the call ended or back", WAIT)
        came_back = [line for line in posted_in(discord_api, server.lounge) if AWAY.match(line)]
        assert came_back == [], "the call was taken up"
        bye = await until_goodbye(discord_api, server)
        # What the killed process left: Discord still shows it in the Lounge until it is left.
        await until(lambda: not in_voice(discord_api, server), "the bot out of the Lounge", WAIT)
        kept = await kept_call(database_url, server)

    assert f"did not come back to <#{server.lounge}>: {WHY} I stopped listening." in bye.content
    assert transcript_lines(bye)[0] == "Ann: tone 440"  # what was heard, its end marked
    assert discord_api.voice.live_call(server.id, server.lounge) is None
    assert kept is None  # never taken up by a later start either
    assert await query(database_url, "SELECT count(*) FROM live_calls") == [(0,)]
    assert heard_tones(mimo) == [440]  # nothing after the restart reached MiMo


async def test_a_reading_whose_starter_was_taken_off_the_allowlist_is_ended_not_rejoined(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """The server is not listed; Ann is, on ALLOWED_USERS, and starts /read_channel in the
    Lounge. The bot is killed, Ann taken off the list, a message posted meanwhile, the bot
    started again: it does not join the Lounge, says once there that the reading ended and why,
    keeps no reading to take up, and reads nothing of what was posted."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    listed = env | {"ALLOWED_USERS": f"discord:{ann.user_id}"}
    async with voicebridge_run(tmp_path, listed, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel")  # the Lounge's own chat
        call = await discord_api.voice.wait_until(
            lambda: discord_api.voice.live_call(server.id, server.lounge), timeout=WAIT,
            what="the call",
        )  # fmt: skip
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
        first.kill()
        await first.wait()
    assert await kept_reading(database_url, server) is not None
    await discord_api.post_message(server.lounge, ann.user_id, "Bravo came meanwhile")

    off = env | {"ALLOWED_USERS": ELSEWHERE}
    async with voicebridge_run(tmp_path, off, "second", identified(discord_api)):
        await until(
            lambda: ended(discord_api, server) or reading_back(discord_api, server),
            "the reading said ended or taken up", WAIT,
        )  # fmt: skip
        assert reading_back(discord_api, server) == [], "the reading was taken up"
        await until(lambda: not in_voice(discord_api, server), "the bot out of the Lounge", WAIT)
        kept = await kept_reading(database_url, server)

    [line] = ended(discord_api, server)
    assert line.endswith(f"<#{server.lounge}>: {WHY} I stopped reading aloud.")
    assert kept is None and discord_api.voice.live_call(server.id, server.lounge) is None
    assert [text for _, text in spoken_requests(mimo) if "Bravo" in text] == []


def ended_or_back(discord_api: FakeDiscord, server: Guild) -> bool:
    """Whether the bot said, in the Lounge's chat, that it came back, or ended the call."""
    return any(
        AWAY.match(message.content) or message.attachments
        for message in discord_api.messages_in(server.lounge)
    )
