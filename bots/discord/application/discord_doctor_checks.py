"""`voicebridge doctor`'s Discord checks, in their order (`discord_checks`): the token (logging in
over REST, no gateway), the privileged intents (`bots.discord.application.bot_intents.intents`),
each granted or not and what is lost without it (the Server Members one as
DISCORD_MEMBERS_INTENT asks), and the link that invites the bot; and last, once Discord has
answered those, the voice libraries the voice channels need (a Discord that does not answer in
time, or answers with an error the checks do not know, makes the whole list one line:
`doctor_command`)."""

from __future__ import annotations

import aiohttp
import discord

from bots.discord.application.invite_link import invite_link
from bots.discord.discordpy_internals import point_rest_at, voice_libraries_installed
from bots.doctor_check_lines import Check, Person, failed, passed, reason, warned

__all__ = ["discord_checks", "discord_owner", "voice_check"]


async def discord_checks(*, token: str, api_url: str, members_intent: bool) -> list[Check]:
    """Discord's checks, in their order: those of the token, the intents and the invite link
    (`_online_checks`), and last, once those have their answers, the voice libraries
    (`voice_check`). The Server Members intent is checked as asked for where `members_intent`
    says so (DISCORD_MEMBERS_INTENT, true unless set)."""
    checked = await _online_checks(token=token, api_url=api_url, members_intent=members_intent)
    return [*checked, voice_check()]


async def _online_checks(*, token: str, api_url: str, members_intent: bool) -> list[Check]:
    """The token tried as discord.py logs in (GET /users/@me), then the application's privileged
    intents (GET /oauth2/applications/@me): without those the bot asks for (the Server Members
    one unless `members_intent` is false) Discord closes the gateway at start."""
    point_rest_at(api_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        user = client.user
        token_check = passed("Discord", f"the token is {user.name if user else 'a bot'}'s")
        application = await client.application_info()
        link = invite_link(application.id)
        invite = passed("Discord invite", f"add the bot to a server with {link}")
        intents = intents_check(application.flags, members_intent=members_intent)
        return [token_check, *intents, invite]
    except discord.LoginFailure:
        return [failed("Discord", "Discord refused DISCORD_BOT_TOKEN: copy it again from the "
                       "developer portal (Bot → Reset Token)")]  # fmt: skip
    except (aiohttp.ClientError, TimeoutError, discord.DiscordServerError) as exc:
        return [failed("Discord", f"cannot reach {api_url} ({reason(exc)}): check the network "
                       "and DISCORD_API_URL")]  # fmt: skip
    finally:
        await client.close()


async def discord_owner(*, token: str, api_url: str) -> Person | None:
    """Who owns the bot's application (a team's owner, for an application of a team): the
    person `voicebridge init` offers as the one who may use the bot. None when Discord does not
    say (the token refused, Discord out of reach: its check said so already)."""
    point_rest_at(api_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        application = await client.application_info()
    except (discord.LoginFailure, discord.HTTPException, aiohttp.ClientError, TimeoutError):
        return None
    finally:
        await client.close()
    owner = application.owner
    team = application.team
    if team is not None and team.owner_id is not None:
        member = next((m for m in team.members if m.id == team.owner_id), None)
        return Person("discord", team.owner_id, member.name if member else team.name)
    return Person("discord", owner.id, owner.name)


# What each privileged intent's absence costs, as `voicebridge doctor` says it ("without it ...").
WITHOUT_MESSAGE_CONTENT = (
    "voice messages posted in servers go untranscribed, and /remember, /summary and "
    "the channel reader see no message's text or files"
)
WITHOUT_SERVER_MEMBERS = (
    "a private thread's voice messages show in /find only to those who manage its "
    "threads or search within it, and the channel reader asks Discord for everyone in its "
    "voice channel with each message"
)
PORTAL = "developer portal → Bot → Privileged Gateway Intents"


def intents_check(flags: discord.ApplicationFlags, *, members_intent: bool) -> list[Check]:
    """One line for each privileged intent, granted either way Discord grants it (switched on,
    for an app in fewer than 100 servers; approved, for a verified app), each saying what is
    lost without it. Message Content the bot always asks for; Server Members unless
    DISCORD_MEMBERS_INTENT is false (`members_intent`): one it asks for and is not granted
    makes Discord refuse it at start."""
    content = flags.gateway_message_content or flags.gateway_message_content_limited
    members = flags.gateway_guild_members or flags.gateway_guild_members_limited
    refused = "not granted, so Discord would refuse the bot at start:"
    name, lost = "Message Content intent", WITHOUT_MESSAGE_CONTENT
    if content:
        checks = [passed(name, f"granted; without it {lost}")]
    else:
        checks = [failed(name, f"{refused} {PORTAL} → Message Content Intent; without it {lost}")]
    name, lost = "Server Members intent", WITHOUT_SERVER_MEMBERS
    if not members_intent:
        then = "; Discord grants it: set DISCORD_MEMBERS_INTENT=true" if members else ""
        checks.append(warned(name, f"not asked for (DISCORD_MEMBERS_INTENT=false): {lost}{then}"))
    elif members:
        checks.append(passed(name, f"granted; without it {lost}"))
    else:
        checks.append(failed(name, f"{refused} {PORTAL} → Server Members Intent, or set "
                             f"DISCORD_MEMBERS_INTENT=false; without it {lost}"))  # fmt: skip
    return checks


def voice_check() -> Check:
    """PyNaCl and davey, for /say and the channel reader in voice channels."""
    if voice_libraries_installed():
        return passed("voice channels", "PyNaCl and davey are installed")
    return failed("voice channels", "the voice libraries are missing, so /say and /read_channel "
                  "cannot play in voice channels: pip install 'voicebridge[voice]'")  # fmt: skip
