"""A Telegram Desktop export (format JSON) read as a chat's past
(`core.app.memory.import_values.Past`).

The export is a folder: `result.json`, and the media in folders of their own beside it
(`voice_messages/`, `round_video_messages/`, `files/`...). One chat's ("Export chat history"):
`result.json` holds the chat's `name`,
`type` (`private_supergroup`, `public_supergroup`, `private_group`, `personal_chat`...) and `id`,
and its `messages`, each with its `id`, `type` (`message`, or `service` for a join or a pin),
`date` (local time) and `date_unixtime` (seconds, as a string), `from` and `from_id`
(`user123`, `channel123`), `text` (a string, or a list of strings and entities each with its
`text`), and for media its `file` (a path relative to the folder, or "(File not included...)"
when the export left it out), `media_type` (`voice_message`, `video_message` for a round video,
`audio_file`), `mime_type` and `duration_seconds`. The whole account's ("Export Telegram
data"): `result.json` holds `chats` (and `left_chats`), each with its `list` of chats shaped as
one chat's export is, and their media under `chats/chat_NN/`, each `file` named from the
export's top folder; the chat to import is named (`chat`: its id, as the export or the Bot API
gives it, or its title), else `ChatsToChoose` lists them.

A `file` left out says why in place of its path: "(File not included. Change data exporting
settings to download.)" (its kind was not ticked), "(File exceeds maximum size. Change data
exporting settings to download.)", "(File unavailable, please try again later)"; each is counted
apart, a file named but not there with the first. An export made before 2022 has no
`date_unixtime`: its `date` is the exporting computer's local time, read in `zone` (the
machine's own where none is given) and said (`local_time`), with the first and last dates.

A forwarded message (`forwarded_from`: the name of whom it came from, `forwarded_from_id` in
exports since 2023) was said by them, not by the member who forwarded it, as the bot takes a
forward live: it is kept under that speaker, their no holding for it; where the export names no
id for them, it is left out (`forwarded_unknown`), so that no one's no is passed over.

A `file` is read only where it is: inside the export's folder once its name is resolved (an
absolute path, `..` or a symbolic link that leads out is refused as outside, whether or not
the file exists). A date ahead of the reading's moment (a clock set wrong, or an old export's
local time read as UTC) counts as that moment, so no message is kept longer than the
retention allows. A field of the wrong kind, or JSON nested deeper than Python reads, is said
in one line, naming the message; so is a number no export holds: `NaN`, `Infinity` or one too
large for a float (refused as the file is read: Python's `json` takes them), and an id (the
chat's, a message's, its sender's) that is not a whole number of at most 16 digits (`ID_DIGITS`;
the Bot API's ids have at most 52 bits), which no column of the bot's holds and no chat has.

The export's `id` is the chat's own, without the prefix the Bot API gives it: a supergroup's
(or a channel's) chat id there is -100 followed by it, a basic group's its negative.

It is read here, beside the command that imports it (`bots/cli/memory/import_command.py`,
`voicebridge import telegram`), its one reader: what it refuses is said in the command line's words
(`bots.cli.command_line_wording`), and what it reads is the import's own values
(`core.app.memory.import_values`), which the adapters of `core.infra` may not import. It is a file
format, not the bot's Telegram adapter (`bots/telegram/`, which reads updates from the Bot API). The
fields of one message are read and checked in `telegram_export_fields.py`.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from bots.cli.command_line_wording import text
from bots.cli.memory.telegram_export_fields import (
    NOT_INCLUDED,
    TOO_BIG,
    UNAVAILABLE,
    ExportError,
    NotANumber,
    Outside,
    bot_api_id,
    date_sent,
    finite,
    folder_named,
    is_recording,
    located,
    no_constant,
    plain_text,
    recording_file,
    shown,
    speaker,
    stated_seconds,
    telegram_id,
    why_left_out,
)
from core.app.memory.import_values import Past, PastVoice
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage, MessageKind

__all__ = ["RESULT", "ChatFound", "ChatsToChoose", "LocalTime", "TelegramExport", "read_export"]

RESULT = "result.json"
NOT_LOGGED = ("personal_chat", "bot_chat", "saved_messages")  # summaries are for groups


class ChatsToChoose(ExportError):
    """A whole account's export, and no chat or several named as `wanted` (None: not named)."""

    def __init__(self, wanted: str | None, chats: list[ChatFound], *, several: bool) -> None:
        super().__init__(f"chats to choose from: {len(chats)}")
        self.wanted = wanted
        self.chats = chats  # those named as `wanted` where several are, else all
        self.several = several


@dataclass(frozen=True)
class ChatFound:
    """A chat of an account's export, to choose from: its title, id and voice messages."""

    name: str
    id: str
    voices: int


@dataclass(frozen=True)
class LocalTime:
    """An export whose dates carry no zone: the zone they were read in, the first and last."""

    zone: str
    first: datetime
    last: datetime


@dataclass(frozen=True)
class TelegramExport:
    """An export as read: the chat's name and past, and the recordings it left out."""

    name: str
    past: Past
    not_included: int  # recordings whose file the export left out (not ticked, or not there)
    # The folders result.json names its recordings in, when none of them is beside it (the
    # file copied alone): none of its recordings can be found.
    folders_missing: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()  # recordings' files named outside the export's folder
    too_big: int = 0  # recordings over the export's size limit
    unavailable: int = 0  # recordings Telegram could not give while it exported
    forwarded_unknown: int = 0  # forwarded recordings whose speaker the export names no id of
    local_time: LocalTime | None = None  # dates without a zone, read in one


def read_export(
    path: Path,
    *,
    chat_id: int | None = None,
    chat: str | None = None,
    zone: tzinfo | None = None,
    zone_name: str = "",
) -> TelegramExport:
    """The export in the folder `path` (or its `result.json`); `chat_id`: the chat's id as the
    Bot API knows it, when not the one the export's own id and type make; `chat`: which chat of
    a whole account's export (its id or title); `zone`, named `zone_name`: the zone of dates
    without one (None: the machine's)."""
    result = path / RESULT if path.is_dir() else path
    data = _one_chat(_loaded(path, result), chat, result)
    where = ChatRef("telegram", str(chat_id if chat_id is not None else bot_api_id(data, result)))
    reading = _Reading(where, result, result.parent.resolve(), zone)
    for number, message in enumerate(data["messages"], start=1):
        if isinstance(message, dict) and message.get("type") == "message":
            reading.take(number, message)  # not a service message: a join, a pin, a call
    return reading.export(str(data.get("name") or where.chat_id), str(data.get("type", "")),
                          zone_name)  # fmt: skip


def _loaded(path: Path, result: Path) -> Any:
    """`result.json` as JSON, refused in one line where it is not an export's."""
    try:
        return json.loads(
            result.read_text(encoding="utf-8"), parse_constant=no_constant, parse_float=finite
        )
    except FileNotFoundError:
        raise ExportError(f"{path}: no {RESULT} there (export the chat as JSON)") from None
    except NotANumber as exc:
        raise ExportError(text("cli.import_not_a_number", result=result, value=exc)) from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ExportError(f"{result}: not a Telegram export ({exc})") from None


def _one_chat(data: Any, chat: str | None, result: Path) -> dict[str, Any]:
    """The one chat's export `data` holds: itself, or the chat of an account's export that
    `chat` names."""
    if isinstance(data, dict) and isinstance(data.get("chats"), dict):
        data = _chosen(_chats_of(data), chat)
    elif chat is not None and isinstance(data, dict) and "messages" in data:
        data = _chosen([data], chat)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ExportError(f"{result}: not one chat's export (no list of messages in it)")
    return data


@dataclass
class _Reading:
    """One chat's messages read one by one (`take`): its voice messages and text messages, and
    what the export left out of them, counted by why."""

    where: ChatRef
    result: Path
    folder: Path  # the export's, resolved: recordings are read inside it alone
    zone: tzinfo | None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    voices: list[PastVoice] = field(default_factory=list)
    texts: list[ChatMessage] = field(default_factory=list)
    left: dict[str, int] = field(
        default_factory=lambda: {NOT_INCLUDED: 0, TOO_BIG: 0, UNAVAILABLE: 0, "unknown": 0}
    )
    outside: list[str] = field(default_factory=list)
    named_in: set[str] = field(default_factory=set)  # the folders of the recordings not found
    dated: list[datetime] = field(default_factory=list)  # the dates read without a zone

    def take(self, number: int, message: dict[str, Any]) -> None:
        """The message at `number` in the file: its recording and its text, where it has them."""
        sent_at = date_sent(message, self.zone)
        if sent_at is None or "id" not in message:
            return
        if telegram_id(message["id"]) is None:
            line = text("cli.import_bad_message_id", result=self.result, number=number,
                        value=shown(message["id"]))  # fmt: skip
            raise ExportError(line)
        if "date_unixtime" not in message:
            self.dated.append(sent_at)
        sent_at = min(sent_at, self.now)  # never kept longer than the retention allows
        author, author_id = speaker(message, self.result)
        if is_recording(message):
            self._recording(message, sent_at, author, author_id)
        words = plain_text(message.get("text"))
        if words.strip():
            kind_of: MessageKind = "caption" if "file" in message or "photo" in message else "text"
            self.texts.append(
                ChatMessage(self.where, str(message["id"]), author, sent_at, words, kind_of)
            )

    def _recording(
        self, message: dict[str, Any], sent_at: datetime, author: str, author_id: str | None
    ) -> None:
        """A voice message, round video or audio file: kept to transcribe where its file is
        inside the export and its speaker known, else counted by why it is not."""
        try:
            file = recording_file(self.folder, message.get("file"))
        except Outside:
            self.outside.append(str(message.get("file")))
            return
        if file is None:
            self.left[why_left_out(message.get("file"))] += 1
            self.named_in.add(folder_named(message.get("file")))
            return
        if author_id is None and "forwarded_from" in message:
            self.left["unknown"] += 1  # said by someone the export names no id of
            return
        self.voices.append(
            PastVoice(
                message_id=str(message["id"]), author=author, author_id=author_id,
                sent_at=sent_at, seconds=stated_seconds(message, self.result),
                locate=located(file), size=file.stat().st_size, name=str(message["file"]),
            )
        )  # fmt: skip

    def export(self, name: str, kind: str, zone_name: str) -> TelegramExport:
        """What was read, as the chat `name` of type `kind`; `zone_name`: the zone dates
        without one were read in."""
        past = Past(chat=self.where, voices=self.voices, texts=self.texts,
                    logged=kind not in NOT_LOGGED)  # fmt: skip
        self.named_in.discard("")
        found_one = self.voices or any((self.folder / named).exists() for named in self.named_in)
        missing = () if found_one else tuple(sorted(self.named_in))
        dated = self.dated
        local = LocalTime(zone_name, min(dated), max(dated)) if dated else None
        left = self.left
        return TelegramExport(
            name, past, left[NOT_INCLUDED], missing, outside=tuple(self.outside),
            too_big=left[TOO_BIG], unavailable=left[UNAVAILABLE],
            forwarded_unknown=left["unknown"], local_time=local,
        )  # fmt: skip


def _chats_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The chats of a whole account's export: those it is in, then those it left."""
    chats: list[dict[str, Any]] = []
    for part in ("chats", "left_chats"):
        listed = data.get(part)
        if isinstance(listed, dict) and isinstance(listed.get("list"), list):
            chats += [one for one in listed["list"] if isinstance(one, dict)]
    return chats


def _chosen(chats: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    """The one chat `wanted` names (its id as the export or the Bot API gives it, or its
    title, whatever the case); `ChatsToChoose` where none or several are."""
    named = (wanted or "").strip()
    matching = [one for one in chats if named and _is_named(one, named)]
    if len(matching) == 1:
        return matching[0]
    found = [
        ChatFound(str(one.get("name") or ""), str(one.get("id", "")), _recordings(one))
        for one in (matching or chats)
    ]
    raise ChatsToChoose(wanted if named else None, found, several=len(matching) > 1)


def _is_named(chat: dict[str, Any], named: str) -> bool:
    ids = {str(chat.get("id", ""))}
    with suppress(ExportError):
        ids.add(str(bot_api_id(chat, Path(RESULT))))
    return named in ids or str(chat.get("name") or "").casefold() == named.casefold()


def _recordings(chat: dict[str, Any]) -> int:
    messages = chat.get("messages")
    if not isinstance(messages, list):
        return 0
    return sum(1 for one in messages if isinstance(one, dict) and is_recording(one))
