"""Each interpretation of a listened call made into its clip (`core.app.interpreter.interpreting`),
for its place in the queue (`core.app.interpreter.interpretation_queue`): its words, and their
speech in whose voice. Each clip is speech as MiMo makes it (`core.app.voices.streamed_speech`):
ready once its first slice is in, and played from there while the rest comes.

    words    a part of several pieces translated again whole, at once (else, or where that
             fails, its pieces' caption translations); from its sound, the audio model's
             answer, the part's words translated where it came to nothing
    voice    the speaker's own cloned voice where they allowed it for translations (read anew
             each turn: a switch turned off holds from the next turn), else a preset voice of the
             target language, the same one for that member all call long, never another member's
             clone (`core.domain.listening.interpreter_rules.StockVoices`); an answer from the sound
             is read by a voice of its own language (the audio model chooses the way by ear, which
             may not be the one its words say)
    not made  an interpretation late already (its place says it dropped), one whose speaker said
             no or whose interpreting stopped meanwhile (no speech is made of it), or one with
             no words

A refusal (a quota used up, a model refused) stops interpreting (`stop`); another failure is
logged, and nothing is spoken of the part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from core.app.interpreter.interpretation_queue import Clip, Dropped, InterpretationQueue, Place
from core.app.rules.chat_settings import ChatPreferences
from core.app.voices.own_voices import Speaker, VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.domain import errors
from core.domain.channel_reader.reader_rules import assignable_voices
from core.domain.listening.interpreter_rules import StockVoices, spoken_in
from core.domain.rules.quotas_rules import Asker
from core.domain.shared_values import ChatRef
from core.ports import ReadingUnitOfWork, SpeechSlices

logger = logging.getLogger(__name__)

__all__ = ["InterpretationClips"]

Refusal = errors.QuotaUsed | errors.MimoModelRefused


class Voicing(Protocol):
    """The ports an interpretation's speech is made with
    (`core.app.interpreter.interpreting.Interpreting`)."""

    uow: Callable[[], ReadingUnitOfWork]
    speech: TextToSpeech
    studio: VoiceStudio
    preferences: ChatPreferences


class InterpretationClips:
    """One call's interpretations made into clips (see the module docstring)."""

    def __init__(
        self,
        ports: Voicing,
        *,
        server: ChatRef,
        payer: Asker,
        queue: InterpretationQueue,
        translated: Callable[[str], Awaitable[str | None]],
        stop: Callable[[Refusal], Awaitable[None]],
    ) -> None:
        """`queue`: where each clip takes its place, and says whether it is late or called off;
        `translated`: words translated as a caption's are, counted with the listening; `stop`:
        interpreting stops on a refusal."""
        self._ports, self._server, self._payer, self._queue = ports, server, payer, queue
        self._translated, self._stop = translated, stop
        self._voices = StockVoices()

    async def make(
        self, place: Place, translated: str | Awaitable[str | None], target: str,
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
            if (
                whole is not None
                and not self._queue.late(place)
                and not self._queue.called_off(place)
            ):
                words = await self._translated(whole)
            from_sound = False
            if words is None:
                words = translated if isinstance(translated, str) else await translated
                from_sound = fallback is not None
            if not (words or "").strip() and fallback is not None and self._may_make(place):
                words, from_sound = await self._translated(fallback), False  # counted, logged
            if place.clip.done() or self._queue.called_off(place) or not (words or "").strip():
                return  # a no meanwhile (no speech is made of it), or nothing to speak
            if spoken_as is not None and not spoken_as.done():
                spoken_as.set_result(words)
            if from_sound:  # the audio model chose the way by ear: its answer's language
                target = spoken_in(words or "") or target
            if self._queue.late(place):
                clip = Clip(None, dropped)
            elif words and (note := await self._spoken(place, words, target)) is not None:
                clip = Clip(note, dropped)
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

    async def _spoken(self, place: Place, words: str, target: str) -> SpeechSlices | None:
        """The interpretation's speech, once its first slice is in (the rest comes as it
        plays)."""
        ports, member = self._ports, place.key[0]
        async with ports.uow() as uow:
            prefs = await uow.preferences.get(self._server)
            own = await uow.voices.translating_voice(self._server, member)
        if self._queue.called_off(place):
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

    def _may_make(self, place: Place) -> bool:
        """Whether a translation is still worth making for the place's part."""
        return (
            not place.clip.done()
            and not self._queue.late(place)
            and not self._queue.called_off(place)
        )
