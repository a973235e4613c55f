"""A chat's preferences: reading them with the defaults filled in, and changing them.

Changing them is for whoever manages the chat (`can_manage`, which the adapters work out). A
channel inside a chat (a Discord channel in a server) may override the chat's auto-transcribe,
and its own choice wins; without an override it follows the chat (`auto_transcribes`, which
`Request.auto_transcribe` asks as each event's request is read:
`core.app.rules.request_audience`). The chat's own voices are `core.app.voices.own_voices`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from core.chat.answer_languages import NATIVE_NAMES, locale_named, translation_target
from core.chat.style_preset_names import preset_named
from core.domain import errors
from core.domain.message_splitting import printable
from core.domain.quantities import Term
from core.domain.shared_values import LANGUAGES, ChatRef, Language, Preferences
from core.domain.voices.preset_voices import Voice, chosen_voice, voices_for
from core.ports import UnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["MAX_STYLE_CHARS", "ChatPreferences", "auto_transcribes", "shown_or_set"]

MAX_GIST_MINUTES = 600  # ten hours: past any MAX_AUDIO_SECONDS a chat would set

_ON = {"on", "yes", "true", "1", "enable", "enabled"}
_OFF = {"off", "no", "false", "0", "disable", "disabled"}
_CLEAR_STYLE = {"off", "none", "clear", "reset", "default"}
_INHERIT = {"inherit", "default", "server", "follow"}
MAX_STYLE_CHARS = 200


T = TypeVar("T")


def auto_transcribes(prefs: Preferences, channel_own: bool | None) -> bool:
    """Whether recordings that arrive in a channel of the chat whose preferences are `prefs`
    are transcribed unasked: the channel's own choice where it has one (`channel_own`, a
    Discord channel's override), else the chat's."""
    return prefs.auto_transcribe if channel_own is None else channel_own


async def shown_or_set(
    chat: ChatRef,
    value: str | None,
    *,
    shown: T,
    change: Callable[..., Awaitable[T]],
    allowed: bool | Callable[[], Awaitable[bool]],
) -> T:
    """A setting's command, on every platform: without a value, what holds (`shown`, as the
    asker's unit of work read it); with one, the setting changed to it (`change`, a setter of
    `ChatPreferences`) by someone `allowed` to, which is asked only then (on Telegram it costs
    a request)."""
    if not value:
        return shown
    can_manage = allowed if isinstance(allowed, bool) else await allowed()
    return await change(chat, value, can_manage=can_manage)


class ChatPreferences:
    """Voice, style, transcript language, auto-transcribe and bot language, per chat."""

    def __init__(self, *, uow: Callable[[], UnitOfWork], default_tts_model: str) -> None:
        self._uow = uow
        self._default_tts_model = default_tts_model
        # Told of every change made here, with the chat's preferences as saved: work that
        # holds what it read for a while (a listened call's language) follows them.
        self._watchers: list[Callable[[ChatRef, Preferences], None]] = []

    def watch(self, watcher: Callable[[ChatRef, Preferences], None]) -> None:
        """Call `watcher` with a chat and its new preferences after each change saved."""
        self._watchers.append(watcher)

    async def get(self, chat: ChatRef) -> Preferences:
        """The chat's preferences, for work that holds them a while (a listened call). A
        command's use case takes them in its request instead
        (`core.app.rules.request_audience.Request`)."""
        async with self._uow() as uow:
            return await uow.preferences.get(chat)

    def tts_model(self, prefs: Preferences) -> str:
        return prefs.tts_model or self._default_tts_model

    def voices(self, prefs: Preferences) -> tuple[Voice, ...]:
        return voices_for(self.tts_model(prefs))

    def voice_of(self, prefs: Preferences) -> str:
        """The chat's voice if the current model has it, else the model's default."""
        return chosen_voice(prefs.voice, self.tts_model(prefs))

    async def set_voice(self, chat: ChatRef, name: str, *, can_manage: bool) -> str:
        """The chat's voice, by its name in any case. Raises `errors.BadChoice` for a name none of
        the chat's model's voices has, `errors.NotAllowed` unless `can_manage`."""
        prefs = await self.get(chat)
        choices = {v.name.casefold(): v.name for v in self.voices(prefs)}
        voice = choices.get(name.strip().casefold())
        if voice is None:
            raise errors.BadChoice(
                setting=Term("setting.voice"), value=name, choices=", ".join(choices.values())
            )
        await self._update(chat, can_manage, voice=voice)
        return voice

    async def set_style(self, chat: ChatRef, style: str, *, can_manage: bool) -> str | None:
        """The style as stored: a preset named in another language (`开心`) becomes the preset
        (`happy`), so every reader sees it in their own. Raises `errors.StyleTooLong` beyond
        `MAX_STYLE_CHARS`, `errors.NotAllowed` unless `can_manage`."""
        cleaned = " ".join(printable(style).split())
        if len(cleaned) > MAX_STYLE_CHARS:
            raise errors.StyleTooLong(length=len(cleaned), limit=MAX_STYLE_CHARS)
        preset = preset_named(cleaned)
        if preset is not None and preset != cleaned.casefold():
            cleaned = preset
        value = None if cleaned.casefold() in _CLEAR_STYLE or not cleaned else cleaned
        await self._update(chat, can_manage, style=value)
        return value

    async def set_language(self, chat: ChatRef, value: str, *, can_manage: bool) -> Language:
        """The chat's transcript language, by its code. Raises `errors.BadChoice` for a code not
        in `LANGUAGES`, `errors.NotAllowed` unless `can_manage`."""
        language = value.strip().lower()
        if language not in LANGUAGES:
            raise errors.BadChoice(
                setting=Term("setting.language"), value=value, choices=", ".join(LANGUAGES)
            )
        await self._update(chat, can_manage, language=language)
        return language

    async def set_interface_language(
        self, chat: ChatRef, value: str, *, can_manage: bool
    ) -> str | None:
        """`/botlanguage LANGUAGE` (a code or a name, `core.chat.answer_languages.locale_named`), or
        `auto` (returns None): the language of what the bot posts to the whole chat. Raises
        `errors.BadChoice` for a language it does not know, `errors.NotAllowed` unless
        `can_manage`."""
        auto = value.strip().casefold() == "auto"
        locale = None if auto else locale_named(value)
        if locale is None and not auto:
            choices = ", ".join(["auto", *NATIVE_NAMES.values()])
            setting = Term("setting.bot_language")
            raise errors.BadChoice(setting=setting, value=value, choices=choices)
        await self._update(chat, can_manage, interface_language=locale)
        return locale

    async def set_autotranslate(self, chat: ChatRef, value: str, *, can_manage: bool) -> str | None:
        """`/autotranslate LANGUAGE` (any language `translation_target` reads) or `off`
        (returns None): every transcript in the chat also gets its translation."""
        off = value.strip().casefold() == "off"
        language = None if off else translation_target(value, reader="en")
        await self._update(chat, can_manage, autotranslate=language)
        return language

    async def set_gist_minutes(self, chat: ChatRef, value: str, *, can_manage: bool) -> int | None:
        """`/tldr auto MINUTES` (1 to `MAX_GIST_MINUTES`), `off` or 0 (returns None):
        recordings at least that long also get their gist, below their transcript. Raises
        `errors.BadChoice` for anything else, `errors.NotAllowed` unless `can_manage`."""
        typed = value.strip().casefold()
        minutes = None if typed == "off" else int(typed) if typed.isdigit() else -1
        if minutes == 0:
            minutes = None  # /tldr auto 0 stops them, as off does
        if minutes is not None and not 1 <= minutes <= MAX_GIST_MINUTES:
            choices = f"1–{MAX_GIST_MINUTES}, off"
            raise errors.BadChoice(
                setting=Term("setting.gist_minutes"), value=value, choices=choices
            )
        await self._update(chat, can_manage, gist_minutes=minutes)
        return minutes

    async def note_commander(self, chat: ChatRef, locale: str) -> None:
        """Someone who reads `locale` ran a command in `chat`: what the bot posts to everyone
        follows the last of them, unless the administrators chose a language. Written only
        when it changes. Best effort: it runs beside the command, which must not fail for it."""
        try:
            async with self._uow() as uow:
                if (await uow.preferences.get(chat)).commander_language == locale:
                    return
                await uow.preferences.note_commander_language(chat, locale)
                await uow.commit()
        except Exception:
            logger.exception("could not note the commander's language in %s", chat)

    async def set_auto_transcribe(self, chat: ChatRef, value: str, *, can_manage: bool) -> bool:
        """Whether the chat's recordings are transcribed unasked: `on` or `off`. Raises
        `errors.BadChoice` for another word, `errors.NotAllowed` unless `can_manage`."""
        word = value.strip().lower()
        if word not in _ON | _OFF:
            raise errors.BadChoice(
                setting=Term("setting.auto_transcribe"), value=value, choices="on, off"
            )
        await self._update(chat, can_manage, auto_transcribe=word in _ON)
        return word in _ON

    # Channel overrides (read with the chat's: `Request.channel_auto_transcribe`)

    async def set_channel_auto_transcribe(
        self, channel: ChatRef, value: str, *, can_manage: bool
    ) -> bool | None:
        """`on` or `off` for this channel whatever its chat says; `inherit` follows the chat again
        (returns None). Raises `errors.BadChoice` for another word, `errors.NotAllowed` unless
        `can_manage`."""
        word = value.strip().lower()
        if word not in _ON | _OFF | _INHERIT:
            choices = "on, off, inherit"
            raise errors.BadChoice(
                setting=Term("setting.auto_transcribe"), value=value, choices=choices
            )
        if not can_manage:
            raise errors.NotAllowed()
        override = None if word in _INHERIT else word in _ON
        async with self._uow() as uow:
            if override is None:
                await uow.preferences.delete(channel)
            else:
                # A channel's own row exists only while it overrides; it holds nothing else.
                await uow.preferences.save(channel, Preferences(auto_transcribe=override))
            await uow.commit()
        logger.info("auto-transcribe override of %s set to %s", channel, override)
        return override

    async def _update(self, chat: ChatRef, can_manage: bool, **changes: object) -> None:
        if not can_manage:
            raise errors.NotAllowed()
        async with self._uow() as uow:
            prefs = replace(await uow.preferences.get(chat), **changes)  # type: ignore[arg-type]
            await uow.preferences.save(chat, prefs)
            await uow.commit()
        logger.info("preferences of %s changed: %s", chat, sorted(changes))
        for watcher in self._watchers:
            watcher(chat, prefs)
