"""A listened call from start to end, owned here: the platform's adapter parses the command or
the voice event, hands it over, and renders what comes back; its side of the call
(`core.ports.ListenedVoice`) only receives the voices and renders in the call's chat.

    start    `/listen`: refused where the bot is in voice already and cannot share it; the
             listening begun (`core.app.listening.live_transcription`: consents read, who is
             transcribed) with the people in the voice channel (`VoiceChannels.listeners`, bots left
             out); the call joined through `core.app.voice_calls.seats` (undeafened, or come along
             into the reading there); the platform's side started; the opening line posted. Joining
             that fails, or a /forget while it joined, ends the call through the one end path
    stop     `/stop_listening`: by its starter, a moderator of the voice channel, or anyone
             once its starter left it (`core.app.voice_calls.seats.may_stop`)
    voice    someone joined, left or moved: the bot moved or put out of the call ends it;
             nobody left, or nobody it transcribes, ends it (`Listening.changed`); a member
             who joins is told whether they are transcribed (`Listening.arrived`)
    closed   the voice connection closed under the call (the platform's side says so)
    end      the ONE end path every way a call ends goes through, once: a command, everyone
             gone, the bot moved or disconnected, the quota or the idle time (`core.app.
             listening.listened_call`), the connection closing, a failed join, /forget. The
             receiving stops and every caption made is posted, the transcript is marked whole, the
             call is let go (left, unless the reading has a seat in it), and the goodbye is said
             with the call's transcript (without it for /forget); nothing is kept to take up
    restart  the call outlives its process (`core.app.listening.kept_calls` keeps it while it
             runs): `adjourn` (the bot stops for a deploy) lets go of it here without an end,
             its lines kept, its transcript open; a crash leaves it as it was. `resume`, once the
             platform shows this process the server (Discord: the guild available to its
             shard), takes it up through `start` (`core.app.voice_calls.restart_recovery.take_up`,
             the channel reader's way too): consents read again from the database, the bot back in
             the voice channel, the chat told once how long it was away, the captions going on under
             the same transcript with the gap marked. A call whose channel emptied meanwhile, or
             away longer than `resume_within`, or that the allowlist no longer lets its starter
             start there (`VoiceChannels.served`, the check /listen passed, read as of this start),
             is ended as /stop_listening ends it, its transcript posted (with why, where a rule
             refused it). `end_on_stop` (CALLS_END_ON_STOP): the operator's stop for good ends every
             call instead

Each call is one object (`core.app.listening.listened_call.ListenedCall`), in the one map of calls
by server (`Listening.call_in`): who started it and its options (`asked`), the name its transcript
is kept under (`roll.call`), the message its captions go on in, the platform's side built from it
and its seat in the call, and its state. Its end and its adjournment for a restart are one teardown
(`_tear_down`), told whether to keep it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from core.app.interpreter.interpretation_queue import News, Tell
from core.app.listening.kept_calls import ALIVE_SECONDS, KeptCalls
from core.app.listening.listened_call import CallState, ListenAsked, ListenedCall
from core.app.listening.live_transcription import Listening
from core.app.voice_calls.restart_recovery import RESUME_WITHIN, take_up
from core.app.voice_calls.seats import CallSeat, Occupant, VoiceCalls
from core.domain import errors
from core.domain.channel_reader.reading_audience_rules import Channel
from core.domain.listening.kept_call_values import KeptCall
from core.domain.shared_values import ChatRef
from core.ports import ListenedVoice, VoiceChannels, background_tasks
from core.ports.background_tasks import Beat

__all__ = ["ListenedCalls", "Sides"]

logger = logging.getLogger(__name__)


def _asked(kept: KeptCall) -> ListenAsked:
    """What the call kept through a restart asked for as it started."""
    return ListenAsked(
        kept.server, kept.voice_id, kept.starter, kept.locale, translate=kept.translate,
        interpret=kept.interpret, cheaper=kept.cheaper,
    )  # fmt: skip


class Sides(Protocol):
    """The platform's side of a call, built for it once joined; and the end of a call kept
    through a restart that is not taken up, said in its chat without joining."""

    def __call__(
        self, call: ListenedCall, seat: CallSeat, owner: ListenedCalls
    ) -> ListenedVoice: ...

    async def ended_away(
        self, asked: ListenAsked, recording: str, away: timedelta,
        refused: errors.VoicebridgeError | None = None,
    ) -> None:  # fmt: skip
        """The goodbye of a call the bot was away from for `away`, with its transcript; with
        why it did not come back where a rule `refused` it (the day's quota used up)."""
        ...


class ListenedCalls:
    """Listened calls from start to end (see the module docstring)."""

    def __init__(
        self, *, listening: Listening, kept: KeptCalls, channels: VoiceChannels,
        calls: VoiceCalls, sides: Sides, resume_within: timedelta = RESUME_WITHIN,
        end_on_stop: bool = False,
    ) -> None:  # fmt: skip
        self.listening = listening
        self._channels, self._voice_calls, self._sides = channels, calls, sides
        self._kept = kept
        self.resume_within, self.end_on_stop = resume_within, end_on_stop

    def call_in(self, server: ChatRef) -> ListenedCall | None:
        """The call in `server` this runs, from its start until its end is done."""
        call = self.listening.call_in(server)
        return None if call is None or call.asked is None else call

    def present(self, server: ChatRef, voice_id: str) -> list[str]:
        """Who sits in the voice channel, bots left out, by id."""
        listeners = self._channels.listeners(server, voice_id, about=voice_id)
        return [listener.id for listener in listeners if not listener.bot]

    async def start(
        self, asked: ListenAsked, *, taken_up: KeptCall | None = None,
        away: timedelta | None = None,
    ) -> ListenedCall:  # fmt: skip
        """Start listening as `asked` (module docstring); raises what refuses it
        (`Listening.begin_call`'s refusals, `errors.CouldNotJoin`), and `errors.NotListening`
        where a /forget ended the call while it joined. `taken_up`: the call kept through a
        restart, gone `away`, going on."""
        server, voice_id = asked.server, asked.voice_id
        self._voice_calls.refuse_listening(server, voice_id)  # in voice already, and may not share
        call = await self.listening.begin_call(
            server, self.present(server, voice_id), channel=voice_id, starter=asked.starter,
            translate_to=asked.locale if asked.translate else None,
            interpret=self._interpreting_news(server) if asked.interpret else None,
            on_forget=lambda: self._end_in(server, "forgotten", with_transcript=False),
            on_end=lambda why: self._end_in(server, why),
            kept_as=None if taken_up is None else (taken_up.recording, taken_up.started_at),
            asked=asked,
        )  # fmt: skip
        roll = call.roll
        assert roll is not None
        if taken_up is not None and taken_up.captions_message is not None:
            call.captions_moved(taken_up.captions_message)
        try:
            seat = await self._voice_calls.join(server, voice_id, Occupant.LISTENING)
            call.take_seat(seat)
            side = self._sides(call, seat, self)
            call.give_side(side)
            await side.start()
        except BaseException:
            await self._end(call, "could not join", with_transcript=False)
            raise
        self.listening.joined(server, seat)
        if call.state is not CallState.LIVE:  # /forget while it joined: ended, all of it
            call.end_noted("forgotten while it joined")
            await self._tear_down(call, keep=False, with_transcript=False)
            raise errors.NotListening()
        await self._kept.keep(call.kept(self._kept.clock.now()))  # a restart takes it up
        call.keep_alive(self._say_alive(call))
        await side.opened(roll.transcribed, roll.not_transcribed, away)
        return call

    async def resume(self, server: ChatRef) -> bool:
        """Take up the call kept in `server` through a restart, or end it (module docstring);
        False when there was none, or it ended."""
        kept = await self._kept.find(server)
        if self.listening.call_in(server) is not None:
            return False
        return await take_up(
            kept, now=self._kept.clock.now(), ready=self._ready, start=self._take_up,
            ended=self._ended_away,
        )  # fmt: skip

    async def _ready(self, kept: KeptCall, away: timedelta) -> Exception | None:
        """Why the call kept may not be taken up (`take_up`); else the time away is marked in
        its transcript, before the lines after it."""
        server = kept.server
        if not self._channels.served(server, kept.voice_id, kept.starter):
            logger.info("the call kept in %s ends: no longer on the allowlist", server)
            return errors.NoLongerServed()
        if not self.present(server, kept.voice_id) or away > self.resume_within:
            logger.info("the call kept in %s ends: away %s", server, away)
            return errors.NotListening(f"away {away}, or nobody left in its voice channel")
        await self._kept.away(kept, ended=False)  # the gap, before the lines after it
        logger.info("taking up the call in %s, away %s", server, away)
        return None

    async def _take_up(self, kept: KeptCall, away: timedelta) -> None:
        await self.start(_asked(kept), taken_up=kept, away=away)

    async def _ended_away(
        self, kept: KeptCall, away: timedelta, why: Exception, started: bool
    ) -> None:
        """A kept call not taken up: ended as /stop_listening ends it, without joining (or
        after its start failed, `started`); with the rule that refused it, where one did (the
        allowlist; the day's quota as it started)."""
        asked, server = _asked(kept), kept.server
        refused: errors.VoicebridgeError | None
        if not started:
            refused = why if isinstance(why, errors.NoLongerServed) else None
            away = await self._kept.away(kept, ended=True)
            await self._kept.gone(server)
            await self._sides.ended_away(asked, kept.recording, away, refused)
            return
        refused = why if isinstance(why, errors.VoicebridgeError) else None
        logger.warning(
            "could not take up the call in %s: %s", server, why, exc_info=refused is None
        )
        await self._kept.gone(server)  # refused (the quota) or ended on its way (`_end`)
        await self._kept.complete(kept)
        await self._sides.ended_away(asked, kept.recording, away, refused)

    def _say_alive(self, call: ListenedCall) -> Beat:
        """The call kept alive for a restart to take up, every `ALIVE_SECONDS`; a no that
        holds in the call alone is stored meanwhile, and where it still cannot be, the call is
        not kept: a crash, which skips `adjourn`, must not leave it to be taken up hearing that
        member again."""
        server, kept = call.server, True

        async def beat() -> None:
            nonlocal kept
            if not await self.listening.consents.store_unsaved(call):
                if kept:
                    await self._kept.gone(server)
                kept = False
            elif kept:
                await self._kept.alive(server, call.captions_message)
            else:  # the no stored at last: kept again, as of now
                await self._kept.keep(call.kept(self._kept.clock.now()))
                kept = True

        # Stopped at once, a round under way too, as the call's end or adjournment begins.
        return background_tasks.every(
            ALIVE_SECONDS, beat, name="listening alive", interruptible=True
        )

    async def stop(self, server: ChatRef, member_id: str) -> Channel:
        """`/stop_listening` by `member_id`: the call ended, if they may; the voice channel.
        Raises `errors.NotListening` where no call is listened to, `errors.NotYourListening`
        where they may not stop it (`Listening.stoppable_by`)."""
        call = self.call_in(server)
        if call is None or call.asked is None:
            raise errors.NotListening()
        voice_id = call.asked.voice_id
        self.listening.stoppable_by(
            server, member_id, present=self.present(server, voice_id),
            moderator=self._channels.moves_members(server, voice_id, member_id),
        )  # fmt: skip
        await self._end(call, "stopped by a command")
        voice = self._channels.channel(server, voice_id)
        return voice or Channel(voice_id, voice_id, f"<#{voice_id}>")

    async def voice_changed(
        self, server: ChatRef, member_id: str, *, before: str | None, after: str | None,
        bot: bool, me: bool,
    ) -> None:  # fmt: skip
        """Someone (`me`: the bot itself) moved from the voice channel `before` to `after`
        (None: none)."""
        call = self.call_in(server)
        if call is None or call.asked is None or call.state.going:
            return
        voice_id = call.asked.voice_id
        if me and after != voice_id:
            await self.listening.taken_out(server)  # moved or disconnected: it ends
            return
        left = before == voice_id != after
        await self.listening.changed(server, self.present(server, voice_id), left=left)
        if after == voice_id != before and not bot and self.listening.listening(server):
            transcribed = self.listening.arrived(server, member_id)
            if transcribed is not None and call.side is not None:
                call.side.arrived(member_id, transcribed)

    def connection_closed(self, call: ListenedCall) -> None:
        """The voice connection closed under `call` (the platform's side): it ends."""
        if call.state.taking_voices:
            call.end_by_itself("the voice connection closed")

    async def close(self) -> None:
        """The bot is stopping: every call is let go, kept for the next start to take up
        (`adjourn`); with `end_on_stop`, it ends, with its goodbye."""
        for call in self.listening.calls():
            if self.end_on_stop:
                await self._end(call, "the bot is stopping for good")
            else:
                await self.adjourn(call.server)

    async def adjourn(self, server: ChatRef) -> None:
        """Let go of the call for a restart: the receiving stopped and every caption made
        posted, the lines kept, the call left, its state kept; no goodbye. A no that holds in
        the call only (not stored) is stored first; where it still cannot be, the call is not
        kept: taken up, it would hear that member again."""
        call = self.call_in(server)
        if call is None or not call.goes(CallState.ADJOURNING):
            return
        await self._tear_down(call, keep=True)

    def _interpreting_news(self, server: ChatRef) -> Tell:
        async def tell(news: News) -> None:
            call = self.call_in(server)
            if call is not None and call.side is not None:
                await call.side.tell(news)

        return tell

    async def _end_in(self, server: ChatRef, why: str, *, with_transcript: bool = True) -> None:
        """The call in `server` ends (`_end`); begun, not run here yet: its listening ends."""
        call = self.listening.call_in(server)
        if call is None or call.asked is None:
            await self.listening.end(server)  # begun, not run here yet: ended all the same
            return
        await self._end(call, why, with_transcript=with_transcript)

    async def _end(self, call: ListenedCall, why: str, *, with_transcript: bool = True) -> None:
        """The one end path (module docstring), taken once: every way that asks is noted."""
        if not call.goes(CallState.ENDING, why):
            return
        await self._tear_down(call, keep=False, with_transcript=with_transcript)

    async def _tear_down(
        self, call: ListenedCall, *, keep: bool, with_transcript: bool = True
    ) -> None:
        """The call's end (`keep` False: nothing to take up after a restart, its transcript
        marked whole, the goodbye said, with the transcript unless `with_transcript` is False),
        or its adjournment for a restart (`keep`: its lines kept, its transcript open, its state
        kept where every no in it is stored; no goodbye). The receiving stops and every caption
        made is posted first, the call is let go (left, unless the reading has a seat in it)
        after."""
        server = call.server
        try:
            if call.alive is not None:
                call.alive.stop()
            if not keep:
                await self._kept.gone(server)  # nothing to take up after a restart
            if call.side is not None:
                await call.side.stop()
            await self.listening.end_call(call, whole=not keep)  # once every line is kept
            if keep and await self.listening.consents.store_unsaved(call):
                await self._kept.alive(server, call.captions_message)
            elif keep:  # taken up, the call would hear a member whose no holds in it alone
                await self._kept.gone(server)
            if call.seat is not None:
                await call.seat.leave()  # left, unless the reading has a seat in it
            if not keep and call.side is not None:
                await call.side.goodbye(call.recording if with_transcript else None)
        finally:
            self.listening.let_go(call)  # unless a call started since, as it ended
