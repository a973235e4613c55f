"""Native Discord voice messages, which discord.py 2.7 cannot build on its own.

A voice message is a message with the flag IS_VOICE_MESSAGE (8192), no text, and exactly one
OGG/Opus attachment whose `attachments` entry carries `duration_secs` and `waveform` (base64 of
at most 256 loudness bytes, one per ~100 ms). discord.py's `File` has no place for those two, so
the multipart body is built here and sent through discord.py's own HTTP client (its rate limits,
retries and DISCORD_API_URL apply) as a follow-up of the interaction.

A deferred interaction's first follow-up is not a message of its own: it fills the "thinking…"
placeholder, an edit, with the defer's flags, and an edit cannot make a voice message (Discord
would show a plain audio file, and say nothing). So where nothing has filled the placeholder yet,
it gets a short line first (`PLACEHOLDER_LINE`), and the voice message follows as a message of
its own.

Where Discord refuses one (a channel that does not allow voice messages answers 400 with code
50173; without the Send Voice Messages permission, 403 with code 50013, as where the bot is
installed to the user and not in the place), the same audio goes as an ordinary file, which
plays inline all the same, with a line saying why. Any other refusal is an error.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from typing import Any

import discord

from bots.discord.answers.discord_asker import quick_locale
from bots.discord.answers.discord_replies import (
    ANSWERED,
    RESPONSE_ID,
    TOKEN_EXPIRED,
    Interaction,
    followup_of,
    in_channel,
)
from bots.discord.discord_wording import text
from bots.discord.discordpy_internals import post_form
from core.domain.shared_values import VoiceNote

logger = logging.getLogger(__name__)

__all__ = ["PLACEHOLDER_LINE", "send_voice_message", "voice_message_form"]

VOICE_MESSAGE_FLAGS = discord.MessageFlags(voice=True).value
FILE_NAME = "voice-message.ogg"
FALLBACK_FILE_NAME = "speech.ogg"
PLACEHOLDER_LINE = "🔊"  # what fills "thinking…" above a voice message: no words to translate
REFUSED_VOICE_MESSAGE = {50173, 50013}  # voice messages not allowed here; missing permission


def voice_message_form(note: VoiceNote, *, reply_to: int | None = None) -> list[dict[str, Any]]:
    """The multipart fields of a voice message, in the shape discord.py's `form=` takes; as a
    reply to the message `reply_to`, if given (and if it still exists)."""
    attachment = {
        "id": 0,
        "filename": FILE_NAME,
        "duration_secs": round(note.duration, 3),
        "waveform": base64.b64encode(note.waveform).decode("ascii"),
    }
    payload: dict[str, Any] = {"flags": VOICE_MESSAGE_FLAGS, "attachments": [attachment]}
    if reply_to is not None:
        payload["message_reference"] = {"message_id": reply_to, "fail_if_not_exists": False}
    return [
        {"name": "payload_json", "value": json.dumps(payload)},
        {"name": "files[0]", "value": note.data, "filename": FILE_NAME,
         "content_type": "audio/ogg"},
    ]  # fmt: skip


async def send_voice_message(interaction: Interaction, note: VoiceNote) -> None:
    """Answer the interaction with `note` as a voice message, or as an audio file if refused;
    once its token has expired, in the channel."""
    try:
        await _fill_placeholder(interaction)
        await post_form(
            interaction.client,
            "/webhooks/{webhook_id}/{webhook_token}",
            form=voice_message_form(note),
            params={"wait": "true"},
            webhook_id=interaction.application_id,
            webhook_token=interaction.token,
        )
    except discord.HTTPException as exc:
        if exc.code == TOKEN_EXPIRED:  # the work outlived the interaction
            await _in_channel(interaction, note)
        elif exc.code in REFUSED_VOICE_MESSAGE:
            logger.warning(
                "Discord refused a voice message (%s, code %s); sending an audio file instead",
                exc.status,
                exc.code,
            )
            audio = discord.File(io.BytesIO(note.data), filename=FALLBACK_FILE_NAME)
            why = text("discord.voice_message.refused", quick_locale(interaction))
            await followup_of(interaction)(content=why, file=audio)
        else:
            raise
    interaction.extras[ANSWERED] = True


async def _fill_placeholder(interaction: Interaction) -> None:
    """Put `PLACEHOLDER_LINE` where "thinking…" shows, if nothing has filled it yet."""
    deferred = interaction.response.type == discord.InteractionResponseType.deferred_channel_message
    if deferred and not interaction.extras.get(ANSWERED):
        line = await interaction.edit_original_response(content=PLACEHOLDER_LINE)
        interaction.extras[RESPONSE_ID] = line.id
        interaction.extras[ANSWERED] = True


async def _in_channel(interaction: Interaction, note: VoiceNote) -> None:
    """The voice message as a channel message: a reply to the interaction's response where that
    is known, else after a line naming the person (a voice message carries no words)."""
    channel = interaction.channel
    if channel is None:
        raise TypeError("no channel to post in")
    reply_to = interaction.extras.get(RESPONSE_ID)
    if not isinstance(reply_to, int):
        await in_channel(interaction)
        reply_to = None
    form = voice_message_form(note, reply_to=reply_to)
    path = "/channels/{channel_id}/messages"
    await post_form(interaction.client, path, form=form, channel_id=channel.id)
