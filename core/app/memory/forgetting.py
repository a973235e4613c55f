"""`/forget`: what would keep more of a chat ended first, then everything kept of it deleted, in
one place that every way in calls (a Telegram chat, a Discord server or DM, a Business owner's
own chat, and a deleted Discord channel).

What it ends first, so that nothing of the chat is kept again once it returns:
    a listened call  `Listening.forget` (`core.app.listening.live_transcription`): the adapter
                     ends it with its goodbye, its interpreter with it, and nothing of it is
                     kept once that returns (its transcript is deleted below)
    imports          `Importer.forget` (`core.app.memory.importer`): those running in this
                     process end at once; one running in another process (`voicebridge import`)
                     ends on seeing its mark in `running_imports` gone, which the deletion below
                     takes
A channel reading under way is not ended: its rules, its members' choices and its place kept
for a restart are deleted below, and its place is kept no more, whichever process holds it (each
keeping checks the count of /forgets the deletion moves first,
`core.app.channel_reader.reading_resumption`).

What it deletes, in one transaction, under the chat and each place stored under its own
reference within it (`forget_places`):
    the logged messages, the summary state (logging, marker, digest), the preferences, the usage
    of earlier days (today's stays: forgetting never gives a chat its daily quotas afresh), the
    chat's own voices and their samples, the claims on its messages, every kept transcript
    (per recording, per call, imported) and the marks of its imports, the channel reader's
    rules and members' choices (a no to being read aside), the members' yes to being
    transcribed (`delete_yeses`: a no stays, and an import after the forget still leaves its
    member out), a call and a reading kept for a restart, and the voice notes inline mode
    rendered in the chat's voice; then the adapter's `discard` deletes the messages that keep
    those voice notes.

What it leaves, on purpose:
    its count of /forgets  one row per chat forgotten, holding only its id and the count
                           (`chat_forgets`), which moves first in the transaction
                           (`mandates.forgotten`): work that began before the forget, in any
                           process, sees the count moved and keeps nothing more
    a member's no          to being transcribed in a call, and to being read aloud (kept with
                           its voice forgotten: `reader_choices_in_database.delete_chat`): a
                           no only ever stops the bot
    today's usage          forgetting never gives a chat its daily quotas afresh
    the day's sentences    the consent sentences asked for and the readings seen today
                           (`clone_consent.KEPT_DAYS`): they count the day's attempts

A Discord channel or thread deleted (at once, or found gone at a start: `stored_places`) takes
what is stored under it the same way (`forget_places`), since nothing would tie it to its
server later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.app.listening.live_transcription import Listening
from core.app.memory.importer import Importer
from core.app.recordings.business_chats import kept_beside
from core.domain import errors
from core.domain.channel_reader.reader_rules import TakenBack
from core.domain.rules.quotas_rules import utc_day
from core.domain.shared_values import ChatRef, Platform
from core.domain.voices.inline_voice_cache_key import CachedVoice, Discard
from core.ports import Clock, MemoryUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["ForgetRequest", "Forgetting"]


@dataclass(frozen=True)
class ForgetRequest:
    """One `/forget`, as the adapter parsed it.

    `can_manage`: whether the one who asked may (an administrator; in a DM, the person).
    `inside`: places within the chat stored under their own reference (a Discord server's
    channels: their overrides and last-summary markers). `owner`: the person whose own chat
    with the bot this is, if it is one; what their Business connection kept (what `/find`
    there shows) goes too. `discard`: how the adapter deletes the messages that keep the
    voice notes rendered in the chat's voice.
    """

    chat: ChatRef
    can_manage: bool
    inside: Sequence[ChatRef] = ()
    owner: str | None = None
    discard: Discard | None = None


class Forgetting:
    """`/forget` and a deleted place's own forgetting (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], MemoryUnitOfWork],
        clock: Clock,
        listening: Listening | None = None,
        imports: Importer | None = None,
        taken_back: Callable[[TakenBack], None] = lambda _: None,
    ) -> None:
        self._taken_back = taken_back  # the readings running now hear the voices are gone
        self._uow = uow
        self._clock = clock
        self._listening = listening  # a call listened to in the chat ends before the deletion
        self._imports = imports  # ...and an import of its past

    async def forget(self, request: ForgetRequest) -> int:
        """`/forget` (module docstring): what runs in the chat ended, then what is kept of it
        deleted. Returns how many logged messages there were. Raises `errors.AdminsOnly` unless
        the request's asker manages the chat."""
        chat = request.chat
        if not request.can_manage:
            raise errors.AdminsOnly(command="forget")
        if self._listening is not None:
            await self._listening.forget(chat)
        if self._imports is not None:
            await self._imports.forget(chat)
        async with self._uow() as uow:
            business = await kept_beside(uow, chat, request.owner)
        places = [chat, *request.inside, *business]
        # Counted as forgotten: the places work is done for (a server's channels are places
        # of its work, not chats of their own).
        counted = [chat, *business]
        deleted = await self._delete(places, discard=request.discard, counted=counted)
        self._taken_back(TakenBack(chat, "voice"))  # every voice of the chat's: a clip cut
        logger.info("forgot %s and %d place(s) in it: %d stored messages deleted",
                    chat, len(request.inside), deleted)  # fmt: skip
        return deleted

    async def stored_places(self, platform: Platform, prefix: str) -> list[ChatRef]:
        """The places of `platform` whose chat id begins with `prefix` that anything is stored
        under: for an adapter to find those that no longer exist."""
        async with self._uow() as uow:
            named = await uow.places.named(platform, prefix)
        return [ChatRef(platform, chat_id) for chat_id in sorted(named)]

    async def forget_places(
        self, places: Sequence[ChatRef], *, discard: Discard | None = None
    ) -> int:
        """Delete what is stored under each of `places` (today's usage counts excepted), in one
        transaction: `/forget`'s work, and a deleted Discord channel's, whose rows nothing could
        trace back to its server later. Returns how many logged messages there were."""
        return await self._delete(places, discard=discard, counted=())

    async def _delete(
        self, places: Sequence[ChatRef], *, discard: Discard | None, counted: Sequence[ChatRef]
    ) -> int:
        """`forget_places`; `counted`: the chats a /forget forgets, whose count moves first,
        so that work under way anywhere keeps nothing more of them
        (`core.domain.memory.write_mandates`)."""
        deleted, today = 0, utc_day(self._clock.now())
        rendered: list[CachedVoice] = []
        async with self._uow() as uow:
            for chat in counted:
                await uow.mandates.forgotten(chat)
            for place in places:
                deleted += await uow.chat_log.delete_chat(place)
                await uow.summary_states.delete(place)
                await uow.preferences.delete(place)
                await uow.usage.delete_chat(place, today=today)
                await uow.voices.delete_chat(place)
                await uow.claims.delete_chat(place)
                await uow.transcripts.delete_chat(place)  # its imports' marks too: they stop
                await uow.reading.delete_chat(place)
                await uow.listening_consents.delete_yeses(place)  # a no outlives it
                await uow.live_calls.delete(place)
                await uow.live_readings.delete(place)
                rendered += await uow.inline_voices.delete_chat(place)
            await uow.commit()
        if discard is not None and rendered:
            await discard(rendered)
        return deleted
