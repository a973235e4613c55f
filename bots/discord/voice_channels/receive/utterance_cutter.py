"""Each member's decoded frames cut into utterances: a turn of speech ends when the core's rule
says (`core.domain.listening.live_speech_rules.TurnEnds`: their packets stopped for `silence_gap`;
Discord clients stop sending when their voice activity detection hears silence, the voice server
says nothing of it), or when they leave or say they stopped; this measures the gaps it judges. While
it lasts, the turn is cut into pieces as they speak
(`core.domain.listening.live_speech_rules.PieceCutter`, by the call's rules: `/listen` at a short
pause once a piece holds 0.8 s, at the latest under a second; `/listen cheaper:True` at two and four
seconds; between words), each handed over as it is cut, so that its words can be shown while the
member goes on; each piece says which turn it belongs to, its place in it, and whether it is the
last. What a member said is held until its piece is cut: the buffer per member is bounded by the
longest piece.

Pauses are judged by arrival only where the arrival is known: a packet read while others waited
behind it in the socket (the reader was behind: a busy machine did not run it) arrived earlier
than it was read, and its gap from the one before says nothing (`HeardFrame.queued`); nor is a
sweep's quiet judged while the reader is behind (`VoiceReceiver`).

Inside a turn, a pause the RTP timestamps show (packets lost, or a short pause of the sender)
becomes silence of that length, so an utterance lasts as long as it took to say. Frames come
at 48 kHz; a whole utterance is brought to `sample_rate` by `resample` when it ends. The times
come in with the frames and the sweeps, from the receiver.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from core.domain.listening.live_speech_rules import PIECES, PieceCutter, PieceRules, TurnEnds

__all__ = ["Event", "HeardFrame", "PieceAudio", "TurnStarted", "UtteranceCutter"]

with warnings.catch_warnings():  # deprecated since 3.11; 3.13 on has it from audioop-lts
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

OPUS_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
BYTES_PER_SAMPLE = 2
FRAME_BYTES = FRAME_SAMPLES * BYTES_PER_SAMPLE


@dataclass(frozen=True, slots=True)
class PieceAudio:
    """What one member said in one piece of a turn: 16-bit mono PCM at `sample_rate`."""

    user_id: int
    pcm: bytes
    sample_rate: int
    started_at: datetime  # UTC, when its first frame arrived
    ended_at: datetime
    ends_turn: bool = True  # False: cut while the member goes on; more pieces of the turn come
    turn_started_at: datetime | None = None  # when the turn began (None: with this piece)
    piece: int = 0  # its place in the turn, from 0
    at_pause: bool = True  # it ends where the member paused (False: cut through their speech)

    @property
    def seconds(self) -> float:
        return len(self.pcm) / BYTES_PER_SAMPLE / self.sample_rate

    @property
    def turn(self) -> datetime:
        """When the turn it is a piece of began: the same for every piece of the turn."""
        return self.turn_started_at or self.started_at


@dataclass(frozen=True, slots=True)
class HeardFrame:
    """One decoded frame of one member, stamped where the packet arrived; no PCM: one of the
    frames of silence a client sends as it stops sending sound (Discord asks for five)."""

    user_id: int
    timestamp: int  # RTP, 48 kHz samples
    pcm: bytes  # 48 kHz mono PCM16
    arrived: float  # monotonic seconds
    wall: float  # seconds since the epoch
    queued: bool = False  # read while later packets waited: it arrived before `arrived`


@dataclass(frozen=True, slots=True)
class TurnStarted:
    user_id: int


Event = TurnStarted | PieceAudio


@dataclass
class _Open:
    turn_wall: float  # when the turn began
    started_wall: float  # when the piece so far began
    last_timestamp: int
    last_arrived: float
    cutter: PieceCutter
    piece: int = 0
    measured: int = 0  # bytes of `pcm` whose level the cutter has
    pcm: bytearray = field(default_factory=bytearray)
    went_quiet: bool = False  # its client sent its frames of silence since its last sound


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
        pieces: PieceRules = PIECES,
        resample: Resample = _as_it_is,
        rules: Callable[[], PieceRules] | None = None,
    ) -> None:
        """`rules`: the rules to cut by, asked again as each turn starts and after each cut
        (the call's, which change as it falls behind); else `pieces` always."""
        self.sample_rate, self.silence_gap, self._resample = sample_rate, silence_gap, resample
        self.pieces = pieces
        self._rules = rules or (lambda: pieces)
        self._turns = TurnEnds(silence_gap)  # the core's rule of when a turn ends
        self._open: dict[int, _Open] = {}

    def add(self, frame: HeardFrame) -> list[Event]:
        """Take one frame; the turn it starts, and the pieces it ends, in order."""
        events: list[Event] = []
        turn = self._open.get(frame.user_id)
        if not frame.pcm:  # the client stopped sending sound: a pause, not a frame of it
            if turn is not None:
                turn.went_quiet = True
            return events
        if turn is not None and self._paused_too_long(turn, frame):
            events.append(self._close(frame.user_id, ends_turn=True))
            turn = None
        if turn is None:
            turn = self._open[frame.user_id] = _Open(
                frame.wall, frame.wall, frame.timestamp, frame.arrived, PieceCutter(self._rules())
            )
            events.append(TurnStarted(frame.user_id))
        elif turn.pcm:
            turn.pcm += self._silence_before(turn, frame)
        else:  # the piece before was cut where the member stopped: this one begins with sound
            gap = self._silence_before(turn, frame)
            turn.started_wall += len(gap) / BYTES_PER_SAMPLE / OPUS_RATE
        turn.pcm += frame.pcm
        turn.went_quiet = False
        turn.last_timestamp, turn.last_arrived = frame.timestamp, frame.arrived
        events += self._measure(frame.user_id, turn)
        return events

    def quiet(self, now: float) -> list[PieceAudio]:
        """The turns of members whose packets stopped `silence_gap` ago or more, ended; the
        pieces of those whose packets stopped for a short pause, cut there."""
        said: list[PieceAudio] = []
        for user, turn in list(self._open.items()):
            stopped = now - turn.last_arrived
            if self._turns.over(stopped):
                said += [u for u in [self.end(user)] if u is not None]
            elif turn.measured and turn.cutter.stopped(stopped, went_quiet=turn.went_quiet):
                cutter = turn.cutter
                cut = cutter.cut_all(went_quiet=turn.went_quiet)
                piece = self._piece(user, turn, cut * FRAME_BYTES)
                said.append(replace(piece, pcm=b"") if cutter.nothing else piece)
        return said

    def end(self, user_id: int) -> PieceAudio | None:
        """End `user_id`'s turn now (they left, stopped, or the call ended)."""
        if user_id not in self._open:
            return None
        return self._close(user_id, ends_turn=True)

    def forget(self, user_id: int) -> bool:
        """Drop what `user_id` said in the turn so far, unsaid; whether they were in a turn."""
        return self._open.pop(user_id, None) is not None

    def end_all(self) -> list[PieceAudio]:
        return [u for user in list(self._open) if (u := self.end(user)) is not None]

    @property
    def buffered(self) -> dict[int, int]:
        """Bytes of PCM held per member (at 48 kHz)."""
        return {user: len(turn.pcm) for user, turn in self._open.items()}

    def _measure(self, user_id: int, turn: _Open) -> list[Event]:
        """Each whole frame not measured yet, its level to the cutter; the pieces it cuts."""
        pieces: list[Event] = []
        while len(turn.pcm) - turn.measured >= FRAME_BYTES:
            frame = turn.pcm[turn.measured : turn.measured + FRAME_BYTES]
            turn.measured += FRAME_BYTES
            cut = turn.cutter.add(audioop.rms(frame, BYTES_PER_SAMPLE))
            if cut is not None:
                cutter = turn.cutter
                piece = self._piece(user_id, turn, cut * FRAME_BYTES, at_pause=cutter.at_pause)
                # A sliver before a pause is not sent to be heard; it still says the pause.
                pieces.append(replace(piece, pcm=b"") if cutter.nothing else piece)
        return pieces

    def _paused_too_long(self, turn: _Open, frame: HeardFrame) -> bool:
        ahead = (frame.timestamp - turn.last_timestamp) & 0xFFFF_FFFF
        sent = (ahead - FRAME_SAMPLES) / OPUS_RATE if ahead < 1 << 31 else 0.0
        # By arrival only where it is known: a frame read from a backlog arrived earlier.
        return self._turns.paused(
            sent_gap=sent, arrival_gap=frame.arrived - turn.last_arrived,
            arrival_known=not frame.queued,
        )  # fmt: skip

    def _silence_before(self, turn: _Open, frame: HeardFrame) -> bytes:
        ahead = (frame.timestamp - turn.last_timestamp) & 0xFFFF_FFFF
        if not FRAME_SAMPLES < ahead < 1 << 31:
            return b""
        return bytes((ahead - FRAME_SAMPLES) * BYTES_PER_SAMPLE)

    def _piece(self, user_id: int, turn: _Open, cut: int, *, at_pause: bool = True) -> PieceAudio:
        """The turn's piece so far up to byte `cut`, handed over; the rest begins the next.
        `at_pause`: the cut is where the member paused (else through their speech)."""
        pcm = bytes(turn.pcm[:cut])
        del turn.pcm[:cut]
        turn.measured -= cut
        piece = self._utterance(user_id, turn, pcm, ends_turn=False, at_pause=at_pause)
        turn.started_wall = piece.ended_at.timestamp()
        turn.piece += 1
        turn.cutter.use(self._rules())  # the next piece by the rules of now
        return piece

    def _close(self, user_id: int, *, ends_turn: bool) -> PieceAudio:
        """The turn's last piece: nothing where it holds nothing to hear (the rest of a pause
        the piece before was cut at, a word's last frames), which is then not sent."""
        turn = self._open.pop(user_id)
        quiet = turn.measured == len(turn.pcm) and turn.cutter.nothing_to_hear()
        pcm = b"" if quiet else bytes(turn.pcm)
        return self._utterance(user_id, turn, pcm, ends_turn=ends_turn)

    def _utterance(
        self, user_id: int, turn: _Open, pcm: bytes, *, ends_turn: bool, at_pause: bool = True
    ) -> PieceAudio:
        started = datetime.fromtimestamp(turn.started_wall, UTC)
        seconds = len(pcm) / BYTES_PER_SAMPLE / OPUS_RATE
        return PieceAudio(
            user_id=user_id,
            pcm=self._resample(pcm, self.sample_rate),
            sample_rate=self.sample_rate,
            started_at=started,
            ended_at=started + timedelta(seconds=seconds),
            ends_turn=ends_turn,
            turn_started_at=datetime.fromtimestamp(turn.turn_wall, UTC),
            piece=turn.piece,
            at_pause=at_pause,
        )
