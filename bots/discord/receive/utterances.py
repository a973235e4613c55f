"""Each member's decoded frames cut into utterances: a turn of speech ends when their packets
stop for `silence_gap` (Discord clients stop sending when their voice activity detection hears
silence; the voice server says nothing of it), when they leave or say they stopped, and a long
turn is cut every `max_seconds` (the piece says the turn goes on). What a member said is kept
until then, at most `max_seconds` of it (and one frame): the buffer per member is bounded.

Inside a turn, a pause the RTP timestamps show (packets lost, or a short pause of the sender)
becomes silence of that length, so an utterance lasts as long as it took to say. Frames come
at 48 kHz; a whole utterance is brought to `sample_rate` by `resample` when it ends. The times
come in with the frames and the sweeps, from the receiver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

OPUS_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
BYTES_PER_SAMPLE = 2


@dataclass(frozen=True, slots=True)
class Utterance:
    """What one member said in one go: 16-bit mono PCM at `sample_rate`."""

    user_id: int
    pcm: bytes
    sample_rate: int
    started_at: datetime  # UTC, when its first frame arrived
    ended_at: datetime
    ends_turn: bool = True  # False: cut at the longest an utterance may last; they go on

    @property
    def seconds(self) -> float:
        return len(self.pcm) / BYTES_PER_SAMPLE / self.sample_rate


@dataclass(frozen=True, slots=True)
class HeardFrame:
    """One decoded frame of one member, stamped where the packet arrived."""

    user_id: int
    timestamp: int  # RTP, 48 kHz samples
    pcm: bytes  # 48 kHz mono PCM16
    arrived: float  # monotonic seconds
    wall: float  # seconds since the epoch


@dataclass(frozen=True, slots=True)
class TurnStarted:
    user_id: int


Event = TurnStarted | Utterance


@dataclass
class _Open:
    started_wall: float
    last_timestamp: int
    last_arrived: float
    pcm: bytearray = field(default_factory=bytearray)


Resample = Callable[[bytes, int], bytes]  # 48 kHz PCM, a rate -> PCM at that rate


def _as_it_is(pcm: bytes, rate: int) -> bytes:
    assert rate == OPUS_RATE, "frames come at 48 kHz: another rate needs a resampler"
    return pcm


class UtteranceCutter:
    def __init__(
        self,
        *,
        sample_rate: int,
        silence_gap: float,
        max_seconds: float,
        resample: Resample = _as_it_is,
    ) -> None:
        self.sample_rate, self.silence_gap, self._resample = sample_rate, silence_gap, resample
        self._max_bytes = int(max_seconds * OPUS_RATE) * BYTES_PER_SAMPLE
        self._gap_samples = int(silence_gap * OPUS_RATE)
        self._open: dict[int, _Open] = {}

    def add(self, frame: HeardFrame) -> list[Event]:
        """Take one frame; the turn it starts, and the utterance it ends, in order."""
        events: list[Event] = []
        turn = self._open.get(frame.user_id)
        if turn is not None and self._paused_too_long(turn, frame):
            events.append(self._close(frame.user_id, ends_turn=True))
            turn = None
        if turn is not None and len(turn.pcm) >= self._max_bytes:
            # Long enough, and the turn goes on (this frame says so): the next piece begins.
            piece = self._close(frame.user_id, ends_turn=False)
            events.append(piece)
            turn = self._open[frame.user_id] = _Open(
                piece.ended_at.timestamp(), turn.last_timestamp, turn.last_arrived
            )
        if turn is None:
            turn = self._open[frame.user_id] = _Open(frame.wall, frame.timestamp, frame.arrived)
            events.append(TurnStarted(frame.user_id))
        else:
            turn.pcm += self._silence_before(turn, frame)
        turn.pcm += frame.pcm
        turn.last_timestamp, turn.last_arrived = frame.timestamp, frame.arrived
        return events

    def quiet(self, now: float) -> list[Utterance]:
        """The turns of members whose packets stopped `silence_gap` ago or more, ended."""
        gap = self.silence_gap
        ended = [user for user, turn in self._open.items() if now - turn.last_arrived >= gap]
        return [u for user in ended if (u := self.end(user)) is not None]

    def end(self, user_id: int) -> Utterance | None:
        """End `user_id`'s turn now (they left, stopped, or the call ended)."""
        if user_id not in self._open:
            return None
        return self._close(user_id, ends_turn=True)

    def forget(self, user_id: int) -> bool:
        """Drop what `user_id` said in the turn so far, unsaid; whether they were in a turn."""
        return self._open.pop(user_id, None) is not None

    def end_all(self) -> list[Utterance]:
        return [u for user in list(self._open) if (u := self.end(user)) is not None]

    @property
    def buffered(self) -> dict[int, int]:
        """Bytes of PCM held per member (at 48 kHz)."""
        return {user: len(turn.pcm) for user, turn in self._open.items()}

    def _paused_too_long(self, turn: _Open, frame: HeardFrame) -> bool:
        ahead = (frame.timestamp - turn.last_timestamp) & 0xFFFF_FFFF
        rtp_pause = FRAME_SAMPLES + self._gap_samples < ahead < 1 << 31
        return rtp_pause or frame.arrived - turn.last_arrived >= self.silence_gap

    def _silence_before(self, turn: _Open, frame: HeardFrame) -> bytes:
        ahead = (frame.timestamp - turn.last_timestamp) & 0xFFFF_FFFF
        if not FRAME_SAMPLES < ahead < 1 << 31:
            return b""
        return bytes((ahead - FRAME_SAMPLES) * BYTES_PER_SAMPLE)

    def _close(self, user_id: int, *, ends_turn: bool) -> Utterance:
        turn = self._open.pop(user_id)
        started = datetime.fromtimestamp(turn.started_wall, UTC)
        seconds = len(turn.pcm) / BYTES_PER_SAMPLE / OPUS_RATE
        return Utterance(
            user_id=user_id,
            pcm=self._resample(bytes(turn.pcm), self.sample_rate),
            sample_rate=self.sample_rate,
            started_at=started,
            ended_at=started + timedelta(seconds=seconds),
            ends_turn=ends_turn,
        )
