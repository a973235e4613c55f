"""Each part of a listened call's turn translated from its sound, in one request to the audio
understanding model (DISCORD_INTERPRET_FROM=audio), for its interpreter
(`core.app.calls.interpreting`): the sound kept as it is heard (`core.app.calls.sounds`), the
request sent as soon as a piece that may end a part comes, beside its recognition, and the
translation handed to the part once it is handed over, and to the caption of the piece that
ends it.

    ask        a piece that may end a part came: its part's sound so far sent at once (`expect`);
               one over `FROM_AUDIO_LONGEST`, or with a piece never kept, is not sent (the part
               goes the text way)
    taken      the part was handed over: the request asked for it, or a new one where the part
               began elsewhere (a part ended in between, known only since)
    caption    the piece ending a part shows its translation: the one its part took, or the one
               its part takes once handed over (recognition answered out of order), waited for
               no longer than its interpretation could wait
    call off   a pause inside a sentence, the part given up, a no (every request of that
               member's, wherever its part is) and the call's end call requests off, each once
               (a second cancel would cut its counting: MiMo got it)

Counted as `/ask` is: its audio's seconds, then MiMo's tokens, with the listening, its seconds in
the listening's audio quota too (they bound it); a request called off once sent still counts.
A refusal (a quota used up, the model refused) stops the interpreter (`stop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.app.calls.sounds import TurnSounds
from core.app.rules.limits import Limiter
from core.domain import errors
from core.domain.interpreting import FROM_AUDIO, FROM_AUDIO_LONGEST, FROM_AUDIO_MAX_TOKENS
from core.domain.limits import Asker, Counts
from core.domain.live_speech import Piece
from core.domain.values import ChatRef
from core.ports import AudioConverter, SpeechApi, background

logger = logging.getLogger(__name__)

PartKey = tuple[str, datetime, int]  # (member, when the turn began, its part's last piece)
Refusal = errors.QuotaUsed | errors.MimoModelRefused


@dataclass(frozen=True)
class _Asked:
    """A part's translation from its sound, asked for: from which piece of the turn."""

    first: int
    answer: asyncio.Task[str | None]


class TranslationsFromAudio:
    """One call's parts translated from their sound (module docstring)."""

    def __init__(
        self,
        *,
        api: SpeechApi,
        audio: AudioConverter,
        limiter: Limiter,
        server: ChatRef,
        payer: Asker,
        called_off: Callable[[str, datetime], bool],
        stop: Callable[[Refusal], Awaitable[None]],
    ) -> None:
        """`called_off`: whether what a member began saying at a time may no longer be spoken
        (a no since, or interpreting stopped); `stop`: interpreting stops on a refusal."""
        self._api, self._audio, self._limiter = api, audio, limiter
        self._server, self._payer = server, payer
        self._called_off, self._stop = called_off, stop
        self._sounds = TurnSounds()
        self._asked: dict[PartKey, _Asked] = {}  # by the piece that may end its part
        self._parts: dict[PartKey, _Asked] = {}  # ...and once its part was handed over, until
        # its caption takes it (in the same step, `_hand`)
        self._captions: dict[PartKey, asyncio.Future[_Asked | None]] = {}  # captions asked
        # before their part was handed over (recognition answered out of order)
        self._sending: dict[asyncio.Task[str | None], str] = {}  # every request, by member,
        # until it ends: a no and `close` call them all off, wherever their part is...
        self._cancelled: set[asyncio.Task[str | None]] = set()  # ...once each

    def heard(self, piece: Piece) -> None:
        """A piece of a consenting member's turn, handed over for recognition: its sound kept
        until its part is handed over."""
        if piece.pcm:
            self._sounds.add(piece)

    def expect(self, key: PartKey) -> None:
        """A piece that may end a part came: the part's translation asked for now, beside its
        words."""
        self._ask(key, self._sounds.first(key[:2]))

    def given_up(self, key: PartKey) -> None:
        """No part ends at `key` (a pause inside a sentence), or the part is not spoken."""
        self.call_off(key)
        self._hand(key)

    def call_off(self, key: PartKey) -> None:
        """The translation asked for the part ending at `key` is called off (the part is not
        spoken, or begins elsewhere)."""
        for asked in (self._asked.pop(key, None), self._parts.pop(key, None)):
            if asked is not None:
                self._cancel(asked.answer)

    def taken(self, key: PartKey, pieces: int) -> asyncio.Task[str | None] | None:
        """The translation of the part of `pieces` ending at `key`, handed over: the one asked
        for when its last piece came, unless that began elsewhere (then asked for again). None:
        its sound is not all here (the part is translated from its words instead)."""
        first = key[2] + 1 - pieces
        asked = self._asked.get(key)
        if asked is None or asked.first != first:
            self.call_off(key)
            asked = self._ask(key, first)
        self._asked.pop(key, None)
        if asked is None:
            return None
        self._parts[key] = asked
        return asked.answer

    def handed(self, key: PartKey, *, ends_turn: bool) -> None:
        """The part ending at `key` was handed over, spoken or not: its sound is let go, its
        translation goes to its caption."""
        self._sounds.handed((key[0], key[1]), key[2], ends_turn=ends_turn)
        self._hand(key)

    async def caption(self, piece: PartKey, *, shown: bool, wait: float | None) -> str | None:
        """The caption translation of `piece`: its part's translation (the one spoken) where it
        ends a part, "" where it does not (its words come with the part's end); None where the
        caption shows none (`shown` False: another language, interpreting stopped) or none is
        to be had. `wait`: how long it may wait for its part to be handed over (None: its part
        ended otherwise)."""
        asked = self._parts.pop(piece, None)  # its part's, once handed over: nothing else takes it
        if not shown:
            return None
        if asked is None and wait is not None:
            asked = await self._handed_over(piece, wait)  # ...or once it is (out of order)
        if asked is None:
            return ""
        try:
            return await asyncio.shield(asked.answer)
        except asyncio.CancelledError:
            if not asked.answer.cancelled():  # this caption's own end: not ours to keep
                raise
        except Exception as exc:  # its trace is logged where it is spoken (the interpreter)
            logger.warning("no caption translation from audio in %s: %s", self._server,
                           type(exc).__name__)  # fmt: skip
        return None

    def withdrawn(self, member: str) -> None:
        """`member` said no: their sound let go, every request of theirs called off."""
        self._sounds.drop(member)
        for key in [k for k in [*self._asked, *self._parts, *self._captions] if k[0] == member]:
            self.given_up(key)
        for task in [t for t, whose in self._sending.items() if whose == member]:
            self._cancel(task)

    def close(self) -> None:
        """The call ended: every request called off, every caption told (`ended` awaits)."""
        self._sounds.drop()
        for key in [*self._asked, *self._parts]:
            self.call_off(key)
        for key in [*self._captions]:
            self._hand(key)
        for request in [*self._sending]:
            self._cancel(request)

    async def ended(self) -> None:
        """Every request sent has ended (called off, it is counted by then)."""
        for task in [*self._sending]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def holds_nothing(self) -> bool:
        """No part's translation is kept for a part or a caption: every one let go."""
        return not self._parts and not self._captions

    def _ask(self, key: PartKey, first: int) -> _Asked | None:
        """The translation of the part of pieces `first` to `key`'s from their sound, asked
        for at once (None where a piece of it was never kept)."""
        member, began, last = key
        sound = self._sounds.between((member, began), first, last)
        if sound is None or len(sound[0]) / 2 / sound[1] > FROM_AUDIO_LONGEST:
            return None  # a part too long goes the text way
        answer = background.start(
            self._from_sound(*sound, member=member, began=began),
            name="interpretation from audio", awaited=True,
        )  # fmt: skip
        self._sending[answer] = member
        answer.add_done_callback(self._sent)
        asked = self._asked[key] = _Asked(first, answer)
        return asked

    def _sent(self, task: asyncio.Task[str | None]) -> None:
        self._sending.pop(task, None)
        self._cancelled.discard(task)

    def _hand(self, key: PartKey) -> None:
        """The part `key` handed over, or given up: its translation from its sound (if any)
        to its caption where it waits already; else its caption comes in this very step (its
        piece was just transcribed, `core.app.calls.pieces`) or never (no words, or another
        language): the entry is let go once this step is over."""
        waiting = self._captions.pop(key, None)
        if waiting is not None:
            asked = self._parts.pop(key, None)
            if not waiting.done():
                waiting.set_result(asked)
        elif key in self._parts:
            asyncio.get_running_loop().call_soon(self._parts.pop, key, None)

    async def _handed_over(self, key: PartKey, wait: float) -> _Asked | None:
        """The translation of the part ending at `key`, once the part is handed over (its
        earlier pieces' words came later); None: it ended otherwise (a pause inside a
        sentence, a no, the call's end), or never came within `wait` seconds."""
        waiting = self._captions.setdefault(key, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), max(0.0, wait))
        except TimeoutError:
            self._captions.pop(key, None)
            return None

    def _cancel(self, request: asyncio.Task[str | None]) -> None:
        if request not in self._cancelled and not request.done():
            self._cancelled.add(request)
            request.cancel()

    async def _from_sound(
        self, pcm: bytes, rate: int, *, member: str, began: datetime
    ) -> str | None:
        """A part translated from its sound by the audio understanding model, counted as
        `/ask` is (its seconds, then its tokens) with the listening, its seconds in the
        listening's audio quota too (they bound it); None: its speaker said no meanwhile,
        interpreting stopped, or MiMo failed (a refusal stops interpreting). Called off once
        sent, it counts all the same: MiMo got it."""
        if self._called_off(member, began):
            return None
        seconds = max(1, math.ceil(len(pcm) / 2 / rate))
        called_off = False
        try:
            async with self._limiter.spending(self._server, self._payer, calls=True) as spend:
                await spend.reserve(Counts(audio_seconds=seconds, ask_seconds=seconds))
                if self._called_off(member, began):
                    raise _Withdrawn()  # a no while it was reserved: given back, never sent
                try:
                    answer = await self._api.understand_inline(
                        self._audio.pcm_wav(pcm, rate), mime="audio/wav", question=FROM_AUDIO,
                        max_tokens=FROM_AUDIO_MAX_TOKENS,
                    )  # fmt: skip
                except asyncio.CancelledError:
                    called_off = True  # sent: its reservation stays counted
                else:
                    spend.used(usage=answer.usage)
        except _Withdrawn:
            return None
        except (errors.QuotaUsed, errors.MimoModelRefused) as exc:
            await self._stop(exc)
            return None
        except errors.MimoError as exc:
            logger.warning("no interpretation from audio in %s: %s", self._server,
                           type(exc).__name__)  # fmt: skip
            return None
        if called_off:
            raise asyncio.CancelledError
        return answer.marked().text.strip()


class _Withdrawn(Exception):
    pass
