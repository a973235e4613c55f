"""The other members of a call, as the voice server stand-in plays them: each a client with its own
user id, SSRC and DAVE session (a real `davey.DaveSession`, in the call's MLS group), whose speech
reaches the bot the way Discord forwards it.

What a member says is PCM the test makes (`tone`), encoded to 20 ms Opus frames with libopus
(PyAV), end-to-end encrypted with the member's own DAVE key (`encrypt_opus`, which passes Opus
silence through as clients do), then put in an RTP packet for the bot: the member's SSRC,
sequence and timestamp, a one-byte header extension (RFC 8285, profile 0xBEDE; its body is
encrypted with the payload in the rtpsize modes, its 4-byte preamble authenticated in the clear)
and, on some packets, RTP padding (RFC 3550 5.1), as Discord clients send around silence; the
whole transport-encrypted with the bot's session key in the mode it chose, the voice server's
own 32-bit nonce counter appended. After speaking, five frames of Opus silence, as Discord asks
of every sender.
"""

from __future__ import annotations

import array
import functools
import math
import struct
from dataclasses import dataclass, field

import av
import davey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt

from tests.standins.mls import ExternalSender, vector

SAMPLE_RATE = 48_000
SAMPLES_PER_FRAME = 960  # 20 ms
OPUS_PAYLOAD_TYPE = 120
OPUS_SILENCE = b"\xf8\xff\xfe"
SILENCE_FRAMES_AFTER = 5  # discord-api-docs: "send five frames of silence before stopping"
EXTENSION_PROFILE = 0xBEDE  # one-byte header extensions (RFC 8285)
PADDED_EVERY = 3  # one packet in three carries RTP padding, of 1 to 12 bytes
DAVE_VERSION = 1


@dataclass(eq=False)
class CallMember:
    """One member's client in the call."""

    user_id: int
    ssrc: int
    channel_id: int
    listens_only: bool = False  # the listener: never speaks, decrypts what the bot sends
    session: davey.DaveSession | None = None  # in the call's group once welcomed
    sequence: int = 0
    timestamp: int = 0
    packets: int = 0  # sent to the bot
    in_group: bool = False  # its commit or welcome executed: it may speak with the group's key
    left: bool = False
    last_sent: float | None = None  # when its last packet went (the event loop's clock)

    def join_session(self, external_sender: bytes) -> None:
        """A fresh DAVE session for a new group (a new call of the bot's)."""
        self.session = davey.DaveSession(DAVE_VERSION, self.user_id, self.channel_id)
        self.session.set_external_sender(external_sender)
        self.in_group = False

    def seal(self, frame: bytes) -> bytes:
        """`frame` end-to-end encrypted with this member's key (Opus silence passes as it is)."""
        assert self.session is not None, "a member speaks only in a group"
        return self.session.encrypt_opus(frame)

    def next_packet(self) -> tuple[int, int]:
        """The sequence and timestamp of its next 20 ms packet."""
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + SAMPLES_PER_FRAME) & 0xFFFF_FFFF
        self.packets += 1
        return self.sequence, self.timestamp

    def resume(self, now: float) -> None:
        """It speaks again at `now`: its RTP clock ran on while it said nothing, so the next
        packet's timestamp shows the pause (in whole frames), as a client's does."""
        if self.last_sent is not None:
            frames = max(0, round((now - self.last_sent) / 0.02) - 1)
            self.timestamp = (self.timestamp + frames * SAMPLES_PER_FRAME) & 0xFFFF_FFFF


@dataclass
class Outgoing:
    """What the voice server forwards to one bot: the transport key and mode it chose, and the
    server's own nonce counter towards it."""

    mode: str
    key: bytes
    nonce: int = field(default=0)

    def seal(self, header: bytes, payload: bytes) -> bytes:
        counter = struct.pack(">I", self.nonce)
        self.nonce = (self.nonce + 1) & 0xFFFF_FFFF
        if self.mode == "aead_aes256_gcm_rtpsize":
            sealed = AESGCM(self.key).encrypt(counter + bytes(8), payload, header)
        else:
            sealed = crypto_aead_xchacha20poly1305_ietf_encrypt(
                payload, header, counter + bytes(20), self.key
            )
        return header + sealed + counter


def rtp_packet(
    member: CallMember, frame: bytes, outgoing: Outgoing, *, padding: int = 0, level: int = 0
) -> bytes:
    """One RTP packet of `member`'s `frame` (already end-to-end encrypted) for the bot: the
    header extension always (an audio level, RFC 6464, in one word), `padding` bytes of RTP
    padding when asked."""
    sequence, timestamp = member.next_packet()
    first = 0x80 | 0x10 | (0x20 if padding else 0)  # version 2, X, P
    header = struct.pack(">BBHII", first, OPUS_PAYLOAD_TYPE, sequence, timestamp, member.ssrc)
    header += struct.pack(">HH", EXTENSION_PROFILE, 1)  # the preamble: in the clear
    extension = struct.pack(">BBxx", 0x10, level & 0x7F)  # ID 1, one byte: the level
    pad = bytes(padding - 1) + bytes([padding]) if padding else b""
    return outgoing.seal(header, extension + frame + pad)


def padding_of(packet_number: int) -> int:
    """How much RTP padding the member's `packet_number`th packet carries (0: none)."""
    return 0 if packet_number % PADDED_EVERY else 1 + packet_number // PADDED_EVERY % 12


@functools.cache
def tone(frequency: float, seconds: float, *, amplitude: int = 8000) -> bytes:
    """A sine at `frequency` Hz: 48 kHz mono PCM16, a member's voice for a test (made once per
    worker: the tests say the same few tones again and again)."""
    count = int(seconds * SAMPLE_RATE)
    step = 2 * math.pi * frequency / SAMPLE_RATE
    return array.array("h", (int(amplitude * math.sin(step * n)) for n in range(count))).tobytes()


def opus_frames(pcm: bytes) -> list[bytes]:
    """48 kHz mono PCM16 as a Discord client sends it: 20 ms Opus frames, stereo, by libopus."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = SAMPLE_RATE
    encoder.layout = "stereo"
    encoder.format = "s16"
    encoder.bit_rate = 64_000
    mono = array.array("h", pcm)
    frames: list[bytes] = []
    for start in range(0, len(mono) - SAMPLES_PER_FRAME + 1, SAMPLES_PER_FRAME):
        chunk = mono[start : start + SAMPLES_PER_FRAME]
        stereo = array.array("h", (sample for sample in chunk for _ in range(2)))
        audio = av.AudioFrame(format="s16", layout="stereo", samples=SAMPLES_PER_FRAME)
        audio.planes[0].update(stereo.tobytes())
        audio.sample_rate, audio.pts = SAMPLE_RATE, start
        frames += [bytes(packet) for packet in encoder.encode(audio)]
    frames += [bytes(packet) for packet in encoder.encode(None)]
    return frames


def group_of(channel_id: int, *user_ids: int) -> dict[int, davey.DaveSession]:
    """Davey sessions of `user_ids` in an MLS group of their own (the first made it): members'
    clients outside any call of the stand-in's, for a test that needs keys the bot lacks."""
    sender = ExternalSender()
    sessions = {}
    for user_id in user_ids:
        sessions[user_id] = davey.DaveSession(DAVE_VERSION, user_id, channel_id)
        sessions[user_id].set_external_sender(sender.package)
    first, *others = user_ids
    group_id = channel_id.to_bytes(8, "big")
    proposals = b"".join(
        sender.add_proposal(group_id, 0, sessions[u].get_serialized_key_package()) for u in others
    )
    made = sessions[first].process_proposals(davey.ProposalsOperationType.append, vector(proposals))
    assert made is not None and made.welcome is not None
    sessions[first].process_commit(made.commit)
    for user_id in others:
        sessions[user_id].process_welcome(made.welcome)
    return sessions
