"""An interpreter in a listened call (`/listen interpret:True`): each consenting member's turn
in Chinese or English spoken in the other language into the same call, part by part: a sentence
as it ends while the speaker goes on, the rest once the turn ends. `core.app.calls.live_transcript`
hears and captions the turns, and `core.app.calls.listened_call` says where a part ends (a piece
that ended at a pause on a sentence's end, `core.domain.live_speech.settles`, or the turn's last);
this decides what of them is spoken, in whose voice, when, and what it costs. The adapter only
plays the clips it is handed (`core.ports.VoiceCallHold`) and says the news (`Dropped`,
`Stopped`). Each clip is speech as MiMo makes it (`core.app.voices.streamed`): ready once its
first slice is in, and played from there while the rest comes.

    expect   a piece that may end a part came (it ended at a pause, or the turn): its place in
             the line, taken before anything is awaited, so interpretations speak in the order
             the parts ended; `skip`: a pause inside a sentence, its place given up
    part     every piece of the part heard: its words, and its pieces' translations as they are
             made for their captions (`translated`), a part of several pieces translated again
             whole at once, beside them (from its words; from its sound, below): spoken
             when the part is in Chinese or English
             (`core.domain.interpreting.across`), its speaker still consents and the call goes
             on; otherwise its place is given up
    speak    one at a time, in line: an interpretation that would start more than `late_after`
             seconds after its part ended, once a turn began since (`turn_began`: the call moved
             on; else `WAITED_FOR` times as late) is dropped, said with its words (`Dropped`), asked
             again once the call is free for it and just before its first frame (a reading
             sharing the call may have played meanwhile); each in
             the speaker's own cloned voice where they allowed it for translations (read anew
             each turn: a switch turned off holds from the next turn), else a preset voice of the
             target language, the same one for that member all call long, never another member's
             clone (`core.domain.interpreting.StockVoices`)
    minute   every request of it (translations, from words or sound, and speech) is live
             work in the account's minute, the server's (`core.domain.pacing`)
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
             (`core.app.calls.translations_from_audio`, the sound held in memory as it is
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
theirs waiting in line: nothing of theirs is spoken after it.

Members go on being heard while an interpretation plays: the listening's receiver is not held
by the play. The bot's own voice never reaches the transcription: Discord does not send a client
its own audio, and only consenting members are admitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.app.calls.sounds import PartKey
from core.app.calls.translations_from_audio import TranslationsFromAudio
from core.app.recordings.translations import translate
from core.app.rules.limits import Limiter
from core.app.rules.preferences import ChatPreferences
from core.app.voices.speech import TextToSpeech
from core.app.voices.studio import Speaker, VoiceStudio
from core.domain import errors
from core.domain.interpreting import (
    LATE_AFTER,
    WAITED_FOR,
    StockVoices,
    across,
    foreign,
    spoken_in,
    too_late,
)
from core.domain.limits import Asker
from core.domain.live_speech import Piece
from core.domain.pacing import Urgency, asking
from core.domain.reading import assignable_voices
from core.domain.values import ChatRef
from core.ports import (
    AudioConverter,
    ChatApi,
    ReadingUnitOfWork,
    SpeechApi,
    SpeechSlices,
    VoiceCallHold,
    background,
)

logger = logging.getLogger(__name__)

Consents = Callable[[str, datetime], bool]  # a member, when they began saying it


@dataclass(frozen=True)
class Dropped:
    """An interpretation too late to be spoken: `speaker`'s `said`, marked in the chat."""

    member: str
    speaker: str
    said: str


@dataclass(frozen=True)
class Stopped:
    """Interpreting stopped for the rest of the call: `refusal` says which quota ran out, or
    which model MiMo refused (and the setting that names it)."""

    refusal: errors.QuotaUsed | errors.MimoModelRefused


News = Dropped | Stopped
Tell = Callable[[News], Awaitable[None]]


@dataclass
class _Place:
    """A turn's place in the line: its clip once made (None: nothing to speak)."""

    key: PartKey
    ended: float  # the interpreter's timer when the part's end came
    clip: asyncio.Future[_Clip | None] = field(default_factory=asyncio.Future)


@dataclass(frozen=True)
class _Clip:
    note: SpeechSlices | None  # None: too late already, never made
    dropped: Dropped


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
        to play: a no said while it was made or waited its turn is never spoken, nor is
        anything said before it, however soon a yes follows."""
        return CallInterpreter(self, server=server, payer=payer, tell=tell, consents=consents)


class CallInterpreter:
    """One call's interpreting (see the module docstring)."""

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
        self._line: deque[_Place] = deque()
        self._places: dict[PartKey, _Place] = {}
        self._came = asyncio.Event()
        self._voices = StockVoices()
        self._held: VoiceCallHold | None = None
        self._player: asyncio.Task[None] | None = None
        self._making: set[asyncio.Task[None]] = set()
        self._speaking: str | None = None  # whose interpretation plays, or waits for the call
        self._moved_on = float("-inf")  # the timer when the call's latest turn began
        self.stopped = False
        # DISCORD_INTERPRET_FROM=audio: each part's translation asked for from its sound.
        self._from_audio: TranslationsFromAudio | None = None
        if ports.audio_understanding is not None:
            api, audio = ports.audio_understanding
            self._from_audio = TranslationsFromAudio(
                api=api, audio=audio, limiter=ports.limiter, server=server, payer=payer,
                called_off=self._called_off_since, stop=self._stop,
            )  # fmt: skip

    def attach(self, held: VoiceCallHold) -> None:
        """The call to speak into, once joined: from now on interpretations play there."""
        self._held = held
        if self._player is None:
            self._player = background.start(self._speak_in_line(), name="interpreting")

    def turn_began(self) -> None:
        """Someone began a turn: the call moves on (`_late`)."""
        self._moved_on = self._ports.timer()

    def expect(self, key: PartKey) -> None:
        """A piece that may end a part came (it ended at a pause, or the turn): its place in
        the line."""
        if self.stopped or key in self._places:
            return
        place = self._places[key] = _Place(key, self._ports.timer())
        self._line.append(place)
        self._came.set()
        if self._from_audio is not None:  # its translation asked for now, beside its words
            self._from_audio.expect(key)

    def hold_sound(self, piece: Piece) -> None:
        """A piece of a consenting member's turn, handed over for recognition: its sound held
        in memory until its part is handed over, where parts are translated from their sound
        (a piece with no sound is silence)."""
        if self._from_audio is not None and not self.stopped:
            self._from_audio.hold(piece)

    def skip(self, key: PartKey) -> None:
        """The piece `key` ended at a pause inside a sentence: no part ends there, its place
        is given up (its words are spoken with the part that ends the sentence)."""
        place = self._places.pop(key, None)
        if place is not None and not place.clip.done():
            place.clip.set_result(None)
        if self._from_audio is not None:
            self._from_audio.given_up(key)

    def withdrawn(self, member: str) -> None:
        """`member` said no: their interpretation playing is cut (its next 20 ms frame is the
        last), theirs waiting in line are called off."""
        for place in self._line:
            if place.key[0] == member and not place.clip.done():
                place.clip.set_result(None)
        if self._speaking == member and self._held is not None:
            self._held.skip()
        if self._from_audio is not None:
            self._from_audio.withdrawn(member)

    async def translated(self, said: str, piece: PartKey | None = None) -> str | None:
        """A piece's caption translation into the other of Chinese and English, counted with
        the listening; None: another language, interpreting stopped, or none to be had. Where
        parts are translated from their sound, the `piece` that ends a part shows the part's
        translation (the one spoken, whichever way it was made), the others "" (theirs comes
        with the part's end); a piece without words (`said` ""), its part's translation alone.
        Words in another language stop its part being sent from its sound."""
        ports = self._ports
        way = across(said)
        if self._from_audio is not None and piece is not None:
            if foreign(said):
                self._from_audio.foreign(piece)
            place = self._places.get(piece)  # (None: its part ended otherwise)
            wait = None if place is None else self._left_to_wait(place)
            shown = (way is not None or not said.strip()) and not self.stopped
            return await self._from_audio.caption(piece, shown=shown, wait=wait)
        if way is None or self.stopped:
            return None
        try:
            with asking(Urgency.LIVE, self._server):
                async with ports.limiter.spending(self._server, self._payer, calls=True) as spend:
                    return await translate(said, api=spend.metered(ports.chat_api),
                                           target=way.target_name)  # fmt: skip
        except (errors.QuotaUsed, errors.MimoModelRefused) as exc:
            await self._stop(exc)
        except errors.MimoError as exc:
            logger.warning("no interpretation of a caption in %s: %s", self._server,
                           type(exc).__name__)  # fmt: skip
        return None

    def part(
        self, key: PartKey, *, speaker: str, said: str, translated: str | Awaitable[str | None],
        spoken: bool, pieces: int = 1, ends_turn: bool = False,
    ) -> None:  # fmt: skip
        """Every piece of the part `key` heard: `said`, and `translated`, its pieces' caption
        translations (as they come); `spoken`: its speaker still consents, the call goes on.
        From its words (the default), a part of several `pieces` is translated again, whole, at
        once, beside its last piece's caption translation: pieces of a second translated one by
        one lose what a sentence says across them (theirs are spoken only where that fails).
        From its sound, `translated` is not used: the audio model's answer is spoken, its words
        translated where that fails, and the caption ending the part shows the one spoken."""
        place = self._places.pop(key, None)
        try:
            self._interpret_part(place, key, speaker, said, translated, spoken, pieces)
        finally:  # its sound is no longer needed, spoken or not
            if self._from_audio is not None:
                self._from_audio.handed(key, ends_turn=ends_turn)

    def _interpret_part(
        self, place: _Place | None, key: PartKey, speaker: str, said: str,
        translated: str | Awaitable[str | None], spoken: bool, pieces: int,
    ) -> None:  # fmt: skip
        if place is None or place.clip.done():  # not expected, or interpreting stopped
            self._call_off(key)
            return
        way = across(said)
        if not spoken or way is None or self.stopped:
            place.clip.set_result(None)
            self._call_off(key)
            return
        dropped = Dropped(key[0], speaker, said)
        whole, fallback, spoken_as = said if pieces > 1 else None, None, None
        if self._from_audio is not None:  # the answer from its sound, its words where none
            answer, spoken_as = self._from_audio.taken(key, pieces)
            translated, whole, fallback = (
                ("", said, None) if answer is None else (answer, None, said)
            )
        with asking(Urgency.LIVE, self._server):  # its translation and speech: live work
            task = background.start(
                self._make(place, translated, way.target, dropped, whole, fallback=fallback,
                           spoken_as=spoken_as),
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
        for task in [*self._making, *filter(None, [self._player])]:
            task.cancel()
        self._came.set()
        waited: list[asyncio.Task[Any]] = [*self._making, *filter(None, [self._player])]
        if self._from_audio is not None:  # its requests first: called off, each still counts
            await self._from_audio.ended()
        for task in waited:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for place in self._line:  # made and waiting in line: MiMo's streams end with the call
            made = place.clip.result() if place.clip.done() and not place.clip.cancelled() else None
            if made is not None and made.note is not None:
                await made.note.aclose()

    async def _make(
        self, place: _Place, translated: str | Awaitable[str | None], target: str,
        dropped: Dropped, whole: str | None, *, fallback: str | None = None,
        spoken_as: asyncio.Future[str | None] | None = None,
    ) -> None:  # fmt: skip
        """The interpretation's clip, unless it is late already (then never made) or has no
        words; `whole`: the part's words, translated again at once (else, or where that fails,
        `translated`); `fallback`: the part's words, translated where `translated` came to
        nothing (the audio model failed). `spoken_as`: told the translation made (the part's
        caption shows it). An answer from the sound is read by a voice of its own language:
        the audio model chooses the way by ear, which may not be the one its words say."""
        clip = None
        try:
            words = None
            if whole is not None and not self._late(place) and not self._called_off(place):
                words = await self.translated(whole)
            from_sound = False
            if words is None:
                words = translated if isinstance(translated, str) else await translated
                from_sound = fallback is not None
            if not (words or "").strip() and fallback is not None and self._may_make(place):
                words, from_sound = await self.translated(fallback), False  # counted, logged
            if place.clip.done() or self._called_off(place) or not (words or "").strip():
                return  # a no meanwhile (no speech is made of it), or nothing to speak
            if spoken_as is not None and not spoken_as.done():
                spoken_as.set_result(words)
            if from_sound:  # the audio model chose the way by ear: its answer's language
                target = spoken_in(words or "") or target
            if self._late(place):
                clip = _Clip(None, dropped)
            elif words and (note := await self._spoken(place, words, target)) is not None:
                clip = _Clip(note, dropped)
        except (errors.QuotaUsed, errors.MimoModelRefused) as exc:
            await self._stop(exc)
        except Exception:
            logger.exception("an interpretation in %s could not be spoken", self._server)
        finally:
            if spoken_as is not None and not spoken_as.done():
                spoken_as.set_result(None)
            if not place.clip.done():
                place.clip.set_result(clip)
            elif clip is not None and clip.note is not None:
                await clip.note.aclose()  # its place was given up meanwhile: never played

    async def _spoken(self, place: _Place, words: str, target: str) -> SpeechSlices | None:
        """The interpretation's speech, once its first slice is in (the rest comes as it
        plays)."""
        ports, member = self._ports, place.key[0]
        async with ports.uow() as uow:
            prefs = await uow.preferences.get(self._server)
            own = await uow.voices.translating_voice(self._server, member)
        if self._called_off(place):
            return None
        if own is not None:  # theirs, as they allowed it: read anew each turn
            speaker = ports.studio.own_speaker(own)
        else:
            model = ports.preferences.tts_model(prefs)
            voices = assignable_voices(model, target) or assignable_voices(model)
            speaker = Speaker(model=model, voice=self._voices.voice_of(member, target, voices))
        return await ports.speech.streamed_in_voice(
            self._server, words, prefs=prefs, speaker=speaker, asker=self._payer
        )

    async def _speak_in_line(self) -> None:
        """Each interpretation in the order its turn ended, one at a time."""
        while True:
            while not self._line:
                if self.stopped:  # (a cancel coming as a clip is handed may be lost in `_clip_of`)
                    return
                self._came.clear()
                await self._came.wait()
            place = self._line[0]
            clip = await self._clip_of(place)
            self._line.popleft()
            try:
                if clip is None or self._called_off(place):
                    continue
                if clip.note is None or self._late(place):
                    await self._say(clip.dropped)
                    continue
                if await self._play(place, clip.note, clip.dropped.member):
                    await self._say(clip.dropped)  # late by the time the call was free
            finally:
                if clip is not None and clip.note is not None:
                    await clip.note.aclose()  # played, or never to be: MiMo's stream ends

    async def _clip_of(self, place: _Place) -> _Clip | None:
        """The place's clip once made; None once it could no longer be spoken in time (a piece
        of its part never came to be heard: the receiver let it go under load), so that one
        lost piece does not hold every interpretation after it."""
        try:
            return await asyncio.wait_for(asyncio.shield(place.clip), self._left_to_wait(place))
        except TimeoutError:
            logger.warning("an interpretation in %s never came: its place is given up",
                           self._server)  # fmt: skip
            if not place.clip.done():
                place.clip.set_result(None)
            self._places.pop(place.key, None)
            return None

    async def _play(self, place: _Place, note: SpeechSlices, member: str) -> bool:
        """Play one interpretation, asked again once the call's turn is taken (and just before
        its first frame) whether its speaker still consents and it is not late; True when it
        was late then."""
        assert self._held is not None, "attached before any turn is heard"
        late = False

        def wanted() -> bool:
            nonlocal late
            late = self._late(place)
            return not self._called_off(place) and not late

        self._speaking = member
        try:
            await self._held.play(note, wanted=wanted)
        except Exception:  # the next one plays all the same
            logger.exception("an interpretation in %s could not be played", self._server)
        finally:
            self._speaking = None
        return late and not self._called_off(place)

    def _may_make(self, place: _Place) -> bool:
        """Whether a translation is still worth making for the place's part."""
        return not place.clip.done() and not self._late(place) and not self._called_off(place)

    def _called_off(self, place: _Place) -> bool:
        """Whether the place's part may no longer be spoken."""
        member, began, _ = place.key
        return self._called_off_since(member, began)

    def _called_off_since(self, member: str, began: datetime) -> bool:
        """Whether what `member` began saying at `began` may no longer be spoken: interpreting
        stopped, or they said no since."""
        return self.stopped or not self._consents(member, began)

    def _left_to_wait(self, place: _Place) -> float:
        """How long the place's clip may still be waited for: as late as an interpretation
        may start, `WAITED_FOR` times late."""
        longest = self._ports.late_after * WAITED_FOR
        return max(0.0, place.ended + longest - self._ports.timer())

    def _late(self, place: _Place) -> bool:
        moved_on = self._moved_on > place.ended  # a turn began since the part ended
        return too_late(
            place.ended, self._ports.timer(), late_after=self._ports.late_after, moved_on=moved_on
        )

    async def _stop(self, refusal: errors.QuotaUsed | errors.MimoModelRefused) -> None:
        if self.stopped:
            return
        self.stopped = True
        if isinstance(refusal, errors.MimoModelRefused):  # the owner's to fix: one line, no trace
            logger.error("interpreting in %s stopped: %s", self._server, refusal.detail)
        else:
            logger.info("interpreting in %s stopped: %s", self._server, refusal)
        for place in self._line:
            if not place.clip.done():
                place.clip.set_result(None)
        await self._say(Stopped(refusal))

    async def _say(self, news: News) -> None:
        try:
            await self._tell(news)
        except Exception:
            logger.exception("the interpreting news in %s could not be said", self._server)
