"""Listening consent: where a member's yes or no to being transcribed in a server's calls is
decided (`/listen_me`, the buttons under a call's opening line), and stored
(`core.infra.storage.voice_calls.listening_consents_in_database`). Not the consent under which a
voice is cloned (`core.app.voices.clone_consent`).

In a call, only a stored yes lets a member be transcribed: one who never answered counts as a
no, since the call takes up the members who said yes (`consenting`) and no one else.

A no wins every race: the call being listened to drops the member first (the voice socket
admits nothing more of them, and their interpretation playing is cut), then it is stored,
tried a few times; if it still cannot be, the member is told it holds for this call only
(`errors.NoNotSaved`), and the call holds it (`CallConsents.unsaved`); the call stopped for a
deploy stores it again before it is kept for the next start to take up (`store_unsaved`),
since the call goes on there. A yes is stored
first, then followed by the call, unless a no came while it was stored: the newest of a
member's answers is what holds.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import replace

from core.app.listening.listened_call import ListenedCall
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.domain import errors
from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef
from core.ports import ReadingUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["ListeningConsents"]

SAVE_RETRIES = (0.1, 0.5)  # seconds before each new try of storing a no that could not be

# The call in a server, from its start until it is gone: it follows a member's yes or no.
CallIn = Callable[[ChatRef], ListenedCall | None]


class ListeningConsents:
    """Members' yes or no to being transcribed (see the module docstring); the call being
    listened to in a server (`call_in`) follows it, and `keeper` takes the lines of a member's
    turns under way out of its transcript after their no."""

    def __init__(
        self, uow: Callable[[], ReadingUnitOfWork], *, call_in: CallIn, keeper: TranscriptKeeper
    ) -> None:
        self._uow = uow
        self._call_in = call_in
        self._keeper = keeper
        # Each member's newest yes or no: one overtaken while stored is not followed or kept.
        self._newest: dict[tuple[ChatRef, str], int] = {}
        self._decisions = itertools.count(1)

    def _heard(self, server: ChatRef) -> ListenedCall | None:
        """The call in `server` while its voices are taken: the one that follows an answer."""
        call = self._call_in(server)
        return call if call is not None and call.state.taking_voices else None

    async def decide(self, server: ChatRef, member_id: str, yes: bool) -> bool:
        """Store the member's yes or no; a call being listened to follows it, a no before it is
        stored. Raises `errors.NoNotSaved` where a no holds in the call but could not be
        stored."""
        decision = self._newest[server, member_id] = next(self._decisions)
        if yes:
            await self._save(server, member_id, yes)
            self._stored(server, member_id)
            if self._newest[server, member_id] != decision:  # a no came while it was stored
                await self._save_no(server, member_id)  # the no stays what is kept
                return False
            if (call := self._heard(server)) is not None:
                call.follow(member_id, yes)
            return yes
        if (call := self._heard(server)) is not None:
            call.follow(member_id, yes)
            # What of theirs the chat was shown of a turn under way goes too.
            await call.withdraw(self._keeper, member_id)
        try:
            await self._save_no(server, member_id)
        except Exception as exc:
            if call is None:
                raise  # nothing holds it: the member hears it failed
            logger.exception("a no in %s holds in the call, but could not be stored", server)
            call.consents.no_unsaved(member_id)
            raise errors.NoNotSaved(f"a no in {server} holds in the call only") from exc
        self._stored(server, member_id)
        if self._newest[server, member_id] == decision and (now := self._heard(server)) is not None:
            now.follow(member_id, yes)  # a call begun while it was stored reads it
        return yes

    def _stored(self, server: ChatRef, member_id: str) -> None:
        """The member's answer is stored: no no of theirs holds in the call alone."""
        if (call := self._call_in(server)) is not None:
            call.consents.no_stored(member_id)

    async def store_unsaved(self, call: ListenedCall) -> bool:
        """Store again the no's that hold in `call` only (module docstring); False where one
        still cannot be."""
        stored = True
        for member_id in sorted(call.consents.unsaved):
            try:
                await self._save_no(call.server, member_id)
            except Exception:
                logger.exception("a no in %s still could not be stored", call.server)
                stored = False
            else:
                call.consents.no_stored(member_id)
        return stored

    async def consenting(self, server: ChatRef) -> tuple[set[str], Mandate]:
        """The members of `server` who said yes, as stored, and the mandate a call beginning
        now keeps their lines under (each line only while its speaker's yes stands), read
        together: a /forget before them deleted the yeses, one after moves the count."""
        async with self._uow() as uow:
            mandate = replace(await uow.mandates.read(server), yes_needed=True)
            return await uow.listening_consents.consenting(server), mandate

    async def _save(self, server: ChatRef, member_id: str, yes: bool) -> None:
        async with self._uow() as uow:
            await uow.listening_consents.save(server, member_id, yes)
            await uow.commit()

    async def _save_no(self, server: ChatRef, member_id: str) -> None:
        """Store a no, tried again after each of `SAVE_RETRIES` seconds."""
        for wait in SAVE_RETRIES:
            try:
                await self._save(server, member_id, False)
                return
            except Exception:
                logger.warning("storing a no in %s failed; trying again", server, exc_info=True)
                await asyncio.sleep(wait)
        await self._save(server, member_id, False)
