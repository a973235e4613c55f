"""What a server and each of its members chose for the channel reader
(`core.app.channel_reader.reading_control`).

    rules       `/read_settings`: whose messages are read besides the members' (bots, webhooks,
                commands to other bots); off by default, changed with Manage Server
    member      `/myvoice`: the model's voice a member's messages are read in (`auto`: one is
                assigned; a voice another member chose is theirs alone, refused), and whether
                their own cloned voice reads them (their consent, off by default, kept with
                their voices as the consent for spoken translations is); the voices
                suggested as its name is typed (`voices_suggested`);
                `/read_me`: whether they are read at all (on by default)

Each command is one call, in one unit of work, returning what now holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from core.app.rules.chat_settings import ChatPreferences
from core.domain import errors
from core.domain.channel_reader.reader_rules import (
    ReaderMember,
    ReaderRules,
    TakenBack,
    assignable_voices,
)
from core.domain.quantities import Term
from core.domain.shared_values import ChatRef
from core.ports import ReadingUnitOfWork

__all__ = ["AUTO", "MemberReading", "ReaderChoices", "voices_suggested"]

AUTO = "auto"  # `/myvoice name:auto`: a voice is assigned again


@dataclass(frozen=True)
class MemberReading:
    """How a member's messages are read in a server."""

    member: ReaderMember
    own_voice: str | None  # their own cloned voice that reads them, once they allowed it


class ReaderChoices:
    """The channel reader's stored choices (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], ReadingUnitOfWork],
        preferences: ChatPreferences,
        taken_back: Callable[[TakenBack], None] = lambda _: None,
    ) -> None:
        self._uow = uow
        self._preferences = preferences
        self._taken_back = taken_back  # the readings running now hear a no once it is stored

    async def rules(self, server: ChatRef) -> ReaderRules:
        async with self._uow() as uow:
            return await uow.reading.rules(server)

    async def set_rules(
        self,
        server: ChatRef,
        *,
        can_manage: bool,
        bots: bool | None = None,
        webhooks: bool | None = None,
        commands: bool | None = None,
    ) -> ReaderRules:
        """Change the rules given (None: as they were); Manage Server only (`errors.NotAllowed`
        for anyone else)."""
        if not can_manage:
            raise errors.NotAllowed()
        async with self._uow() as uow:
            now = await uow.reading.rules(server)
            rules = ReaderRules(
                bots=now.bots if bots is None else bots,
                webhooks=now.webhooks if webhooks is None else webhooks,
                commands=now.commands if commands is None else commands,
            )
            await uow.reading.save_rules(server, rules)
            await uow.commit()
        return rules

    async def member(
        self,
        server: ChatRef,
        member_id: str,
        *,
        voice: str | None = None,
        own_voice: bool | None = None,
        read: bool | None = None,
    ) -> MemberReading:
        """A member's choices, changed where given: `voice` a model's voice by name (any case)
        or `auto`; `own_voice` their consent for their own cloned voice (refused when they have
        none: `errors.NoOwnVoice`); `read` whether they are read at all. Raises
        `errors.VoiceChosenByAnother` for a voice another member of the server chose."""
        async with self._uow() as uow:
            consented = own_voice is None or await uow.voices.let_read_messages(
                server, member_id, own_voice
            )
            if not consented:
                raise errors.NoOwnVoice()
            member = await uow.reading.member(server, member_id)
            if voice is not None:
                model = self._preferences.tts_model(await uow.preferences.get(server))
                named = _voice_named(voice, model)
                chooser = None if named is None else await uow.reading.chooser_of(server, named)
                if chooser not in {None, member_id}:
                    raise errors.VoiceChosenByAnother(voice=named)
                member = replace(member, voice=named)
            if read is not None:
                member = replace(member, read=read)
            if (voice, read) != (None, None):
                await uow.reading.save_member(server, member_id, member)
            own = await uow.voices.reading_voice(server, member_id)
            await uow.commit()
        if own_voice is False:  # what of theirs was made in it is played in it no more
            self._taken_back(TakenBack(server, "own voice", member=member_id))
        if read is False:  # what of theirs was made or waits never plays
            self._taken_back(TakenBack(server, "read", member=member_id))
        return MemberReading(member, None if own is None else own.name)


def voices_suggested(model: str, typed: str) -> list[str]:
    """What `/myvoice` suggests while a member types its name, `typed` so far: `auto` first,
    then the voices of `model` whose names hold what was typed, in any case."""
    wanted = typed.casefold()
    return [voice for voice in (AUTO, *assignable_voices(model)) if wanted in voice.casefold()]


def _voice_named(name: str, model: str) -> str | None:
    """The voice of `model` that `name` means (any case); None for `auto`."""
    voices = assignable_voices(model)
    wanted = name.strip().casefold()
    voice = next((v for v in voices if v.casefold() == wanted), None)
    if voice is None and wanted != AUTO:
        choices = ", ".join([AUTO, *voices])
        raise errors.BadChoice(setting=Term("setting.voice"), value=name, choices=choices)
    return voice
