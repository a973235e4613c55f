"""A Telegram Desktop export's fields, each read and checked as `telegram_export.read_export`
takes a message: ids (the chat's, a message's, a sender's), who said it, when, whether it is a
recording to transcribe, its recording's file and stated length, its text, and the JSON numbers
no export holds. What each field may hold
is in `telegram_export`'s docstring; a field no export writes ends the reading with an
`ExportError`, in one line that names it.

    speaker, sender_id      who said a message, as the Bot API names them (a forward: whom it
                            came from)
    bot_api_id, telegram_id the chat's id as the Bot API knows it; an id as Telegram gives one
    date_sent               when it was sent, with or without a zone
    is_recording            whether it is one to transcribe: a voice message, a round video or
                            an audio file (`RECORDINGS`), other media not
    recording_file          its recording's file, inside the export's folder only (`Outside`)
    why_left_out, folder_named  what the export says in place of a file it left out
    stated_seconds          the recording's length as the export states it
    plain_text              its text, pieces joined
    no_constant, finite     `NaN`, `Infinity` and numbers past a float's range refused as the
                            JSON is read (`NotANumber`)
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from bots.cli.command_line_wording import text

__all__ = [
    "NOT_INCLUDED",
    "RECORDINGS",
    "TOO_BIG",
    "UNAVAILABLE",
    "ExportError",
    "NotANumber",
    "Outside",
    "bot_api_id",
    "date_sent",
    "finite",
    "folder_named",
    "is_recording",
    "located",
    "no_constant",
    "plain_text",
    "recording_file",
    "shown",
    "speaker",
    "stated_seconds",
    "telegram_id",
    "why_left_out",
]

ID_DIGITS = 16  # the most digits of an id the export may give (the Bot API's fit in 52 bits)
# What the export writes in place of a file it left out, by its start: why, counted apart.
NOT_INCLUDED, TOO_BIG, UNAVAILABLE = "(File not included", "(File exceeds maximum", "(File unav"
# The `media_type`s transcribed: voice messages, round videos and audio files; other media not.
RECORDINGS = ("voice_message", "video_message", "audio_file")
SUPERGROUPS = ("private_supergroup", "public_supergroup", "private_channel", "public_channel")
GROUPS = ("private_group",)
# How `from_id` names a sender (user123, channel123), and what comes before its number as the
# Bot API gives it.
_SENDERS = (("user", ""), ("channel", "-100"))
_SHOWN = 24  # characters of a hostile value said in its line
_DIGITS = re.compile(rf"-?[0-9]{{1,{ID_DIGITS}}}")


class ExportError(Exception):
    """The folder is not a Telegram Desktop JSON export; the message says why in one line."""


class Outside(Exception):
    """A recording's `file` leads out of the export's folder."""


class NoSender(Exception):
    """A message's `from_id` (or `forwarded_from_id`) names no Telegram user or chat."""


class NotANumber(ValueError):
    """The JSON holds a number no export does (`NaN`, `Infinity`, or one past a float's
    range), as written."""


def speaker(message: dict[str, Any], result: Path) -> tuple[str, str | None]:
    """Who said the message, and their id: for a forward, whom it came from (no id where the
    export gives none), never the member who forwarded it."""
    name, field = ("forwarded_from", "forwarded_from_id")
    if name not in message:
        name, field = ("from", "from_id")
    try:
        sender = sender_id(message.get(field))
    except NoSender:
        line = text("cli.import_bad_sender", result=result, message=message["id"], field=field,
                    value=shown(message.get(field)))  # fmt: skip
        raise ExportError(line) from None
    return str(message.get(name) or "someone"), sender


def sender_id(from_id: object) -> str | None:
    """A sender's id as the Bot API gives it: `user123` is 123; a channel posting in the group
    (`channel123`) is -100123. None where the export names no sender; `NoSender` where it
    names one no Telegram user or chat has (a number, `user12.5`, `user` and 400 digits)."""
    if from_id is None:
        return None
    if not isinstance(from_id, str):
        raise NoSender(from_id)
    for prefix, before in _SENDERS:
        if from_id.startswith(prefix):
            number = from_id.removeprefix(prefix)
            if not number.isdecimal() or telegram_id(number) is None:
                raise NoSender(from_id)
            return f"{before}{number}"
    return from_id


def bot_api_id(data: dict[str, Any], result: Path) -> int:
    """The chat's id as the Bot API knows it, from the export's own id and type (of `result`,
    named in the line that refuses an id no chat has)."""
    if "id" not in data:
        raise ExportError("the export names no chat id: give it with --chat-id")
    bare = telegram_id(data["id"])
    if bare is None:
        raise ExportError(text("cli.import_bad_chat_id", result=result, value=shown(data["id"])))
    kind = str(data.get("type", ""))
    if kind in SUPERGROUPS:
        return int(f"-100{bare}") if bare > 0 else bare  # -100 followed by the id
    if kind in GROUPS:
        return -bare if bare > 0 else bare
    return bare


def telegram_id(value: object) -> int | None:
    """`value` as an id Telegram gives (a whole number of at most `ID_DIGITS` digits, written
    as a number or as a string of digits), or None: a float (12.0 too), a bool, anything
    longer."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**ID_DIGITS:
        return value
    return None


def date_sent(message: dict[str, Any], zone: tzinfo | None) -> datetime | None:
    """When the message was sent: `date_unixtime` (UTC), else `date` (the exporter's local
    time: exports before 2022 have only that), read in `zone` (None: the machine's)."""
    try:
        if "date_unixtime" in message:
            return datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
        written = datetime.fromisoformat(str(message["date"]))
        if written.tzinfo is None:
            written = written.replace(tzinfo=zone) if zone else written.astimezone()
        return written
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def is_recording(message: dict[str, Any]) -> bool:
    """Whether `message` holds a recording to transcribe (its `media_type`, `RECORDINGS`)."""
    return message.get("media_type") in RECORDINGS


def recording_file(folder: Path, named: object) -> Path | None:
    """The recording's file in the export's folder, where the export holds it; `Outside` when
    its name, resolved, leads out of the folder."""
    if not isinstance(named, str) or not named or named.startswith("("):
        return None  # "(File not included. Change data exporting settings to download.)"
    try:
        file = (folder / named).resolve()
        if not file.is_relative_to(folder):
            raise Outside(named)
        return file if file.is_file() else None
    except (OSError, ValueError, RuntimeError):  # a NUL, a name too long, a loop of links
        return None


def why_left_out(named: object) -> str:
    """Why the export holds no file for a recording: its words in place of the path (a file
    named but not there counts as not included)."""
    if isinstance(named, str):
        for why in (TOO_BIG, UNAVAILABLE):
            if named.startswith(why):
                return why
    return NOT_INCLUDED


def folder_named(named: object) -> str:
    """The export's folder a recording's `file` names (`voice_messages`), or "" where it names
    none ("(File not included...)", or a file at the top)."""
    if not isinstance(named, str) or named.startswith("("):
        return ""
    parts = Path(named).parts
    return parts[0] if len(parts) > 1 else ""


def stated_seconds(message: dict[str, Any], result: Path) -> float:
    """The length the export states for a recording (0 where it states none)."""
    stated = message.get("duration_seconds") or 0
    try:
        seconds = float(stated)
    except (TypeError, ValueError, OverflowError):  # 400 digits: past a float's range
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise ExportError(
            f"{result}: message {message['id']}: duration_seconds is no length ({stated!r:.40})"
        )
    return seconds


def plain_text(text: object) -> str:
    """A message's text as written: a string, or its pieces (strings and entities) joined."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(
            piece if isinstance(piece, str) else str(piece.get("text", ""))
            for piece in text
            if isinstance(piece, str | dict)
        )
    return ""


def no_constant(written: str) -> Any:
    """`NaN`, `Infinity` and `-Infinity`, which Python's `json` reads and no export holds."""
    raise NotANumber(written)


def finite(written: str) -> float:
    """A JSON number with a fraction or an exponent, refused where it is past a float's
    range (`1e400` would be read as infinity)."""
    number = float(written)
    if not math.isfinite(number):
        raise NotANumber(written[:_SHOWN] + ("…" if len(written) > _SHOWN else ""))
    return number


def shown(value: object) -> str:
    """A value of the export as its JSON writes it, cut short in a line that says it."""
    written = json.dumps(value, ensure_ascii=False)
    return written if len(written) <= _SHOWN else f"{written[:_SHOWN]}…"


def located(file: Path) -> Any:
    async def locate() -> Path:
        return file

    return locate
