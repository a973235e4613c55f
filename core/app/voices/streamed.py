"""Speech played as it is made: MiMo's slices read as they come and kept until they are played.

A clip waiting its turn in a call (an interpretation behind another one) must not hold MiMo's
stream open and idle: a feed reads the stream to its end as fast as MiMo makes it, whatever the
player does, and the player takes the slices kept so far, then each one as it comes. The
speech quota is spent around the reading, as for a whole clip: a refusal (quota used, a model
refused) comes from `SpeechFeed.started`, before anything is played.

Pieces of a longer text are asked for one after the other, with the short pause between them
that joined voice notes have (`core.infra.audio.tts_voice_notes.JOIN_PAUSE_MS`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from core.ports import SpeechApi, background

SPEECH_RATE = 24_000  # MiMo's streamed speech: PCM16LE mono at 24 kHz, whatever is asked
PIECE_PAUSE = b"\x00\x00" * (SPEECH_RATE * 300 // 1000)  # 300 ms between pieces
# The longest a clip may last, per character of text, for a player's timeout: Chinese is
# spoken at about 4 characters a second, and a slow style may halve that.
SECONDS_PER_CHAR = 0.5


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
        self._reading = background.start(self._read(speech, pieces, spending), name="speech feed")

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
        """Each slice, those kept first, then each as it comes; raises where the speech was
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
            async with spending():
                for number, piece in enumerate(pieces):
                    if number:
                        self._keep(PIECE_PAUSE)
                    async for slice_ in speech.speak(piece, **self._asked):
                        self._keep(slice_)
        except Exception as exc:
            self._error = exc
        except asyncio.CancelledError:
            self._error = GivenUp("the speech was given up before its end")
            raise
        finally:
            self._ended = True
            self._wake()

    def _keep(self, slice_: bytes) -> None:
        self._slices.append(slice_)
        self._wake()

    def _wake(self) -> None:
        came, self._came = self._came, asyncio.Event()
        came.set()
