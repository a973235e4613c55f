"""`voicebridge import`'s runtime (`importing`): what an import of a chat's past needs, built
once for the whole command, its plan, its question and its run: the database migrated and
opened, MiMo behind the account's minute (shared with the bots' replicas where the database
holds it), ffmpeg, and the importer on them. None of the bots' own services is built: no
calls, no channel reader, no scheduler, no voices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from core.app.memory.importer import Importer
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.transcription import Recordings
from core.bootstrap import bot_services
from core.bootstrap.database_runtime import minute_kept, storage
from core.bootstrap.parts_from_settings import (
    account_limits,
    audio_of,
    ffmpeg_processes,
    http_client,
    limits_from,
    mimo_client,
)
from core.bootstrap.shared_use_cases import transcription_on
from core.config import Settings
from core.infra.malloc_tuning import return_large_blocks
from core.infra.mimo.minute_ledger import MemoryLedger
from core.infra.mimo.minute_pacing import AccountMinute
from core.ports import NO_METRICS, Clock, SystemClock
from core.ports.background_tasks import supervised

__all__ = ["Importing", "importing"]


@dataclass(frozen=True)
class Importing:
    """An import's runtime: the importer, and the account's minute its requests take their
    uses of (a check made before the import asks in it too: `mimo_alone`)."""

    importer: Importer
    minute: AccountMinute


@asynccontextmanager
async def importing(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Importing]:
    """Bring the schema up to date, then build the importer on the database, MiMo and ffmpeg,
    for as long as the block lasts."""
    return_large_blocks()  # a recording's pieces, freed, leave no memory behind
    clock = clock or SystemClock()
    processes = await ffmpeg_processes(settings)
    async with (
        storage(settings, clock=clock) as store,
        http_client() as http,
        supervised(NO_METRICS),  # innermost, as the bots' runtime has it; nobody reads metrics
    ):
        minute = AccountMinute(
            limits=account_limits(settings), ledger=store.minute_ledger or MemoryLedger()
        )
        mimo = mimo_client(settings, http=http, minute=minute)
        keeper = TranscriptKeeper(uow=store.uow, reads=store.reads, clock=clock)
        limits = limits_from(settings)
        transcription = transcription_on(
            mimo, audio_of(settings, processes), limits=limits, limiter=store.limiter,
            keeper=keeper, recordings=Recordings(downloader=None, limits=limits),  # files at hand
            metrics=NO_METRICS,
        )  # fmt: skip
        async with minute_kept(store, minute):
            importer = bot_services.imports(settings, store, clock, transcription)
            yield Importing(importer=importer, minute=minute)
