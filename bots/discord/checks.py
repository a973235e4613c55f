"""`voicebridge doctor`'s Discord checks: the token (logging in over REST, no gateway), the
privileged intents the bot asks for (`bots.discord.bot.intents`) switched on in the developer
portal, and the voice libraries the voice channels need."""

from __future__ import annotations

import aiohttp
import discord

from bots.checks import Check, failed, passed, reason
from bots.discord.discordpy import point_rest_at, voice_libraries_installed


async def discord_checks(*, token: str, api_url: str) -> list[Check]:
    """The token tried as discord.py logs in (GET /users/@me), then the application's privileged
    intents (GET /oauth2/applications/@me): without them Discord closes the gateway at start."""
    point_rest_at(api_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        user = client.user
        token_check = passed("Discord", f"the token is {user.name if user else 'a bot'}'s")
        return [token_check, intents_check((await client.application_info()).flags)]
    except discord.LoginFailure:
        return [failed("Discord", "Discord refused DISCORD_BOT_TOKEN: copy it again from the "
                       "developer portal (Bot → Reset Token)")]  # fmt: skip
    except (aiohttp.ClientError, TimeoutError, discord.DiscordServerError) as exc:
        return [failed("Discord", f"cannot reach {api_url} ({reason(exc)}): check the network "
                       "and DISCORD_API_URL")]  # fmt: skip
    finally:
        await client.close()


def intents_check(flags: discord.ApplicationFlags) -> Check:
    """Message Content and Server Members, each granted either way Discord grants it: switched
    on (an app in fewer than 100 servers) or approved (a verified app)."""
    granted = {
        "Message Content": flags.gateway_message_content or flags.gateway_message_content_limited,
        "Server Members": flags.gateway_guild_members or flags.gateway_guild_members_limited,
    }
    missing = [name for name, on in granted.items() if not on]
    if not missing:
        return passed("Discord intents", "Message Content and Server Members are on")
    return failed("Discord intents", f"{' and '.join(missing)} off, so Discord would refuse the "
                  "bot at start: developer portal → Bot → Privileged Gateway Intents, switch "
                  f"{'them' if len(missing) > 1 else 'it'} on")  # fmt: skip


def voice_check() -> Check:
    """PyNaCl and davey, for /say and the channel reader in voice channels."""
    if voice_libraries_installed():
        return passed("voice channels", "PyNaCl and davey are installed")
    return failed("voice channels", "the voice libraries are missing, so /say and /read_channel "
                  "cannot play in voice channels: pip install 'voicebridge[voice]'")  # fmt: skip
