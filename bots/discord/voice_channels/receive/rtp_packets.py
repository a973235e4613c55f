"""RTP packets as Discord's voice servers forward them (RFC 3550 5.1; discord-api-docs,
topics/voice-connections, "Transport Encryption Modes").

In the two modes Discord still offers (`aead_aes256_gcm_rtpsize`, `aead_xchacha20_poly1305_rtpsize`)
a packet is:

    fixed header (12 bytes) | CSRCs (4 bytes each) | extension preamble (4 bytes, if X)
        -> sent in the clear and authenticated: the AEAD's additional data
    sealed: extension body | Opus frame | RTP padding (if P), then the 16-byte tag
    nonce: a 32-bit counter (4 bytes), appended

So the extension's body and the padding are inside the encryption: both are cut off only after
the transport decryption, and before DAVE's, which looks for its marker at the frame's very end
(padding left on gives false DAVE failures: Discord.Net 3262, disgo 593, py-cord 3386).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["OPUS_PAYLOAD_TYPE", "TAG_SIZE", "RtpPacket", "is_newer", "media_of", "parse"]

OPUS_PAYLOAD_TYPE = 120
FIXED_HEADER = 12
NONCE_SIZE = 4
TAG_SIZE = 16  # both AEADs' tags
_VERSION, _PADDING, _EXTENSION, _CSRC_COUNT = 0xC0, 0x20, 0x10, 0x0F


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet of Opus, its parts located, nothing decrypted."""

    sequence: int
    timestamp: int  # in samples at 48 kHz
    ssrc: int
    padded: bool  # the P bit: the decrypted payload ends with padding
    extension_words: int  # the header extension's body, in 32-bit words (0: none)
    header: bytes  # what is authenticated in the clear
    sealed: bytes  # the ciphertext and its tag
    nonce: bytes  # the 4-byte counter


def parse(datagram: bytes) -> RtpPacket | None:
    """The Opus RTP packet in `datagram`; None for anything else on the socket (IP discovery's
    answer, RTCP, other payload types, a packet too short for its own header)."""
    if len(datagram) < FIXED_HEADER or datagram[0] & _VERSION != 0x80:
        return None
    if datagram[1] & 0x7F != OPUS_PAYLOAD_TYPE:
        return None
    first = datagram[0]
    header_size = FIXED_HEADER + 4 * (first & _CSRC_COUNT)
    words = 0
    if first & _EXTENSION:
        if len(datagram) < header_size + 4:
            return None
        (words,) = struct.unpack_from(">H", datagram, header_size + 2)
        header_size += 4
    if len(datagram) < header_size + TAG_SIZE + NONCE_SIZE:
        return None
    sequence, timestamp, ssrc = struct.unpack_from(">HII", datagram, 2)
    return RtpPacket(
        sequence=sequence,
        timestamp=timestamp,
        ssrc=ssrc,
        padded=bool(first & _PADDING),
        extension_words=words if first & _EXTENSION else 0,
        header=datagram[:header_size],
        sealed=datagram[header_size:-NONCE_SIZE],
        nonce=datagram[-NONCE_SIZE:],
    )


def media_of(packet: RtpPacket, payload: bytes) -> bytes | None:
    """The frame inside a decrypted `payload`: the extension's body cut from the front, the
    padding from the back (its last byte counts it, itself included). None when nothing is left
    (a packet of padding alone, as clients send around silence) or the lengths do not fit."""
    start, end = 4 * packet.extension_words, len(payload)
    if packet.padded:
        count = payload[-1] if payload else 0
        if count == 0:
            return None
        end -= count
    if end <= start:
        return None
    return payload[start:end]


def is_newer(sequence: int, than: int) -> bool:
    """Whether `sequence` comes after `than`, sequence numbers wrapping at 2**16 (RFC 3550
    Appendix A.1: within half the range ahead)."""
    return 0 < (sequence - than) & 0xFFFF < 0x8000
