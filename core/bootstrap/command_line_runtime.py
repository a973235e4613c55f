"""The command line's runtime (`standalone`): MiMo and audio without a database, nothing
stored, preferences held in the process; and MiMo alone, for `voicebridge doctor`
(`mimo_alone`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from core.bootstrap.parts_from_settings import audio_of, ffmpeg_processes, http_client, mimo_client
from core.bootstrap.shared_use_cases import UseCases, mimo_use_cases, shared
from core.config import Settings
from core.domain.shared_values import ChatRef, Preferences
from core.infra.local_settings import LocalUnitOfWork
from core.infra.malloc_tuning import return_large_blocks
from core.infra.mimo import MimoClient
from core.infra.mimo.minute_pacing import AccountMinute

__all__ = ["Standalone", "mimo_alone", "standalone"]


@dataclass(frozen=True)
class Standalone(UseCases):
    """The use cases without a database, for the command line."""

    settings: Settings


@asynccontextmanager
async def mimo_alone(
    settings: Settings, *, minute: AccountMinute | None = None
) -> AsyncIterator[MimoClient]:
    """The MiMo client the settings describe, on a client of its own (`voicebridge doctor`),
    its requests paced in `minute` where a runtime holds the account's (an import's check)."""
    async with http_client() as http:
        yield mimo_client(settings, http=http, minute=minute)


@asynccontextmanager
async def standalone(settings: Settings) -> AsyncIterator[Standalone]:
    """Transcripts, speech and answers as the bots have them (the same MiMo client, pieces,
    retries and limits on requests), with nothing stored: preferences live in memory for this
    process (the command line sets them from its options), nothing is counted against a quota,
    no metrics are kept. Needs MIMO_API_KEY; touches no database."""
    return_large_blocks()
    processes = await ffmpeg_processes(settings)
    preferences: dict[ChatRef, Preferences] = {}
    async with http_client() as http:
        mimo = mimo_client(settings, http=http)
        audio = audio_of(settings, processes)
        cases = mimo_use_cases(settings, mimo, audio, lambda: LocalUnitOfWork(preferences))
        yield Standalone(**shared(cases), settings=settings)
