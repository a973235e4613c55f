"""The work in progress: what of Discord is claimed before it is handled (see
`core.app.rules.work_claims`), and what a stop waits for.

Claims name the channel as the rest of the Discord adapter stores it (`channel:<id>`, so `/forget`
finds them). Voice messages (the messages that lead to work) are claimed by message id, commands,
message menus, modal submissions ("Ask about this audio", "Clone this voice") and button clicks
("Gist", "Speak") by interaction id. Autocomplete is not claimed: it answers at once and is
asked again as the user types.

A stop waits for every request under way. They are tracked here, not guessed from discord.py's
tasks: discord.py runs each command, modal submission and click in a task of its own, which
counts itself in as it starts (`take_on`); messages are handled in tasks of our own (`start`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord

from bots.discord.claims_and_redo.crash_redo import REDO_MESSAGE, RawInteractions, redo_payload
from bots.discord.place_access import channel_of, place_of, reaches_channel
from bots.discord.recording_attachments import voice_message_in
from core.app.rules.work_claims import Claims
from core.domain.rules.claim_values import Claim
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["WorkInProgress", "message_claim"]

Interaction = discord.Interaction[Any]
Listen = Callable[[discord.Message], Awaitable[None]]
CLAIMED = "voicebridge.claimed"
"""`Interaction.extras` key: this process claimed the interaction, so it marks it done."""
CLAIMED_INTERACTIONS = (
    discord.InteractionType.application_command,
    discord.InteractionType.modal_submit,
    discord.InteractionType.component,
)


class WorkInProgress:
    """The requests this process works on: claimed in `claims` (None: handled unclaimed), and
    waited for at a stop (`finish`), after which nothing new starts (`stopping`)."""

    def __init__(self, claims: Claims | None, raw_interactions: RawInteractions) -> None:
        self.claims = claims
        self.stopping = False
        self._raw_interactions = raw_interactions
        self._tasks: set[asyncio.Task[Any]] = set()

    def take_on(self) -> bool:
        """Whether the request discord.py runs in the current task (a command, a modal
        submission, a click) may start: not once the bot is stopping. If so, a stop waits for
        the task."""
        if self.stopping:
            return False
        task = asyncio.current_task()
        if task is not None:
            self._track(task)
        return True

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in a task of its own, which a stop waits for."""
        self._track(background_tasks.start(work, name="discord request"))

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)  # referenced until done, as the event loop holds tasks weakly
        task.add_done_callback(self._tasks.discard)

    async def finish(self) -> None:
        """A normal stop (SIGTERM, Ctrl-C): take no new work, and wait until the work in
        progress has ended, its answers sent and its claims finished, while the connection and
        the database are still there for it."""
        self.stopping = True
        while running := self._tasks - {asyncio.current_task()}:
            logger.info("waiting for %d Discord request(s) in progress to finish", len(running))
            await asyncio.wait(running)

    def start_message(self, message: discord.Message, claim: Claim | None, listen: Listen) -> None:
        """Hand `message` to its listeners (`listen`) in a task of its own; a voice message
        (`claim`) only in the first delivery that claims it, and its claim finished when the
        work is."""
        self.start(self._handle_message(message, claim, listen))

    async def _handle_message(
        self, message: discord.Message, claim: Claim | None, listen: Listen
    ) -> None:
        if self.claims is None or claim is None:
            await listen(message)
            return
        async with self.claims.handling(claim, REDO_MESSAGE) as first:
            if first:
                await listen(message)

    async def claim(self, interaction: Interaction, *, acknowledged: bool, private: bool) -> bool:
        """Whether this delivery of `interaction` is the one to handle: it claimed the
        interaction (and `finish_claimed` marks it done), or there is nothing to claim it with.
        One this process `acknowledged` is stored with its claim, to be redone should this
        process die; `private`: its acknowledgement is seen by its user alone."""
        claim = interaction_claim(interaction)
        if self.claims is None or claim is None:
            return True
        data = self._raw_interactions.take(interaction.id)
        # An answer only the interaction can carry (private, or where the bot may not post) is
        # redone only while its token lasts.
        private = private or not reaches_channel(interaction)
        payload = None if data is None or not acknowledged else redo_payload(data, private=private)
        first = await self.claims.claim(claim, payload)
        if first:
            interaction.extras[CLAIMED] = claim
        return first is not False

    async def finish_claimed(self, interaction: Interaction) -> None:
        """The interaction this process claimed has ended, answered or failed."""
        claim = interaction.extras.get(CLAIMED)
        if self.claims is not None and isinstance(claim, Claim):
            await self.claims.finish(claim)


def message_claim(message: discord.Message) -> Claim | None:
    """The claim on a message that leads to work: a voice message from a person."""
    if message.author.bot or voice_message_in(message) is None:
        return None
    return Claim("discord", channel_of(message.channel.id).chat_id, str(message.id))


def interaction_claim(interaction: Interaction) -> Claim | None:
    """The claim on a slash command, message menu, modal submission or button click."""
    if interaction.type not in CLAIMED_INTERACTIONS:
        return None
    channel = interaction.channel_id or interaction.user.id  # always set for commands
    # Where the bot is not in the place, nothing can be posted there: the claim names the user.
    user = place_of(user_id=interaction.user.id)
    place = channel_of(channel) if reaches_channel(interaction) else user
    return Claim(
        "discord",
        place.chat_id,
        str(interaction.id),
        "command",
        requester=str(interaction.user.id),
    )
