"""Transport decryption: what the voice server encrypted for this connection alone, with the key
and mode of its SESSION DESCRIPTION (opcode 4). Both modes Discord offers take the packet's
clear header as additional data and a 32-bit counter, appended to the packet, as the nonce,
padded with zeros to the cipher's nonce size."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import CryptoError

from bots.discord.discordpy_internals import TransportSession
from bots.discord.voice_channels.receive.rtp_packets import RtpPacket

__all__ = ["MODES", "TransportCipher", "TransportError"]

AES_GCM = "aead_aes256_gcm_rtpsize"
XCHACHA20 = "aead_xchacha20_poly1305_rtpsize"
MODES = (AES_GCM, XCHACHA20)


class TransportError(Exception):
    """A packet that does not decrypt with the session's key (or a mode we do not know)."""


class TransportCipher:
    """Opens the packets of one session (one key, one mode)."""

    def __init__(self, session: TransportSession) -> None:
        if session.mode not in MODES:
            raise TransportError(f"unknown transport mode {session.mode!r}")
        self.session = session
        self._aes = AESGCM(session.key) if session.mode == AES_GCM else None

    def open(self, packet: RtpPacket) -> bytes:
        """The decrypted payload: the extension's body, the frame and any padding."""
        try:
            if self._aes is not None:
                return self._aes.decrypt(packet.nonce + bytes(8), packet.sealed, packet.header)
            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                packet.sealed, packet.header, packet.nonce + bytes(20), self.session.key
            )
        except (InvalidTag, CryptoError) as error:
            raise TransportError(f"packet {packet.sequence} does not decrypt") from error
