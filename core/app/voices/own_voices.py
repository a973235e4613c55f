"""A chat's own voices: designed from a description, cloned from its speaker's recording.

    /voice                  the model's voices and the chat's own (`catalogue`)
    /voice NAME             choose one, built-in or own (`choose`; settings rules apply)
    /voice design NAME ...  `design`: MiMo's voicedesign model speaks a short sample in the
                            described voice; the description and that sample are stored
                            (settings rules apply)
    /voice clone NAME       spoken consent first (`core.app.voices.clone_consent`): once its owner
                            read the sentence, `clone` makes their reading the voice's sample (mp3,
                            its first `sample_seconds`), a verified clone
    /voice delete NAME      `delete`: the voice and its sample (settings rules, or its owner)
    /voice share NAME       `share`: a cloned voice's owner lets it speak for the chat
    /voice unshare NAME     ...and takes that back, at once (off by default)

Consent: a cloned voice is its speaker's, cloned only from their own reading of a one-time
sentence (`core.domain.voices.clone_consent_rules`). Clones made before that (migration 0022) are
unverified: they speak only their owner's words, cannot be shared, and `/voice clone NAME` again
verifies them. Until its owner shares it, it speaks only their own words (`speaker`'s `author`:
their own `/say`, their inline voice notes): anyone else's `/say`, Read aloud, summaries and
digests are spoken in the model's default voice, and only its owner may make it the chat's voice
(`choose`). Sharing is taken back with `/voice unshare`: the chat's choice of the voice stays
stored, and from that moment the default speaks instead of it for everything but its owner's own
words (sharing it again brings it back). Spoken translations of a person's words have their own
switch (`/voicetranslations`), and so has the channel reader's reading of their messages in a
voice channel (`/myvoice own_voice`, `core.app.channel_reader.reader_choices`).

When the chat's chosen voice is one of its own, speech (`speaker`) uses the voiceclone model with
its sample as a data URL, whatever MIMO_TTS_MODEL says. For a designed voice that sample is the
one the chat listened to as designed: voicedesign gives a different voice on every request,
so speaking from the description again would change the voice between the pieces of one note
and from day to day. (A designed voice stored before its sample was kept still speaks from its
description.) `/forget` deletes every voice and sample of the chat.

Names are one word of at most `MAX_NAME_CHARS` letters, digits, `-` or `_`, unique per chat
whatever their case, and never a built-in voice's name (of any model) or a subcommand's.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.app.recordings.transcription import Recordings
from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Request
from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.channel_reader.reader_rules import TakenBack
from core.domain.mimo import default_models
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.quantities import Term
from core.domain.rules.quotas_rules import ANYONE, Asker
from core.domain.shared_values import ChatRef, ChatVoice, Preferences, VoiceCatalogue, VoiceNote
from core.domain.voices.inline_voice_cache_key import Discard
from core.domain.voices.preset_voices import Voice, default_voice, is_built_in, voices_for
from core.domain.voices.speaking_style_rules import clone_voice
from core.ports import Recording, SampleConverter, SpeechApi, VoiceUnitOfWork

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_CHAT_VOICES",
    "MAX_DESCRIPTION_CHARS",
    "MAX_NAME_CHARS",
    "Speaker",
    "VoiceModels",
    "VoiceStudio",
]

MAX_NAME_CHARS = 24
MAX_DESCRIPTION_CHARS = 500
MAX_CHAT_VOICES = 20  # a listing (and Discord's 25 autocomplete choices) stays readable
SUBCOMMANDS = frozenset({"design", "clone", "delete", "share", "unshare"})
_NAME = re.compile(rf"^[^\W_][\w-]{{0,{MAX_NAME_CHARS - 1}}}$")


@dataclass(frozen=True)
class VoiceModels:
    tts: str = default_models.TTS  # the preset voices' model (MIMO_TTS_MODEL)
    design: str = default_models.VOICEDESIGN
    clone: str = default_models.VOICECLONE


@dataclass(frozen=True)
class Speaker:
    """How one chat's speech is requested: the model, and its voice (a preset's name, or a
    sample's data URL) or description."""

    model: str
    voice: str | None = None
    description: str | None = None


class VoiceStudio:
    """The chat's own voices (see the module docstring)."""

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: SampleConverter,
        uow: Callable[[], VoiceUnitOfWork],
        recordings: Recordings,
        models: VoiceModels = VoiceModels(),
        limiter: Limiter | None = None,
        sample_seconds: float = 30,
        taken_back: Callable[[TakenBack], None] = lambda _: None,
    ) -> None:
        self._taken_back = taken_back  # the readings running now hear of a voice deleted
        self._speech = speech
        self._audio = audio
        self._uow = uow
        self._recordings = recordings
        self.models = models
        self._limiter = limiter or Limiter.off()
        self.sample_seconds = sample_seconds

    # Reading

    async def catalogue(self, request: Request) -> VoiceCatalogue:
        """The voices of the chat's speech model and its own, and which one it chose, by the
        preferences `request` read (they are not read again)."""
        prefs = request.prefs
        async with self._uow() as uow:
            own = tuple(await uow.voices.in_chat(request.chat))
        built_in = voices_for(self._tts_model(prefs))
        return VoiceCatalogue(chosen=_chosen(prefs, built_in, own), built_in=built_in, own=own)

    async def speaker(
        self, chat: ChatRef, prefs: Preferences, *, author: str | None = None
    ) -> Speaker:
        """What the chat's speech of `author`'s words (None: nobody's own, e.g. a summary) is
        requested with (see the module docstring)."""
        model = self._tts_model(prefs)
        preset = _built_in_name(prefs.voice, voices_for(model))
        if preset is not None or not prefs.voice:
            return Speaker(model=model, voice=preset or default_voice(model))
        async with self._uow() as uow:
            own = await uow.voices.find(chat, prefs.voice)
        if own is None or not own.speaks_for(author):  # deleted meanwhile, or not shared
            return Speaker(model=model, voice=default_voice(model))
        if own.kind == "designed" and not own.sample:  # designed before samples were kept
            return Speaker(model=self.models.design, description=own.description)
        return Speaker(model=self.models.clone, voice=clone_voice(own.sample, own.sample_mime))

    async def translation_speaker(
        self, chat: ChatRef, prefs: Preferences, *, speaker_id: str | None
    ) -> Speaker:
        """Who speaks a translation of `speaker_id`'s words: their own cloned voice, when they
        have one in this chat (cloned from their own recording, the consent rule) and let it
        speak translations (`let_speak_translations`); otherwise the chat's voice."""
        if speaker_id is not None:
            async with self._uow() as uow:
                own = await uow.voices.translating_voice(chat, speaker_id)
            if own is not None:
                return self.own_speaker(own)
        return await self.speaker(chat, prefs)

    def own_speaker(self, own: ChatVoice) -> Speaker:
        """How a person's own cloned voice speaks (once they allowed it to): from its sample."""
        return Speaker(model=self.models.clone, voice=clone_voice(own.sample, own.sample_mime))

    async def let_speak_translations(
        self, chat: ChatRef, *, person: str | None, allowed: bool
    ) -> None:
        """`/voicetranslations on|off`: a person's switch, off by default, for their own cloned
        voices in this chat; refused when they have none (`errors.NoOwnVoice`)."""
        async with self._uow() as uow:
            found = (
                0
                if person is None
                else await uow.voices.let_speak_translations(chat, person, allowed)
            )
            if not found:
                raise errors.NoOwnVoice()
            await uow.commit()

    # Changing

    async def choose(
        self, chat: ChatRef, name: str, *, can_manage: bool, chooser: str | None = None
    ) -> str:
        """Make `name` (built-in or the chat's own, any case) the chat's voice; someone else's
        cloned voice only once they shared it. Raises `errors.NotAllowed` unless `can_manage`,
        `errors.VoiceNotShared` for another's voice not shared, `errors.BadChoice` for a name
        the chat has no voice of."""
        if not can_manage:
            raise errors.NotAllowed()
        async with self._uow() as uow:
            prefs = await uow.preferences.get(chat)
            built_in = voices_for(self._tts_model(prefs))
            chosen = _built_in_name(name.strip(), built_in)
            if chosen is None:
                own = await uow.voices.find(chat, name.strip())
                if own is not None and not own.speaks_for(chooser):
                    raise errors.VoiceNotShared(value=own.name)
                chosen = None if own is None else own.name
            if chosen is None:
                own_names = [v.name for v in await uow.voices.in_chat(chat)]
                names = [v.name for v in built_in] + own_names
                raise errors.BadChoice(
                    setting=Term("setting.voice"), value=name, choices=", ".join(names)
                )
            await uow.preferences.save(chat, replace(prefs, voice=chosen))
            await uow.commit()
        logger.info("voice of %s chosen", chat)
        return chosen

    async def design(
        self,
        chat: ChatRef,
        name: str,
        description: str,
        *,
        can_manage: bool,
        designer: str | None,
        locale: str,
        asker: Asker = ANYONE,
    ) -> VoiceNote:
        """Store a voice built from `description` and return a short sample of it, saying a
        sentence in the designer's language (`locale`). Nothing is stored when MiMo fails.
        Raises `errors.NotAllowed` unless `can_manage`, `errors.BadVoiceName` and
        `errors.BadVoiceDescription` for what is not valid, and the limiter's refusals."""
        with asking(Urgency.PERSON, chat):  # who asked waits
            if not can_manage:
                raise errors.NotAllowed()
            name, description = _valid_name(name), _valid_description(description)
            await self._check_room(chat, name)
            await self._limiter.admit(chat, asker)
            words = text("voices.sample_text", locale, name=name)
            async with self._limiter.spending(chat, asker, tts_chars=len(words)):
                wav = await self._speech.synthesize(
                    words, model=self.models.design, description=description
                )
            # The sample is the voice from now on: voicedesign would not say it the same way twice.
            (sample, mime), note = await asyncio.gather(
                self._audio.wav_to_clone_sample(wav), self._audio.to_voice_note(wav)
            )
            voice = ChatVoice(
                name, "designed", description=description, sample=sample, sample_mime=mime,
                owner_id=designer,
            )  # fmt: skip
            await self._store(chat, voice)
            return note

    async def clone(self, chat: ChatRef, name: str, recording: Recording, *, owner: str) -> None:
        """Store `recording` (its owner's reading of the consent sentence, nothing else) as the
        sample of their verified cloned voice `name`: a new voice, or theirs of that name made
        before spoken consent, now verified."""
        async with self._recordings.fetched(recording) as path:
            sample, mime = await self._audio.to_clone_sample(path, max_seconds=self.sample_seconds)
        async with self._uow() as uow:
            if await uow.voices.verified_sample(chat, name, owner, sample, mime):
                await uow.commit()
                logger.info("a cloned voice of %s verified", chat)
                return
        voice = ChatVoice(
            name, "cloned", sample=sample, sample_mime=mime, owner_id=owner, verified=True
        )
        await self._store(chat, voice)

    async def check_clone_name(self, chat: ChatRef, name: str, *, owner: str) -> str:
        """`name` as a cloned voice of `owner`'s would be stored: free in the chat, or already
        theirs (a clone made before spoken consent, to be verified)."""
        name = _valid_name(name)
        async with self._uow() as uow:
            own = await uow.voices.find(chat, name)
        if own is not None and own.kind == "cloned" and own.owner_id == owner:
            return own.name
        await self._check_room(chat, name)
        return name

    async def delete(
        self,
        chat: ChatRef,
        name: str,
        *,
        can_manage: bool,
        requested_by: str | None,
        discard: Discard | None = None,
    ) -> str:
        """Delete the chat's voice `name`, its sample and the voice notes inline mode rendered
        in it (then `discard` deletes the messages that kept those): for whoever manages the
        chat, and for the voice's owner (a cloned voice is its speaker's to take back). Raises
        `errors.UnknownVoice` for a name the chat has no voice of, `errors.NotAllowed` for
        anyone else."""
        async with self._uow() as uow:
            voice = await uow.voices.find(chat, name.strip())
            if voice is None:
                raise errors.UnknownVoice(value=name)
            if not can_manage and (requested_by is None or voice.owner_id != requested_by):
                raise errors.NotAllowed()
            await uow.voices.delete(chat, voice.name)
            rendered = await uow.inline_voices.delete_voice(chat, voice.name)
            prefs = await uow.preferences.find(chat)
            if prefs is not None and (prefs.voice or "").casefold() == voice.name.casefold():
                await uow.preferences.save(chat, replace(prefs, voice=None))
            await uow.commit()
        self._taken_back(TakenBack(chat, "voice", voice=voice.name))  # a clip in it is cut
        if discard is not None and rendered:
            await discard(rendered)
        logger.info("a %s voice of %s deleted", voice.kind, chat)
        return voice.name

    async def share(self, chat: ChatRef, name: str, *, owner: str | None, shared: bool) -> str:
        """`/voice share NAME` (or unshare): only the owner of a cloned voice decides whether it
        speaks for the chat (see the module docstring); its name as stored. Only a verified
        clone can be shared (`errors.VoiceNotVerified`); `errors.NotYourVoice` where `owner` has
        no cloned voice of that name."""
        async with self._uow() as uow:
            own = None if owner is None else await uow.voices.find(chat, name.strip())
            if shared and own is not None and own.owner_id == owner and not own.verified:
                raise errors.VoiceNotVerified(value=own.name)
            found = (
                None if owner is None else await uow.voices.share(chat, name.strip(), owner, shared)
            )
            if found is None:
                raise errors.NotYourVoice(value=name.strip())
            await uow.commit()
        logger.info("a cloned voice of %s %s", chat, "shared" if shared else "no longer shared")
        return found

    async def _check_room(self, chat: ChatRef, name: str) -> None:
        async with self._uow() as uow:
            own = await uow.voices.in_chat(chat)
        if any(v.name.casefold() == name.casefold() for v in own):
            raise errors.VoiceNameTaken(value=name)
        if len(own) >= MAX_CHAT_VOICES:
            raise errors.TooManyVoices(limit=MAX_CHAT_VOICES)

    async def _store(self, chat: ChatRef, voice: ChatVoice) -> None:
        async with self._uow() as uow:
            if not await uow.voices.add(chat, voice):  # a racing request took the name
                raise errors.VoiceNameTaken(value=voice.name)
            await uow.commit()
        logger.info("a %s voice stored for %s", voice.kind, chat)

    def _tts_model(self, prefs: Preferences) -> str:
        return prefs.tts_model or self.models.tts


def _built_in_name(name: str | None, voices: tuple[Voice, ...]) -> str | None:
    wanted = (name or "").casefold()
    return next((v.name for v in voices if v.name.casefold() == wanted), None)


def _chosen(prefs: Preferences, built_in: tuple[Voice, ...], own: tuple[ChatVoice, ...]) -> str:
    names = [v.name for v in built_in] + [v.name for v in own]
    match = next((n for n in names if n.casefold() == (prefs.voice or "").casefold()), None)
    return match or default_voice("")


def _valid_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise errors.BadVoiceName(value=name, limit=MAX_NAME_CHARS)
    if is_built_in(name) or name.casefold() in SUBCOMMANDS:
        raise errors.VoiceNameTaken(value=name)
    return name


def _valid_description(description: str) -> str:
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in description).split())
    if not line or len(line) > MAX_DESCRIPTION_CHARS:
        raise errors.BadVoiceDescription(limit=MAX_DESCRIPTION_CHARS)
    return line
