"""What the restart tests share: a `voicebridge run` process against the Discord stand-in (its
environment, as an operator's), members in the Lounge, and the bot's call there, found again
after a restart."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.integration.test_discord_reader import posted_in
from tests.integration.test_kill_restart import discord_environment
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import Call, worker_authority_file
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember

AWAY = re.compile(r"I was away for \d+:\d\d \(a restart\) and am listening in <#\d+> again")
WAIT = 60.0  # a safety net: each wait ends with the event it waits for


def environment(
    discord_api: FakeDiscord, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> dict[str, str]:
    """What an operator sets for a bot on Discord, with the voice server's authority trusted.
    PYTHONPATH, where set, reaches the bot's process too: a break planted in a copy of the code
    (`python -m tests.breaks`) runs there as well."""
    where = {k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}
    return (
        discord_environment(discord_api, mimo, database_url)
        | where
        | {
            "SSL_CERT_FILE": str(worker_authority_file(tmp_path)),  # the voice server CA
        }
    )


async def in_the_lounge(discord_api: FakeDiscord, server: Guild, *names: str) -> list[CallMember]:
    """New members of `server` by these names, each in the Lounge's call."""
    members = []
    for name in names:
        user_id = discord_api.add_member(server, name)
        members.append(await discord_api.join_call(server, user_id, server.lounge))
    return members


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
