"""A Telegram Desktop export (format JSON) read as a chat's past (`core.app.memory.past.Past`).

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
"""

from __future__ import annotations

import json
import math
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from bots.cli.messages import text
from core.app.memory.past import Past, PastVoice
from core.domain.summaries import ChatMessage, MessageKind
from core.domain.values import ChatRef

RESULT = "result.json"
RECORDINGS = ("voice_message", "video_message", "audio_file")  # what is transcribed
SUPERGROUPS = ("private_supergroup", "public_supergroup", "private_channel", "public_channel")
GROUPS = ("private_group",)
NOT_LOGGED = ("personal_chat", "bot_chat", "saved_messages")  # summaries are for groups
# What the export writes in place of a file it left out, by its start: why, counted apart.
NOT_INCLUDED, TOO_BIG, UNAVAILABLE = "(File not included", "(File exceeds maximum", "(File unav"
ID_DIGITS = 16  # the most digits of an id the export may give (the Bot API's fit in 52 bits)
# How `from_id` names a sender (user123, channel123), and what comes before its number as the
# Bot API gives it.
_SENDERS = (("user", ""), ("channel", "-100"))
_SHOWN = 24  # characters of a hostile value said in its line
_DIGITS = re.compile(rf"-?[0-9]{{1,{ID_DIGITS}}}")


class ExportError(Exception):
    """The folder is not a Telegram Desktop JSON export; the message says why in one line."""


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


class _Outside(Exception):
    """A recording's `file` leads out of the export's folder."""


class _NoSender(Exception):
    """A message's `from_id` (or `forwarded_from_id`) names no Telegram user or chat."""


class _NotANumber(ValueError):
    """The JSON holds a number no export does (`NaN`, `Infinity`, or one past a float's
    range), as written."""


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
    folder = result.parent.resolve()
    try:
        data = json.loads(
            result.read_text(encoding="utf-8"), parse_constant=_no_constant, parse_float=_finite
        )
    except FileNotFoundError:
        raise ExportError(f"{path}: no {RESULT} there (export the chat as JSON)") from None
    except _NotANumber as exc:
        raise ExportError(text("cli.import_not_a_number", result=result, value=exc)) from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ExportError(f"{result}: not a Telegram export ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("chats"), dict):
        data = _chosen(_chats_of(data), chat)
    elif chat is not None and isinstance(data, dict) and "messages" in data:
        data = _chosen([data], chat)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ExportError(f"{result}: not one chat's export (no list of messages in it)")
    kind = str(data.get("type", ""))
    where = ChatRef("telegram", str(chat_id if chat_id is not None else bot_api_id(data, result)))
    voices: list[PastVoice] = []
    texts: list[ChatMessage] = []
    left = {NOT_INCLUDED: 0, TOO_BIG: 0, UNAVAILABLE: 0, "unknown": 0}
    outside: list[str] = []
    now = datetime.now(UTC)
    named_in: set[str] = set()  # the folders of the recordings not found
    dated: list[datetime] = []  # the dates read without a zone
    for number, message in enumerate(data["messages"], start=1):
        if not isinstance(message, dict) or message.get("type") != "message":
            continue  # a service message: a join, a pin, a call
        sent_at = _date(message, zone)
        if sent_at is None or "id" not in message:
            continue
        if _id(message["id"]) is None:
            line = text("cli.import_bad_message_id", result=result, number=number,
                        value=_shown(message["id"]))  # fmt: skip
            raise ExportError(line)
        if "date_unixtime" not in message:
            dated.append(sent_at)
        sent_at = min(sent_at, now)
        author, author_id = _speaker(message, result)
        if message.get("media_type") in RECORDINGS:
            try:
                file = _file(folder, message.get("file"))
            except _Outside:
                outside.append(str(message.get("file")))
                continue
            if file is None:
                left[_why_left_out(message.get("file"))] += 1
                named_in.add(_folder_named(message.get("file")))
                continue
            if author_id is None and "forwarded_from" in message:
                left["unknown"] += 1  # said by someone the export names no id of
                continue
            voices.append(
                PastVoice(
                    message_id=str(message["id"]),
                    author=author,
                    author_id=author_id,
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
            texts.append(ChatMessage(where, str(message["id"]), author, sent_at, words, kind_of))
    past = Past(chat=where, voices=voices, texts=texts, logged=kind not in NOT_LOGGED)
    named_in.discard("")
    found_one = voices or any((folder / named).exists() for named in named_in)
    missing = () if found_one else tuple(sorted(named_in))
    local = LocalTime(zone_name, min(dated), max(dated)) if dated else None
    return TelegramExport(
        str(data.get("name") or where.chat_id), past, left[NOT_INCLUDED], missing,
        outside=tuple(outside), too_big=left[TOO_BIG], unavailable=left[UNAVAILABLE],
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
    return sum(
        1 for one in messages if isinstance(one, dict) and one.get("media_type") in RECORDINGS
    )


def _speaker(message: dict[str, Any], result: Path) -> tuple[str, str | None]:
    """Who said the message, and their id: for a forward, whom it came from (no id where the
    export gives none), never the member who forwarded it."""
    name, field = ("forwarded_from", "forwarded_from_id")
    if name not in message:
        name, field = ("from", "from_id")
    try:
        sender = _sender(message.get(field))
    except _NoSender:
        line = text("cli.import_bad_sender", result=result, message=message["id"], field=field,
                    value=_shown(message.get(field)))  # fmt: skip
        raise ExportError(line) from None
    return str(message.get(name) or "someone"), sender


def _why_left_out(named: object) -> str:
    """Why the export holds no file for a recording: its words in place of the path (a file
    named but not there counts as not included)."""
    if isinstance(named, str):
        for why in (TOO_BIG, UNAVAILABLE):
            if named.startswith(why):
                return why
    return NOT_INCLUDED


def _folder_named(named: object) -> str:
    """The export's folder a recording's `file` names (`voice_messages`), or "" where it names
    none ("(File not included...)", or a file at the top)."""
    if not isinstance(named, str) or named.startswith("("):
        return ""
    parts = Path(named).parts
    return parts[0] if len(parts) > 1 else ""


def bot_api_id(data: dict[str, Any], result: Path) -> int:
    """The chat's id as the Bot API knows it, from the export's own id and type (of `result`,
    named in the line that refuses an id no chat has)."""
    if "id" not in data:
        raise ExportError("the export names no chat id: give it with --chat-id")
    bare = _id(data["id"])
    if bare is None:
        raise ExportError(text("cli.import_bad_chat_id", result=result, value=_shown(data["id"])))
    kind = str(data.get("type", ""))
    if kind in SUPERGROUPS:
        return int(f"-100{bare}") if bare > 0 else bare  # -100 followed by the id
    if kind in GROUPS:
        return -bare if bare > 0 else bare
    return bare


def _id(value: object) -> int | None:
    """`value` as an id Telegram gives (a whole number of at most `ID_DIGITS` digits, written
    as a number or as a string of digits), or None: a float (12.0 too), a bool, anything
    longer."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**ID_DIGITS:
        return value
    return None


def _shown(value: object) -> str:
    """A value of the export as its JSON writes it, cut short in a line that says it."""
    written = json.dumps(value, ensure_ascii=False)
    return written if len(written) <= _SHOWN else f"{written[:_SHOWN]}…"


def _no_constant(written: str) -> Any:
    """`NaN`, `Infinity` and `-Infinity`, which Python's `json` reads and no export holds."""
    raise _NotANumber(written)


def _finite(written: str) -> float:
    """A JSON number with a fraction or an exponent, refused where it is past a float's
    range (`1e400` would be read as infinity)."""
    number = float(written)
    if not math.isfinite(number):
        raise _NotANumber(written[:_SHOWN] + ("…" if len(written) > _SHOWN else ""))
    return number


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


def _date(message: dict[str, Any], zone: tzinfo | None) -> datetime | None:
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
    except (TypeError, ValueError, OverflowError):  # 400 digits: past a float's range
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise ExportError(
            f"{result}: message {message['id']}: duration_seconds is no length ({stated!r:.40})"
        )
    return seconds


def _sender(from_id: object) -> str | None:
    """A sender's id as the Bot API gives it: `user123` is 123; a channel posting in the group
    (`channel123`) is -100123. None where the export names no sender; `_NoSender` where it
    names one no Telegram user or chat has (a number, `user12.5`, `user` and 400 digits)."""
    if from_id is None:
        return None
    if not isinstance(from_id, str):
        raise _NoSender(from_id)
    for prefix, before in _SENDERS:
        if from_id.startswith(prefix):
            number = from_id.removeprefix(prefix)
            if not number.isdecimal() or _id(number) is None:
                raise _NoSender(from_id)
            return f"{before}{number}"
    return from_id


def _at(file: Path) -> Any:
    async def locate() -> Path:
        return file

    return locate
