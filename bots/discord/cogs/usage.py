"""/usage: what a server (or, in direct messages, a user) used today, and what is left."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bots.discord.answers.acks import PRIVATE, answers
from bots.discord.answers.replies import Interaction, followup_of, send_lines
from bots.discord.answers.who_asks import answer_of, asker_of
from bots.discord.messages import text
from bots.discord.places import for_interaction, reaches_channel
from core.app.rules.limits import Limiter
from core.app.voices.clone_consent import VoiceConsents
from core.chat.usage import clone_attempts_line, listening_line, usage_text

__all__ = ["UsageCog"]


class UsageCog(commands.Cog):
    """What a server (or, in direct messages, a user) used today, and what is left."""

    def __init__(self, limiter: Limiter, consents: VoiceConsents | None = None) -> None:
        self.limiter = limiter
        self.consents = consents  # the member's own attempts at cloning their voice

    @app_commands.command(
        description="What this server used today, and what is left", extras=answers(PRIVATE)
    )
    async def usage(self, interaction: Interaction) -> None:
        """The server's usage today; in a server, also its calls listened to, and what the
        member's own messages took of it in channel readings (their share:
        `DISCORD_READER_MEMBER_SHARE`)."""
        chat = for_interaction(interaction)
        report = await self.limiter.today(chat, asker_of(interaction))
        locale = answer_of(interaction).locale
        lines = usage_text(report, locale)
        if self.consents is not None:
            tried = await self.consents.attempts_today("discord", str(interaction.user.id))
            limit = self.consents.attempts_per_day
            lines += "\n" + clone_attempts_line(tried, limit, locale)
        in_server = interaction.guild_id is not None and reaches_channel(interaction)
        if in_server:
            listened = await self.limiter.listened_today(chat)
            lines += "\n" + listening_line(listened, self.limiter.policy.listen_seconds, locale)
        cap = self.limiter.share_cap()
        if in_server and cap:
            used = await self.limiter.share_today(chat, str(interaction.user.id))
            lines += "\n" + text("discord.usage.reader_share", locale, used=used, limit=cap)
        await send_lines(followup_of(interaction, ephemeral=True), lines)
