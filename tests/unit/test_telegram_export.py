"""A Telegram Desktop export read as a chat's past (bots/cli/telegram_export.py): the chat's id
as the Bot API knows it, each recording with its sender and date, what the export left out, its
text as written, and a folder that is no export said in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bots.cli.telegram_export import ExportError, read_export

VOICE = "voice_messages/audio_1@01-11-2026_10-00-00.ogg"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def export(folder: Path, kind: str, messages: list[dict[str, Any]], chat: int = 1555) -> Path:
    (folder / "voice_messages").mkdir(parents=True, exist_ok=True)
    (folder / VOICE).write_bytes(b"OggS")
    body = {"name": "Flat 4B", "type": kind, "id": chat, "messages": messages}
    (folder / "result.json").write_text(json.dumps(body))
    return folder


@pytest.mark.parametrize(
    ("kind", "bot_api_id"),
    [("private_supergroup", "-1001555"), ("public_supergroup", "-1001555"),
     ("private_group", "-1555"), ("personal_chat", "1555")],
)  # fmt: skip
def test_the_chat_is_named_as_the_bot_api_names_it(
    tmp_path: Path, kind: str, bot_api_id: str
) -> None:
    read = read_export(export(tmp_path, kind, []))

    assert read.past.chat.chat_id == bot_api_id
    assert read.past.logged is (kind != "personal_chat")  # summaries are for groups
    assert read_export(tmp_path, chat_id=-100777).past.chat.chat_id == "-100777"


def test_recordings_their_senders_dates_and_what_the_export_left_out(tmp_path: Path) -> None:
    messages = [
        {"id": 1, "type": "service", "date": "2026-11-01T09:00:00", "action": "pin_message",
         "actor": "Ann", "text": ""},
        {"id": 2, "type": "message", "date": "2026-11-01T12:00:00", "date_unixtime": "1793527200",
         "from": "Ann", "from_id": "user21", "file": VOICE, "media_type": "voice_message",
         "mime_type": "audio/ogg", "duration_seconds": 7, "text": ""},
        {"id": 3, "type": "message", "date": "2026-11-01T12:01:00", "from": None,
         "from_id": "channel99", "media_type": "video_message", "file": NOT_INCLUDED,
         "duration_seconds": 3, "text": ""},
        {"id": 4, "type": "message", "date": "2026-11-01T12:02:00", "from": "Bob",
         "from_id": "user22", "text": ["Who has the ", {"type": "bold", "text": "key"}, "?"]},
        {"id": 5, "type": "message", "date": "2026-11-01T12:03:00", "from": "Bob",
         "from_id": "user22", "media_type": "audio_file", "file": "../../etc/passwd",
         "text": ""},
    ]  # fmt: skip
    read = read_export(export(tmp_path, "private_supergroup", messages) / "result.json")

    [voice] = read.past.voices
    assert (voice.message_id, voice.author, voice.author_id) == ("2", "Ann", "21")
    assert voice.sent_at == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)  # date_unixtime, not date
    assert voice.seconds == 7
    assert read.not_included == 1  # not downloaded
    assert read.outside == ("../../etc/passwd",)  # a path out of the export's folder
    [typed] = read.past.texts
    assert (typed.message_id, typed.author, typed.text) == ("4", "Bob", "Who has the key?")


@pytest.mark.parametrize(
    ("content", "said"),
    [(None, "no result.json there"), ("{", "not a Telegram export"),
     ('{"name": "x"}', "not one chat's export")],
)  # fmt: skip
def test_a_folder_that_is_no_export_is_said_in_one_line(
    tmp_path: Path, content: str | None, said: str
) -> None:
    if content is not None:
        (tmp_path / "result.json").write_text(content)

    with pytest.raises(ExportError, match=said):
        read_export(tmp_path)
