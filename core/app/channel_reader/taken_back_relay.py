"""What a server or a member takes back, told at once to the channel readings this process
runs (`core.domain.channel_reader.reader_rules.TakenBack`).

The use cases that store what was taken back (`ReaderChoices.member`, `VoiceStudio.delete`,
`Forgetting.forget`) tell it here once it is stored, whichever way it came in; each reading
running in the server then cuts what it plays and lets go of what it made in it
(`core.app.channel_reader.reading_control`). The readings of each platform's voice channels are
attached as they are built (`core.bootstrap.bots_runtime.Runtime.calls_for`), and held weakly: a
platform's reader that stopped is let go with it.
"""

from __future__ import annotations

import weakref

from core.app.channel_reader.reading_control import ChannelReader
from core.domain.channel_reader.reader_rules import TakenBack

__all__ = ["TakenBackRelay"]


class TakenBackRelay:
    """The channel readers of this process, told of each thing taken back (module docstring)."""

    def __init__(self) -> None:
        self._readers: weakref.WeakSet[ChannelReader] = weakref.WeakSet()

    def attach(self, reader: ChannelReader) -> None:
        self._readers.add(reader)

    def __call__(self, taken: TakenBack) -> None:
        for reader in list(self._readers):
            reader.taken_back(taken)
