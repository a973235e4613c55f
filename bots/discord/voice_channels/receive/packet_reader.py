"""The voice socket's packets to each member's decoded frames, in discord.py's socket reader
thread (the event loop gets only the frames): find whose voice a packet carries, ask whether
they are heard at all, then transport decryption, extension and padding off, silence dropped,
DAVE decryption, Opus decoded.

A member the filter refuses is dropped at the first step: none of their packets is decrypted,
decoded or kept, and a turn of theirs in progress is forgotten. A packet whose SSRC nobody
claimed yet (its SPEAKING message may come a moment after it: websocket and UDP race) waits,
still encrypted, up to `pending` packets per SSRC, for a little while.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bots.discord.discordpy_internals import TransportSession
from bots.discord.voice_channels.receive import rtp_packets
from bots.discord.voice_channels.receive.call_roster import CallRoster
from bots.discord.voice_channels.receive.dave_decryption import EndToEnd
from bots.discord.voice_channels.receive.opus_decoding import OpusDecoder
from bots.discord.voice_channels.receive.transport_decryption import TransportCipher, TransportError
from bots.discord.voice_channels.receive.utterance_cutter import HeardFrame

logger = logging.getLogger(__name__)

__all__ = ["PacketReader", "ReceiveStats"]

OPUS_SILENCE = b"\xf8\xff\xfe"
PENDING_SECONDS = 1.0  # how long a packet of an unclaimed SSRC waits for its SPEAKING message
MAX_UNCLAIMED = 16  # SSRCs waiting at once
STREAM_IDLE_SECONDS = 60.0  # a stream silent this long lets its decoder go


@dataclass
class ReceiveStats:
    """What came in and what became of it; written by the reader thread."""

    packets: int = 0  # Opus RTP packets
    unclaimed: int = 0  # dropped: no member ever claimed their SSRC
    late: int = 0  # dropped: older than one already taken (reordered, repeated)
    undecryptable: int = 0  # dropped: the transport decryption failed
    silence: int = 0  # Opus silence frames, dropped
    refused: Counter[int] = field(default_factory=Counter)  # packets of members not heard
    decoded: Counter[int] = field(default_factory=Counter)  # frames decoded, by member


@dataclass
class _Stream:
    """One SSRC's packets, as one member's."""

    user_id: int
    decoder: OpusDecoder
    last_sequence: int | None = None
    last_arrived: float = 0.0


Refused = int  # a member the filter refused after hearing them: forget their turn
Read = HeardFrame | Refused


class PacketReader:
    def __init__(
        self,
        *,
        roster: CallRoster,
        admits: Callable[[int], bool],
        transport: Callable[[], TransportSession | None],
        e2ee: EndToEnd,
        pending: int = 25,
    ) -> None:
        self._roster, self._admits, self._transport, self._e2ee = roster, admits, transport, e2ee
        self._pending_size = pending
        self._cipher: TransportCipher | None = None
        self._streams: dict[int, _Stream] = {}
        self._pending: dict[int, deque[tuple[float, rtp_packets.RtpPacket]]] = {}
        self._pruned_at = time.monotonic()
        self.stats = ReceiveStats()

    def read(self, datagram: bytes, *, queued: bool = False) -> list[Read]:
        """What one datagram off the socket gives: frames to keep, or a member to forget.
        `queued`: more datagrams waited behind it (the reader is behind): it arrived before
        now, how long before is unknown."""
        packet = rtp_packets.parse(datagram)
        if packet is None:
            return []  # IP discovery's answer, RTCP: not ours
        self.stats.packets += 1
        now = time.monotonic()
        self._prune(now)
        user = self._roster.user_of(packet.ssrc)
        if user is None:
            self._wait(packet, now)
            return []
        if not self._heard(user):
            return self._refuse(packet.ssrc, user)
        stream = self._stream(packet.ssrc, user, now)
        waiting = [p for _, p in self._pending.pop(packet.ssrc, ())]
        frames = (self._frame(stream, p, now, queued=queued) for p in [*waiting, packet])
        return [f for f in frames if f is not None]

    def _refuse(self, ssrc: int, user: int) -> list[Read]:
        """Nothing of `user`'s is kept: their waiting packets, their decoder, their turn."""
        self._pending.pop(ssrc, None)
        self.stats.refused[user] += 1
        stream = self._streams.get(ssrc)
        if stream is None or stream.user_id != user:
            return []
        del self._streams[ssrc]
        return [user]  # heard until now: forget the turn in progress

    def _heard(self, user: int) -> bool:
        try:
            return self._admits(user)
        except Exception:
            logger.exception("the filter failed on user %s: not heard", user)
            return False

    def _stream(self, ssrc: int, user: int, now: float) -> _Stream:
        stream = self._streams.get(ssrc)
        if stream is None or stream.user_id != user:  # a new member, or the SSRC changed hands
            stream = self._streams[ssrc] = _Stream(user, OpusDecoder(), last_arrived=now)
        return stream

    def _frame(
        self, stream: _Stream, packet: rtp_packets.RtpPacket, now: float, *, queued: bool
    ) -> HeardFrame | None:
        last = stream.last_sequence
        if last is not None and not rtp_packets.is_newer(packet.sequence, last):
            self.stats.late += 1
            return None
        payload = self._decrypted(packet)
        if payload is None:
            return None
        stream.last_sequence, stream.last_arrived = packet.sequence, now
        opus = rtp_packets.media_of(packet, payload)
        if opus is None:  # padding alone
            return None
        if opus == OPUS_SILENCE:  # no sound: only that the client stopped sending it
            self.stats.silence += 1
            return HeardFrame(stream.user_id, packet.timestamp, b"", now, time.time(), queued)
        opened = self._e2ee.open(stream.user_id, opus)
        if opened is None:
            return None
        pcm = stream.decoder.decode(opened)
        if not pcm:
            return None
        self.stats.decoded[stream.user_id] += 1
        return HeardFrame(stream.user_id, packet.timestamp, pcm, now, time.time(), queued)

    def _decrypted(self, packet: rtp_packets.RtpPacket) -> bytes | None:
        """The packet's payload, transport decryption undone (None: it does not decrypt)."""
        session = self._transport()
        if session is None:
            return None
        if self._cipher is None or self._cipher.session != session:  # a new session: new key
            self._cipher = TransportCipher(session)
        try:
            payload = self._cipher.open(packet)
        except TransportError:
            self.stats.undecryptable += 1
            return None
        return payload

    def _wait(self, packet: rtp_packets.RtpPacket, now: float) -> None:
        waiting = self._pending.get(packet.ssrc)
        if waiting is None:
            if len(self._pending) >= MAX_UNCLAIMED:
                self.stats.unclaimed += 1
                return
            waiting = self._pending[packet.ssrc] = deque(maxlen=self._pending_size)
        if len(waiting) == waiting.maxlen:
            self.stats.unclaimed += 1
        waiting.append((now, packet))

    def _prune(self, now: float) -> None:
        """Now and then: unclaimed packets that waited too long, decoders of streams gone quiet."""
        if now - self._pruned_at < PENDING_SECONDS:
            return
        self._pruned_at = now
        for ssrc, waiting in list(self._pending.items()):
            while waiting and now - waiting[0][0] > PENDING_SECONDS:
                waiting.popleft()
                self.stats.unclaimed += 1
            if not waiting:
                del self._pending[ssrc]
        for ssrc, stream in list(self._streams.items()):
            if now - stream.last_arrived > STREAM_IDLE_SECONDS:
                del self._streams[ssrc]
