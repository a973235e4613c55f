"""What a Discord voice message declares about itself, as a consent reading: spoken consent
to cloning a voice (`core.app.voices.clone_consent`), not a member's consent to being
transcribed in a call (`bots.discord.answers.listen_consent_buttons`).

A forward carries a reference of type forward (and its snapshot); a message an application
sent for someone (a user-installed app's answer, a webhook) carries its `application_id`,
`interaction_metadata` or `webhook_id`. An attachment's id is new on every upload, so a copy is
caught only by the words it does not say.
"""

from __future__ import annotations

import discord

from bots.discord.discord_wording import CATALOGUE
from bots.discord.place_access import for_message
from bots.discord.recording_attachments import remote, voice_message_in
from core.app.voices.clone_consent import ConsentReading, ConsentVerdict
from core.chat.settings_wording import consent_verdict_text
from core.domain.rules.quotas_rules import asked_by
from core.domain.voices.clone_consent_rules import DeclaredReading

__all__ = ["consent_reading", "reading_answer"]


def consent_reading(message: discord.Message) -> ConsentReading | None:
    """A voice message's part in spoken consent (a forwarded one's is in its snapshot);
    None for anything else."""
    forwarded = [a for snapshot in message.message_snapshots for a in snapshot.attachments]
    voice = voice_message_in(message) or next((a for a in forwarded if a.is_voice_message()), None)
    if voice is None or message.author.bot:
        return None
    reference = message.reference
    is_forward = bool(forwarded) or (
        reference is not None and reference.type == discord.MessageReferenceType.forward
    )
    via_bot = (
        message.webhook_id is not None
        or message.application_id is not None
        or message.interaction_metadata is not None
    )
    recording = remote(voice)
    declared = DeclaredReading(
        person_id=str(message.author.id), chat_id=for_message(message).chat_id,
        identity=str(voice.id), sent_at=message.created_at, forwarded=is_forward,
        via_bot=via_bot, seconds=recording.seconds,
    )  # fmt: skip
    return ConsentReading(
        platform="discord", declared=declared, recording=recording,
        asker=asked_by(message.author.id),
    )  # fmt: skip


def reading_answer(verdict: ConsentVerdict) -> str:
    """What the reader hears once their voice is cloned, or why not."""
    return consent_verdict_text(
        verdict.name, verdict.locale, refused=verdict.refused, wording=CATALOGUE
    )
