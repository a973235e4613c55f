"""Members' yes or no to being transcribed in a server, as the database keeps them
(`core.app.listening` decides; this stores). A no is tried again a few times before it is
given up: the member is then told it holds for the call alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from core.domain.values import ChatRef
from core.ports import ReadingUnitOfWork

logger = logging.getLogger(__name__)

SAVE_RETRIES = (0.1, 0.5)  # seconds before each new try of storing a no that could not be


class StoredConsents:
    def __init__(self, uow: Callable[[], ReadingUnitOfWork]) -> None:
        self._uow = uow

    async def save(self, server: ChatRef, member_id: str, yes: bool) -> None:
        async with self._uow() as uow:
            await uow.reading.save_consent(server, member_id, yes)
            await uow.commit()

    async def save_no(self, server: ChatRef, member_id: str) -> None:
        """Store a no, tried again after each of `SAVE_RETRIES` seconds."""
        for wait in SAVE_RETRIES:
            try:
                await self.save(server, member_id, False)
                return
            except Exception:
                logger.warning("storing a no in %s failed; trying again", server, exc_info=True)
                await asyncio.sleep(wait)
        await self.save(server, member_id, False)
