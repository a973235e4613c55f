"""The link that adds the bot to a server: its scopes (the bot, its slash commands) and the
permissions its features use. `voicebridge doctor` and `voicebridge init` print it."""

from __future__ import annotations

import discord

__all__ = ["INVITE_PERMISSIONS", "invite_link"]


# What the bot does in a server, each permission for a feature: read channels and their
# history (replies, the channel reader, summaries), send messages there and in threads, attach
# files and voice messages (transcripts as files, /say), connect and speak in voice channels
# (/say played there, the channel reader, listening), and show that it listens (the voice
# channel's status, its nickname). docs/getting-started/discord.md names them too.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    read_message_history=True,
    send_messages=True,
    send_messages_in_threads=True,
    attach_files=True,
    send_voice_messages=True,
    connect=True,
    speak=True,
    set_voice_channel_status=True,
    change_nickname=True,
)


def invite_link(application_id: int) -> str:
    """The link that adds the bot to a server, with its slash commands and the permissions its
    features use."""
    scopes = ("bot", "applications.commands")
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=scopes)
