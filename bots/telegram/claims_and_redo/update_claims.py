"""Each Telegram message that leads to work (or is kept for /summary) is handled once, and
nothing Telegram handed over is lost to a kill.

A message is claimed as it arrives, by the update queue's intake (`ClaimingUpdateProcessor.
receive`), with the whole update stored beside the claim: Telegram hears that it was received
(the poller's next offset, the webhook's answer) only after that, so a process killed at any
point later leaves a claim for a sweep to take over and redo. The work claims it again in the
application's update processor rather than in a handler: the processor wraps the whole handling
of an update (every handler group, the error handler's answer), so the claim is marked done
exactly when handling ends, however it ends, and a handler that stops the groups early cannot
leave it open.

A guest query (`bots.telegram.business_and_guest_mode.guest_answers`) is claimed under its query id,
as its chat is not the bot's; once it is answered, its claim notes the answer's inline message
(`guest_answers.GuestAnswers`), so a redo after a kill edits that message instead of answering
again. A transcript's status message is noted in its claim the same way
(`bots.telegram.recordings.transcript_status_notes`), and a redo makes the transcript of it rather
than a second reply.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot, ReplyParameters, Update
from telegram.ext import Application, BaseUpdateProcessor, filters

from bots.telegram.answers.ephemeral_api import incoming_id
from bots.telegram.business_and_guest_mode.business_handlers import known_connection
from bots.telegram.business_and_guest_mode.guest_answers import (
    GUEST_CLAIMS,
    GuestAnswers,
    guest_claim,
)
from bots.telegram.recordings.transcript_status_notes import StatusNotes
from bots.telegram.telegram_wording import text
from core.app.recordings.business_chats import BusinessChats
from core.app.rules.work_claims import Claims, Redo, Tell
from core.chat.answer_languages import ChatLanguages
from core.domain.recordings.business_choices import BUSINESS_PREFIX, claims_chat_id
from core.domain.rules.claim_values import Claim
from core.domain.shared_values import ChatRef

logger = logging.getLogger(__name__)

__all__ = ["ClaimingUpdateProcessor", "leases_renewed", "sweep"]

EPHEMERAL_PREFIX = "e"  # the claims of ephemeral commands: e<ephemeral id>:<date>:<sender>


class ClaimingUpdateProcessor(BaseUpdateProcessor):
    """Concurrent processing, at most `concurrent` updates at once, where an update that `wanted`
    matches runs only if this process claims its message first (a second delivery of it is
    dropped). `chats` say in which language an interrupted chat is told. A Telegram Business
    message is claimed under its connection, and only while `business_handlers` has the
    connection: after a disconnection nothing more of it is stored."""

    def __init__(
        self,
        claims: Claims,
        wanted: filters.BaseFilter,
        *,
        chats: ChatLanguages,
        concurrent: int,
        business: BusinessChats | None = None,
    ) -> None:
        super().__init__(concurrent)
        self.claims = claims
        self.wanted = wanted
        self.chats = chats
        self.business = business
        self.guest_answers = GuestAnswers(claims)
        self.status_notes = StatusNotes(claims)

    async def receive(self, update: object) -> bool:
        """Claim the update's message as it arrives (the update queue's intake), storing the
        whole update to redo the work from should this process die before it ends. False for
        a second delivery."""
        claim = await self._claim_of(update)
        if claim is None:
            return True
        return await self.claims.receive(claim, _payload(update))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        claim = await self._claim_of(update)
        if claim is None:
            await coroutine
            return
        data = update.to_dict() if isinstance(update, Update) else {}
        async with self.claims.handling(claim, json.dumps(data)) as first:
            if first:
                with self.status_notes.handling(claim, data):
                    await coroutine
                return
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never run: do not warn that it was never awaited

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _claim_of(self, update: object) -> Claim | None:
        if not isinstance(update, Update) or not self.wanted.check_update(update):
            return None
        if update.message is not None:
            message = update.message
            # An ephemeral command's message_id is 0, and its ephemeral id may be used again
            # once it is gone, and is unique only between one member and the bot (the methods
            # name one by chat, receiver and id): its sender, id and date name it.
            private = incoming_id(message)
            if private is not None:
                sender = message.from_user.id if message.from_user is not None else 0
                when = int(message.date.timestamp())
                where = f"{EPHEMERAL_PREFIX}{private}:{when}:{sender}"
                return Claim("telegram", str(message.chat_id), where)
            return Claim("telegram", str(message.chat_id), str(message.message_id))
        guest = update.guest_message
        if guest is not None and guest.guest_query_id:
            return guest_claim(guest.guest_query_id)
        business = update.business_message
        if business is None or business.business_connection_id is None:
            return None
        connection = business.business_connection_id
        if self.business is not None and not await known_connection(
            update.get_bot(), self.business, self.chats, connection
        ):
            return None  # the handler drops it too; nothing of it is stored
        # Message ids count per chat of the owner's: the chat is part of the key.
        where = f"{business.chat_id}:{business.message_id}"
        return Claim("telegram", claims_chat_id(connection), where)


def _payload(update: object) -> str | None:
    return json.dumps(update.to_dict()) if isinstance(update, Update) else None


async def sweep(application: Application) -> None:  # type: ignore[type-arg]
    """Finish what a process that died left unfinished (see `core.app.rules.work_claims`): its
    updates go through the application again, as if Telegram had just sent them; a chat whose
    request cannot be redone is told, as a reply to its message, to send it again (in the chat's
    language: who asked is not kept)."""
    processor = application.update_processor
    if isinstance(processor, ClaimingUpdateProcessor):
        await processor.claims.sweep("telegram", *_redo_and_tell(application, processor))


@asynccontextmanager
async def leases_renewed(application: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """For as long as the block lasts: renew this process's leases and sweep for lapsed ones."""
    processor = application.update_processor
    if not isinstance(processor, ClaimingUpdateProcessor):
        yield
        return
    async with processor.claims.leases_renewed(
        {"telegram": _redo_and_tell(application, processor)}
    ):
        yield


def _redo_and_tell(
    application: Application,  # type: ignore[type-arg]
    processor: ClaimingUpdateProcessor,
) -> tuple[Redo, Tell]:
    bot = application.bot

    async def redo(claim: Claim, payload: str) -> None:
        data = processor.guest_answers.redone(json.loads(payload))
        data = processor.status_notes.redone(claim, data)
        await application.update_queue.put(Update.de_json(data, bot))

    async def tell(claim: Claim) -> None:
        if claim.chat_id == GUEST_CLAIMS:  # its chat is not the bot's, and its query is gone
            logger.info("an interrupted guest query could not be finished")
            return
        if claim.chat_id.startswith(BUSINESS_PREFIX):  # told to the owner, never in that chat
            await _tell_owner(bot, processor.business, processor.chats, claim)
            return
        if claim.message_id.startswith(EPHEMERAL_PREFIX):  # its 15 s to be answered are over
            logger.info("an interrupted ephemeral command could not be finished")
            return
        locale = await processor.chats.chat_locale(ChatRef("telegram", claim.chat_id))
        await _reply(bot, claim, text("work.interrupted", locale))

    return redo, tell


async def _tell_owner(
    bot: Bot, business: BusinessChats | None, chats: ChatLanguages, claim: Claim
) -> None:
    connection = claim.chat_id.removeprefix(BUSINESS_PREFIX)
    owner = None if business is None else await business.owner_chat_of(connection)
    if owner is None:  # disconnected meanwhile: nothing more goes out for it
        return
    chat_id, _, _ = claim.message_id.partition(":")
    sentence = text("business.interrupted", await chats.chat_locale(owner), chat_id=chat_id)
    await bot.send_message(chat_id=int(owner.chat_id), text=sentence)


async def _reply(bot: Bot, claim: Claim, sentence: str) -> None:
    # Sent even when the message is gone meanwhile: the chat should still hear of it.
    where = ReplyParameters(int(claim.message_id), allow_sending_without_reply=True)
    await bot.send_message(chat_id=int(claim.chat_id), text=sentence, reply_parameters=where)
