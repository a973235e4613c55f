"""Listening: a voice channel's live transcript, of the members who said yes and nobody else.
The platform's adapter joins the call, cuts what each member says into utterances and posts
the lines; what is decided is decided here.

    consent  `/listen_me`: a member's yes (or no) to being transcribed in a server, stored; a
             no takes effect at once in a call being listened to
    begin    `/listen`: the server's consents read once; the members in the call split into
             those transcribed and those not (the line the adapter posts as it starts); and,
             when asked, the language each caption is also shown in (`translate_to`). The
             member who starts it (`starter`) pays for it: refused once their day is used up
    admits   whether a member's voice is taken at all: asked for every packet off the voice
             socket, so a set lookup; a member without a yes is dropped before anything else
    heard    one utterance of one member: transcribed by MiMo's speech recognition while they
             consent, its seconds reserved first from the server's daily listening quota
             (DAILY_LISTEN_SECONDS, shown in /usage; not its transcription quota, which its
             voice notes keep), from the starter's own day (their DAILY_PERSON_AUDIO_SECONDS,
             all chats together: one person with many servers has no more) and from the bot's
             budget; None when nothing was said. What was
             said is kept as a line of the call's transcript, with who said it and when. A
             refusal is raised: the adapter says it and ends the call; `begin` refuses a new
             call once the day's listening is used up. Where captions are translated, what was
             said comes with its translation by the chat model (its tokens counted with the
             listening), unless its script shows it is in that language already; the kept
             transcript holds what was said, never a translation
    end      `/stop_listening`, nobody left in the call, or nobody spoke for a while: the
             call's transcript is marked whole

The call's transcript is kept as recordings' transcripts are (`core.app.kept`: retention,
`/forget`), in the server, as the recording `call:<voice channel>:<start>`; each line names its
speaker and its time from the start of the call. Only consenting members' lines are ever kept:
a line is kept after MiMo heard it, and only while its speaker still consents.
`core.app.calls` reads it after the call (its summary, its files).

One listening per server (a bot has one voice connection in a server), held by this process.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.app.kept import TranscriptKeeper
from core.app.limits import Limiter
from core.app.metering import counted
from core.app.preferences import ChatPreferences
from core.app.translations import translate
from core.chat.languages import already_in, english_name
from core.domain import errors
from core.domain.limits import ANYONE, Asker, Counts, asked_by
from core.domain.transcripts import TranscriptPart
from core.domain.values import ChatRef
from core.ports import (
    NO_METRICS,
    AudioConverter,
    ChatApi,
    Clock,
    Metrics,
    ReadingUnitOfWork,
    SpeechApi,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Roll:
    """Who in the call is transcribed, and who is not (no yes from them), by id; and the name
    its transcript is kept under (`core.app.calls` reads it)."""

    transcribed: list[str]
    not_transcribed: list[str]
    call: str


@dataclass(frozen=True)
class Heard:
    """What one member said in one utterance, and its translation where captions are
    translated (None: not asked, already in that language, or not to be had)."""

    said: str
    translated: str | None = None


def call_prefix(channel: str) -> str:
    """The start of the kept recording's name of every call listened to in `channel`."""
    return f"call:{channel}:"


@dataclass
class _Call:
    """A call being listened to: who consents, and where its transcript is kept."""

    consenting: set[str]
    started_at: datetime
    payer: Asker  # the member who started it: its transcription is charged to their day
    recording: str = ""
    language: str = "auto"
    translate_to: str | None = None  # the language captions are also shown in, by English name
    starts: set[int] = field(default_factory=set)  # the milliseconds its lines start at

    def line_start(self, at: datetime) -> float:
        """Seconds from the start of the call, a millisecond later when a line (of another
        speaker) starts then already: each line keeps a key of its own."""
        millis = max(0, round((at - self.started_at).total_seconds() * 1000))
        while millis in self.starts:
            millis += 1
        self.starts.add(millis)
        return millis / 1000


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
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._uow = uow
        self._speech = speech
        self._chat_api = chat_api
        self._audio = audio
        self._preferences = preferences
        self._limiter = limiter
        self._keeper = keeper
        self._clock = clock
        self.metrics = metrics
        self._calls: dict[ChatRef, _Call] = {}  # servers listened to

    async def consent(self, server: ChatRef, member_id: str, yes: bool) -> bool:
        """Store the member's yes or no; a call being listened to follows at once."""
        async with self._uow() as uow:
            await uow.reading.save_consent(server, member_id, yes)
            await uow.commit()
        live = self._calls.get(server)
        if live is not None:
            (live.consenting.add if yes else live.consenting.discard)(member_id)
        return yes

    async def begin(
        self,
        server: ChatRef,
        present: Sequence[str],
        *,
        channel: str,
        starter: str,
        translate_to: str | None = None,
    ) -> Roll:
        """Start listening in the server's voice channel `channel` for member `starter`, whose
        day pays for it: who of `present` is transcribed, who is not. `translate_to`: a locale
        each caption is also shown in."""
        if server in self._calls:
            raise errors.AlreadyListening()
        payer = asked_by(starter)
        await self._limiter.check_listening(server, payer)
        if server in self._calls:  # started meanwhile
            raise errors.AlreadyListening()
        now = self._clock.now()
        call = self._calls[server] = _Call(set(), now, payer)  # taken first: one at a time
        async with self._uow() as uow:
            consenting = await uow.reading.consenting(server)
        call.consenting |= consenting
        call.recording = f"{call_prefix(channel)}{round(now.timestamp() * 1000)}"
        call.language = (await self._preferences.get(server)).language
        call.translate_to = None if translate_to is None else english_name(translate_to)
        logger.info("listening in %s", server)
        return Roll(
            transcribed=[m for m in present if m in consenting],
            not_transcribed=[m for m in present if m not in consenting],
            call=call.recording,
        )

    def listening(self, server: ChatRef) -> bool:
        return server in self._calls

    def admits(self, server: ChatRef, member_id: str) -> bool:
        call = self._calls.get(server)
        return call is not None and member_id in call.consenting

    def anyone_admitted(self, server: ChatRef, present: Sequence[str]) -> bool:
        """Whether any of `present` is transcribed: with nobody, there is no call to listen to."""
        return any(self.admits(server, member) for member in present)

    async def end(self, server: ChatRef) -> bool:
        """Stop listening in the server, its transcript marked whole; False when it was not."""
        call = self._calls.pop(server, None)
        if call is None:
            return False
        logger.info("stopped listening in %s", server)
        if call.starts:  # a call where nothing was said keeps nothing
            duration = (self._clock.now() - call.started_at).total_seconds()
            await self._keeper.complete(
                server, call.recording, language=call.language, duration=duration
            )
        return True

    @counted("transcribe")
    async def heard(
        self,
        server: ChatRef,
        member_id: str,
        *,
        pcm: bytes,
        sample_rate: int,
        speaker: str,
        started_at: datetime,
    ) -> Heard | None:
        """What the member (named `speaker`) said in 16-bit mono `pcm` from `started_at`, while
        they consent, kept as a line of the call's transcript; None when they do not (any more),
        or MiMo heard nothing. Quota refusals are raised (`errors.QuotaUsed`)."""
        call = self._calls.get(server)
        if call is None or not self.admits(server, member_id):
            return None
        seconds = len(pcm) / 2 / sample_rate
        prefs = await self._preferences.get(server)
        try:
            async with self._limiter.spending(server, call.payer, calls=True) as spend:
                await spend.reserve(Counts(audio_seconds=max(1, math.ceil(seconds))))
                if not self.admits(server, member_id):  # withdrawn meanwhile: given back
                    raise _Withdrawn()
                heard = await self._speech.transcribe(
                    self._audio.pcm_wav(pcm, sample_rate),
                    mime="audio/wav",
                    language=prefs.language,
                )
                spend.used(audio_seconds=heard.usage.audio_seconds or seconds, usage=heard.usage)
        except _Withdrawn:
            return None
        self.metrics.transcribed(seconds)
        said = heard.text.strip()
        if not said or not self.admits(server, member_id):  # withdrawn while MiMo heard it
            return None
        start = call.line_start(started_at)
        line = TranscriptPart(start, start + seconds, said, speaker, member_id)
        await self._keeper.keep_part(server, call.recording, language=call.language, part=line)
        if call.translate_to is None:
            return Heard(said)
        return Heard(said, await self._translated(server, said, call.translate_to))

    async def _translated(self, server: ChatRef, said: str, target: str) -> str | None:
        """`said` in `target`, counted with the server's listening; None when it is in
        `target` already, or MiMo gave no translation (the caption goes without it)."""
        if already_in(said, target):
            return None
        try:
            async with self._limiter.spending(server, ANYONE, calls=True) as spend:
                translated = await translate(said, api=spend.metered(self._chat_api), target=target)
        except errors.MimoError as exc:
            logger.warning("no translation of a caption in %s: %s", server, type(exc).__name__)
            return None
        return None if " ".join(translated.split()) == " ".join(said.split()) else translated


class _Withdrawn(Exception):
    pass
