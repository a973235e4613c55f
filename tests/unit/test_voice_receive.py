"""The receive layer's parts, each on its own (`bots.discord.voice_channels.receive`): RTP parsing
(any bytes: no crash, no hang), transport decryption in both modes, the roster, DAVE decryption with
real davey sessions, and utterances cut per member. Packets are built by the voice server stand-in's
own code (`tests.standins.voice_members`), the far end of the wire; the whole path against the
stand-in and the real discord.py is in tests/integration/test_discord_listen.py."""

from __future__ import annotations

import logging
import struct
from dataclasses import replace
from typing import Any

import davey
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bots.discord.discordpy_internals import TransportSession
from bots.discord.voice_channels.receive import rtp_packets
from bots.discord.voice_channels.receive.call_roster import CallRoster
from bots.discord.voice_channels.receive.dave_decryption import EndToEnd
from bots.discord.voice_channels.receive.opus_decoding import resampled
from bots.discord.voice_channels.receive.packet_reader import PacketReader
from bots.discord.voice_channels.receive.transport_decryption import (
    MODES,
    TransportCipher,
    TransportError,
)
from bots.discord.voice_channels.receive.utterance_cutter import (
    HeardFrame,
    PieceAudio,
    TurnStarted,
    UtteranceCutter,
)
from core.domain.listening.live_speech_rules import CHEAPER, SOONER, PieceRules
from tests.standins.voice_members import (
    CallMember,
    Outgoing,
    group_of,
    opus_frames,
    rtp_packet,
    tone,
)

KEY = bytes(range(32))
CHANNEL = 777


# -- RTP ------------------------------------------------------------------------------------------


@given(st.binary(max_size=400))
def test_any_datagram_parses_to_a_packet_or_nothing(datagram: bytes) -> None:
    packet = rtp_packets.parse(datagram)
    if packet is not None:
        assert packet.header + packet.sealed + packet.nonce == datagram
        assert len(packet.nonce) == 4 and len(packet.sealed) >= rtp_packets.TAG_SIZE


@st.composite
def opus_packets(draw: st.DrawFn) -> rtp_packets.RtpPacket:
    """A version 2 Opus RTP packet, whole: any P and X bits, any CSRC count, an extension of
    any length; its sealed part and nonce random."""
    first = draw(st.integers(0x80, 0xBF))
    header = bytes([first, rtp_packets.OPUS_PAYLOAD_TYPE]) + draw(
        st.binary(min_size=10, max_size=10)
    )
    header += draw(st.binary(min_size=4 * (first & 0x0F), max_size=4 * (first & 0x0F)))
    if first & 0x10:
        header += b"\xbe\xde" + struct.pack(">H", draw(st.integers(0, 40)))
    sealed = draw(st.binary(min_size=rtp_packets.TAG_SIZE, max_size=200))
    packet = rtp_packets.parse(header + sealed + draw(st.binary(min_size=4, max_size=4)))
    assert packet is not None
    return packet


@given(packet=opus_packets(), data=st.data())
def test_a_version_2_opus_packet_gives_back_exactly_its_frame(
    packet: rtp_packets.RtpPacket, data: st.DataObject
) -> None:
    """Whatever the header says (padding, an extension of any length, CSRCs), the decrypted
    payload built as Discord seals it, extension body | frame | padding, gives back the frame
    and nothing else: not the extension's words, not one byte of padding."""
    words = packet.extension_words
    extension = data.draw(st.binary(min_size=4 * words, max_size=4 * words))
    frame = data.draw(st.binary(min_size=1, max_size=300))
    padding = b""
    if packet.padded:
        count = data.draw(st.integers(1, 255))
        padding = data.draw(st.binary(min_size=count - 1, max_size=count - 1)) + bytes([count])
    assert rtp_packets.media_of(packet, extension + frame + padding) == frame


@given(packet=opus_packets(), payload=st.binary(max_size=300))
def test_a_version_2_opus_packet_and_any_payload_never_crash(
    packet: rtp_packets.RtpPacket, payload: bytes
) -> None:
    """Any payload: what is left between the extension's body and the padding its last byte
    counts, or nothing where that leaves nothing (or the lengths do not fit)."""
    start = 4 * packet.extension_words
    end = len(payload) - (payload[-1] if packet.padded and payload else 0)
    padding_counted = not packet.padded or (payload and payload[-1])  # a count of 0: not RTP
    expected = payload[start:end] if padding_counted and end > start else None
    assert rtp_packets.media_of(packet, payload) == expected


def test_whatever_else_arrives_on_the_socket_is_not_taken_for_audio() -> None:
    discovery = struct.pack(">HHI64sH", 2, 70, 1234, b"127.0.0.1", 5000)
    receiver_report = bytes([0x81, 0xC9]) + bytes(40)  # RTCP RR: payload type 201
    other_payload = bytes([0x80, 0x60]) + bytes(40)
    assert [rtp_packets.parse(d) for d in (discovery, receiver_report, other_payload)] == [None] * 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", [0, 1, 7, 12])
def test_a_packet_as_discord_forwards_it_gives_back_the_frame(mode: str, padding: int) -> None:
    member = CallMember(user_id=1, ssrc=99, channel_id=CHANNEL)
    frame = b"an end-to-end encrypted frame\xfa\xfa"
    datagram = rtp_packet(member, frame, Outgoing(mode, KEY), padding=padding)

    packet = rtp_packets.parse(datagram)
    assert packet is not None and packet.ssrc == 99 and packet.padded == bool(padding)
    payload = TransportCipher(TransportSession(mode, KEY)).open(packet)
    assert rtp_packets.media_of(packet, payload) == frame
    if padding:  # left on, it would hide DAVE's marker at the frame's end
        assert not payload.endswith(b"\xfa\xfa")


@pytest.mark.parametrize("mode", MODES)
def test_a_packet_sealed_with_another_key_or_altered_does_not_open(mode: str) -> None:
    member = CallMember(user_id=1, ssrc=99, channel_id=CHANNEL)
    datagram = rtp_packet(member, b"frame", Outgoing(mode, bytes(32)))
    packet = rtp_packets.parse(datagram)
    assert packet is not None
    with pytest.raises(TransportError):
        TransportCipher(TransportSession(mode, KEY)).open(packet)
    altered = rtp_packets.parse(
        datagram[:2] + b"\x00\x00" + datagram[4:]
    )  # the sequence, authenticated
    assert altered is not None
    with pytest.raises(TransportError):
        TransportCipher(TransportSession(mode, bytes(32))).open(altered)


def test_padding_alone_and_impossible_padding_give_no_frame() -> None:
    member = CallMember(user_id=1, ssrc=99, channel_id=CHANNEL)
    outgoing = Outgoing(MODES[0], KEY)
    cipher = TransportCipher(TransportSession(MODES[0], KEY))
    alone = rtp_packets.parse(rtp_packet(member, b"", outgoing, padding=8))
    assert alone is not None and rtp_packets.media_of(alone, cipher.open(alone)) is None
    header = bytes([0xA0, rtp_packets.OPUS_PAYLOAD_TYPE]) + bytes(10)  # P set, no extension
    packet = rtp_packets.parse(header + bytes(20))
    assert packet is not None
    assert rtp_packets.media_of(packet, b"frame\x00") is None  # a count of 0 cannot be
    assert rtp_packets.media_of(packet, b"ab\x09") is None  # more padding than payload


def test_sequence_numbers_wrap() -> None:
    assert (
        rtp_packets.is_newer(1, 0)
        and rtp_packets.is_newer(0, 0xFFFF)
        and rtp_packets.is_newer(5, 0xFFF0)
    )
    assert (
        not rtp_packets.is_newer(0, 0)
        and not rtp_packets.is_newer(0xFFF0, 5)
        and not rtp_packets.is_newer(3, 4)
    )


# -- the roster -----------------------------------------------------------------------------------


def test_the_roster_maps_ssrcs_to_members_from_the_voice_gateway() -> None:
    roster = CallRoster()
    roster.take_in({"op": 11, "d": {"user_ids": ["1", "2"]}})
    assert roster.take_in({"op": 5, "d": {"user_id": "1", "ssrc": 10, "speaking": 1}}) is None
    roster.take_in({"op": 5, "d": {"user_id": "2", "ssrc": 20, "speaking": 1}})
    assert (roster.user_of(10), roster.user_of(20), roster.present) == (1, 2, {1, 2})

    roster.take_in({"op": 5, "d": {"user_id": "1", "ssrc": 11, "speaking": 1}})  # reconnected
    assert (roster.user_of(10), roster.user_of(11)) == (None, 1)
    assert roster.take_in({"op": 5, "d": {"user_id": "2", "ssrc": 20, "speaking": 0}}) == 2
    assert roster.take_in({"op": 13, "d": {"user_id": "2"}}) == 2  # left: their turn ends
    assert (roster.user_of(20), roster.present) == (None, {1})
    roster.take_in({"op": 2, "d": {"ssrc": 5}})  # a new voice session: old SSRCs mean nothing
    assert (roster.user_of(11), roster.present) == (None, set())


@given(st.dictionaries(st.sampled_from(["op", "d", "seq"]), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["user_id", "user_ids", "ssrc", "speaking"]), inner, max_size=4),
    max_leaves=8,
)))  # fmt: skip
def test_any_voice_gateway_message_leaves_the_roster_whole(message: dict[str, Any]) -> None:
    roster = CallRoster()
    ended = roster.take_in(message)
    assert ended is None or isinstance(ended, int)
    assert all(isinstance(user, int) for user in roster.present)


# -- DAVE -----------------------------------------------------------------------------------------


def test_frames_decrypt_per_member_and_failures_are_logged_once_past_the_tolerance(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sessions = group_of(CHANNEL, 1, 2)
    outsider = group_of(CHANNEL, 3, 4)[3]  # a client in another group: its keys are not the call's
    e2ee = EndToEnd(session=lambda: sessions[1], protocol_version=lambda: 1, tolerance=5)
    caplog.set_level(logging.INFO, "bots.discord.voice_channels.receive.dave_decryption")

    assert e2ee.open(2, sessions[2].encrypt_opus(b"hello")) == b"hello"
    for _ in range(4):  # a few failures, as while the group changes: quiet
        assert e2ee.open(2, outsider.encrypt_opus(b"not for us")) is None
    assert caplog.records == []
    for _ in range(10):
        e2ee.open(2, outsider.encrypt_opus(b"not for us"))
    assert e2ee.open(2, b"plain opus") is None  # not encrypted, in an encrypted call: refused
    assert e2ee.open(2, sessions[2].encrypt_opus(b"back")) == b"back"
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "user 2" in warned[0].getMessage()
    assert "decrypt again" in caplog.records[-1].getMessage()
    assert e2ee.failures[2] == 15


def test_a_call_without_end_to_end_encryption_passes_plain_opus() -> None:
    e2ee = EndToEnd(session=lambda: None, protocol_version=lambda: 0)
    assert e2ee.open(2, b"plain opus") == b"plain opus"
    assert e2ee.open(2, b"encrypted\xfa\xfa") is None  # DAVE, yet no group to decrypt it with


def test_before_the_bot_is_in_the_group_nothing_decrypts() -> None:
    sessions = group_of(CHANNEL, 2, 3)
    pending = davey.DaveSession(1, 1, CHANNEL)  # the bot, its welcome not come yet
    e2ee = EndToEnd(session=lambda: pending, protocol_version=lambda: 1)
    assert e2ee.open(2, sessions[2].encrypt_opus(b"hello")) is None
    assert e2ee.open(2, b"plain opus") is None


def test_a_plain_frame_passes_only_while_a_transition_lets_it() -> None:
    """Frames may pass unencrypted while the group changes (davey's passthrough, which
    discord.py turns on for a transition): the receiver hears them then, and only then."""
    sessions = group_of(CHANNEL, 1, 2)
    e2ee = EndToEnd(session=lambda: sessions[1], protocol_version=lambda: 1)
    assert e2ee.open(2, b"plain opus") is None  # outside a transition: refused, counted
    sessions[1].set_passthrough_mode(True, 10)
    assert e2ee.open(2, b"plain opus") == b"plain opus"
    assert e2ee.open(2, sessions[2].encrypt_opus(b"hello")) == b"hello"


# -- packets to frames, with the filter ------------------------------------------------------------


def reader_for(
    roster: CallRoster, sessions: dict[int, davey.DaveSession], admits: Any
) -> PacketReader:
    e2ee = EndToEnd(session=lambda: sessions[1], protocol_version=lambda: 1)
    session = TransportSession(MODES[1], KEY)
    return PacketReader(roster=roster, admits=admits, transport=lambda: session, e2ee=e2ee)


def test_a_refused_member_is_never_decrypted_and_waiting_packets_follow_their_claim() -> None:
    sessions = group_of(CHANNEL, 1, 2, 3)
    roster, asked = CallRoster(), []
    ann, bob = CallMember(2, 20, CHANNEL, session=sessions[2]), CallMember(3, 30, CHANNEL)
    bob.session = sessions[3]

    def admits(user_id: int) -> bool:
        asked.append(user_id)
        return user_id == 2

    reader = reader_for(roster, sessions, admits)
    outgoing = Outgoing(MODES[1], KEY)
    frames = opus_frames(tone(440, 0.2))
    early = [reader.read(rtp_packet(ann, ann.seal(f), outgoing)) for f in frames[:3]]
    assert early == [[], [], []]  # her SSRC not claimed yet: they wait, still encrypted
    roster.take_in({"op": 5, "d": {"user_id": "2", "ssrc": 20, "speaking": 1}})
    roster.take_in({"op": 5, "d": {"user_id": "3", "ssrc": 30, "speaking": 1}})
    heard = [
        f for frame in frames[3:] for f in reader.read(rtp_packet(ann, ann.seal(frame), outgoing))
    ]
    for frame in frames:
        reader.read(rtp_packet(bob, bob.seal(frame), outgoing))

    assert len(heard) == len(frames) and all(isinstance(f, HeardFrame) for f in heard)
    assert [f.timestamp for f in heard if isinstance(f, HeardFrame)] == sorted(
        f.timestamp for f in heard if isinstance(f, HeardFrame)
    )
    assert reader.stats.decoded == {2: len(frames)}
    assert reader.stats.refused == {3: len(frames)} and 3 in asked
    assert sessions[1].get_decryption_stats(3) is None or (
        sessions[1].get_decryption_stats(3).attempts == 0  # type: ignore[union-attr]
    )


def test_a_member_refused_midway_has_their_turn_forgotten() -> None:
    sessions = group_of(CHANNEL, 1, 2)
    roster, allowed = CallRoster(), {2}
    roster.take_in({"op": 5, "d": {"user_id": "2", "ssrc": 20, "speaking": 1}})
    ann = CallMember(2, 20, CHANNEL, session=sessions[2])
    reader = reader_for(roster, sessions, allowed.__contains__)
    outgoing = Outgoing(MODES[1], KEY)
    frames = opus_frames(tone(440, 0.1))
    assert isinstance(reader.read(rtp_packet(ann, ann.seal(frames[0]), outgoing))[0], HeardFrame)
    allowed.clear()
    assert reader.read(rtp_packet(ann, ann.seal(frames[1]), outgoing)) == [2]  # forget her
    assert reader.read(rtp_packet(ann, ann.seal(frames[2]), outgoing)) == []


# -- utterances -----------------------------------------------------------------------------------


SPEECH = struct.pack("<2h", 8000, -8000) * 480  # 20 ms at 48 kHz, loud
QUIET = bytes(len(SPEECH))  # 20 ms of silence, as a client sends a few of before it stops
HUSH = bytes(960 * 2)


def frame(user: int, n: int, *, at: float | None = None, pcm: bytes = SPEECH) -> HeardFrame:
    """The `n`th 20 ms frame of `user` (48 kHz), arriving on time unless `at` says otherwise."""
    arrived = n * 0.02 if at is None else at
    return HeardFrame(user, n * 960, pcm, arrived, 1_700_000_000 + arrived)


def cutter(*, pieces: PieceRules = CHEAPER) -> UtteranceCutter:
    return UtteranceCutter(sample_rate=16_000, silence_gap=0.5, pieces=pieces, resample=resampled)


def test_a_turn_ends_when_the_packets_stop_for_the_gap() -> None:
    cut = cutter()
    events = [e for n in range(50) for e in cut.add(frame(7, n))]
    assert events == [TurnStarted(7)]
    assert cut.quiet(0.98 + 0.4) == []  # not yet
    [said] = cut.quiet(0.98 + 0.5)
    assert said.user_id == 7 and said.seconds == pytest.approx(1.0) and said.ends_turn
    assert said.sample_rate == 16_000 and len(said.pcm) == 32_000
    assert (said.ended_at - said.started_at).total_seconds() == pytest.approx(1.0)
    assert cut.buffered == {}


def test_members_are_cut_apart_and_lost_packets_become_silence() -> None:
    cut = cutter()
    for n in range(10):
        cut.add(frame(1, n))
        if n != 4:  # one of Bob's packets lost
            cut.add(frame(2, n))
    ann, bob = sorted(cut.end_all(), key=lambda u: u.user_id)
    assert ann.seconds == pytest.approx(0.2) and bob.seconds == pytest.approx(0.2)


def test_a_pause_longer_than_the_gap_starts_a_new_utterance() -> None:
    cut = cutter()
    for n in range(10):
        cut.add(frame(1, n))
    events = cut.add(frame(1, 60, at=0.18 + 0.1))  # the RTP clock says a second went by
    assert [type(e) for e in events] == [PieceAudio, TurnStarted]


def test_a_gap_in_arrival_is_a_pause_only_where_the_packets_were_not_read_from_a_backlog() -> None:
    """A second between two packets' reading, the RTP clock going on: a pause if the second came
    in late, none if the reader was behind and it had waited in the socket (`queued`)."""
    heard = {}
    for queued in (False, True):
        cut = cutter()
        events = [e for n in range(10) for e in cut.add(frame(1, n))]
        late = replace(frame(1, 10, at=0.18 + 1.0), queued=queued)
        events += [*cut.add(late), *cut.end_all()]
        heard[queued] = [round(e.seconds, 2) for e in events if isinstance(e, PieceAudio)]
    # Not read from a backlog: two turns, the second a frame alone, nothing to hear (not sent).
    assert heard == {False: [0.2, 0.0], True: [0.22]}


def test_a_long_turn_comes_in_pieces_of_the_longest_length() -> None:
    cut = cutter(pieces=PieceRules(shortest=0.5, longest=1.0))
    pieces = [e for n in range(130) for e in cut.add(frame(1, n)) if isinstance(e, PieceAudio)]
    [last] = cut.end_all()
    assert [p.seconds for p in pieces] == [pytest.approx(0.98), pytest.approx(0.98)]
    assert [p.ends_turn for p in [*pieces, last]] == [False, False, True]
    assert [p.piece for p in [*pieces, last]] == [0, 1, 2]
    assert pieces[1].started_at == pieces[0].ended_at
    assert {p.turn for p in [*pieces, last]} == {pieces[0].started_at}
    assert sum(p.seconds for p in [*pieces, last]) == pytest.approx(2.6)  # nothing twice
    assert max(cut.buffered.values(), default=0) < 960 * 2 * 50


def test_a_turn_is_cut_at_a_short_pause_once_the_piece_is_long_enough() -> None:
    """The same pause 1 s in (frames 50 to 65) cuts nothing: the piece is still too short."""
    cut = cutter()
    early = [frame(1, n, pcm=HUSH if 50 <= n < 65 else SPEECH) for n in range(120)]  # 2.4 s
    hush = [frame(1, n, pcm=HUSH) for n in range(120, 135)]  # 0.3 s: a pause inside a sentence
    more = [frame(1, n) for n in range(135, 160)]
    events = [e for f in [*early, *hush, *more] for e in cut.add(f)]
    [first] = [e for e in events if isinstance(e, PieceAudio)]
    assert first.seconds == pytest.approx(2.6) and not first.ends_turn  # 0.2 s of the dip in it
    [rest] = cut.end_all()
    assert rest.piece == 1 and rest.ends_turn and rest.seconds == pytest.approx(0.6)


def test_packets_stopping_briefly_cut_the_piece_at_once_and_the_turn_goes_on() -> None:
    cut = cutter()
    for n in range(110):
        cut.add(frame(1, n))
    assert cut.quiet(2.18 + 0.1) == []  # not yet a pause
    [piece] = cut.quiet(2.18 + 0.25)
    assert piece.seconds == pytest.approx(2.2) and not piece.ends_turn
    assert cut.add(frame(1, 130, at=2.6)) == []  # back within the gap: the same turn
    [end] = cut.end_all()
    assert end.piece == 1 and end.turn == piece.turn
    assert end.seconds == 0.0  # the pause (0.4 s), then a frame alone: nothing to hear


def test_sooner_a_short_piece_is_cut_where_the_packets_stop_the_next_beginning_with_sound() -> None:
    """A sentence's last 0.4 s, then the member stops (their client sends five frames of
    silence, then nothing): the piece is handed over 0.2 s later, at a pause; their next
    sentence, 0.4 s after, is a piece that begins with their voice, not with the pause."""
    cut = cutter(pieces=SOONER)
    for n in range(25):
        cut.add(frame(1, n, pcm=SPEECH if n < 20 else QUIET))
    assert cut.quiet(0.48 + 0.1) == []
    [piece] = cut.quiet(0.48 + 0.21)
    assert piece.seconds == pytest.approx(0.5) and piece.at_pause and not piece.ends_turn
    for n in range(45, 90):  # 0.4 s later, the next sentence: the same turn
        cut.add(frame(1, n))
    [end] = cut.end_all()
    assert end.piece == 1 and end.turn == piece.turn
    assert end.seconds == pytest.approx(0.9)
    assert (end.started_at - piece.started_at).total_seconds() == pytest.approx(0.9)


def test_a_client_that_sends_its_silence_frames_ends_the_piece_at_a_pause_however_loud() -> None:
    """The member's last word is loud to its end, then their client sends its five frames of
    Opus silence (no sound in them) and stops: that is a pause, and the short piece is cut
    0.2 s after its last sound; packets that just stop, loud, cut nothing that short."""
    said, lost = cutter(pieces=SOONER), cutter(pieces=SOONER)
    for n in range(20):
        said.add(frame(1, n))
        lost.add(frame(1, n))
    for n in range(20, 25):
        assert said.add(frame(1, n, pcm=b"")) == []
    [piece] = said.quiet(0.38 + 0.21)
    assert piece.seconds == pytest.approx(0.4) and piece.at_pause
    assert lost.quiet(0.38 + 0.21) == []


def test_a_forgotten_turn_is_never_handed_over() -> None:
    cut = cutter()
    for n in range(10):
        cut.add(frame(1, n))
    assert cut.forget(1) and not cut.forget(1)
    assert cut.end_all() == [] and cut.quiet(100.0) == []


def test_while_the_call_falls_behind_its_next_pieces_are_cut_the_cheaper_way() -> None:
    """The rules are asked again after each cut: a call whose slots at MiMo are all taken
    gets pieces of up to 4 s, and under a second again once it caught up."""
    behind = False

    def rules() -> PieceRules:
        return CHEAPER if behind else SOONER

    cut = UtteranceCutter(sample_rate=16_000, silence_gap=0.5, resample=resampled, rules=rules)
    said = [e for n in range(500) for e in cut.add(frame(1, n)) if isinstance(e, PieceAudio)]
    assert said and all(u.seconds < 1.0 for u in said)  # 10 s without a pause, sooner
    behind = True
    more = [e for n in range(500, 800) for e in cut.add(frame(1, n)) if isinstance(e, PieceAudio)]
    assert [round(u.seconds, 2) for u in more[1:]] == [3.98] * (len(more) - 1)
    behind = False
    again = [e for n in range(800, 1100) for e in cut.add(frame(1, n)) if isinstance(e, PieceAudio)]
    assert again and all(u.seconds < 1.0 for u in again[1:])
