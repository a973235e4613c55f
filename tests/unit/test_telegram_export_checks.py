"""What an export may make the import read, checked for real (bots/cli/telegram_export.py): a
recording's file that exists outside the export's folder (`../`, a symbolic link out, an
absolute path) is refused for being outside, not for being missing; a date in the future
counts as the reading's moment; a field of the wrong kind, or JSON nested too deep, is said in
one line naming what is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.cli.telegram_export import ExportError, read_export

INSIDE = "voice_messages/audio_1@01-11-2026_10-00-00.ogg"


def _voice(number: int, file: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": number, "type": "message", "date": "2026-11-01T12:00:00",
        "date_unixtime": "1793527200", "from": "Ann", "from_id": "user21", "file": file,
        "media_type": "voice_message", "mime_type": "audio/ogg", "duration_seconds": 7,
        "text": "", **extra,
    }  # fmt: skip


def _export(folder: Path, messages: list[dict[str, Any]]) -> Path:
    (folder / "voice_messages").mkdir(parents=True, exist_ok=True)
    (folder / INSIDE).write_bytes(b"OggS")
    body = {"name": "Flat 4B", "type": "private_supergroup", "id": 1555, "messages": messages}
    (folder / "result.json").write_text(json.dumps(body))
    return folder


def test_an_existing_file_outside_the_export_is_refused_for_being_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.ogg"
    outside.write_bytes(b"OggS")
    folder = tmp_path / "ChatExport"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "link.ogg").symlink_to(outside)
    named = ["../outside.ogg", "files/link.ogg", str(outside), "files/../../outside.ogg"]
    messages = [_voice(1, INSIDE), *(_voice(n, file) for n, file in enumerate(named, start=2))]

    read = read_export(_export(folder, messages))

    assert [voice.message_id for voice in read.past.voices] == ["1"]
    assert read.outside == tuple(named)
    assert read.not_included == 0  # each is there: refused for where it is, not as missing


def test_a_message_dated_in_the_future_counts_as_read_now(tmp_path: Path) -> None:
    ahead = datetime.now(UTC) + timedelta(days=3 * 365)
    later = _voice(2, INSIDE, date_unixtime=str(int(ahead.timestamp())))
    text = {"id": 3, "type": "message", "date": ahead.replace(tzinfo=None).isoformat(),
            "from": "Bob", "from_id": "user22", "text": "See you in three years"}  # fmt: skip
    before = datetime.now(UTC)

    read = read_export(_export(tmp_path, [later, text]))

    [voice] = read.past.voices
    [typed] = read.past.texts
    assert before <= voice.sent_at <= datetime.now(UTC)
    assert before <= typed.sent_at <= datetime.now(UTC)


@pytest.mark.parametrize("stated", ["seven", [7], {"s": 7}, -3, "nan", "inf"])
def test_a_length_that_is_no_number_is_said_with_its_message(tmp_path: Path, stated: Any) -> None:
    messages = [_voice(1, INSIDE), _voice(2, INSIDE, duration_seconds=stated)]

    with pytest.raises(ExportError, match=r"result\.json: message 2: duration_seconds is no len"):
        read_export(_export(tmp_path, messages))


def test_json_nested_too_deep_is_said_in_one_line(tmp_path: Path) -> None:
    _export(tmp_path, [])
    depth = 100_000
    (tmp_path / "result.json").write_text('{"messages": ' + "[" * depth + "]" * depth + "}")

    with pytest.raises(ExportError, match="not a Telegram export") as refused:
        read_export(tmp_path)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("file", ["voice\x00.ogg", "x" * 5000 + ".ogg"])
def test_a_file_name_no_system_takes_is_a_file_the_export_does_not_hold(
    tmp_path: Path, file: str
) -> None:
    read = read_export(_export(tmp_path, [_voice(1, INSIDE), _voice(2, file)]))

    assert [voice.message_id for voice in read.past.voices] == ["1"]
    assert read.not_included == 1
