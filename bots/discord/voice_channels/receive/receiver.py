"""Listening to a call: every member's speech, as utterances, for the members a filter lets in.

    voice = await channel.connect(cls=ListeningVoiceClient, self_deaf=False)
    async with VoiceReceiver(voice, admits=consenting.__contains__) as heard:
        async for utterance in heard:
            ...  # utterance.user_id said utterance.pcm (16 kHz mono), started_at..ended_at

The voice client must be a `ListeningVoiceClient`, joined undeafened (Discord sends a deafened
client no audio). The heavy part (decryption, decoding) runs in discord.py's socket reader
thread, as packets arrive (`bots.discord.voice_channels.receive.packet_reader`); the event loop
takes in the decoded frames every `tick` and cuts them into utterances
(`bots.discord.voice_channels.receive.utterance_cutter`).

`admits(user_id)` is asked in that thread for every packet: it must be quick (a set lookup) and
may change its answer at any time; a member it refuses is neither decrypted nor kept, and their
turn in progress is dropped.
A member's turn ends when their packets stop coming, which the loop judges only while the reader
is not behind (no packet waits unread in the socket): on a busy machine the reader may not run
for a while, and packets it has not read are not a pause.
`on_speaking_start` and `on_speaking_stop` are called on the event loop as a member's turn
starts and ends (only for members heard). Utterances wait for the reader in a bounded queue: a
reader that falls `queue_size` behind loses the oldest (logged).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from bots.discord import discordpy_internals
from bots.discord.voice_channels.receive.dave_decryption import TOLERANCE, EndToEnd
from bots.discord.voice_channels.receive.listening_client import ListeningVoiceClient
from bots.discord.voice_channels.receive.opus_decoding import resampled
from bots.discord.voice_channels.receive.packet_reader import PacketReader, ReceiveStats
from bots.discord.voice_channels.receive.utterance_cutter import (
    Event,
    HeardFrame,
    PieceAudio,
    TurnStarted,
    UtteranceCutter,
)
from core.domain.listening.live_speech_rules import PIECES, TURNS, PieceRules
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["ReceiveSettings", "VoiceReceiver"]

UserCallback = Callable[[int], None]


@dataclass(frozen=True)
class ReceiveSettings:
    sample_rate: int = 16_000  # of the utterances' PCM (MiMo's speech recognition takes 16 kHz)
    silence_gap: float = TURNS.silence_gap  # the core's; tests turn it up on a loaded machine
    pieces: PieceRules | None = None  # a turn cut into pieces while it lasts (None: PIECES)
    queue_size: int = 32  # utterances waiting for the reader
    decrypt_tolerance: int = TOLERANCE  # DAVE failures in a row before it is logged
    tick: float = 0.05  # how often the event loop takes in the decoded frames


class VoiceReceiver:
    def __init__(
        self,
        voice: ListeningVoiceClient,
        *,
        admits: Callable[[int], bool],
        on_speaking_start: UserCallback | None = None,
        on_speaking_stop: UserCallback | None = None,
        settings: ReceiveSettings = ReceiveSettings(),
        pieces: Callable[[], PieceRules] | None = None,
    ) -> None:
        """`pieces`: the rules each piece is cut by, asked as it begins (unless `settings`
        names some)."""
        self.voice, self.settings = voice, settings
        self._on_start, self._on_stop = on_speaking_start, on_speaking_stop
        self._e2ee = EndToEnd(
            session=lambda: discordpy_internals.dave_session(voice),
            protocol_version=lambda: discordpy_internals.dave_protocol_version(voice),
            tolerance=settings.decrypt_tolerance,
        )
        self._reader = PacketReader(
            roster=voice.roster, admits=admits, e2ee=self._e2ee,
            transport=lambda: discordpy_internals.transport_session(voice),
        )  # fmt: skip
        self._cutter = UtteranceCutter(
            sample_rate=settings.sample_rate,
            silence_gap=settings.silence_gap,
            pieces=settings.pieces or PIECES,
            resample=resampled,
            rules=None if settings.pieces is not None else pieces,
        )
        self._inbox: deque[HeardFrame | int] = deque()  # from the reader thread
        self._reading = False  # the reader thread is between a datagram and its frames
        self._ready: deque[PieceAudio] = deque()
        self._arrived = asyncio.Event()
        self._sweeper: background_tasks.Beat | None = None
        self._closed = False
        self.utterances: Counter[int] = Counter()  # yielded, by member
        self.overflowed = 0  # utterances lost to a reader that fell behind

    # -- the surface ----------------------------------------------------------------------------

    @property
    def stats(self) -> ReceiveStats:
        return self._reader.stats

    @property
    def undecrypted(self) -> Counter[int]:
        """Frames lost to DAVE decryption, by member."""
        return self._e2ee.failures

    @property
    def buffered(self) -> dict[int, int]:
        """Bytes of PCM held for each member in a turn (48 kHz, until the turn ends)."""
        return self._cutter.buffered

    def start(self) -> None:
        if self.voice.listener is not None:
            raise RuntimeError("this call already has a receiver")
        self.voice.listener = self
        self._sweeper = background_tasks.every(
            self.settings.tick, self._sweep, name="voice receiver sweep"
        )
        state = self.voice.guild.me.voice
        if state is not None and state.self_deaf:
            logger.warning(
                "the bot is deafened in %s: Discord sends it no audio", self.voice.channel
            )
        logger.info("listening in voice channel %s", self.voice.channel.id)

    def close(self) -> None:
        """Stop listening: turns in progress are ended and handed over, then the iteration ends."""
        if self._closed:
            return
        self._closed = True
        if self.voice.listener is self:
            self.voice.listener = None
        if self._sweeper is not None:
            self._sweeper.stop()
        self._drain()
        self._emit(self._cutter.end_all())
        self._arrived.set()
        logger.info("stopped listening in voice channel %s", self.voice.channel.id)

    def forget(self, user_id: int) -> None:
        """Drop what `user_id` said in their turn so far (they withdrew): it is never handed
        over. Their next packets are up to `admits`."""
        if self._cutter.forget(user_id) and self._on_stop is not None:
            self._on_stop(user_id)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[PieceAudio]:
        return self._utterances()

    async def _utterances(self) -> AsyncIterator[PieceAudio]:
        while True:
            while self._ready:
                yield self._ready.popleft()
            if self._closed:
                return
            self._arrived.clear()
            await self._arrived.wait()

    # -- what the voice client tells it (event loop) --------------------------------------------

    def turn_ended(self, user_id: int) -> None:
        self._drain()
        utterance = self._cutter.end(user_id)
        self._emit([utterance] if utterance is not None else [])

    def call_ended(self) -> None:
        self.close()

    # -- the reader thread ------------------------------------------------------------------------

    def datagram(self, data: bytes) -> None:
        self._reading = True
        try:
            read = self._reader.read(
                data, queued=discordpy_internals.voice_socket_unread(self.voice)
            )
            # Picked up by the loop's next tick: waking it for every packet would cost more
            # than the packet's decryption and decoding together (bench/RESULTS.md, section 9).
            self._inbox.extend(read)
        except Exception:  # one bad packet must not stop discord.py's reader
            logger.exception("a voice packet could not be read")
        finally:
            self._reading = False  # only once its frames are in: a sweep meanwhile waits

    # -- the event loop ---------------------------------------------------------------------------

    def _drain(self) -> None:
        while self._inbox:
            item = self._inbox.popleft()
            if isinstance(item, HeardFrame):
                if not self._closed:
                    self._emit(self._cutter.add(item))
            else:
                self.forget(item)

    async def _sweep(self) -> None:
        now = time.monotonic()
        behind = self._behind()
        self._drain()
        if not behind:  # every packet that came by `now` is in: their pauses are real
            self._emit(self._cutter.quiet(now))

    def _behind(self) -> bool:
        """Whether the reader thread has packets to read (a busy machine keeps it from running):
        while it has, a member whose packets seem to have stopped may only not be read yet."""
        return self._reading or discordpy_internals.voice_socket_unread(self.voice)

    def _emit(self, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, TurnStarted):
                if self._on_start is not None:
                    self._on_start(event.user_id)
                continue
            if len(self._ready) >= self.settings.queue_size:
                self._ready.popleft()
                self.overflowed += 1
                logger.warning(
                    "an utterance was dropped: its reader fell %d behind", len(self._ready)
                )
            self._ready.append(event)
            self.utterances[event.user_id] += 1
            self._arrived.set()
            if event.ends_turn and self._on_stop is not None:
                self._on_stop(event.user_id)
