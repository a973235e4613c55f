"""The calls being listened to, kept in the database while they last, so that the process that
next holds a server takes its call up after a deploy or a crash (`core.app.listening.call_lifecycle`
decides when; this keeps and reads).

    keep     a call started (or taken up): its state
             (`core.domain.listening.kept_call_values.KeptCall`) saved, replacing any kept
             before in the server
    alive    while it runs, every `ALIVE_SECONDS`, and as the process stops for a deploy: when
             it was last known alive, and the message its captions go in. A crash is known by
             the time since (`KeptCall.away`), a few seconds more than the bot was gone
    gone     the call ended (every way a call ends goes through `ListenedCalls`' one end
             path): nothing to take up
    away     the time nobody ran it, kept as one line of its transcript at that time ("away
             for 1:20"), so the transcript posted at its end is one call with the gap marked;
             a call ended there (its channel emptied meanwhile, away too long) has its
             transcript marked whole

The transcript's lines themselves are kept as each turn is heard
(`core.app.recordings.kept_transcripts`), so a crash loses none of those already captioned. A
failure to store is logged and costs only the resume, never the call
(`core.app.voice_calls.restart_recovery`, shared with the readings kept).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.chat_settings import ChatPreferences
from core.app.voice_calls.restart_recovery import KeptServers, KeptStore
from core.chat.message_catalogue import text
from core.domain.listening.kept_call_values import KeptCall
from core.domain.message_splitting import format_duration
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from core.ports import Clock, ReadingUnitOfWork

__all__ = ["ALIVE_SECONDS", "KeptCalls"]

ALIVE_SECONDS = 10.0  # how often a running call says it is alive


class KeptCalls:
    """The calls kept while they last (see the module docstring)."""

    def __init__(
        self,
        *,
        store: KeptStore,
        keeper: TranscriptKeeper,
        preferences: ChatPreferences,
        clock: Clock,
        servers: KeptServers,
    ) -> None:
        self._store, self._keeper, self._preferences, self.clock = (
            store, keeper, preferences, clock
        )  # fmt: skip
        self.servers = servers  # where anything is kept (a reading too), read once for many servers

    async def keep(self, call: KeptCall) -> None:
        self.servers.kept(call.server)
        await self._store.write(
            lambda uow: uow.live_calls.save(call), failing=f"keep the call in {call.server}"
        )

    async def alive(self, server: ChatRef, captions_message: str | None) -> None:
        now = self.clock.now()
        await self._store.write(
            lambda uow: uow.live_calls.alive(server, now, captions_message),
            failing=f"mark the call in {server} alive",
        )

    async def gone(self, server: ChatRef) -> None:
        await self._store.write(
            lambda uow: uow.live_calls.delete(server),
            failing=f"let go of the call kept in {server}",
        )

    async def find(self, server: ChatRef) -> KeptCall | None:
        if not await self.servers.may_have_kept(server):
            return None
        return await self._store.read(
            lambda uow: _found(uow, server),
            failing=f"read the call kept in {server}",
            default=None,
        )

    async def away(self, call: KeptCall, *, ended: bool) -> timedelta:
        """The time nobody ran `call`, until now, kept in its transcript (module docstring);
        `ended`: the call ends there. How long that was."""
        now = self.clock.now()
        away = call.away(now)
        heard = await self._heard_until(call)  # it was alive then at least
        start = max(heard, (call.alive_at - call.started_at).total_seconds())
        end = max(start, (now - call.started_at).total_seconds())
        marker = text("call.away", call.locale, away=format_duration(away.total_seconds()))
        language = (await self._preferences.get(call.server)).language
        part, mandate = TranscriptPart(start, end, marker), call.mandate
        await self._keeper.keep_part(
            call.server, call.recording, language=language, part=part, mandate=mandate
        )
        if ended:
            await self._keeper.complete(
                call.server, call.recording, language=language, duration=end, mandate=mandate
            )
        return away

    async def _heard_until(self, call: KeptCall) -> float:
        """Seconds into `call` where its last line kept ends (0: none)."""
        kept = await self._store.read(
            lambda uow: uow.transcripts.find(call.server, call.recording),
            failing=f"read the call kept in {call.server}",
            default=None,
        )
        return max((part.end for part in kept.parts), default=0.0) if kept else 0.0

    async def complete(self, call: KeptCall) -> None:
        """`call` ended without being taken up: its transcript marked whole as it is."""
        duration = (self.clock.now() - call.started_at).total_seconds()
        language = (await self._preferences.get(call.server)).language
        await self._keeper.complete(
            call.server, call.recording, language=language, duration=duration,
            mandate=call.mandate,
        )  # fmt: skip


async def _found(uow: ReadingUnitOfWork, server: ChatRef) -> KeptCall | None:
    """The call kept in `server`, with the mandate it goes on under: read together, so that a
    /forget either deleted it already or moves the count after."""
    kept = await uow.live_calls.get(server)
    return None if kept is None else replace(kept, mandate=await uow.mandates.read(server))
