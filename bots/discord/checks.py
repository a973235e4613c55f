"""`voicebridge doctor`'s Discord checks: the token (logging in over REST, no gateway), and the
voice libraries the voice channels need."""

from __future__ import annotations

import aiohttp
import discord

from bots.checks import Check, failed, passed, reason
from bots.discord.discordpy import point_rest_at, voice_libraries_installed


async def discord_check(*, token: str, api_url: str) -> Check:
    """The token tried as discord.py logs in (GET /users/@me)."""
    point_rest_at(api_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        user = client.user
        return passed("Discord", f"the token is {user.name if user else 'a bot'}'s")
    except discord.LoginFailure:
        return failed("Discord", "Discord refused DISCORD_BOT_TOKEN: copy it again from the "
                      "developer portal (Bot → Reset Token)")  # fmt: skip
    except (aiohttp.ClientError, TimeoutError, discord.DiscordServerError) as exc:
        return failed("Discord", f"cannot reach {api_url} ({reason(exc)}): check the network "
                      "and DISCORD_API_URL")  # fmt: skip
    finally:
        await client.close()


def voice_check() -> Check:
    """PyNaCl and davey, for /say and the channel reader in voice channels."""
    if voice_libraries_installed():
        return passed("voice channels", "PyNaCl and davey are installed")
    return failed("voice channels", "the voice libraries are missing, so /say and /read_channel "
                  "cannot play in voice channels: pip install 'voicebridge[voice]'")  # fmt: skip
