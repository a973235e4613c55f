"""Listening consent: where a member's yes or no to being transcribed in a server's calls is
decided (`/listen_me`, the buttons under a call's opening line), and stored
(`core.infra.storage.listening_consents`). Not the consent under which a voice is cloned
(`core.app.voices.clone_consent`).

A no wins every race: the call being listened to drops the member first (the voice socket
admits nothing more of them, and their interpretation playing is cut), then it is stored,
tried a few times; if it still cannot be, the member is told it holds for this call only
(`errors.NoNotSaved`); the call stopped for a deploy stores it again before it is kept for
the next start to take up (`store_unsaved`), since the call goes on there. A yes is stored
first, then followed by the call, unless a no came while it was stored: the newest of a
member's answers is what holds.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from core.domain import errors
from core.domain.mandates import Mandate
from core.domain.values import ChatRef
from core.ports import ReadingUnitOfWork

logger = logging.getLogger(__name__)

SAVE_RETRIES = (0.1, 0.5)  # seconds before each new try of storing a no that could not be

# The call in a server follows a member's yes or no: False when there is none.
Follow = Callable[[ChatRef, str, bool], bool]
# ...and, after a no, takes out of its transcript the lines of their turns under way.
Withdraw = Callable[[ChatRef, str], Awaitable[None]]


class ListeningConsents:
    """Members' yes or no to being transcribed (see the module docstring); `follow`: the call
    being listened to in a server takes it (`core.app.calls.live_transcript`)."""

    def __init__(
        self, uow: Callable[[], ReadingUnitOfWork], *, follow: Follow, withdraw: Withdraw
    ) -> None:
        self._uow = uow
        self._follow = follow
        self._withdraw = withdraw
        # Each member's newest yes or no: one overtaken while stored is not followed or kept.
        self._newest: dict[tuple[ChatRef, str], int] = {}
        self._decisions = itertools.count(1)
        self._unsaved: set[tuple[ChatRef, str]] = set()  # no's holding in a call only

    async def decide(self, server: ChatRef, member_id: str, yes: bool) -> bool:
        """Store the member's yes or no; a call being listened to follows it, a no before it is
        stored. Raises `errors.NoNotSaved` where a no holds in the call but could not be
        stored."""
        said = self._newest[server, member_id] = next(self._decisions)
        if yes:
            await self._save(server, member_id, yes)
            self._unsaved.discard((server, member_id))
            if self._newest[server, member_id] != said:  # a no came while it was stored
                await self._save_no(server, member_id)  # the no stays what is kept
                return False
            self._follow(server, member_id, yes)
            return yes
        in_call = self._follow(server, member_id, yes)
        if in_call:  # what of theirs the chat was shown of a turn under way goes too
            await self._withdraw(server, member_id)
        try:
            await self._save_no(server, member_id)
        except Exception as exc:
            if not in_call:
                raise  # nothing holds it: the member hears it failed
            logger.exception("a no in %s holds in the call, but could not be stored", server)
            self._unsaved.add((server, member_id))
            raise errors.NoNotSaved(f"a no in {server} holds in the call only") from exc
        self._unsaved.discard((server, member_id))
        if self._newest[server, member_id] == said:
            self._follow(server, member_id, yes)  # a call begun while it was stored reads it
        return yes

    async def store_unsaved(self, server: ChatRef) -> bool:
        """Store again the no's of `server` that hold in its call only (module docstring);
        False where one still cannot be."""
        stored = True
        for member_id in sorted(m for place, m in self._unsaved if place == server):
            try:
                await self._save_no(server, member_id)
            except Exception:
                logger.exception("a no in %s still could not be stored", server)
                stored = False
            else:
                self._unsaved.discard((server, member_id))
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
