"""Listening: a voice channel's live transcript, of the members who said yes and nobody else.
The call is run from start to end by `core.app.listening.call_lifecycle` (joined, ended through one
path); the platform's side cuts what each member says into pieces and posts the lines; what is
decided about whose voice is taken, and what it costs, is decided here.

    consents `/listen_me`: a member's yes (or no) to being transcribed in a server, decided
             and stored in `core.app.listening.listening_consents`; the call being listened to
             follows it (`follow`), a no at once
    begin    `/listen`: the call registered first, then the server's consents read once, so a
             no said at any moment of the start is applied; the members in the call split into
             those transcribed and those not (the line the adapter posts as it starts); and,
             when asked, the language each caption is also shown in (`translate_to`). The
             member who starts it (`starter`) pays for it: refused once their day is used up.
             Once `joined`, the call ends by itself (`core.app.listening.listened_call`), through
             the adapter's `on_end`: nothing heard for `idle_seconds`, the quota used up
    stop     `/stop_listening`: allowed to its starter, to a moderator of the voice channel, or
             to anyone once its starter has left it (`core.app.voice_calls.seats.may_stop`: the
             reading's rule too)
    changed  someone left or moved: the call ends once nobody is left in it, or once the last
             member it transcribes left; `taken_out`: the bot is out of the call, it ends
    arrived  a member joining the call: whether they are transcribed, for the notice the
             adapter posts; None where they were told (or named in the opening line) within
             `notice_again` (`call_consents.NOTICE_AGAIN`): coming back soon is not told twice
    admits   whether a member's voice is taken at all (`ListenedCall.admits`: the platform's
             side asks the call it was built for, for every packet off the voice socket, so a set
             lookup); a member without a yes is dropped before anything else
    transcribe_piece  one piece of one member's turn (a `Piece`: the adapter cuts a turn into
             pieces while it lasts, so that its words are shown within seconds, and hands each
             over for the call it was built for, `hand_over`), while they consent:
             transcribed by MiMo once, in the language `begin` read (or the server set since),
             live work in the account's minute (first in its queue), through the process's
             request gate (ASR_MAX_IN_FLIGHT, captions first when it is full); its pieces cut
             longer while the calls' speech would take more of the minute than it holds
             (`core.app.listening.piece_stretching`); its seconds reserved first from the server's
             daily listening quota (DAILY_LISTEN_SECONDS, in /usage; its voice notes keep
             their own), the starter's own day (DAILY_PERSON_AUDIO_SECONDS, all chats
             together) and the bot's budget; None when nothing was said. Once every piece of
             a turn is answered (in any order), the turn is kept as ONE line of the call's
             transcript, its pieces in the order said, seams mended
             (`core.domain.listening.live_speech_rules`), with who said it and when it began. The
             first refusal is raised, for the adapter to say, as the call ends by itself; the next
             return None. Translated captions: `core.app.listening.caption_translation` (the kept
             transcript holds what was said). Interpreted: each turn then spoken in the other of
             Chinese and English (`core.app.interpreter.interpreting`)
    end      the adapter's end of the call, whatever ended it: its transcript marked whole
    forget   `/forget` in the server: its listening ended first (`begin`'s `on_forget`), and
             once every line in flight is kept or dropped, the deletion goes on: nothing kept

The call's transcript is kept as recordings' transcripts are
(`core.app.recordings.kept_transcripts`: retention, `/forget`), in the server, as the recording
`call:<voice channel>:<start>`, each line with its speaker and its time from the start;
`core.app.listening.past_calls` reads it after the call.

One listening per server (a bot has one voice connection in a server), held by this process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from core.app.interpreter.interpretation_queue import Tell
from core.app.interpreter.interpreting import Interpreting
from core.app.listening.call_consents import NOTICE_AGAIN
from core.app.listening.call_piece_transcriber import PieceTranscriber
from core.app.listening.listened_call import (
    End,
    EndBecause,
    ListenAsked,
    ListenedCall,
    Roll,
    call_prefix,
)
from core.app.listening.listening_consents import ListeningConsents
from core.app.listening.piece_stretching import Stretching
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import RequestGate
from core.app.voice_calls.seats import may_stop
from core.chat.answer_languages import english_name
from core.domain import errors
from core.domain.listening.live_speech_rules import Caption, Piece
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef, Preferences
from core.ports import (
    NO_METRICS,
    AudioConverter,
    ChatApi,
    Clock,
    Metrics,
    ReadingUnitOfWork,
    SpeechApi,
    VoiceCallSeat,
    background_tasks,
)

logger = logging.getLogger(__name__)

IDLE_SECONDS = 600.0  # DISCORD_LISTEN_IDLE_SECONDS: nothing heard for so long ends the call

__all__ = ["Listening"]


class Listening:
    """Listening's use cases (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], ReadingUnitOfWork],
        speech: SpeechApi,
        chat_api: ChatApi,
        audio: AudioConverter,
        preferences: ChatPreferences,
        limiter: Limiter,
        keeper: TranscriptKeeper,
        clock: Clock,
        gate: RequestGate,
        metrics: Metrics = NO_METRICS,
        idle_seconds: float = IDLE_SECONDS,
        interpreting: Interpreting | None = None,
        stretching: Stretching | None = None,
    ) -> None:
        self._uow = uow
        self.interpreting = interpreting  # without it, nothing is interpreted
        # Listening consent, which the call in the server follows, and holds where unsaved.
        self.consents = ListeningConsents(uow, call_in=self.call_in, keeper=keeper)
        self.idle_seconds = idle_seconds
        # The process's speech requests in flight (`gate`, `core.app.recordings.transcription`
        # holds it): a call's pieces go through it like every other request, ahead of them.
        # What a call hears, decided beside it (`core.app.listening.call_piece_transcriber`): a
        # value of its ports. The calls' speech against the account's minute: how far their pieces
        # are lengthened (`core.app.listening.piece_stretching`; None: never).
        self.stretching = stretching
        self.pieces = PieceTranscriber(
            speech=speech, chat_api=chat_api, audio=audio, limiter=limiter, keeper=keeper,
            gate=gate, metrics=metrics, stretching=self.stretching,
        )  # fmt: skip
        self._preferences = preferences
        preferences.watch(self._preferences_changed)
        self._limiter = limiter
        self._keeper = keeper
        self._clock = clock
        # The calls by server, from `begin` until they are gone (`let_go`): the one map of them.
        self._listened: dict[ChatRef, ListenedCall] = {}
        self.notice_again = NOTICE_AGAIN

    def _stretch(self) -> int:
        """How far every call's pieces are lengthened now
        (`core.app.listening.piece_stretching`)."""
        return 0 if self.stretching is None else self.stretching.step()

    def _heard(self, server: ChatRef) -> ListenedCall | None:
        """The call listened to in `server`, while its voices are taken."""
        call = self._listened.get(server)
        return call if call is not None and call.state.taking_voices else None

    def call_in(self, server: ChatRef) -> ListenedCall | None:
        """The call in `server`, from its start until it is gone (its end done)."""
        return self._listened.get(server)

    def calls(self) -> list[ListenedCall]:
        """Every call until it is gone, by the time it started."""
        return list(self._listened.values())

    def let_go(self, call: ListenedCall) -> None:
        """`call`'s end is done: it is no longer the server's (unless another started since)."""
        if self._listened.get(call.server) is call:
            del self._listened[call.server]

    async def begin(
        self, server: ChatRef, present: Sequence[str], *, channel: str, starter: str,
        translate_to: str | None = None, interpret: Tell | None = None,
        on_forget: End | None = None, on_end: EndBecause | None = None,
        kept_as: tuple[str, datetime] | None = None,
    ) -> Roll:  # fmt: skip
        """Start listening in the server's voice channel `channel` for member `starter`, whose
        day pays for it: who of `present` is transcribed, who is not. `translate_to`: a locale
        each caption is also shown in; `interpret`: turns in Chinese or English spoken across
        in the call (`core.app.interpreter.interpreting`), its news said through it; `on_forget`:
        how the adapter ends the call, when `/forget` asks for it; `on_end`: how it ends it with its
        goodbye, when the call ends by itself; `kept_as`: a call taken up after a restart, its
        transcript's name and start (its lines go on under them)."""
        call = await self.begin_call(
            server, present, channel=channel, starter=starter, translate_to=translate_to,
            interpret=interpret, on_forget=on_forget, on_end=on_end, kept_as=kept_as,
        )  # fmt: skip
        assert call.roll is not None
        return call.roll

    async def begin_call(
        self, server: ChatRef, present: Sequence[str], *, channel: str, starter: str,
        translate_to: str | None = None, interpret: Tell | None = None,
        on_forget: End | None = None, on_end: EndBecause | None = None,
        kept_as: tuple[str, datetime] | None = None, asked: ListenAsked | None = None,
    ) -> ListenedCall:  # fmt: skip
        """`begin`, giving the call itself (`core.app.listening.call_lifecycle` runs it, as
        `asked`). Raises `errors.AlreadyListening` where the server's call is listened to already,
        and the limiter's refusals of a new call (`Limiter.check_listening`)."""
        if self._heard(server) is not None:
            raise errors.AlreadyListening()
        payer = asked_by(starter)
        await self._limiter.check_listening(server, payer)
        if self._heard(server) is not None:  # started meanwhile
            raise errors.AlreadyListening()
        now = self._clock.now()
        recording, started = kept_as or (
            f"{call_prefix(channel)}{round(now.timestamp() * 1000)}",
            now,
        )
        # Registered before the consents are read: a yes or no said from now on is followed.
        call = self._listened[server] = ListenedCall(
            server, set(), started, starter, payer, recording=recording,
            kept_before=kept_as is not None, asked=asked, on_forget=on_forget, on_end=on_end,
            translate_to=None if translate_to is None else english_name(translate_to),
            stretch=self._stretch,
        )  # fmt: skip
        consenting, mandate = await self.consents.consenting(server)
        language = (await self._preferences.get(server)).language
        interpreter = None
        if interpret is not None and self.interpreting is not None:
            # Its own consents asked again before each clip plays.
            interpreter = self.interpreting.for_call(server, payer, interpret, call.admits)
        # The opening line names those present.
        call.begin(consenting, mandate, language=language, present=present, now=now,
                   interpreter=interpreter)  # fmt: skip
        return call

    def listening(self, server: ChatRef) -> bool:
        return self._heard(server) is not None

    def arrived(self, server: ChatRef, member_id: str) -> bool | None:
        """A member joined the call: whether they are transcribed, to be told so; None when
        there is no call, or they were told within `notice_again`."""
        call = self._heard(server)
        if call is None:
            return None
        return call.consents.arrived(member_id, now=self._clock.now(), again=self.notice_again)

    def joined(self, server: ChatRef, seat: VoiceCallSeat | None = None) -> None:
        """The adapter joined the call (`seat`, where interpretations are played): from now on
        it ends once nothing is heard for `idle_seconds`."""
        call = self._heard(server)
        if call is not None:
            call.joined()
        if call is not None and call.watch is None:
            call.watch_idle(self.idle_seconds)
        if call is not None and call.interpreter is not None and seat is not None:
            call.interpreter.attach(seat)

    def stoppable_by(
        self, server: ChatRef, member_id: str, *, present: Sequence[str], moderator: bool
    ) -> None:
        """Refuse `/stop_listening` by `member_id` unless they may stop the call (the module
        docstring); `present`: who sits in the call, `moderator`: whether they may move members
        out of it. Raises `errors.NotListening` where no call is listened to,
        `errors.NotYourListening` where they may not stop it."""
        call = self._heard(server)
        if call is None:
            raise errors.NotListening()
        starter, there = call.starter, call.starter in present
        if not may_stop(member_id, starter=starter, starter_present=there, moderator=moderator):
            raise errors.NotYourListening()

    async def changed(self, server: ChatRef, present: Sequence[str], *, left: bool) -> None:
        """The people in the call are now `present` (`left`: someone left it): it ends once
        nobody is, or once the last member it transcribes left."""
        if not present:
            await self._end_by_itself(server, "nobody left in the call")
        elif left and not self.anyone_admitted(server, present):
            await self._end_by_itself(server, "nobody transcribed left in the call")

    async def taken_out(self, server: ChatRef) -> None:
        """The bot is out of the call (a moderator's disconnect, its connection gone): it
        ends."""
        await self._end_by_itself(server, "out of the call")

    async def _end_by_itself(self, server: ChatRef, why: str) -> None:
        call = self._heard(server)
        if call is not None and call.end_by_itself(why) and call.ending_by_itself is not None:
            await call.ending_by_itself

    def _preferences_changed(self, server: ChatRef, prefs: Preferences) -> None:
        """A call keeps the language `begin` read, until the server sets another."""
        if (call := self._heard(server)) is not None:
            call.language_set(prefs.language)

    def admits(self, server: ChatRef, member_id: str, said_at: datetime | None = None) -> bool:
        call = self._heard(server)
        return call is not None and call.admits(member_id, said_at)

    def anyone_admitted(self, server: ChatRef, present: Sequence[str]) -> bool:
        """Whether any of `present` is transcribed: with nobody, there is no call to listen to."""
        return any(self.admits(server, member) for member in present)

    async def end(self, server: ChatRef, *, whole: bool = True) -> bool:
        """Stop listening in the server, its transcript marked whole (`whole` False: the
        process stops for a deploy, every line heard so far kept, its transcript left open for
        the next start to go on with); False when it was not."""
        call = self._heard(server)
        return call is not None and await self.end_call(call, whole=whole)

    async def end_call(self, call: ListenedCall, *, whole: bool = True) -> bool:
        """`end` for `call` itself, whichever call the server has now."""
        if not call.state.taking_voices:
            return False
        run = call.closing()  # by its end path, which lets go of it once done
        try:
            await call.close(self._keeper, at=self._clock.now(), whole=whole)
        finally:
            if not run:
                self.let_go(call)
        return True

    async def forget(self, server: ChatRef) -> None:
        """`/forget` in `server`: its listening ended first, by the adapter (its goodbye),
        and nothing of the call kept once this returns."""
        call = self._heard(server)
        if call is None:
            return
        if call.on_forget is not None:
            try:
                await call.on_forget()
            except Exception:
                logger.exception("the call in %s did not end cleanly for /forget", server)
        await self.end_call(call)  # where the adapter did not (or was ending it already)
        await call.whole.wait()  # an end begun elsewhere is done before the deletion

    async def transcribe_piece(self, server: ChatRef, piece: Piece) -> Caption | None:
        """What the member said in `piece`, while they consent: heard by MiMo once, through
        the process's request gate, ahead of other work. Once every piece of the turn is
        answered, the turn is kept as one line of the call's transcript. None when they do not
        consent (any more), or MiMo heard nothing in this piece (an empty piece, the end of a
        turn cut at a pause, is not sent). A quota used up ends the call: its first refusal is
        raised (`errors.QuotaUsed`), for the adapter to say."""
        call = self._heard(server)
        return None if call is None else await self.pieces.piece(call, piece)

    async def hand_over(self, call: ListenedCall, piece: Piece) -> asyncio.Task[Caption | None]:
        """A piece of `call` cut by the adapter, transcribed (`transcribe_piece`) once fewer
        than `IN_FLIGHT` of the call's pieces are at MiMo: until then this waits, and so does
        the adapter's receiving. None (at once) once the call's voices are no longer taken."""
        await call.slots.acquire()
        task = background_tasks.start(
            self._transcribe(call, piece), name="caption piece", awaited=True
        )
        task.add_done_callback(lambda _: call.slots.release())
        return task

    async def _transcribe(self, call: ListenedCall, piece: Piece) -> Caption | None:
        return await self.pieces.piece(call, piece) if call.state.taking_voices else None
