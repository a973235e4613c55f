"""A Telegram Desktop export read as a chat's past (bots/cli/memory/telegram_export.py): the
chat's id as the Bot API knows it, each recording with its sender and date, what the export left
out, its text as written, and a folder that is no export said in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bots.cli.memory.telegram_export import read_export
from bots.cli.memory.telegram_export_fields import ExportError

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


def test_a_forward_is_its_speakers_and_the_three_reasons_a_file_is_left_out(
    tmp_path: Path,
) -> None:
    base = {
        "type": "message", "date": "2026-11-01T12:00:00", "date_unixtime": "1793527200",
        "from": "Bob", "from_id": "user22", "media_type": "voice_message", "text": "",
    }  # fmt: skip
    messages = [
        {**base, "id": 1, "file": VOICE, "forwarded_from": "Carol", "forwarded_from_id": "user25",
         "text": [{"type": "italic", "text": "from "}, "Carol"]},
        {**base, "id": 2, "file": VOICE, "forwarded_from": "Hidden Person"},
        {**base, "id": 3, "file": VOICE, "forwarded_from": "News", "forwarded_from_id": "channel9"},
        {**base, "id": 4, "file": NOT_INCLUDED},
        {**base, "id": 5, "file": "voice_messages/gone.ogg"},  # named, not there
        {**base, "id": 6, "file": "(File exceeds maximum size. Change data exporting settings "
                                  "to download.)"},
        {**base, "id": 7, "file": "(File unavailable, please try again later)"},
    ]  # fmt: skip
    read = read_export(export(tmp_path, "private_supergroup", messages))

    assert [(v.message_id, v.author, v.author_id) for v in read.past.voices] == [
        ("1", "Carol", "25"), ("3", "News", "-1009")
    ]  # fmt: skip
    assert [(t.author, t.text) for t in read.past.texts] == [("Carol", "from Carol")]
    assert read.forwarded_unknown == 1
    assert (read.not_included, read.too_big, read.unavailable) == (2, 1, 1)
    assert read.local_time is None


def test_dates_without_a_zone_are_read_in_the_one_given(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    old = {"id": 1, "type": "message", "date": "2021-06-01T14:03:11", "from": "Ann",
           "from_id": "user21", "text": "Hi"}  # fmt: skip
    read = read_export(export(tmp_path, "private_group", [old]), zone=ZoneInfo("Europe/Berlin"),
                       zone_name="Europe/Berlin")  # fmt: skip

    [typed] = read.past.texts
    assert typed.sent_at == datetime(2021, 6, 1, 12, 3, 11, tzinfo=UTC)  # summer: UTC+2
    assert read.local_time is not None and read.local_time.zone == "Europe/Berlin"
