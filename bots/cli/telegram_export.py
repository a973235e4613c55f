"""A Telegram Desktop export ("Export chat history", format JSON) read as a chat's past
(`core.app.imports.Past`).

The export is a folder: `result.json`, and the media in folders of their own beside it
(`voice_messages/`, `round_video_messages/`, `files/`...). `result.json` holds the chat's `name`,
`type` (`private_supergroup`, `public_supergroup`, `private_group`, `personal_chat`...) and `id`,
and its `messages`, each with its `id`, `type` (`message`, or `service` for a join or a pin),
`date` (local time) and `date_unixtime` (seconds, as a string), `from` and `from_id`
(`user123`, `channel123`), `text` (a string, or a list of strings and entities each with its
`text`), and for media its `file` (a path relative to the folder, or "(File not included...)"
when the export left it out), `media_type` (`voice_message`, `video_message` for a round video,
`audio_file`), `mime_type` and `duration_seconds`.

A `file` is read only where it is: inside the export's folder once its name is resolved (an
absolute path, `..` or a symbolic link that leads out is refused as outside, whether or not
the file exists). A date ahead of the reading's moment (a clock set wrong, or an old export's
local time read as UTC) counts as that moment, so no message is kept longer than the
retention allows. A field of the wrong kind, or JSON nested deeper than Python reads, is said
in one line, naming the message.

The export's `id` is the chat's own, without the prefix the Bot API gives it: a supergroup's
(or a channel's) chat id there is -100 followed by it, a basic group's its negative.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.app.imports import Past, PastVoice
from core.domain.summaries import ChatMessage, MessageKind
from core.domain.values import ChatRef

RESULT = "result.json"
RECORDINGS = ("voice_message", "video_message", "audio_file")  # what is transcribed
SUPERGROUPS = ("private_supergroup", "public_supergroup", "private_channel", "public_channel")
GROUPS = ("private_group",)
NOT_LOGGED = ("personal_chat", "bot_chat", "saved_messages")  # summaries are for groups


class ExportError(Exception):
    """The folder is not a Telegram Desktop JSON export; the message says why in one line."""


class _Outside(Exception):
    """A recording's `file` leads out of the export's folder."""


@dataclass(frozen=True)
class TelegramExport:
    """An export as read: the chat's name and past, and the recordings it left out."""

    name: str
    past: Past
    not_included: int  # recordings whose file the export left out
    # The folders result.json names its recordings in, when none of them is beside it (the
    # file copied alone): none of its recordings can be found.
    folders_missing: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()  # recordings' files named outside the export's folder


def read_export(path: Path, *, chat_id: int | None = None) -> TelegramExport:
    """The export in the folder `path` (or its `result.json`); `chat_id`: the chat's id as the
    Bot API knows it, when not the one the export's own id and type make."""
    result = path / RESULT if path.is_dir() else path
    folder = result.parent.resolve()
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(f"{path}: no {RESULT} there (export the chat as JSON)") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ExportError(f"{result}: not a Telegram export ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ExportError(f"{result}: not one chat's export (no list of messages in it)")
    kind = str(data.get("type", ""))
    chat = ChatRef("telegram", str(chat_id if chat_id is not None else bot_api_id(data)))
    voices: list[PastVoice] = []
    texts: list[ChatMessage] = []
    not_included = 0
    outside: list[str] = []
    now = datetime.now(UTC)
    named_in: set[str] = set()  # the folders of the recordings not found
    for message in data["messages"]:
        if not isinstance(message, dict) or message.get("type") != "message":
            continue  # a service message: a join, a pin, a call
        sent_at = _date(message)
        if sent_at is None or "id" not in message:
            continue
        sent_at = min(sent_at, now)
        author = str(message.get("from") or "someone")
        if message.get("media_type") in RECORDINGS:
            try:
                file = _file(folder, message.get("file"))
            except _Outside:
                outside.append(str(message.get("file")))
                continue
            if file is None:
                not_included += 1
                named_in.add(_folder_named(message.get("file")))
                continue
            voices.append(
                PastVoice(
                    message_id=str(message["id"]),
                    author=author,
                    author_id=_sender(message.get("from_id")),
                    sent_at=sent_at,
                    seconds=_seconds(message, result),
                    locate=_at(file),
                    size=file.stat().st_size,
                    name=str(message["file"]),
                )
            )
        words = plain_text(message.get("text"))
        if words.strip():
            kind_of: MessageKind = "caption" if "file" in message or "photo" in message else "text"
            texts.append(ChatMessage(chat, str(message["id"]), author, sent_at, words, kind_of))
    past = Past(chat=chat, voices=voices, texts=texts, logged=kind not in NOT_LOGGED)
    named_in.discard("")
    found_one = voices or any((folder / named).exists() for named in named_in)
    missing = () if found_one else tuple(sorted(named_in))
    return TelegramExport(
        str(data.get("name") or chat.chat_id), past, not_included, missing, outside=tuple(outside)
    )


def _folder_named(named: object) -> str:
    """The export's folder a recording's `file` names (`voice_messages`), or "" where it names
    none ("(File not included...)", or a file at the top)."""
    if not isinstance(named, str) or named.startswith("("):
        return ""
    parts = Path(named).parts
    return parts[0] if len(parts) > 1 else ""


def bot_api_id(data: dict[str, Any]) -> int:
    """The chat's id as the Bot API knows it, from the export's own id and type."""
    try:
        bare = int(data["id"])
    except (KeyError, TypeError, ValueError):
        raise ExportError("the export names no chat id: give it with --chat-id") from None
    kind = str(data.get("type", ""))
    if kind in SUPERGROUPS:
        return int(f"-100{bare}") if bare > 0 else bare  # -100 followed by the id
    if kind in GROUPS:
        return -bare if bare > 0 else bare
    return bare


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


def _date(message: dict[str, Any]) -> datetime | None:
    """When the message was sent: `date_unixtime` (UTC), else `date` (the exporter's local
    time, read as UTC: exports before 2022 have only that)."""
    try:
        if "date_unixtime" in message:
            return datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
        return datetime.fromisoformat(str(message["date"])).replace(tzinfo=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _file(folder: Path, named: object) -> Path | None:
    """The recording's file in the export's folder, where the export holds it; `_Outside` when
    its name, resolved, leads out of the folder."""
    if not isinstance(named, str) or not named or named.startswith("("):
        return None  # "(File not included. Change data exporting settings to download.)"
    try:
        file = (folder / named).resolve()
        if not file.is_relative_to(folder):
            raise _Outside(named)
        return file if file.is_file() else None
    except (OSError, ValueError, RuntimeError):  # a NUL, a name too long, a loop of links
        return None


def _seconds(message: dict[str, Any], result: Path) -> float:
    """The length the export states for a recording (0 where it states none)."""
    stated = message.get("duration_seconds") or 0
    try:
        seconds = float(stated)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise ExportError(
            f"{result}: message {message['id']}: duration_seconds is no length ({stated!r:.40})"
        )
    return seconds


def _sender(from_id: object) -> str | None:
    """A sender's id as the Bot API gives it: `user123` is 123; a channel posting in the group
    (`channel123`) is -100123."""
    if not isinstance(from_id, str):
        return None
    if from_id.startswith("user"):
        return from_id.removeprefix("user")
    if from_id.startswith("channel"):
        return f"-100{from_id.removeprefix('channel')}"
    return from_id


def _at(file: Path) -> Any:
    async def locate() -> Path:
        return file

    return locate
