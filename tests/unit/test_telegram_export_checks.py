"""What an export may make the import read, checked for real (bots/cli/memory/, the reader and
its fields): a recording's file that exists outside the export's folder (`../`, a symbolic link
out, an absolute path) is refused for being outside, not for being missing; a date in the future
counts as the reading's moment; a field of the wrong kind, JSON nested too deep, or a number no
export holds (`NaN`, `Infinity`, 400 digits, a float where an id belongs), in one export's shape
or the other, is said in one line naming what is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.cli.memory.telegram_export import read_export
from bots.cli.memory.telegram_export_fields import ExportError

INSIDE = "voice_messages/audio_1@01-11-2026_10-00-00.ogg"


def _voice_entry(number: int, file: str, **extra: Any) -> dict[str, Any]:
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
    messages = [
        _voice_entry(1, INSIDE),
        *(_voice_entry(n, file) for n, file in enumerate(named, start=2)),
    ]

    read = read_export(_export(folder, messages))

    assert [voice.message_id for voice in read.past.voices] == ["1"]
    assert read.outside == tuple(named)
    assert read.not_included == 0  # each is there: refused for where it is, not as missing


def test_a_message_dated_in_the_future_counts_as_read_now(tmp_path: Path) -> None:
    ahead = datetime.now(UTC) + timedelta(days=3 * 365)
    later = _voice_entry(2, INSIDE, date_unixtime=str(int(ahead.timestamp())))
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
    messages = [_voice_entry(1, INSIDE), _voice_entry(2, INSIDE, duration_seconds=stated)]

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
    read = read_export(_export(tmp_path, [_voice_entry(1, INSIDE), _voice_entry(2, file)]))

    assert [voice.message_id for voice in read.past.voices] == ["1"]
    assert read.not_included == 1


HOSTILE = "__hostile__"  # where a test's export holds the value it tries
DIGITS_400 = "9" * 400
CHAT, POSITION, MESSAGE = "the chat's id is", "the message at position 2", "message 2: from_id is"
NOT_A_NUMBER = "a number no Telegram export holds"


def _hostile_export(
    folder: Path, where: str, written: str, *, shape: str, neighbour: str = "1555"
) -> Path:
    """An export (one chat's, or a whole account's whose chat "Flat 4B" is imported) whose
    `where` ("chat", "message", "from_id", "forwarded_from_id" or "duration_seconds" of its
    second message) holds `written`, as the JSON file writes it; `neighbour`: the id of
    another chat of an account's export."""
    second = _voice_entry(2, INSIDE)
    if where == "forwarded_from_id":
        second |= {"forwarded_from": "Dee", "forwarded_from_id": HOSTILE}
    elif where != "chat":
        second[{"message": "id"}.get(where, where)] = HOSTILE
    chat = {
        "name": "Flat 4B",
        "type": "private_supergroup",
        "id": HOSTILE if where == "chat" else 1555,
        "messages": [_voice_entry(1, INSIDE), second],
    }
    other = {"name": "Book club", "type": "private_group", "id": neighbour, "messages": []}
    body: Any = chat if shape == "one chat" else {"chats": {"list": [other, chat]}}
    _export(folder, [])
    text = json.dumps(body).replace(json.dumps(HOSTILE), written)
    (folder / "result.json").write_text(text)
    return folder


@pytest.mark.parametrize("shape", ["one chat", "account"], ids=["one-chat", "account"])
@pytest.mark.parametrize(
    ("where", "written", "said"),
    [
        pytest.param("chat", "Infinity", f"it holds Infinity, {NOT_A_NUMBER}", id="Infinity"),
        pytest.param("chat", "-Infinity", f"it holds -Infinity, {NOT_A_NUMBER}", id="-Infinity"),
        pytest.param("chat", "NaN", f"it holds NaN, {NOT_A_NUMBER}", id="NaN"),
        pytest.param("chat", "1e400", f"it holds 1e400, {NOT_A_NUMBER}", id="1e400"),
        pytest.param("chat", DIGITS_400, f"{CHAT} {'9' * 24}…,", id="chat-400-digits"),
        pytest.param("chat", "1555.0", f"{CHAT} 1555.0,", id="chat-float"),
        pytest.param("chat", "true", f"{CHAT} true,", id="chat-bool"),
        pytest.param("message", "NaN", f"it holds NaN, {NOT_A_NUMBER}", id="message-NaN"),
        pytest.param(
            "message", "2.5", f"{POSITION} in the file has the id 2.5,", id="message-float"
        ),
        pytest.param(
            "message",
            DIGITS_400,
            f"{POSITION} in the file has the id {'9' * 24}…,",
            id="message-400-digits",
        ),
        pytest.param(
            "from_id", f'"user{DIGITS_400}"', f'{MESSAGE} "user{"9" * 19}…,', id="sender-400-digits"
        ),
        pytest.param("from_id", "22", f"{MESSAGE} 22,", id="sender-number"),
        pytest.param("from_id", '"user21.5"', f'{MESSAGE} "user21.5",', id="sender-float"),
        pytest.param(
            "forwarded_from_id",
            '"channel-7"',
            'message 2: forwarded_from_id is "channel-7",',
            id="forwarded-negative",
        ),
        pytest.param(
            "duration_seconds",
            DIGITS_400,
            "message 2: duration_seconds is no length",
            id="length-400-digits",
        ),
    ],
)
def test_a_number_no_export_holds_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, where: str, written: str,
    said: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # the command line's English
    folder = _hostile_export(tmp_path, where, written, shape=shape)

    with pytest.raises(ExportError) as refused:
        read_export(folder, chat="Flat 4B" if shape == "account" else None)

    line = str(refused.value)
    assert line.startswith(f"{folder / 'result.json'}: ") and said in line, line
    assert "\n" not in line and len(line) < 400


@pytest.mark.parametrize("neighbour", [DIGITS_400, "1601.5", "true"])
def test_a_chat_with_a_number_no_export_holds_beside_the_one_named_is_left_alone(
    tmp_path: Path, neighbour: str
) -> None:
    folder = _hostile_export(tmp_path, "from_id", '"user22"', shape="account")
    (folder / "result.json").write_text(
        (folder / "result.json").read_text().replace('"1555"', neighbour, 1)
    )

    read = read_export(folder, chat="Flat 4B")

    assert read.past.chat.chat_id == "-1001555"
    assert [voice.author_id for voice in read.past.voices] == ["21", "22"]
