"""An interpreter in a listened call (`/listen interpret:True`): each consenting member's turn
in Chinese or English spoken in the other language into the same call, part by part: a sentence
as it ends while the speaker goes on, the rest once the turn ends.
`core.app.listening.live_transcription` hears and captions the turns, and
`core.app.listening.listened_call` says where a part ends (a piece that ended at a pause on a
sentence's end, `core.domain.listening.piece_words.settles`, or the turn's last); this decides what
of them is spoken, in whose voice, when, and what it costs. The adapter only plays the clips it is
handed (`core.ports.VoiceCallSeat`) and says the news (`core.app.interpreter.interpretation_queue`:
`Dropped`, `Stopped`).

    expect   a piece that may end a part came (it ended at a pause, or the turn): its place in
             the queue, taken before anything is awaited, so interpretations speak in the order
             the parts ended; `skip`: a pause inside a sentence, its place given up
    part     every piece of the part heard: its words, and its pieces' translations as they are
             made for their captions (`translated`), a part of several pieces translated again
             whole at once, beside them (from its words; from its sound, below): spoken
             when the part is in Chinese or English
             (`core.domain.listening.interpreter_rules.across`), its speaker still consents and the
             call goes on; otherwise its place is given up
    speak    one at a time, in a queue (`core.app.interpreter.interpretation_queue`): one that would
             start too late is dropped, said with its words (`Dropped`); each in the speaker's
             own cloned voice where they allowed it for translations, else a preset voice of the
             target language (`core.app.interpreter.interpretation_clips`)
    minute   every request of it (translations, from words or sound, and speech) is live
             work in the account's minute, the server's (`core.domain.mimo.account_minute_rules`)
    costs    each caption's translation is counted with the listening (the server's listening
             row, the starter's day: `Limiter.spending(calls=True)`); each interpretation's
             speech in the server's speech quota and the starter's own (`asked_by(starter)`),
             and the bot's budget. Either used up, interpreting stops for the rest of the call,
             said once (`Stopped`); the captions go on
    refused  a model MiMo refuses (the chat model for the translations, the speech or clone
             model for the interpretations) stops interpreting the same way, said once with the
             setting to change, logged in one line: every turn would be refused alike

Two ways to translate a part (DISCORD_INTERPRET_FROM), everything else alike:
    text     (the default) its recognised words, by the chat model, as above: the part's last
             piece heard, then translated, then spoken, three requests one after another
    audio    its sound, by the audio understanding model (MIMO_AUDIO_MODEL), asked as soon as
             a piece that may end a part comes, beside its recognition
             (`core.app.interpreter.audio_interpretation`, the sound held in memory as it is
             heard, no more of a part than could be sent): whether a pause ends a sentence
             is known only once its words are, so the part's sound so far is sent at its
             first pause, again at a later one only once twice as long, and whole at its end
             (at most about three times its seconds in all); a pause inside a sentence
             calls its request off (`skip`), and a part whose start was not known yet is
             sent again once it is. No chat request unless the
             audio model fails (then the part's words are translated, as `text` does): the
             caption of the piece ending a part shows the translation spoken, whichever way
             it was made (the pieces before it show their words alone). Counted as `/ask` is:
             its audio's seconds, then MiMo's tokens, with the listening, its seconds in the
             listening's audio quota too (they bound it); a request called off once sent still
             counts. A part over `FROM_AUDIO_LONGEST`, or in neither Chinese nor English by its
             words, is not sent from its sound. Refused, it stops interpreting as above,
             naming MIMO_AUDIO_MODEL

A member's no (`withdrawn`) cuts their interpretation playing within a frame and calls off
theirs waiting in the queue: nothing of theirs is spoken after it.

The bot's own voice never reaches the transcription: Discord does not send a client its own
audio, and only consenting members are admitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from core.app.interpreter.audio_interpretation import TranslationsFromAudio
from core.app.interpreter.held_sound import PartKey
from core.app.interpreter.interpretation_clips import InterpretationClips
from core.app.interpreter.interpretation_queue import (
    Dropped,
    InterpretationQueue,
    News,
    Place,
    Stopped,
    Tell,
)
from core.app.recordings.translations import translate
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.domain import errors
from core.domain.listening.interpreter_rules import LATE_AFTER, across, foreign
from core.domain.listening.live_speech_rules import Piece
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.rules.quotas_rules import Asker
from core.domain.shared_values import ChatRef
from core.ports import (
    AudioConverter,
    ChatApi,
    ReadingUnitOfWork,
    SpeechApi,
    VoiceCallSeat,
    background_tasks,
)

logger = logging.getLogger(__name__)

__all__ = ["CallInterpreter", "Consents", "Interpreting"]

Consents = Callable[[str, datetime], bool]  # a member, when they began saying it


class Interpreting:
    """The ports every call's interpreter uses (built once, `core.bootstrap`)."""

    def __init__(
        self,
        *,
        uow: Callable[[], ReadingUnitOfWork],
        speech: TextToSpeech,
        studio: VoiceStudio,
        preferences: ChatPreferences,
        chat_api: ChatApi,
        limiter: Limiter,
        late_after: float = LATE_AFTER,
        timer: Callable[[], float] = time.monotonic,
        audio_understanding: tuple[SpeechApi, AudioConverter] | None = None,
    ) -> None:
        self.uow, self.speech, self.studio = uow, speech, studio
        self.preferences, self.chat_api, self.limiter = preferences, chat_api, limiter
        # DISCORD_INTERPRET_FROM=audio: the audio understanding model's API, and what makes a
        # WAV of a part's sound; None: parts translated from their words (the default).
        self.audio_understanding = audio_understanding
        self.late_after = late_after  # tests and the benchmark may change it
        self.timer = timer

    def for_call(
        self,
        server: ChatRef,
        payer: Asker,
        tell: Tell,
        consents: Consents = lambda member, said_at: True,
    ) -> CallInterpreter:
        """`consents`: whether a member is still transcribed for what they began saying at a
        time (`ListenedCall.admits`), asked again before each clip is made and as it is about
        to play: a no said while it was made or waited in the queue is never spoken, nor is
        anything said before it, however soon a yes follows."""
        return CallInterpreter(self, server=server, payer=payer, tell=tell, consents=consents)


class CallInterpreter:
    """One call's interpreting (see the module docstring): the parts taken in and handed to be
    made (`InterpretationClips`), each in its place in the queue (`InterpretationQueue`)."""

    def __init__(
        self,
        ports: Interpreting,
        *,
        server: ChatRef,
        payer: Asker,
        tell: Tell,
        consents: Consents = lambda member, said_at: True,
    ) -> None:
        self._ports, self._server, self._payer, self._tell = ports, server, payer, tell
        self._consents = consents
        self._queue = InterpretationQueue(
            ports, server=server, stopped=lambda: self.stopped,
            called_off=self._called_off_since, say=self._say,
        )  # fmt: skip
        self._clips = InterpretationClips(
            ports, server=server, payer=payer, queue=self._queue, translated=self.translated,
            stop=self._stop,
        )  # fmt: skip
        self._making: set[asyncio.Task[None]] = set()
        self.stopped = False
        # DISCORD_INTERPRET_FROM=audio: each part's translation asked for from its sound.
        self._from_audio: TranslationsFromAudio | None = None
        if ports.audio_understanding is not None:
            api, audio = ports.audio_understanding
            self._from_audio = TranslationsFromAudio(
                api=api, audio=audio, limiter=ports.limiter, server=server, payer=payer,
                called_off=self._called_off_since, stop=self._stop,
            )  # fmt: skip

    def attach(self, seat: VoiceCallSeat) -> None:
        """The call to speak into, once joined: from now on interpretations play there."""
        self._queue.attach(seat)

    def turn_began(self) -> None:
        """Someone began a turn: the call moves on (`InterpretationQueue.late`)."""
        self._queue.turn_began()

    def expect(self, key: PartKey) -> None:
        """A piece that may end a part came (it ended at a pause, or the turn): its place in
        the queue."""
        if self.stopped or not self._queue.expect(key):
            return
        if self._from_audio is not None:  # its translation asked for now, beside its words
            self._from_audio.expect(key)

    def hold_sound(self, piece: Piece) -> None:
        """A piece of a consenting member's turn, handed over for recognition: its sound held
        in memory until its part is handed over, where parts are translated from their sound
        (a piece with no sound is silence)."""
        if self._from_audio is not None and not self.stopped:
            self._from_audio.hold_sound(piece)

    def skip(self, key: PartKey) -> None:
        """The piece `key` ended at a pause inside a sentence: no part ends there, its place
        is given up (its words are spoken with the part that ends the sentence)."""
        self._queue.give_up(key)
        if self._from_audio is not None:
            self._from_audio.given_up(key)

    def withdrawn(self, member: str) -> None:
        """`member` said no: their interpretation playing is cut (its next 20 ms frame is the
        last), theirs waiting in the queue are called off."""
        self._queue.withdrawn(member)
        if self._from_audio is not None:
            self._from_audio.withdrawn(member)

    async def translated(self, words: str, piece: PartKey | None = None) -> str | None:
        """A piece's caption translation into the other of Chinese and English, counted with
        the listening; None: another language, interpreting stopped, or none to be had. Where
        parts are translated from their sound, the `piece` that ends a part shows the part's
        translation (the one spoken, whichever way it was made), the others "" (theirs comes
        with the part's end); a piece without words (`words` ""), its part's translation alone.
        Words in another language stop its part being sent from its sound."""
        ports = self._ports
        way = across(words)
        if self._from_audio is not None and piece is not None:
            if foreign(words):
                self._from_audio.foreign(piece)
            wait = self._queue.left_to_wait(piece)  # (None: its part ended otherwise)
            shown = (way is not None or not words.strip()) and not self.stopped
            return await self._from_audio.caption(piece, shown=shown, wait=wait)
        if way is None or self.stopped:
            return None
        try:
            with asking(Urgency.LIVE, self._server):
                async with ports.limiter.spending(self._server, self._payer, calls=True) as spend:
                    return await translate(words, api=spend.metered(ports.chat_api),
                                           target=way.target_name)  # fmt: skip
        except (errors.QuotaUsed, errors.MimoModelRefused) as exc:
            await self._stop(exc)
        except errors.MimoError as exc:
            logger.warning("no interpretation of a caption in %s: %s", self._server,
                           type(exc).__name__)  # fmt: skip
        return None

    def part(
        self, key: PartKey, *, speaker: str, words: str, translated: str | Awaitable[str | None],
        spoken: bool, pieces: int = 1, ends_turn: bool = False,
    ) -> None:  # fmt: skip
        """Every piece of the part `key` heard: `words`, and `translated`, its pieces' caption
        translations (as they come); `spoken`: its speaker still consents, the call goes on.
        From its words (the default), a part of several `pieces` is translated again, whole, at
        once, beside its last piece's caption translation: pieces of a second translated one by
        one lose what a sentence says across them (theirs are spoken only where that fails).
        From its sound, `translated` is not used: the audio model's answer is spoken, its words
        translated where that fails, and the caption ending the part shows the one spoken."""
        place = self._queue.handed(key)
        try:
            self._interpret_part(place, key, speaker, words, translated, spoken, pieces)
        finally:  # its sound is no longer needed, spoken or not
            if self._from_audio is not None:
                self._from_audio.handed(key, ends_turn=ends_turn)

    def _interpret_part(
        self, place: Place | None, key: PartKey, speaker: str, words: str,
        translated: str | Awaitable[str | None], spoken: bool, pieces: int,
    ) -> None:  # fmt: skip
        if place is None or place.clip.done():  # not expected, or interpreting stopped
            self._call_off(key)
            return
        way = across(words)
        if not spoken or way is None or self.stopped:
            place.clip.set_result(None)
            self._call_off(key)
            return
        dropped = Dropped(key[0], speaker, words)
        whole, fallback, spoken_as = words if pieces > 1 else None, None, None
        if self._from_audio is not None:  # the answer from its sound, its words where none
            answer, spoken_as = self._from_audio.taken(key, pieces)
            translated, whole, fallback = (
                ("", words, None) if answer is None else (answer, None, words)
            )
        with asking(Urgency.LIVE, self._server):  # its translation and speech: live work
            task = background_tasks.start(
                self._clips.make(place, translated, way.target, dropped, whole,
                                 fallback=fallback, spoken_as=spoken_as),
                name="interpretation",
            )  # fmt: skip
        self._making.add(task)
        task.add_done_callback(self._making.discard)

    def _call_off(self, key: PartKey) -> None:
        """The part ending at `key` is not spoken: its translation from its sound (if asked
        for) is called off."""
        if self._from_audio is not None:
            self._from_audio.call_off(key)

    async def close(self) -> None:
        """The call ended: nothing more is made or spoken."""
        self.stopped = True
        if self._from_audio is not None:
            self._from_audio.close()
        for task in self._making:
            task.cancel()
        player = self._queue.halt()
        waited: list[asyncio.Task[Any]] = [*self._making, *filter(None, [player])]
        if self._from_audio is not None:  # its requests first: called off, each still counts
            await self._from_audio.ended()
        for task in waited:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._queue.close()

    def _called_off_since(self, member: str, began: datetime) -> bool:
        """Whether what `member` began saying at `began` may no longer be spoken: interpreting
        stopped, or they said no since."""
        return self.stopped or not self._consents(member, began)

    async def _stop(self, refusal: errors.QuotaUsed | errors.MimoModelRefused) -> None:
        if self.stopped:
            return
        self.stopped = True
        if isinstance(refusal, errors.MimoModelRefused):  # the owner's to fix: one line, no trace
            logger.error("interpreting in %s stopped: %s", self._server, refusal.detail)
        else:
            logger.info("interpreting in %s stopped: %s", self._server, refusal)
        self._queue.call_off()
        await self._say(Stopped(refusal))

    async def _say(self, news: News) -> None:
        try:
            await self._tell(news)
        except Exception:
            logger.exception("the interpreting news in %s could not be said", self._server)
