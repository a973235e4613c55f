"""`voicebridge import telegram` on the exports people have besides one chat's of today: the whole
account's ("Export Telegram data", the chat named with --chat), an older one whose dates carry
no time zone, the three ways a file is left out, and a voice message forwarded from someone
else, never kept under the name of the member who forwarded it. Each export is made here in
Telegram Desktop's own layout and field names, and imported by the real process against the
MiMo stand-in."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.audio_factory import make_audio
from tests.integration.chatlog_db import kept_in_file, log_in_file
from tests.integration.cli.process import env, voicebridge
from tests.standins.mimo import FakeMimo, hears_by_length

ANN, BOB, CAROL, DEE = 21, 22, 25, 26
SAID = {  # what each recording says, by its length in seconds (the MiMo stand-in hears that)
    2: "Carol: the boiler needs a new valve.",
    3: "Ann: the deposit is back on Monday.",
    4: "Dee: the keys are under the mat.",
    5: "Bob's book club meets on Thursday.",
}
NOW = datetime.now(UTC).replace(microsecond=0)
ASR = "mimo-v2.5-asr"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
TOO_BIG = "(File exceeds maximum size. Change data exporting settings to download.)"
UNAVAILABLE = "(File unavailable, please try again later)"  # as Telegram Desktop writes it


def message(number: int, days_ago: float, user: int, name: str, **extra: Any) -> dict[str, Any]:
    sent = NOW - timedelta(days=days_ago)
    return {
        "id": number, "type": "message", "date": sent.replace(tzinfo=None).isoformat(),
        "date_unixtime": str(int(sent.timestamp())), "from": name, "from_id": f"user{user}",
        "text": "", **extra,
    }  # fmt: skip


def exported_voice(
    top: Path, under: str, number: int, days_ago: float, user: int, name: str, *, seconds: int,
    **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    """A voice message whose file is at `under`/voice_messages/, named from the export's top
    folder as Telegram Desktop names it."""
    named = f"{under}voice_messages/audio_{number}@{NOW:%d-%m-%Y_%H-%M-%S}.ogg"
    (top / named).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(make_audio(top.parent, fmt="ogg", seconds=seconds), top / named)
    return message(number, days_ago, user, name, file=named, media_type="voice_message",
                   mime_type="audio/ogg", duration_seconds=seconds, **extra)  # fmt: skip


def one_chat(cwd: Path, messages: list[dict[str, Any]], *, folder: str = "ChatExport") -> Path:
    top = cwd / folder
    top.mkdir(exist_ok=True)
    body = {"name": "Flat 4B", "type": "private_supergroup", "id": 1555, "messages": messages}
    (top / "result.json").write_text(json.dumps(body, ensure_ascii=False, indent=1))
    return top


def account_export(cwd: Path) -> Path:
    """The whole account's export: result.json holding the chats' list, each chat's files under
    chats/chat_NN/, each named from the top folder."""
    top = cwd / "DataExport_2026-11-27"
    top.mkdir()
    flat = [
        exported_voice(top, "chats/chat_01/", 10, 3, ANN, "Ann", seconds=3),
        message(11, 2, BOB, "Bob", text=["Who has the ", {"type": "bold", "text": "key"}, "?"]),
    ]
    club = [exported_voice(top, "chats/chat_02/", 10, 3, BOB, "Bob", seconds=5)]
    chats = [
        {"name": "Flat 4B", "type": "private_supergroup", "id": 1555, "messages": flat},
        {"name": "Book club", "type": "private_group", "id": 1601, "messages": club},
        {"name": "Ann", "type": "personal_chat", "id": ANN, "messages": []},
    ]
    left = [{"name": "Book club", "type": "private_supergroup", "id": 1602, "messages": []}]
    body = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": BOB, "first_name": "Bob"},
        "chats": {"about": "This page lists all chats from this export.", "list": chats},
        "left_chats": {"about": "This page lists all supergroups and channels you left.",
                       "list": left},
    }  # fmt: skip
    (top / "result.json").write_text(json.dumps(body, ensure_ascii=False, indent=1))
    return top


def settings_in(cwd: Path, mimo: FakeMimo, **more: str) -> dict[str, str]:
    return env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
               SUMMARY_RETENTION_DAYS="30", **more)  # fmt: skip


async def test_the_chat_named_of_an_account_export_is_imported_and_the_chats_are_listed_else(
    cwd: Path, mimo: FakeMimo
) -> None:
    top = account_export(cwd)
    settings = settings_in(cwd, mimo)
    lengths = hears_by_length(mimo, SAID)
    database = cwd / "voicebridge.db"

    unnamed = await voicebridge("import", "telegram", str(top), "--yes", cwd=cwd, env=settings)
    several = await voicebridge("import", "telegram", str(top), "--chat", "book CLUB", "--yes",
                                cwd=cwd, env=settings)  # fmt: skip
    none = await voicebridge("import", "telegram", str(top), "--chat", "Flat 5C", "--yes",
                             cwd=cwd, env=settings)  # fmt: skip
    by_title = await voicebridge("import", "telegram", str(top / "result.json"), "--chat",
                                 "flat 4b", "--yes", cwd=cwd, env=settings)  # fmt: skip
    by_id = await voicebridge("import", "telegram", str(top), "--chat", "1601", "--yes", cwd=cwd,
                              env=settings)  # fmt: skip

    assert unnamed.code == 2 and unnamed.text == ""
    assert unnamed.err.splitlines() == [
        "voicebridge: The export holds a whole account's chats (4): name the one to import "
        "with --chat, by its id or its title:",
        "  Flat 4B (id 1555): voice messages: 1",
        "  Book club (id 1601): voice messages: 1",
        "  Ann (id 21): voice messages: 0",
        "  Book club (id 1602): voice messages: 0",
    ]
    assert several.code == 2
    assert several.err.splitlines() == [
        "voicebridge: Several chats in the export have the title book CLUB: name one of these "
        "by its id with --chat:",
        "  Book club (id 1601): voice messages: 1",
        "  Book club (id 1602): voice messages: 0",
    ]
    assert none.code == 2
    assert none.err.splitlines()[0] == (
        "voicebridge: No chat in the export has the id or title Flat 5C: name one of these with "
        "--chat:"
    )
    assert len(none.err.splitlines()) == 5  # the four chats
    assert by_title.code == 0, by_title.err
    assert by_title.text.splitlines()[0] == (
        "Flat 4B (telegram:-1001555): voice messages to transcribe: 1, 0:03 of speech."
    )
    assert by_id.code == 0, by_id.err
    assert by_id.text.splitlines()[0] == (
        "Book club (telegram:-1601): voice messages to transcribe: 1, 0:05 of speech."
    )
    assert lengths == [3, 5]  # each chat's own file, from its chats/chat_NN folder
    assert [row[:2] for row in kept_in_file(database, "-1001555")] == [("10", "Ann")]
    assert [row[:2] for row in kept_in_file(database, "-1601")] == [("10", "Bob")]
    assert log_in_file(database, "-1001555") == [
        ("10", "transcript", "Ann", SAID[3]),
        ("11", "text", "Bob", "Who has the key?"),  # text as pieces, joined
    ]


async def test_an_export_without_unix_times_says_the_zone_it_assumed_and_its_dates(
    cwd: Path, mimo: FakeMimo
) -> None:
    """An export from before 2022: `date` alone, the exporting computer's local time."""
    top = cwd / "ChatExport_2021"
    older = [
        exported_voice(top, "", 2, 9, ANN, "Ann", seconds=3),
        message(3, 8, BOB, "Bob", text="See you at noon"),
    ]
    for one in older:
        del one["date_unixtime"]
    older[0]["date"], older[1]["date"] = "2026-11-18T09:15:00", "2026-11-20T14:03:11"
    one_chat(cwd, older, folder=top.name)
    database = cwd / "voicebridge.db"
    hears_by_length(mimo, SAID)

    asked = await voicebridge("import", "telegram", str(top), "--timezone", "Europe/Berlin",
                              cwd=cwd, env=settings_in(cwd, mimo), stdin=b"n\n")  # fmt: skip
    tokyo = settings_in(cwd, mimo, TZ="Asia/Tokyo")  # this machine's zone, none given
    machine = await voicebridge("import", "telegram", str(top), cwd=cwd, env=tokyo, stdin=b"n\n")
    wrong = await voicebridge("import", "telegram", str(top), "--timezone", "Europe/Berlinn",
                              cwd=cwd, env=settings_in(cwd, mimo))  # fmt: skip
    done = await voicebridge("import", "telegram", str(top), "--timezone", "Europe/Berlin",
                             "--yes", cwd=cwd, env=settings_in(cwd, mimo))  # fmt: skip

    read = (
        "The export's dates carry no time zone (an export from before 2022 writes the exporting "
        "computer's local time): they are read as {zone} time{how}. First message: 2026-11-18 "
        "09:15 ({first}); last: 2026-11-20 14:03 ({last})."
    )
    named = ", as --timezone says"  # the zone given: no hint to give one
    other = "; --timezone names another, such as Europe/Berlin"  # this machine's: how to change it
    assert asked.code == 0, asked.err
    lines = asked.text.splitlines()
    assert (
        read.format(zone="Europe/Berlin", how=named, first="UTC+01:00", last="UTC+01:00") in lines
    )
    assert not any("--timezone names another" in line for line in lines)
    # The dates are said before it is asked; declined, it says that nothing was done.
    assert lines[-2].startswith("Start the import?")
    assert lines[-1] == "Not started: nothing was transcribed or kept."
    machine_said = read.format(zone="Asia/Tokyo", how=other, first="UTC+09:00", last="UTC+09:00")
    assert machine_said in machine.text
    assert wrong.code == 2
    assert wrong.err.splitlines() == [
        "voicebridge: --timezone Europe/Berlinn: no such time zone: give its name in the time "
        "zone database, such as Europe/Berlin."
    ]
    assert len(mimo.calls(ASR)) == 1  # the one import agreed to
    assert done.code == 0, done.err
    [(number, author, sent)] = kept_in_file(database, "-1001555")
    berlin = datetime(2026, 11, 18, 9, 15, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (number, author) == ("2", "Ann")
    assert sent.startswith(f"{berlin.astimezone(UTC):%Y-%m-%d %H:%M}")  # 08:15 UTC


async def test_the_three_ways_a_file_is_left_out_are_counted_apart_each_with_what_to_do(
    cwd: Path, mimo: FakeMimo
) -> None:
    top = cwd / "ChatExport"
    left_out = {"media_type": "voice_message", "mime_type": "audio/ogg", "duration_seconds": 4}
    messages = [
        exported_voice(top, "", 2, 3, ANN, "Ann", seconds=3),
        message(3, 3, ANN, "Ann", file=NOT_INCLUDED, **left_out),
        message(4, 3, ANN, "Ann", file=TOO_BIG, **left_out),
        message(5, 3, BOB, "Bob", file=TOO_BIG, **left_out),
        message(6, 3, BOB, "Bob", file=UNAVAILABLE, **left_out),
    ]
    one_chat(cwd, messages, folder=top.name)
    hears_by_length(mimo, SAID)

    done = await voicebridge("import", "telegram", str(top), cwd=cwd, env=settings_in(cwd, mimo),
                             stdin=b"n\n")  # fmt: skip

    assert done.code == 0, done.err
    lines = done.text.splitlines()
    assert lines[:4] == [
        "Flat 4B (telegram:-1001555): voice messages to transcribe: 1, 0:03 of speech.",
        "Recordings the export does not hold (not downloaded with it), skipped: 1. To have "
        "them, export again with voice messages and round video messages ticked, and import "
        "the new folder.",
        "Recordings over the export's size limit, skipped: 2. To have them, export again with "
        "the size limit raised in the export's settings.",
        "Recordings Telegram could not hand over during the export, skipped: 1. To have them, "
        "export again later.",
    ]


async def test_a_forwarded_voice_message_is_its_speakers_never_the_forwarders(
    cwd: Path, mimo: FakeMimo
) -> None:
    """Bob forwards Carol's voice message and Dee's, and one from someone the export names
    without an id: Carol's no holds for hers, Dee's is found under Dee, and none is ever under
    Bob's name."""
    top = cwd / "ChatExport"
    messages = [
        exported_voice(top, "", 2, 4, BOB, "Bob", seconds=2, forwarded_from="Carol",
              forwarded_from_id=f"user{CAROL}"),
        exported_voice(top, "", 3, 3, BOB, "Bob", seconds=4, forwarded_from="Dee",
              forwarded_from_id=f"user{DEE}"),
        exported_voice(top, "", 4, 2, BOB, "Bob", seconds=5, forwarded_from="Hidden Person"),
        exported_voice(top, "", 5, 1, ANN, "Ann", seconds=3),
    ]  # fmt: skip
    one_chat(cwd, messages, folder=top.name)
    settings = settings_in(cwd, mimo)
    database = cwd / "voicebridge.db"
    lengths = hears_by_length(mimo, SAID)

    done = await voicebridge("import", "telegram", str(top), "--leave-out", str(CAROL), "--yes",
                             cwd=cwd, env=settings)  # fmt: skip
    valve = await voicebridge("find", "telegram:-1001555", "valve", cwd=cwd, env=settings)
    keys = await voicebridge("find", "telegram:-1001555", "keys", cwd=cwd, env=settings)
    book = await voicebridge("find", "telegram:-1001555", "book", cwd=cwd, env=settings)

    assert done.code == 0, done.err
    assert "Of people who asked not to be transcribed, left out: 1." in done.text
    assert (
        "Forwarded voice messages whose speaker the export does not identify, left out: 1. "
        "They are never kept under the name of whoever forwarded them."
    ) in done.text.splitlines()
    assert sorted(lengths) == [3, 4]  # neither Carol's nor the unnamed speaker's was heard
    assert kept_in_file(database, "-1001555")[0][:2] == ("3", "Dee")
    assert [row[:2] for row in kept_in_file(database, "-1001555")] == [("3", "Dee"), ("5", "Ann")]
    assert "Dee" in keys.text and "Bob" not in keys.text
    # Carol's no held for her forwarded note; the unnamed speaker left out.
    assert valve.text.startswith("Nothing kept from this chat in the last")
    assert book.text.startswith("Nothing kept from this chat in the last")
    assert "Bob" not in valve.text + book.text


@pytest.mark.parametrize("shape", ["one chat", "account"], ids=["one-chat", "account"])
@pytest.mark.parametrize(
    ("where", "hostile", "said"),
    [
        pytest.param(
            '"id": 1555',
            '"id": Infinity',
            "it holds Infinity, a number no Telegram export holds: export the chat again with "
            "Telegram Desktop.",
            id="Infinity",
        ),
        pytest.param(
            '"id": 1555',
            f'"id": {"4" * 400}',
            f"the chat's id is {'4' * 24}…, and a Telegram id is a whole number of at most 16 "
            "digits: give the chat's id with --chat-id.",
            id="400-digits",
        ),
        pytest.param(
            '"id": 11',  # Bob's message
            '"id": 11.0',
            "the message at position 2 in the file has the id 11.0, and a Telegram id is a "
            "whole number of at most 16 digits: export the chat again with Telegram Desktop.",
            id="float",
        ),
    ],
)
async def test_a_number_no_export_holds_ends_the_import_in_one_line(
    cwd: Path, mimo: FakeMimo, shape: str, where: str, hostile: str, said: str
) -> None:
    """Python's `json` reads `Infinity`, `NaN` and a 400-digit number: an export holding one
    where the chat's or a message's id goes (written by hand, or by another tool) is refused
    in the one line the import promises, with what to do, never a traceback; nothing is sent
    to MiMo or kept. In one chat's export, and in an account's with the chat named (Flat 4B,
    id 1555)."""
    top = account_export(cwd) if shape == "account" else one_chat(cwd, _two_messages(cwd))
    written = (top / "result.json").read_text()
    (top / "result.json").write_text(written.replace(where, hostile, 1))
    named = ["--chat", "Flat 4B"] if shape == "account" else []

    done = await voicebridge("import", "telegram", str(top), *named, "--yes", cwd=cwd,
                             env=settings_in(cwd, mimo))  # fmt: skip

    assert (done.code, done.text) == (3, "")
    assert done.err.splitlines() == [f"voicebridge: {top / 'result.json'}: {said}"]
    assert mimo.requests == []
    assert (
        not (cwd / "voicebridge.db").exists()
        or kept_in_file(cwd / "voicebridge.db", "-1001555") == []
    )


def _two_messages(cwd: Path) -> list[dict[str, Any]]:
    """Flat 4B's messages as `account_export` writes them, in one chat's export."""
    return [
        exported_voice(cwd / "ChatExport", "", 10, 3, ANN, "Ann", seconds=3),
        message(11, 2, BOB, "Bob", text="Who has the key?"),
    ]
