"""Receiving voice in a Discord call, for listening: what discord.py does not do. Packets off the
voice socket discord.py holds, through to each member's utterances as PCM.

receiver.py     the surface: `VoiceReceiver`, an async iterator of `PieceAudio`s, with callbacks
                as a member's turn starts and ends, for the members a filter lets in
client.py       `ListeningVoiceClient`: the voice client to join with, which keeps the roster
roster.py       who is in the call and whose voice each SSRC carries (opcodes 2, 5, 11, 13)
packets.py      one packet to one decoded frame, in discord.py's socket reader thread
rtp.py          RTP: the header, the extension and the padding
transport.py    transport decryption (AES-256-GCM, XChaCha20-Poly1305; the rtpsize modes)
e2ee.py         DAVE decryption through discord.py's session, failures tolerated while keys change
opus.py         Opus to PCM, libopus through PyAV
utterances.py   frames cut into utterances per member: a turn ends at silence, comes in pieces
                while it lasts (cut at short pauses, `core.domain.live_speech`), bounded

Needs the voice extras (`pip install -e '.[voice]'`: PyNaCl, davey, cryptography, PyAV).
"""

from bots.discord.call.receive.client import ListeningVoiceClient
from bots.discord.call.receive.packets import ReceiveStats
from bots.discord.call.receive.receiver import ReceiveSettings, VoiceReceiver
from bots.discord.call.receive.utterances import PieceAudio

__all__ = ["ListeningVoiceClient", "PieceAudio", "ReceiveSettings", "ReceiveStats", "VoiceReceiver"]
