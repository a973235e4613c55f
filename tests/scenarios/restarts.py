"""A call taken up after a restart: the environment of a `voicebridge run` on Discord whose
voice server's authority it trusts, members in the Lounge's call, and the line the bot posts
once it is back."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.scenarios.processes import discord_environment
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import worker_authority_file
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember

AWAY = re.compile(r"I was away for \d+:\d\d \(a restart\) and am listening in <#\d+> again")


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
