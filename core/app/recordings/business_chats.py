"""Telegram Business: a user connects the bot to their own account, and the recordings their
contacts send them in private chats are transcribed for them.

    connected      each `business_connection` update: stored with the rights it gives (the
                   owner's choices kept); `is_enabled` false deletes the connection at once, with
                   every claim on its messages and the transcripts kept of its recordings (kept
                   under the connection, `kept_under`), so nothing more is processed or stored
                   for it; work on its recordings in flight asks `active` between pieces and
                   stops (`core.app.recordings.transcription.NoLongerWanted`)
    route          each recording in a connected chat: whether it is transcribed, and for whom
                   (None: the connection is gone or off, the chat skipped, the owner not on the
                   allowlist, or the owner sent it)
    settings       what the owner chose (`/business`): on or off, where transcripts go, which
                   chats are left alone

The work is the owner's: transcribed as if in their own chat with the bot, so the owner's
transcript language applies, and the rate limits and daily quotas count against them. What is
kept of it is theirs to find (`/find` in their chat with the bot) and to forget (`/forget`
there): `kept_beside`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from core.app.rules.limits import Limiter
from core.domain.recordings.business_choices import BusinessConnection, Destination, claims_chat_id
from core.domain.rules.quotas_rules import Asker, asked_by
from core.domain.shared_values import ChatRef, Platform
from core.ports import BusinessUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["BusinessChats", "Change", "kept_beside"]

Change = Literal["connected", "updated", "disconnected", "unknown"]


async def kept_beside(
    uow: BusinessUnitOfWork, chat: ChatRef, owner: str | None
) -> tuple[ChatRef, ...]:
    """Where the transcripts of `owner`'s Business connection are kept, when `chat` is their
    own chat with the bot (Telegram's private chat has the person's id): theirs alone."""
    if owner is None or chat.platform != "telegram" or chat.chat_id != owner:
        return ()
    connection = await uow.business.of_owner(owner)
    if connection is None:
        return ()
    return (ChatRef("telegram", claims_chat_id(connection.connection_id)),)


class BusinessChats:
    """Connections and their owners' choices (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], BusinessUnitOfWork],
        limiter: Limiter,
        platform: Platform = "telegram",
    ) -> None:
        self._uow = uow
        self._limiter = limiter
        self.platform = platform

    async def connected(
        self,
        *,
        connection_id: str,
        owner_user_id: str,
        owner_chat_id: str,
        can_reply: bool,
        enabled: bool,
    ) -> Change:
        """Take in a connection's news: new, changed rights, or ended ("unknown": the end of a
        connection never stored, say an owner the allowlist refused)."""
        async with self._uow() as uow:
            known = await uow.business.get(connection_id)
            if not enabled:
                await uow.business.delete(connection_id)
                await uow.claims.delete_chat(self._claims_of(connection_id))
                await uow.transcripts.delete_chat(self._claims_of(connection_id))
                await uow.commit()
                logger.info("business connection ended; its rows deleted")
                return "unknown" if known is None else "disconnected"
            change: Change = "updated"
            if known is None:
                change = "connected"
                known = BusinessConnection(
                    connection_id=connection_id,
                    owner_user_id=owner_user_id,
                    owner_chat_id=owner_chat_id,
                    can_reply=can_reply,
                )
            await uow.business.save(replace(known, can_reply=can_reply))
            await uow.commit()
        return change

    async def route(
        self, connection_id: str, *, chat_id: str, sender_id: str | None
    ) -> BusinessConnection | None:
        """The connection a recording in `chat_id` is transcribed under, or None when it is not
        transcribed (see the module docstring)."""
        async with self._uow() as uow:
            connection = await uow.business.get(connection_id)
        if connection is None or not self.admits(connection):
            return None
        return connection if connection.transcribes(chat_id=chat_id, sender_id=sender_id) else None

    async def owner_chat_of(self, connection_id: str) -> ChatRef | None:
        """The owner's own chat with the bot, while the connection is there."""
        async with self._uow() as uow:
            connection = await uow.business.get(connection_id)
        return None if connection is None else self.owner_chat(connection)

    async def active(self, connection_id: str) -> bool:
        """Whether the connection is still there: work for one that ended meanwhile is dropped
        before anything is sent."""
        async with self._uow() as uow:
            return await uow.business.get(connection_id) is not None

    async def disconnected(self, connection_id: str) -> None:
        """Work on the connection's recordings stopped because it ended: what that work may have
        kept after the end was taken in is deleted too."""
        async with self._uow() as uow:
            if await uow.business.get(connection_id) is None:
                await uow.transcripts.delete_chat(self._claims_of(connection_id))
                await uow.commit()
        logger.info("a business transcript dropped: its connection ended while it was made")

    def kept_under(self, connection: BusinessConnection | str) -> ChatRef:
        """Where the transcripts of the connection's recordings (or of the connection of that
        id) are kept: apart from the owner's own, so that the connection's end deletes them
        all."""
        connection_id = connection if isinstance(connection, str) else connection.connection_id
        return self._claims_of(connection_id)

    def admits(self, connection: BusinessConnection) -> bool:
        """The allowlist, applied to the owner."""
        return self.admits_owner(connection.owner_user_id, connection.owner_chat_id)

    def admits_owner(self, owner_user_id: str, owner_chat_id: str) -> bool:
        return self._limiter.admits(self.platform, chats=[owner_chat_id], user=owner_user_id)

    def owner_chat(self, connection: BusinessConnection) -> ChatRef:
        """The owner's own chat with the bot: its preferences and quotas are the owner's."""
        return ChatRef(self.platform, connection.owner_chat_id)

    @staticmethod
    def owner(connection: BusinessConnection) -> Asker:
        return asked_by(connection.owner_user_id)

    # The owner's choices

    async def settings(self, owner_user_id: str) -> BusinessConnection | None:
        async with self._uow() as uow:
            return await uow.business.of_owner(owner_user_id)

    async def switch(self, owner_user_id: str, *, on: bool) -> BusinessConnection | None:
        return await self._change(owner_user_id, lambda c: replace(c, transcripts=on))

    async def send_to(
        self, owner_user_id: str, destination: Destination
    ) -> BusinessConnection | None:
        return await self._change(owner_user_id, lambda c: replace(c, destination=destination))

    async def skip(
        self, owner_user_id: str, chat_id: str, *, skipped: bool
    ) -> BusinessConnection | None:
        def changed(connection: BusinessConnection) -> BusinessConnection:
            chats = connection.skipped_chats
            chats = chats | {chat_id} if skipped else chats - {chat_id}
            return replace(connection, skipped_chats=chats)

        return await self._change(owner_user_id, changed)

    async def _change(
        self,
        owner_user_id: str,
        change: Callable[[BusinessConnection], BusinessConnection],
    ) -> BusinessConnection | None:
        """The owner's connection with `change` made, or None when they have none."""
        async with self._uow() as uow:
            connection = await uow.business.of_owner(owner_user_id)
            if connection is None:
                return None
            connection = change(connection)
            await uow.business.save(connection)
            await uow.commit()
        return connection

    def _claims_of(self, connection_id: str) -> ChatRef:
        return ChatRef(self.platform, claims_chat_id(connection_id))
