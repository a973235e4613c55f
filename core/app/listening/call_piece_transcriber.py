"""One piece of a member's turn in a listened call, transcribed: decided beside the call and
holding no state of its own (the call, `core.app.listening.listened_call.ListenedCall`, holds it;
`core.app.listening.live_transcription` finds it by server):

    admits  whether a member's voice is taken (`ListenedCall.admits`): while the call takes voices,
            with their yes, for what they said after their last no; asked again at each step
            below, a no said meanwhile holds at once, a yes after it only from then on
    piece   one piece of a member's turn: transcribed by MiMo once, in the call's language,
            live work in the account's minute (the server's queue among the calls), its seconds
            counted against it (`core.app.listening.piece_stretching`), through the process's
            request gate ahead of other work (set aside while it waits for the minute), its seconds
            reserved first from the server's listening quota, the starter's day and the bot's
            budget; its words handed to the call as they come (an interpreter starts on them), then
            its caption's translation where one is asked (`core.app.listening.caption_translation`);
            the turn kept as one line once every piece of it is answered. A quota used up ends the
            call: its first refusal is raised, for the adapter to say
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.app.listening.caption_translation import caption_translation
from core.app.listening.listened_call import ListenedCall
from core.app.listening.piece_stretching import Stretching
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import RequestGate
from core.app.use_case_metrics import counted
from core.domain import errors
from core.domain.listening.live_speech_rules import Caption, Piece
from core.domain.mimo.account_minute_rules import (
    NotWanted,
    Urgency,
    asking,
    setting_aside,
    still_wanted,
)
from core.domain.rules.quotas_rules import Counts, billed_seconds
from core.ports import AudioConverter, ChatApi, Metrics, SpeechApi

__all__ = ["PieceTranscriber"]


@dataclass(eq=False)
class PieceTranscriber:
    """What a listened call hears (module docstring): the ports it is heard through, no more."""

    speech: SpeechApi
    chat_api: ChatApi
    audio: AudioConverter
    limiter: Limiter
    keeper: TranscriptKeeper
    gate: RequestGate  # the process's speech requests in flight, shared with the recordings'
    metrics: Metrics
    stretching: Stretching | None  # the calls' speech against the account's minute

    async def piece(self, call: ListenedCall, piece: Piece) -> Caption | None:
        """`Listening.transcribe_piece` for `call`, the call it was handed to: live work, the
        server's, in the account's minute (its caption's translation and its interpreting
        too)."""
        with asking(Urgency.LIVE, call.server):
            return await self._piece(call, piece)

    async def _piece(self, call: ListenedCall, piece: Piece) -> Caption | None:
        server, member_id, started_at = call.server, piece.member_id, piece.started_at
        words: str | None = None
        translated: str | None = None
        call.not_idle()
        interpreter = call.interpreter
        if piece.index == 0 and piece.pcm and interpreter is not None:
            interpreter.turn_began()  # the call moves on (a sliver of noise does not)
        if interpreter is not None and call.admits(member_id, started_at):
            interpreter.hold_sound(piece)  # its sound, where parts are translated from it
            if piece.last or piece.at_pause:
                # Where a part of the turn may end: its place, in the order parts ended.
                interpreter.expect((member_id, piece.began, piece.index))
        try:
            if piece.pcm and call.admits(member_id, started_at):
                words = await self._words_of(call, piece)
            if words and call.admits(member_id, started_at):
                # Its words before its caption's translation: an interpreter may start on them.
                call.transcribed(piece, words)
                translated = await caption_translation(
                    server, call, words, limiter=self.limiter, chat_api=self.chat_api,
                    piece=(member_id, piece.began, piece.index),
                )  # fmt: skip
            elif interpreter is not None and call.admits(member_id, started_at):
                # No words (silence, or none heard): where it ends a part translated from its
                # sound, it shows the part's translation all the same.
                call.transcribed(piece, words)
                translated = await interpreter.translated("", (member_id, piece.began, piece.index))
        except errors.QuotaUsed as exc:  # the call ends (`ListenedCall.quota_used`), said once
            if not call.quota_used(exc):
                return None
            raise
        finally:
            # A piece that failed still counts as answered: the turn is kept without it.
            await call.answered(self.keeper, piece, words, translated=translated)
        if not (words or translated) or not call.admits(member_id, started_at):
            return None
        return Caption(words or "", translated, call.take_refused())

    @counted("transcribe")  # the pieces sent to MiMo, not the empty ends of turns
    async def _words_of(self, call: ListenedCall, piece: Piece) -> str | None:
        """One piece through MiMo's speech recognition, its seconds reserved first; its words,
        or None when the member withdrew meanwhile."""
        server, member_id, started_at = call.server, piece.member_id, piece.started_at
        seconds = piece.seconds
        try:
            async with self.limiter.spending(server, call.payer, calls=True) as spend:
                await spend.reserve(Counts(audio_seconds=max(1, math.ceil(seconds))))
                if self.stretching is not None:
                    self.stretching.sent(seconds, turn=piece.turn_seconds)
                await self.gate.acquire(server, first=True)  # captions before other work
                try:
                    if not call.admits(member_id, started_at):  # withdrawn in the queue: given back
                        raise _SaidNo()
                    # While it waits for the minute, its slot is lent, and a no meanwhile keeps
                    # it from MiMo: it is looked at again as its use is given.
                    with (
                        setting_aside(self.gate.aside),
                        still_wanted(lambda: call.admits(member_id, started_at)),
                    ):
                        heard = await self.speech.transcribe(
                            self.audio.pcm_wav(piece.pcm, piece.sample_rate),
                            mime="audio/wav",
                            language=call.language,
                        )
                finally:
                    self.gate.release(server)
                billed = billed_seconds(heard.usage, seconds)  # 0.3 s is a whole second
                spend.used(audio_seconds=billed, usage=heard.usage)
        except (_SaidNo, NotWanted):
            return None
        self.metrics.transcribed(seconds)
        return heard.text.strip() or None


class _SaidNo(Exception):
    """The member said no while the piece waited for the minute: it is given back, never sent."""
