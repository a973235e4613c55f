"""Receiving voice in a Discord call, for listening: what discord.py does not do. Packets off the
voice socket discord.py holds, through to each member's utterances as PCM.

call_roster.py        who is in the call and whose voice each SSRC carries (opcodes 2, 5, 11, 13)
dave_decryption.py    DAVE decryption through discord.py's session, failures tolerated while keys
                      change
listening_client.py   `ListeningVoiceClient`: the voice client to join with, which keeps the roster
opus_decoding.py      Opus to PCM, libopus through PyAV
packet_reader.py      one packet to one decoded frame, in discord.py's socket reader thread
receiver.py           the surface: `VoiceReceiver`, an async iterator of `PieceAudio`s, with
                      callbacks as a member's turn starts and ends, for the members a filter lets in
rtp_packets.py        RTP: the header, the extension and the padding
transport_decryption.py  transport decryption (AES-256-GCM, XChaCha20-Poly1305; the rtpsize modes)
utterance_cutter.py   frames cut into utterances per member: a turn ends at silence, comes in pieces
                      while it lasts (cut at short pauses,
                      `core.domain.listening.live_speech_rules`), bounded

Needs the voice extras (`pip install -e '.[voice]'`: PyNaCl, davey, cryptography, PyAV).
"""

from bots.discord.voice_channels.receive.listening_client import ListeningVoiceClient
from bots.discord.voice_channels.receive.packet_reader import ReceiveStats
from bots.discord.voice_channels.receive.receiver import ReceiveSettings, VoiceReceiver
from bots.discord.voice_channels.receive.utterance_cutter import PieceAudio

__all__ = ["ListeningVoiceClient", "PieceAudio", "ReceiveSettings", "ReceiveStats", "VoiceReceiver"]
