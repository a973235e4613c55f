"""Storage, as one unit of work per use case (real one:
`core.infra.storage.SqlAlchemyUnitOfWork`):

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` rolls everything back. Each use case asks for the stores it
needs (`WorkUnitOfWork`: the claims; `UsageUnitOfWork`: the limits' counts; ...).

One module per aggregate:

business_connection_store_port.py  Telegram Business connections
chat_log_store_port.py  a group's chat log, its summaries' state, the index of places
claim_store_port.py   claims on incoming work
inline_voice_store_port.py  voice notes cached for inline answers
kept_transcript_store_port.py  transcripts kept per recording
listening_store_port.py  listening consent: members' yes or no to being transcribed; the calls being
                      listened to and the channel readings, kept while they last
mandate_store_port.py  what work under way writes under, checked at each of its writes
memory_store_port.py  what /find and /ask across the chat read; what the retention jobs delete from
own_voice_store_port.py  a chat's voices, and the spoken consent they are cloned under
reader_choices_store_port.py  the channel reader's choices
unit_of_work_port.py  the unit of work every use case opens; the chat's preferences
usage_store_port.py   the daily usage and the rate windows the limits count in

A concept that spans the layers is named in each for its part of it (`chat_log_store_port`,
`chat_log_in_database`, `summary_values`...): the list is in `core.domain`'s map.
"""

from core.ports.storage.business_connection_store_port import (
    BusinessConnectionStore,
    BusinessUnitOfWork,
)
from core.ports.storage.chat_log_store_port import (
    ChatLogStore,
    ChatLogUnitOfWork,
    PlaceIndex,
    SummaryStateStore,
    SummaryUnitOfWork,
)
from core.ports.storage.claim_store_port import ClaimStore, WorkUnitOfWork
from core.ports.storage.inline_voice_store_port import InlineUnitOfWork, InlineVoiceStore
from core.ports.storage.kept_transcript_store_port import TranscriptStore, TranscriptUnitOfWork
from core.ports.storage.listening_store_port import (
    ListeningConsentStore,
    LiveCallStore,
    LiveReadingStore,
)
from core.ports.storage.mandate_store_port import MandateStore
from core.ports.storage.memory_store_port import (
    ImportUnitOfWork,
    MemoryUnitOfWork,
    RetentionUnitOfWork,
)
from core.ports.storage.own_voice_store_port import ConsentStore, VoiceStore, VoiceUnitOfWork
from core.ports.storage.reader_choices_store_port import ReadingStore, ReadingUnitOfWork
from core.ports.storage.unit_of_work_port import PreferencesStore, UnitOfWork
from core.ports.storage.usage_store_port import UsageStore, UsageUnitOfWork

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
