"""What the restart tests share: a `voicebridge run` process against the Discord stand-in (its
environment, as an operator's), members in the Lounge, and the bot's call there, found again
after a restart. The steps the benchmarks take too are in tests/scenarios/restarts.py."""

from __future__ import annotations

from tests.scenarios.discord_bot import posted_in
from tests.scenarios.restarts import AWAY
from tests.scenarios.restarts import environment as environment
from tests.scenarios.restarts import in_the_lounge as in_the_lounge
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import Call

WAIT = 60.0  # a safety net: each wait ends with the event it waits for


async def in_the_call_again(discord_api: FakeDiscord, server: Guild) -> Call:
    """The bot's (newest) voice session in the Lounge, once in its members' DAVE group."""
    call: Call = await discord_api.voice.wait_until(
        lambda: discord_api.voice.live_call(server.id, server.lounge), timeout=WAIT, what="call"
    )
    await discord_api.voice.wait_until(lambda: call.dave.executed, timeout=WAIT, what="DAVE")
    return call


def back(discord_api: FakeDiscord, server: Guild) -> list[str]:
    """The lines of the Lounge's chat saying a call was taken up after a restart."""
    return [line for line in posted_in(discord_api, server.lounge) if AWAY.match(line)]


def in_voice(discord_api: FakeDiscord, server: Guild) -> bool:
    """Whether the bot is in a voice channel of `server`."""
    return discord_api.voice_channel_of(server, discord_api.application_id) is not None
