"""Storage, as one unit of work per use case (real one:
`core.infra.storage.SqlAlchemyUnitOfWork`):

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` rolls everything back. Each use case asks for the stores it
needs (`WorkUnitOfWork`: the claims; `UsageUnitOfWork`: the limits' counts; ...).

One module per aggregate:

    units.py         the unit of work every use case opens; the chat's preferences
    summaries.py     a group's chat log, its summaries' state, the index of places
    transcripts.py   transcripts kept per recording
    claims.py        claims on incoming work
    usage.py         the daily usage and the rate windows the limits count in
    voices.py        a chat's voices, and the spoken consent they are cloned under
    reading.py       the channel reader's choices
    listening_consents.py  listening consent: members' yes or no to being transcribed
    mandates.py      what work under way writes under, checked at each of its writes
    live_calls.py    the calls being listened to and the channel readings, kept while they last
    business.py      Telegram Business connections
    memory.py        what /find and /ask across the chat read
    inline.py        voice notes cached for inline answers
    retention.py     what the retention jobs delete from

A module named as one of another layer holds this layer's part of the same concept
(`summaries.py`, `claims.py`, `gists.py`...): the list is in `core.domain`'s map.
"""

from core.ports.storage.business import BusinessConnectionStore, BusinessUnitOfWork
from core.ports.storage.claims import ClaimStore, WorkUnitOfWork
from core.ports.storage.inline import InlineUnitOfWork, InlineVoiceStore
from core.ports.storage.listening_consents import ListeningConsentStore
from core.ports.storage.live_calls import LiveCallStore, LiveReadingStore
from core.ports.storage.mandates import MandateStore
from core.ports.storage.memory import ImportUnitOfWork, MemoryUnitOfWork
from core.ports.storage.reading import ReadingStore, ReadingUnitOfWork
from core.ports.storage.retention import RetentionUnitOfWork
from core.ports.storage.summaries import (
    ChatLogStore,
    ChatLogUnitOfWork,
    PlaceIndex,
    SummaryStateStore,
    SummaryUnitOfWork,
)
from core.ports.storage.transcripts import TranscriptStore, TranscriptUnitOfWork
from core.ports.storage.units import PreferencesStore, UnitOfWork
from core.ports.storage.usage import UsageStore, UsageUnitOfWork
from core.ports.storage.voices import ConsentStore, VoiceStore, VoiceUnitOfWork

__all__ = [
    "BusinessConnectionStore",
    "BusinessUnitOfWork",
    "ChatLogStore",
    "ChatLogUnitOfWork",
    "ClaimStore",
    "ConsentStore",
    "ImportUnitOfWork",
    "InlineUnitOfWork",
    "InlineVoiceStore",
    "ListeningConsentStore",
    "LiveCallStore",
    "LiveReadingStore",
    "MandateStore",
    "MemoryUnitOfWork",
    "PlaceIndex",
    "PreferencesStore",
    "ReadingStore",
    "ReadingUnitOfWork",
    "RetentionUnitOfWork",
    "SummaryStateStore",
    "SummaryUnitOfWork",
    "TranscriptStore",
    "TranscriptUnitOfWork",
    "UnitOfWork",
    "UsageStore",
    "UsageUnitOfWork",
    "VoiceStore",
    "VoiceUnitOfWork",
    "WorkUnitOfWork",
]
