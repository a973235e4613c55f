"""The clip a channel reading makes ahead (`core.app.reader.reading`): the next message made into
speech while the current one plays, so that its first slice is in when the clip playing ends.
One at a time; it is checked again when it comes up (and may be made anew then).

    made     as a message comes up (the oldest one waiting), or as one is posted while that one
             is read and none is being made
    taken    it came up: the reading plays it
    let go   its message deleted or refused, or the reading is suspended: its making stops, or, made
             already (as it usually is by now), its feed is closed at once, so that MiMo's
             stream for it ends now rather than when it comes up
    closed   the reading ended: waited for, and closed where it was made

MiMo's stream ending is what counts: the characters of the pieces MiMo was asked for count in
the speech quota, the rest is given back (`core.app.voices.streamed`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from core.app.reader.message_speech import Spoken
from core.domain.reading import ChannelMessage
from core.ports import background

__all__ = ["MadeAhead"]

Making = Callable[[ChannelMessage], Coroutine[Any, Any, Spoken | None]]
InBackground = Callable[[Coroutine[Any, Any, None]], None]


class MadeAhead:
    """One reading's clip made ahead, before its message comes up (module docstring)."""

    def __init__(self, *, make: Making, in_background: InBackground) -> None:
        """`make`: a message made into speech (None: not read); `in_background`: where a clip
        let go is closed."""
        self._make, self._in_background = make, in_background
        self._making: asyncio.Task[Spoken | None] | None = None
        self._message_id: str | None = None  # the message `_making` makes into speech

    @property
    def message_id(self) -> str | None:
        """The message being made ahead (or made, waiting to come up); None: none is."""
        return self._message_id

    def make(self, message: ChannelMessage) -> None:
        """Make `message` into speech before it comes up."""
        self._making = background.start(self._make(message), name="reading speech", awaited=True)
        self._message_id = message.id

    async def made(self) -> Spoken | None:
        """The clip, once made (None: not read); raises `CancelledError` where it was let go
        meanwhile, or where the reading stops (then it is still here, for `closed`)."""
        assert self._making is not None
        return await self._making

    def taken(self) -> None:
        """It came up: the reading has it, to play or not; none is made ahead now."""
        self._making = self._message_id = None

    def let_go(self, message_id: str | None = None) -> None:
        """The clip made ahead will not play (that of `message_id` only, where one is named):
        its making stops, or, made already, its feed closes at once."""
        making = self._making
        if making is None or (message_id is not None and message_id != self._message_id):
            return
        making.cancel()
        if making.done() and not making.cancelled() and making.exception() is None:
            made = making.result()
            if made is not None:
                self._in_background(made.note.aclose())

    async def closed(self) -> None:
        """The reading ended: the clip being made is let go, and closed where it was made
        already."""
        making = self._making
        if making is None:
            return
        making.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            spoken = await making
            if spoken is not None:
                await spoken.note.aclose()
