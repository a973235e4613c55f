"""Listening: a voice channel's live transcript, of the members who said yes and nobody else.
The platform's adapter joins the call, cuts what each member says into utterances and posts
the lines; what is decided is decided here.

    consent  `/listen_me`: a member's yes (or no) to being transcribed in a server, stored; a
             no takes effect at once in a call being listened to
    begin    `/listen`: the server's consents read once; the members in the call split into
             those transcribed and those not (the line the adapter posts as it starts)
    admits   whether a member's voice is taken at all: asked for every packet off the voice
             socket, so a set lookup; a member without a yes is dropped before anything else
    heard    one utterance of one member: transcribed by MiMo's speech recognition while they
             consent, its seconds reserved from the server's daily audio quota first and
             counted in /usage as any transcription's; None when nothing was said
    end      `/stop_listening`, or nobody left in the call

One listening per server (a bot has one voice connection in a server), held by this process.
"""

from __future__ import annotations

import io
import logging
import math
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.app.limits import Limiter
from core.app.metering import counted
from core.app.preferences import ChatPreferences
from core.domain import errors
from core.domain.limits import AUTOMATIC, Counts
from core.domain.values import ChatRef
from core.ports import NO_METRICS, Metrics, ReadingUnitOfWork, SpeechApi

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Roll:
    """Who in the call is transcribed, and who is not (no yes from them), by id."""

    transcribed: list[str]
    not_transcribed: list[str]


class Listening:
    """Listening's use cases (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], ReadingUnitOfWork],
        speech: SpeechApi,
        preferences: ChatPreferences,
        limiter: Limiter,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._uow = uow
        self._speech = speech
        self._preferences = preferences
        self._limiter = limiter
        self.metrics = metrics
        self._consenting: dict[ChatRef, set[str]] = {}  # servers listened to: who said yes

    async def consent(self, server: ChatRef, member_id: str, yes: bool) -> bool:
        """Store the member's yes or no; a call being listened to follows at once."""
        async with self._uow() as uow:
            await uow.reading.save_consent(server, member_id, yes)
            await uow.commit()
        live = self._consenting.get(server)
        if live is not None:
            (live.add if yes else live.discard)(member_id)
        return yes

    async def begin(self, server: ChatRef, present: Sequence[str]) -> Roll:
        """Start listening in the server: who of `present` is transcribed, who is not."""
        if server in self._consenting:
            raise errors.AlreadyListening()
        self._consenting[server] = set()  # taken before the read: one start at a time
        async with self._uow() as uow:
            consenting = await uow.reading.consenting(server)
        self._consenting[server] |= consenting
        logger.info("listening in %s", server)
        return Roll(
            transcribed=[m for m in present if m in consenting],
            not_transcribed=[m for m in present if m not in consenting],
        )

    def listening(self, server: ChatRef) -> bool:
        return server in self._consenting

    def admits(self, server: ChatRef, member_id: str) -> bool:
        return member_id in self._consenting.get(server, ())

    def end(self, server: ChatRef) -> bool:
        """Stop listening in the server; False when it was not."""
        ended = self._consenting.pop(server, None) is not None
        if ended:
            logger.info("stopped listening in %s", server)
        return ended

    @counted("transcribe")
    async def heard(
        self, server: ChatRef, member_id: str, *, pcm: bytes, sample_rate: int
    ) -> str | None:
        """What the member said in 16-bit mono `pcm`, while they consent; None when they do not
        (any more), or MiMo heard nothing. Quota refusals are raised (`errors.QuotaUsed` once,
        then `errors.AlreadyTold`)."""
        if not self.admits(server, member_id):
            return None
        seconds = len(pcm) / 2 / sample_rate
        prefs = await self._preferences.get(server)
        try:
            async with self._limiter.spending(server, AUTOMATIC) as spend:
                await spend.reserve(Counts(audio_seconds=max(1, math.ceil(seconds))))
                if not self.admits(server, member_id):  # withdrawn meanwhile: given back
                    raise _Withdrawn()
                heard = await self._speech.transcribe(
                    wav_of(pcm, sample_rate), mime="audio/wav", language=prefs.language
                )
                spend.used(audio_seconds=heard.usage.audio_seconds or seconds, usage=heard.usage)
        except _Withdrawn:
            return None
        self.metrics.transcribed(seconds)
        if not self.admits(server, member_id):  # withdrawn while MiMo heard it: not posted
            return None
        return heard.text.strip() or None


class _Withdrawn(Exception):
    pass


def wav_of(pcm: bytes, sample_rate: int) -> bytes:
    """16-bit mono PCM as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sample_rate)
        file.writeframes(pcm)
    return out.getvalue()
