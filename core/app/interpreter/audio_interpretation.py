"""Each part of a listened call's turn translated from its sound, in one request to the audio
understanding model (DISCORD_INTERPRET_FROM=audio), for its interpreter
(`core.app.interpreter.interpreting`): the sound held in memory as it is heard, no more of a part
than could be sent (`core.app.interpreter.held_sound`), the request sent as soon as a piece that may
end a part comes, beside its recognition, and the answer handed to the part once it is handed over.

    ask        a piece that may end a part came: its part's sound so far sent at once (`expect`)
               where nothing of the part was sent yet, where it ends the turn, or where it is
               at least `FROM_AUDIO_GROWTH` times as long as what was last sent for the part
               (each pause resending the sentence so far would cost its square); where only
               silence came since (a piece with no sound), the request sent already stands for
               it. Not sent: a part over `FROM_AUDIO_LONGEST`, one with a piece never heard,
               or one whose words showed it is in neither Chinese nor English (`foreign`: what
               is in flight is called off); it goes the words' way
    taken      the part was handed over: the request asked for it, or a new one where it was
               not sent at its end (a pause not twice as long, a part that began elsewhere)
    caption    the piece ending a part shows the translation spoken (`spoken`: whichever way it
               was made, set by the interpreter), or the one its part takes once handed over
               (recognition answered out of order), waited for no longer than its
               interpretation could wait
    call off   a pause inside a sentence once more sound came after it, the part given up, a
               no (every request of that member's, wherever its part is) and the call's end
               call requests off, each once (a second cancel would cut its counting: MiMo got
               it)

Counted as `/ask` is: its audio's seconds, then MiMo's tokens, with the listening, its seconds in
the listening's audio quota too (they bound it); a request called off once sent still counts.
A refusal (a quota used up, the model refused) stops the interpreter (`stop`); another failure
answers None, logged once with its status, and the interpreter translates the part's words
instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.app.interpreter.held_sound import PartKey, TurnKey, TurnSounds
from core.app.rules.limits import Limiter
from core.domain import errors
from core.domain.listening.interpreter_rules import (
    FROM_AUDIO,
    FROM_AUDIO_GROWTH,
    FROM_AUDIO_LONGEST,
    FROM_AUDIO_MAX_TOKENS,
)
from core.domain.listening.live_speech_rules import Piece
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.rules.quotas_rules import Asker, Counts
from core.domain.shared_values import ChatRef
from core.ports import AudioConverter, SpeechApi, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["TranslationsFromAudio"]

Refusal = errors.QuotaUsed | errors.MimoModelRefused


@dataclass(frozen=True, eq=False)
class _Asked:
    """A part's translation from its sound, asked for: its turn, pieces `first` to `last`,
    and how much sound was sent (bytes)."""

    turn: TurnKey
    first: int
    last: int
    size: int
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
        self._asked: dict[PartKey, _Asked] = {}  # by the piece that may end its part (pieces
        # with silence between share one)
        self._latest: dict[TurnKey, _Asked] = {}  # each turn's last sent: what a pause's sound
        # must double before it is sent again, and what silence after it reuses
        self._foreign: dict[TurnKey, set[int]] = {}  # the turn's pieces whose words are in
        # neither Chinese nor English: nothing more of a part holding one is sent
        self._parts: dict[PartKey, asyncio.Future[str | None]] = {}  # each part's translation
        # as spoken, once its part was handed over, until its caption takes it (`_hand`)
        self._captions: dict[PartKey, asyncio.Future[asyncio.Future[str | None] | None]] = {}
        # captions asked before their part was handed over (recognition answered out of order)
        self._sending: dict[asyncio.Task[str | None], str] = {}  # every request, by member,
        # until it ends: a no and `close` call them all off, wherever their part is...
        self._cancelled: set[asyncio.Task[str | None]] = set()  # ...once each

    def hold_sound(self, piece: Piece) -> None:
        """A piece of a consenting member's turn, handed over for recognition: its sound held
        in memory until its part is handed over (none: silence). More sound lets go of a
        request it made stale (`_let_go`)."""
        self._sounds.add(piece)
        turn = (piece.member_id, piece.began)
        latest = self._latest.get(turn)
        if piece.pcm and latest is not None and not self._wanted(latest):
            self._cancel(latest.answer)

    def expect(self, key: PartKey) -> None:
        """A piece that may end a part came: the part's translation asked for now, beside its
        words, by the rule of the module docstring."""
        member, began, last = key
        turn = (member, began)
        first = self._sounds.first(turn)
        size = self._sounds.size_between(turn, first, last)  # joined only once it is sent
        if size is None or self._foreign_in(turn, first, last):
            return
        latest = self._latest.get(turn)
        if latest is not None and latest.first == first:
            if size == latest.size and not self._gone(latest):
                self._asked[key] = latest  # silence since: that request stands for it
                return
            if (not self._sounds.ends_turn(turn, last)
                    and size < FROM_AUDIO_GROWTH * latest.size):  # fmt: skip
                return  # sent once it is twice as long, or once its words end the part
        sound = self._sounds.between(turn, first, last)
        if sound is not None:
            self._ask(key, first, sound)

    def foreign(self, piece: PartKey) -> None:
        """The words of `piece` are in neither Chinese nor English: nothing more of its part is
        sent, and what of it is in flight is called off (nothing of it is spoken)."""
        member, began, index = piece
        turn = (member, began)
        first = self._sounds.first(turn)
        if index < first:
            return  # its part was handed over already
        self._foreign.setdefault(turn, set()).add(index)
        for key, asked in [*self._asked.items()]:
            if asked.turn == turn and asked.first <= index <= asked.last:
                del self._asked[key]
                self._let_go(asked, keep_latest=False)
        latest = self._latest.get(turn)
        if latest is not None and latest.first <= index <= latest.last:
            self._let_go(latest, keep_latest=False)

    def given_up(self, key: PartKey) -> None:
        """No part ends at `key` (a pause inside a sentence), or the part is not spoken."""
        member, began, index = key
        self._sounds.goes_on((member, began), index)
        asked = self._asked.pop(key, None)
        if asked is not None:
            self._let_go(asked, keep_latest=True)
        self._hand(key)

    def call_off(self, key: PartKey) -> None:
        """The translation asked for the part ending at `key` is called off (the part is not
        spoken, or begins elsewhere)."""
        asked = self._asked.pop(key, None)
        if asked is not None:
            self._let_go(asked, keep_latest=False)

    def taken(self, key: PartKey, pieces: int) -> tuple[asyncio.Task[str | None] | None,
                                                        asyncio.Future[str | None]]:  # fmt: skip
        """The translation of the part of `pieces` ending at `key`, handed over: the one asked
        for when its last piece came, unless that began elsewhere or none was sent then (then
        asked for now); None where it is not to be had from its sound (too long, a piece never
        heard, another language: the part is translated from its words instead). And the
        translation spoken, for the interpreter to set and the part's caption to show."""
        member, began, last = key
        turn, first = (member, began), last + 1 - pieces
        asked = self._asked.pop(key, None)
        if asked is not None and asked.first != first:
            self._let_go(asked, keep_latest=False)
            asked = None
        if asked is None and not self._foreign_in(turn, first, last):
            sound = self._sounds.between(turn, first, last)
            asked = None if sound is None else self._ask(key, first, sound)
            self._asked.pop(key, None)
        if asked is not None:  # the part's own now: nothing else lets it go (the silence
            # after it, sharing it, ends no part of its own)
            for other in [k for k, shared in self._asked.items() if shared is asked]:
                del self._asked[other]
            if self._latest.get(turn) is asked:
                del self._latest[turn]
        spoken = self._parts[key] = asyncio.get_running_loop().create_future()
        return (None if asked is None else asked.answer), spoken

    def handed(self, key: PartKey, *, ends_turn: bool) -> None:
        """The part ending at `key` was handed over, spoken or not: its sound is let go, its
        translation goes to its caption."""
        member, began, last = key
        turn = (member, began)
        self._sounds.handed(turn, last, ends_turn=ends_turn)
        latest = self._latest.get(turn)
        if latest is not None and (ends_turn or latest.first <= last):  # of a part now past
            del self._latest[turn]
            self._let_go(latest, keep_latest=False)
        if ends_turn:
            self._foreign.pop(turn, None)
        elif turn in self._foreign:  # those of the part handed over go with it
            self._foreign[turn] = {index for index in self._foreign[turn] if index > last}
        self._hand(key)

    async def caption(self, piece: PartKey, *, shown: bool, wait: float | None) -> str | None:
        """The caption translation of `piece`: its part's translation (the one spoken) where it
        ends a part, "" where it does not (its words come with the part's end); None where the
        caption shows none (`shown` False: another language, interpreting stopped) or none is
        to be had. `wait`: how long it may wait for its part to be handed over (None: its part
        ended otherwise)."""
        made = self._parts.pop(piece, None)  # its part's, once handed over: nothing else takes it
        if not shown:
            return None
        if made is None and wait is not None:
            made = await self._handed_over(piece, wait)  # ...or once it is (out of order)
        if made is None:
            return ""
        return await asyncio.shield(made)

    def withdrawn(self, member: str) -> None:
        """`member` said no: their sound let go, every request of theirs called off."""
        self._sounds.drop(member)
        for turn in [t for t in self._latest if t[0] == member]:
            del self._latest[turn]
        for turn in [t for t in self._foreign if t[0] == member]:
            del self._foreign[turn]
        for key in [k for k in [*self._asked, *self._parts, *self._captions] if k[0] == member]:
            self.given_up(key)
        for task in [t for t, whose in self._sending.items() if whose == member]:
            self._cancel(task)

    def close(self) -> None:
        """The call ended: every request called off, every caption told (`ended` awaits)."""
        self._sounds.drop()
        self._asked.clear()
        self._latest.clear()
        self._foreign.clear()
        for key in [*self._captions]:
            self._hand(key)
        self._parts.clear()
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

    def _foreign_in(self, turn: TurnKey, first: int, last: int) -> bool:
        """Whether the turn's pieces `first` to `last` hold one in another language (its words
        may have come before those of the part before it: recognition answers out of order)."""
        return any(first <= index <= last for index in self._foreign.get(turn, ()))

    def _ask(self, key: PartKey, first: int, sound: tuple[bytes, int]) -> _Asked | None:
        """The translation of the part of pieces `first` to `key`'s from their `sound`, asked
        for at once (None: no sound, or too long: the part goes the text way)."""
        member, began, last = key
        pcm, rate = sound
        if not pcm or len(pcm) / 2 / rate > FROM_AUDIO_LONGEST:
            return None
        with asking(Urgency.LIVE, self._server):  # live work in the account's minute
            answer = background_tasks.start(
                self._from_sound(pcm, rate, member=member, began=began),
                name="interpretation from audio", awaited=True,
            )  # fmt: skip
        self._sending[answer] = member
        answer.add_done_callback(self._sent)
        asked = self._asked[key] = _Asked((member, began), first, last, len(pcm), answer)
        before, self._latest[(member, began)] = self._latest.get((member, began)), asked
        if before is not None:
            self._let_go(before, keep_latest=False)
        return asked

    def _wanted(self, asked: _Asked) -> bool:
        """Whether a piece that may end a part still waits on `asked`."""
        return any(other is asked for other in self._asked.values())

    def _gone(self, asked: _Asked) -> bool:
        return asked.answer in self._cancelled or asked.answer.cancelled()

    def _let_go(self, asked: _Asked, *, keep_latest: bool) -> None:
        """`asked` is no longer wanted where it was: called off unless another piece still
        waits on it, or (`keep_latest`) it is its turn's latest and only silence came after
        it (the turn's end may reuse it)."""
        if self._wanted(asked):
            return
        latest = self._latest.get(asked.turn) is asked  # (it stays the doubling's measure)
        if keep_latest and latest and not self._sounds.heard_after(asked.turn, asked.last):
            return
        self._cancel(asked.answer)

    def _sent(self, task: asyncio.Task[str | None]) -> None:
        self._sending.pop(task, None)
        self._cancelled.discard(task)

    def _hand(self, key: PartKey) -> None:
        """The part `key` handed over, or given up: its translation as spoken (if any) to its
        caption where it waits already; else its caption comes in this very step (its piece
        was just transcribed, `core.app.listening.call_piece_transcriber`) or never (no words, or
        another language): the entry is let go once this step is over."""
        waiting = self._captions.pop(key, None)
        if waiting is not None:
            made = self._parts.pop(key, None)
            if not waiting.done():
                waiting.set_result(made)
        elif key in self._parts:
            asyncio.get_running_loop().call_soon(self._parts.pop, key, None)

    async def _handed_over(self, key: PartKey, wait: float) -> asyncio.Future[str | None] | None:
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
        interpreting stopped, or MiMo failed (a refusal stops interpreting; another failure
        is logged once, and the part's words are translated instead). Called off once
        sent, it counts all the same: MiMo got it."""
        if self._called_off(member, began):
            return None
        seconds = max(1, math.ceil(len(pcm) / 2 / rate))
        called_off = False
        try:
            async with self._limiter.spending(self._server, self._payer, calls=True) as spend:
                await spend.reserve(Counts(audio_seconds=seconds, ask_seconds=seconds))
                if self._called_off(member, began):
                    raise _CalledOff()  # called off meanwhile (a no, a stop): never sent
                try:
                    answer = await self._api.understand_inline(
                        self._audio.pcm_wav(pcm, rate), mime="audio/wav", question=FROM_AUDIO,
                        max_tokens=FROM_AUDIO_MAX_TOKENS,
                    )  # fmt: skip
                except asyncio.CancelledError:
                    called_off = True  # sent: its reservation stays counted
                else:
                    spend.used(usage=answer.usage)
        except _CalledOff:
            return None
        except (errors.QuotaUsed, errors.MimoModelRefused) as exc:
            await self._stop(exc)
            return None
        except errors.MimoError as exc:  # its words are translated instead (the interpreter)
            logger.warning("no interpretation from audio in %s: %s, status %s", self._server,
                           type(exc).__name__, exc.status)  # fmt: skip
            return None
        if called_off:
            raise asyncio.CancelledError
        return answer.marked().text.strip()


class _CalledOff(Exception):
    """The part was called off (a no, a stop) before its request was sent."""
