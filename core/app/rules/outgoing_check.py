"""What the bot sends after a wait is checked again as it leaves: the one place that decides
whether words read, then made into an answer while MiMo wrote it, may still go out.

An answer, a summary, a digest, a gist, a translation, a transcript under its translation: each
is made from words read first (a chat's kept transcripts, its log, a channel's history as the
adapter read it, a recording), then waits seconds for MiMo. A message deleted, the chat
forgotten (`/forget`) or a member's no committed in those seconds, in any process, must not be
quoted after the deletion or the forget said it was gone. So the work notes what it read
(`Sources`, `core.domain.memory.write_mandates`): the mandates of the chats and speakers whose words
it holds, read before or with the words (`read_chats`, `read_speakers`), and the messages that
carried them where their platform tells of a deletion. Once MiMo answered, and before the adapter
has it to render, `Leaving.check` looks in one read at what each write of long work is checked
against: the counts of forgets and no's (`MandateRepository.holds`), and the deletions
`MemorySearch.forget_said` notes (`deleted_messages`). Where one moved, what was made is dropped
whole with a line of the catalogue, never sent in part: an answer whose model input held what went
away cannot be trusted not to quote it.

    /ask across the chat    `MemorySearch.ask`: the lines handed to the model, their chats, call
                            lines' speakers, voice messages                  AnswerWentAway
    /summary, digests       `SummaryService.summarise_messages`: the chat (a Telegram log),
                            a Discord channel's messages; a digest is dropped unsaid
                                                                             SummaryWentAway
    a call's summary, /ask  `PastCalls.summary`, `PastCalls.ask`: the server, each line's speaker
                                                                  SummaryWentAway, AnswerWentAway
    a recording's gist, translation, answer
                            `Gists.gist`, `Translations.recording`, `Questions.ask`: the chat,
                            the recording's message                          RecordingWentAway
    a gist that follows     `Gists.automatic`: dropped unsaid
    a transcript under its translation
                            `VoiceNotes` (`/autotranslate`): no longer wanted, as a deletion
                            while it is heard (`NoLongerWanted`)

A deletion or a forget that lands after the check reaches a message already on its way: the
check is the last step before the adapter sends, not a lock held through the send. A line
withdrawn by its speaker's no is seen by the no's count; a Discord channel deleted takes its
lines with no note, but nothing is sent into a channel that is gone. A speaker's count is read
once their lines are known, in the unit of work that read them: on SQLite one snapshot; on
PostgreSQL each statement sees what was committed before it, so a no whose line was taken out,
then stored, in the milliseconds between the two reads is the window left (the count read
already holds it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import NoReturn

from core.app.rules.request_audience import Request
from core.domain import errors
from core.domain.memory.write_mandates import Sources
from core.domain.shared_values import ChatRef
from core.ports import Recording, RemoteRecording, TranscriptUnitOfWork, UnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["Leaving", "of_recording", "read_chats", "read_speakers"]


class Leaving:
    """Whether what was made from `Sources` may still be sent (the module docstring); without
    units of work to read with (the command line's), everything may, but where the caller's
    own is open (`check_in`)."""

    def __init__(self, reads: Callable[[], TranscriptUnitOfWork] | None) -> None:
        self._reads = reads  # units of work that only read

    async def stands(self, sources: Sources) -> bool:
        """Whether none of `sources` went away since they were read, in one read."""
        if self._reads is None or not sources:
            return True
        async with self._reads() as uow:
            return await _stand(uow, sources)

    async def check(self, sources: Sources, gone: type[errors.WentAway]) -> None:
        """Raise `gone` where any of `sources` went away since they were read."""
        if not await self.stands(sources):
            _dropped(sources, gone)

    async def check_in(
        self, uow: TranscriptUnitOfWork, sources: Sources, gone: type[errors.WentAway]
    ) -> None:
        """`check`, in a unit of work the caller has open to write what follows from the send
        (a summary's marker): written only where it is sent, in one step."""
        if sources and not await _stand(uow, sources):
            _dropped(sources, gone)


async def _stand(uow: TranscriptUnitOfWork, sources: Sources) -> bool:
    for chat, said in sources.messages:
        if await uow.transcripts.is_deleted(chat, said):
            return False
    for mandate in sources.mandates:
        if not await uow.mandates.holds(mandate):
            return False
    return True


def _dropped(sources: Sources, gone: type[errors.WentAway]) -> NoReturn:
    chats = {str(mandate.chat) for mandate in sources.mandates}
    chats.update(str(chat) for chat, _ in sources.messages)
    logger.info("not sent: what it was made from went away in %s", ", ".join(sorted(chats)))
    raise gone()


def of_recording(request: Request, source: Recording) -> Sources:
    """What is made of the recording `source` for `request` stands on: the chat's mandate as
    the request read it, and the message that carried the recording."""
    said = source.said if isinstance(source, RemoteRecording) else None
    return Sources.of(request.mandate) + Sources.carried([(request.chat, said)])


async def read_chats(uow: UnitOfWork, chats: Iterable[ChatRef]) -> Sources:
    """The mandates of `chats` as words of theirs are read now, read before them."""
    return Sources(tuple([await uow.mandates.read(chat) for chat in dict.fromkeys(chats)]))


async def read_speakers(
    uow: UnitOfWork, sources: Sources, speakers: Iterable[tuple[ChatRef, str]]
) -> Sources:
    """`sources`, with the mandate of each of `speakers` (a chat and a member whose words were
    read with them): their count of no's, beside their chat's count of forgets as read."""
    forgets = {mandate.chat: mandate for mandate in sources.mandates if mandate.speaker is None}
    spoken = []
    for chat, speaker in dict.fromkeys(speakers):
        if chat in forgets:
            spoken.append(forgets[chat].of(speaker, await uow.mandates.noes(chat, speaker)))
    return sources + Sources(tuple(spoken))
