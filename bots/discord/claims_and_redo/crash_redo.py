"""The crash redo: work whose process died in the middle of it (kill -9, out of memory, a replica
lost) is done again by the next process, or its chat is told once to ask again.

`CrashRedo` does all of it. At start, and then every lease, it takes over the claims whose
leases lapsed (`take_over`, with `core.app.rules.work_claims`): a voice message is fetched again and
handled as if it had just arrived (`redo_message`); a command, message menu, modal submission or
button click runs again from the interaction its claim stored (`redo_interaction`); what cannot be
redone is reported to its chat, once (`tell_interrupted`).

Discord delivers an interaction once, to one process, and only that process's defer put up the
"thinking…" placeholder. So the claim on an acknowledged interaction stores the interaction as
Discord sent it (`RawInteractions` holds it from the gateway event until the claim), its token
included: the one credential that can still answer it, for its 15 minutes, dropped with the rest
of the payload once the work ends (`core.app.rules.work_claims`). A process that takes the claim
over feeds the same event through discord.py again, marked acknowledged already (`redoing`, which
`interaction_acks.adopt_acknowledgement` reads), so the command runs as if it had just arrived and
its answer fills the same placeholder; past the token's life a public answer reaches the channel
(`discord_replies.in_channel`). A private answer cannot go there: a private command whose token
would expire before the work is done is reported instead, as is one whose interaction cannot be
rebuilt.

A click is fed again as it came: discord.py finds its button by the `custom_id` (the Gist and
Speak buttons are `DynamicItem`s, which need nothing else). A modal submission is rebuilt
through its modal: its `custom_id` names the kind of modal, the message it is about and the
person (`modal_id`), and the cog that opens that kind rebuilds it (`RebuildsModals`) before the
event is fed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import discord

from bots.discord.discord_wording import text
from bots.discord.discordpy_internals import Parsers, feed_interaction, store_modal
from bots.discord.place_access import place_of
from core.app.rules.work_claims import Claims
from core.chat.answer_languages import DEFAULT_LOCALE, ChatLanguages, resolve_locale
from core.domain.rules.claim_values import Claim
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = [
    "REDO_MESSAGE",
    "CrashRedo",
    "ModalRebuilder",
    "RawInteractions",
    "RebuildsModals",
    "can_redo",
    "modal_id",
    "modal_target",
    "redo_payload",
    "stored_interaction",
]

REDO_MESSAGE = "message"
"""A voice message's claim stores this much to redo it from: the message is fetched again."""
REPLY_SEARCH = 100  # messages after a voice message looked through for the reply already sent
TOKEN_LIFE = timedelta(minutes=15)
PRIVATE_MARGIN = timedelta(minutes=5)  # a private answer redone needs this much token left
# Interaction types: application command, message component (a click), modal submit.
_COMMAND, _COMPONENT, _MODAL_SUBMIT = 2, 3, 5
_MODAL_PREFIX = "voicebridge"

ModalRebuilder = Callable[[discord.Message, int, str], Awaitable[discord.ui.Modal | None]]
"""Rebuild the modal of one kind about `message`, for the user with that id, in `locale`; None
when the message no longer holds what it was about."""
StartMessage = Callable[[Claim, discord.Message], None]
"""Handle a voice message fetched again, under the claim taken over
(`work_in_progress.WorkInProgress`)."""


@runtime_checkable
class RebuildsModals(Protocol):
    """A cog that opens modals, and can rebuild them for a submission to redo."""

    def modal_rebuilders(self) -> dict[str, ModalRebuilder]:
        """Its rebuilders, by the kind of modal (`modals.ClaimedModal.kind`)."""
        ...


class CrashRedo:
    """Takes over the claims of a process that died, and redoes their work or tells their chat.

    `redoing` holds the ids of the interactions fed again here, until their acknowledgement is
    adopted; `modal_rebuilders` the cogs' rebuilders, by kind. Without `claims` nothing
    is claimed, so nothing is ever taken over."""

    def __init__(
        self,
        client: discord.Client,
        *,
        claims: Claims | None,
        chats: ChatLanguages,
        start_message: StartMessage,
    ) -> None:
        self._client = client
        self._claims = claims
        self._chats = chats
        self._start_message = start_message
        self.redoing: set[int] = set()
        # Voice messages redone here whose reply a process that died had sent already, by id.
        self._earlier_replies: dict[int, discord.Message] = {}
        self.modal_rebuilders: dict[str, ModalRebuilder] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # taken over, waiting to be connected

    async def take_over(self, leases: contextlib.AsyncExitStack) -> None:
        """A predecessor's unfinished work first, before new work; then, for as long as `leases`
        stays open, this process's leases renewed and lapsed ones taken over."""
        if self._claims is None:
            return
        await self._claims.sweep("discord", self.redo, self.tell_interrupted)
        renewed = self._claims.leases_renewed({"discord": (self.redo, self.tell_interrupted)})
        await leases.enter_async_context(renewed)

    async def redo(self, claim: Claim, payload: str) -> None:
        """Work that a process which died had claimed, once connected: a voice message is
        fetched again and handled as if it had just arrived; a command, menu, modal submission
        or click runs again from the interaction it stored."""
        stored = stored_interaction(payload)
        if self._claims is None:
            raise ValueError(f"nothing to redo {claim} with")
        if payload == REDO_MESSAGE:
            redo = self.redo_message(self._claims, claim)
        elif stored is not None and can_redo(stored[0], private=stored[1]):
            redo = self.redo_interaction(self._claims, claim, stored[0])
        else:
            raise ValueError(f"nothing to redo {claim} from")
        task = background_tasks.start(redo, name="redo")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def redo_message(self, claims: Claims, claim: Claim) -> None:
        await self._client.wait_until_ready()  # the server's channels known: the message whole
        channel_id = int(claim.chat_id.removeprefix("channel:"))
        try:
            message = await self._fetch_message(channel_id, int(claim.message_id))
        except discord.HTTPException:
            logger.warning("could not fetch %s again to redo it; telling its chat", claim)
            await self._tell_interrupted_once(claims, claim)
            return
        earlier = await self._reply_sent_to(message)
        if earlier is not None:
            logger.info("%s was answered before its process died: that reply is kept", claim)
            self._earlier_replies[message.id] = earlier
        self._start_message(claim, message)

    def earlier_reply(self, message: discord.Message) -> discord.Message | None:
        """The reply a process that died had sent to `message`, which the redo edits rather
        than replying again (taken once)."""
        return self._earlier_replies.pop(message.id, None)

    async def _reply_sent_to(self, message: discord.Message) -> discord.Message | None:
        """This bot's reply to `message`, when one of its processes sent it: a process killed
        between sending its answer and marking the claim done (or mid-way, with its progress
        shown) left it there."""
        me = self._client.user
        if me is None:
            return None
        try:
            async for later in message.channel.history(
                after=message, limit=REPLY_SEARCH, oldest_first=True
            ):
                answered = later.reference is not None and later.reference.message_id == message.id
                if later.author.id == me.id and answered:
                    return later
        except discord.HTTPException:
            pass  # the redo answers again: twice at worst, never not at all
        return None

    async def redo_interaction(self, claims: Claims, claim: Claim, data: dict[str, Any]) -> None:
        await self._client.wait_until_ready()
        if is_modal_submission(data) and not await self._rebuild_modal(data):
            logger.warning("could not rebuild the modal of %s to redo it; telling its chat", claim)
            await self._tell_interrupted_once(claims, claim)
            return
        self.redoing.add(int(data["id"]))
        try:
            # Through discord.py's own handling of the gateway event, as when it first arrived.
            feed_interaction(self._client, data)
        except Exception:
            self.redoing.discard(int(data["id"]))
            logger.warning("could not run %s again; telling its chat", claim, exc_info=True)
            await self._tell_interrupted_once(claims, claim)

    def take_redone(self, interaction: discord.Interaction[Any]) -> bool:
        """Whether `interaction` is one fed again here, which a process that died acknowledged;
        it is taken out of `redoing`, as its acknowledgement is adopted once."""
        if interaction.id not in self.redoing:
            return False
        self.redoing.discard(interaction.id)
        return True

    async def _rebuild_modal(self, data: dict[str, Any]) -> bool:
        """Put the modal a stored submission answered back where discord.py looks for it."""
        target = modal_target(data)
        rebuild = self.modal_rebuilders.get(target[0]) if target else None
        if target is None or rebuild is None:
            return False
        _, channel_id, message_id = target
        try:
            message = await self._fetch_message(channel_id, message_id)
        except discord.HTTPException:
            return False
        user = data.get("member", {}).get("user") or data.get("user") or {}
        locale = resolve_locale(data.get("locale")) or DEFAULT_LOCALE
        modal = await rebuild(message, int(user.get("id", 0)), locale)
        if modal is None or modal.custom_id != data["data"]["custom_id"]:
            return False
        store_modal(self._client, modal)
        return True

    async def _fetch_message(self, channel_id: int, message_id: int) -> discord.Message:
        client = self._client
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
        return await channel.fetch_message(message_id)  # type: ignore[union-attr]

    async def _tell_interrupted_once(self, claims: Claims, claim: Claim) -> None:
        async with claims.handling(claim):  # and finished: told once
            await self.tell_interrupted(claim)

    async def tell_interrupted(self, claim: Claim) -> None:
        await tell_interrupted(self._client, self._chats, claim)


class RawInteractions:
    """The interactions a claim may have to redo, as Discord sent them, by id: held from the
    gateway event until claimed, and bounded (one that is never claimed, refused or failed
    before its claim, goes out with the oldest)."""

    def __init__(self, limit: int = 256) -> None:
        self._held: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._limit = limit

    def install(self, parsers: Parsers) -> None:
        """Keep each command, click and modal submission `parsers` (discord.py's gateway event
        parsers, `discordpy_internals.gateway_parsers`) hands on."""
        parse = parsers["INTERACTION_CREATE"]

        def keeping(data: dict[str, Any]) -> None:
            if data.get("type") in (_COMMAND, _COMPONENT, _MODAL_SUBMIT):
                self._held[int(data["id"])] = data
                while len(self._held) > self._limit:
                    self._held.popitem(last=False)
            parse(data)

        parsers["INTERACTION_CREATE"] = keeping

    def take(self, interaction_id: int) -> dict[str, Any] | None:
        """The event of `interaction_id`, taken out of the keep (its claim stores it)."""
        return self._held.pop(interaction_id, None)


def redo_payload(data: dict[str, Any], *, private: bool) -> str:
    """What the claim on an acknowledged interaction stores to redo it from: the event, and
    whether its acknowledgement (so its answer) is private."""
    return json.dumps({"interaction": data, "private": private})


def stored_interaction(payload: str) -> tuple[dict[str, Any], bool] | None:
    """The interaction event and its privacy in a claim's payload; None when it holds none."""
    try:
        stored = json.loads(payload)
    except ValueError:
        return None
    data = stored.get("interaction") if isinstance(stored, dict) else None
    return (data, bool(stored.get("private"))) if isinstance(data, dict) else None


def can_redo(data: dict[str, Any], *, private: bool, now: datetime | None = None) -> bool:
    """Whether an answer redone now can still reach the person: a private one only through the
    interaction's token, which must then outlive the work by a margin."""
    if not private:
        return True
    sent = discord.utils.snowflake_time(int(data["id"]))
    return (now or datetime.now(UTC)) < sent + TOKEN_LIFE - PRIVATE_MARGIN


def modal_id(kind: str, message: discord.Message, user_id: int) -> str:
    """A modal's `custom_id`: enough to rebuild it after a restart (a person's second modal for
    the same message replaces the first, as Discord's client shows one at a time)."""
    return f"{_MODAL_PREFIX}:{kind}:{message.channel.id}:{message.id}:{user_id}"


def modal_target(data: dict[str, Any]) -> tuple[str, int, int] | None:
    """The kind, channel and message of the modal a submission answers, from its `custom_id`."""
    custom_id = str(data.get("data", {}).get("custom_id", ""))
    parts = custom_id.split(":")
    if len(parts) != 5 or parts[0] != _MODAL_PREFIX or not all(p.isdigit() for p in parts[2:]):
        return None
    return parts[1], int(parts[2]), int(parts[3])


def is_modal_submission(data: dict[str, Any]) -> bool:
    return data.get("type") == _MODAL_SUBMIT


async def tell_interrupted(client: discord.Client, chats: ChatLanguages, claim: Claim) -> None:
    """Tell the channel that the restarted bot could not finish `claim`: a reply to the message,
    or, for a command (whose "thinking…" answer is gone with the old process), a message naming
    the person who ran it. Mentions never ping (the bot allows none). In the channel's language:
    who asked, and in which language, is not kept. A command from a place the bot is not in
    (claimed under its user) cannot be told: its token died with the process, and the bot may
    not post there."""
    if claim.chat_id.startswith("user:"):
        logger.info("interrupted %s where the bot may not post; nobody to tell", claim)
        return
    channel_id = int(claim.chat_id.removeprefix("channel:"))  # bare: claimed before 2026-11-22
    locale = await channel_locale(client, chats, channel_id)
    channel = client.get_partial_messageable(channel_id)
    if claim.kind == "command":
        mention = f"<@{claim.requester}>"
        await channel.send(text("discord.work.interrupted", locale, user=mention))
        return
    message = channel.get_partial_message(int(claim.message_id))
    # Sent even when the message is gone meanwhile: the channel should still hear of it.
    reference = message.to_reference(fail_if_not_exists=False)
    told = text("work.interrupted", locale)
    await channel.send(told, reference=reference, mention_author=False)


async def channel_locale(client: discord.Client, chats: ChatLanguages, channel_id: int) -> str:
    """The language of what a channel gets, asked of Discord: this runs at start-up, before the
    gateway has said which servers and channels there are."""
    try:
        channel = await client.fetch_channel(channel_id)
        server = getattr(channel, "guild", None)
        if server is not None:
            guild = await client.fetch_guild(server.id)
            platform = resolve_locale(guild.preferred_locale.value)
            return await chats.chat_locale(place_of(guild_id=guild.id), platform=platform)
        recipient = getattr(channel, "recipient", None)
        if recipient is not None:
            return await chats.chat_locale(place_of(user_id=recipient.id))
    except discord.HTTPException:
        logger.info("could not tell the language of channel %s; telling it in English", channel_id)
    return DEFAULT_LOCALE
