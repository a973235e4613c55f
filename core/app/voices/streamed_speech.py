"""Speech played as it is made: MiMo's slices read as they come and held until they are played.

A clip waiting to play in a call (an interpretation behind another one) must not hold MiMo's
stream open and idle: a feed reads the stream to its end as fast as MiMo makes it, whatever the
player does, and the player takes the slices held so far, then each one as it comes. The
speech quota is spent around the reading, as for a whole clip: a refusal (quota used, a model
refused) comes from `SpeechFeed.started`, before anything is played. A feed that stops short
counts exactly the characters of the pieces MiMo was asked for (their request sent: MiMo makes
what it was asked, played or not), and gives the rest of the reservation back: closed (a clip
skipped, cut by a no, never played), all of it when nothing was asked yet; broken by MiMo (a
dropped connection, an error event, a later piece failing) after its speech began to come, as
MiMo bills a broken stream, by the characters asked (a piece MiMo answered with an error
before its first slice made nothing, and is not counted). Counted once: what was asked
replaces the reservation, for a broken stream as for a cut clip.

Pieces of a longer text are asked for a few at once (`PIECES_AHEAD`, as whole clips are) and
put in the text's order, with the short pause between them that joined voice notes have
(`core.domain.voices.speaking_style_rules.PIECE_PAUSE_MS`): the next pieces are made while the first
plays, and a voice note encoded as they come is done about when the slowest piece is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from core.domain.voices.speaking_style_rules import PIECE_PAUSE_MS
from core.ports import SpeechApi, background_tasks

__all__ = ["SpeechFeed"]

SPEECH_RATE = 24_000  # MiMo's streamed speech: PCM16LE mono at 24 kHz, whatever is asked
PIECE_PAUSE = b"\x00\x00" * (SPEECH_RATE * PIECE_PAUSE_MS // 1000)  # silence between pieces
# The longest a clip may last, per character of text, for a player's timeout: Chinese is
# spoken at about 4 characters a second, and a slow style may halve that.
SECONDS_PER_CHAR = 0.5
PIECES_AHEAD = 4  # a longer text's pieces asked for at once, as its whole clips are


class GivenUp(Exception):
    """A feed closed before all its speech came: whoever still reads it has not got it whole."""


class SpeechFeed:
    """The slices of one text's speech (`core.ports.SpeechSlices`), read in the background."""

    rate = SPEECH_RATE

    def __init__(
        self,
        speech: SpeechApi,
        pieces: list[str],
        *,
        spending: Callable[[], AbstractAsyncContextManager[Any]],
        voice: str | None,
        style: str | None,
        model: str | None,
        description: str | None,
    ) -> None:
        self.longest = SECONDS_PER_CHAR * sum(map(len, pieces)) + 5.0
        self._slices: list[bytes] = []
        self._came = asyncio.Event()  # set, and replaced, when a slice comes or the feed ends
        self._ended = False
        self._error: BaseException | None = None
        self._asked = {"voice": voice, "style": style, "model": model, "description": description}
        self._asked_chars = 0  # of the pieces whose request was sent
        self._reading = background_tasks.start(
            self._read(speech, pieces, spending), name="speech feed"
        )

    @property
    def duration(self) -> float:
        """Seconds of speech come so far: all of it once the feed ended whole."""
        return sum(map(len, self._slices)) / 2 / self.rate

    async def started(self) -> SpeechFeed:
        """Itself, once its first slice is in; raises what stopped it before one came."""
        while not self._slices and not self._ended:
            await self._came.wait()
        if not self._slices and self._error is not None:
            raise self._error
        return self

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Each slice, those held first, then each as it comes; raises where the speech was
        cut mid-way."""
        played = 0
        while True:
            came = self._came
            while played < len(self._slices):
                played += 1
                yield self._slices[played - 1]
            if self._ended:
                break
            await came.wait()
        if self._error is not None:
            raise self._error

    async def aclose(self) -> None:
        """Stop reading (a clip cut, called off or played to its end)."""
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reading

    async def _read(
        self,
        speech: SpeechApi,
        pieces: list[str],
        spending: Callable[[], AbstractAsyncContextManager[Any]],
    ) -> None:
        try:
            cut, broken = False, None
            async with spending() as spend:
                try:
                    if len(pieces) == 1:
                        async for slice_ in self._spoken(speech, pieces[0]):
                            self._keep(slice_)
                    else:
                        await self._read_ahead(speech, pieces)
                except asyncio.CancelledError:
                    if not self._asked_chars:
                        raise  # MiMo was asked nothing yet: the reservation is given back
                    spend.used(tts_chars=self._asked_chars)  # what MiMo was asked counts
                    cut = True
                except Exception as exc:
                    if not self._asked_chars:
                        raise  # MiMo made nothing: the reservation is given back
                    spend.used(tts_chars=self._asked_chars)  # broken mid-way: billed as asked
                    broken = exc
            if cut:
                raise asyncio.CancelledError
            if broken is not None:
                raise broken
        except Exception as exc:
            self._error = exc
        except asyncio.CancelledError:
            self._error = GivenUp("the speech was given up before its end")
            raise
        finally:
            self._ended = True
            self._wake()

    async def _read_ahead(self, speech: SpeechApi, pieces: list[str]) -> None:
        """Several pieces' speech, in order, a few asked for at once (`PIECES_AHEAD`, as whole
        clips are): the next pieces are made while the one before plays, and the slices
        of each are put in their piece's place."""
        came: list[asyncio.Queue[bytes | Exception | None]] = [asyncio.Queue() for _ in pieces]
        gate = asyncio.Semaphore(PIECES_AHEAD)  # first come, first served: in the text's order

        async def piece_read(number: int, piece: str) -> None:
            async with gate:
                try:
                    async for slice_ in self._spoken(speech, piece):
                        came[number].put_nowait(slice_)
                except Exception as exc:  # raised in order, after the pieces before it
                    came[number].put_nowait(exc)
                    return
                came[number].put_nowait(None)

        reads = [
            background_tasks.start(piece_read(number, piece), name="speech piece", awaited=True)
            for number, piece in enumerate(pieces)
        ]
        try:
            for number, slices in enumerate(came):
                if number:
                    self._keep(PIECE_PAUSE)
                while (slice_ := await slices.get()) is not None:
                    if isinstance(slice_, Exception):
                        raise slice_
                    self._keep(slice_)
        finally:
            for read in reads:
                read.cancel()
            await asyncio.gather(*reads, return_exceptions=True)

    async def _spoken(self, speech: SpeechApi, piece: str) -> AsyncIterator[bytes]:
        """`piece`'s slices, counted as asked of MiMo from the moment its request goes out,
        unless MiMo answers it with an error before its first slice (it made nothing)."""
        self._asked_chars += len(piece)
        began = False
        try:
            async for slice_ in speech.speak(piece, **self._asked):
                began = True
                yield slice_
        except Exception:
            if not began:
                self._asked_chars -= len(piece)
            raise

    def _keep(self, slice_: bytes) -> None:
        self._slices.append(slice_)
        self._wake()

    def _wake(self) -> None:
        came, self._came = self._came, asyncio.Event()
        came.set()
