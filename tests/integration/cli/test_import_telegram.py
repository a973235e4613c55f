"""`voicebridge import telegram PATH` as a group's owner runs it: a Telegram Desktop export of the
group (made here in the export's own layout and field names) imported into the group's memory,
so that `/find deposit` in the group shows the moment from three weeks ago, with its sender,
date and link; run again, or after a kill mid-way, nothing is transcribed twice."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.audio_factory import make_audio
from tests.integration.chatlog_db import kept_in_file, log_in_file
from tests.integration.cli.process import (
    TIMEOUT,
    env,
    on_a_terminal,
    rest_of,
    shown_until,
    voicebridge,
)
from tests.integration.cli.test_import_telegram_shapes import message
from tests.integration.conftest import free_ports, running, settings_for
from tests.integration.test_telegram_summaries import next_reply
from tests.standins.mimo import SERVER_ERROR, FakeMimo, hears_by_length
from tests.standins.telegram_api import FakeBotApi
from tests.voicebridge_process import start

BARE_ID = 1555  # the export's own id of the supergroup; the Bot API's is -1001555
GROUP = -1001555
ANN, BOB, CY, DAN = 21, 22, 23, 24
# What each recording says, by its length in seconds (the MiMo stand-in hears that).
SAID = {
    2: "This one is too old to keep.",
    3: "Bob: the paint arrives on Friday.",
    4: "The landlord keeps the deposit until the flat is painted.",
    5: "The plumber comes on Tuesday morning.",
    6: "Dan: please do not transcribe me.",
}
NOW = datetime.now(UTC).replace(microsecond=0)
ASR = "mimo-v2.5-asr"  # the requests that hear a recording (MiMo's check is the chat model's)


def _recording_file(
    folder: Path, number: int, days_ago: float, user: int, name: str, *, seconds: int,
    media: str = "voice_message", fmt: str = "ogg",
) -> dict[str, Any]:  # fmt: skip
    """A recording in the export's folder for its kind, named as Telegram Desktop names it."""
    where, mime = {
        "voice_message": ("voice_messages", "audio/ogg"),
        "video_message": ("round_video_messages", "video/mp4"),
        "audio_file": ("files", "audio/mpeg"),
    }[media]
    sent = NOW - timedelta(days=days_ago)
    name_on_disk = f"{where}/audio_{number}@{sent:%d-%m-%Y_%H-%M-%S}.{fmt}"
    (folder / where).mkdir(exist_ok=True)
    shutil.copy(make_audio(folder.parent, fmt=fmt, seconds=seconds), folder / name_on_disk)
    return message(
        number, days_ago, user, name, file=name_on_disk, media_type=media, mime_type=mime,
        duration_seconds=seconds,
    )  # fmt: skip


def make_export(cwd: Path) -> Path:
    """The group's history as Telegram Desktop's "Export chat history" (JSON) writes it."""
    folder = cwd / "ChatExport_2026-11-26"
    folder.mkdir()
    messages = [
        {"id": 1, "type": "service", "date": "2026-01-01T10:00:00", "date_unixtime": "1767261600",
         "actor": "Ann", "actor_id": f"user{ANN}", "action": "create_group", "title": "Flat 4B",
         "text": ""},
        _recording_file(folder, 2, 40, CY, "Cy", seconds=2),
        message(3, 22, BOB, "Bob", text=["Who has the ", {"type": "bold", "text": "key"}, "?"]),
        _recording_file(folder, 4, 21, ANN, "Ann", seconds=4),
        message(5, 15, ANN, "Ann", media_type="voice_message", mime_type="audio/ogg",
                 duration_seconds=9,
                 file="(File not included. Change data exporting settings to download.)"),
        _recording_file(folder, 6, 10, BOB, "Bob", seconds=3, media="video_message", fmt="mp4"),
        _recording_file(folder, 7, 5, CY, "Cy", seconds=5, media="audio_file", fmt="mp3"),
        _recording_file(folder, 8, 4, DAN, "Dan", seconds=6),
    ]  # fmt: skip
    export = {"name": "Flat 4B", "type": "private_supergroup", "id": BARE_ID, "messages": messages}
    (folder / "result.json").write_text(json.dumps(export, ensure_ascii=False, indent=1))
    return folder


async def test_an_export_is_imported_found_with_its_sender_date_and_link_and_never_twice(
    cwd: Path, mimo: FakeMimo, bot_api: FakeBotApi
) -> None:
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                   SUMMARY_RETENTION_DAYS="30")  # fmt: skip
    lengths = hears_by_length(mimo, SAID)

    first = await voicebridge(
        "import", "telegram", str(export), "--leave-out", str(DAN), "--yes", cwd=cwd, env=settings
    )
    again = await voicebridge("import", "telegram", str(export), "--yes", cwd=cwd, env=settings)

    assert first.code == 0, first.err
    lines = first.text.splitlines()
    assert lines[0] == (
        "Flat 4B (telegram:-1001555): voice messages to transcribe: 3, 0:12 of speech."
    )
    assert any(
        line.startswith("Older than the retention window of 30 days, so not imported: 1.")
        for line in lines
    )
    assert "Of people who asked not to be transcribed, left out: 1." in lines
    assert (
        "Recordings the export does not hold (not downloaded with it), skipped: 1. To have them, "
        "export again with voice messages and round video messages ticked, and import the new "
        "folder."
    ) in lines
    assert any(
        line.startswith("That is 0% of the chat's daily audio quota of 2 hr") for line in lines
    )
    # Said before the question as what it will keep (nothing is kept yet), then as kept.
    assert "Text messages to keep for /summary: 1." in lines
    assert lines[-2:] == [
        "Voice messages imported: 3 (0:12 of speech); could not be transcribed: 0.",
        "Text messages kept for /summary: 1.",
    ]
    assert sorted(lengths[:3]) == [3, 4, 5]
    assert again.code == 0, again.err
    assert "Kept already, not transcribed again: 3." in again.text
    # Run again without --leave-out, Dan's note is new to it; the three kept are not heard again.
    assert sorted(lengths) == [3, 4, 5, 6]
    assert log_in_file(database, str(GROUP)) == [  # for /summary, under their own dates
        ("3", "text", "Bob", "Who has the key?"),
        ("4", "transcript", "Ann", SAID[4]),
        ("6", "transcript", "Bob", SAID[3]),
        ("7", "transcript", "Cy", SAID[5]),
        ("8", "transcript", "Dan", SAID[6]),
    ]
    when = {row[0]: row for row in kept_in_file(database, str(GROUP))}
    assert when["4"][1] == "Ann"
    assert when["4"][2].startswith(f"{NOW - timedelta(days=21):%Y-%m-%d %H:%M}")

    url = f"sqlite+aiosqlite:///{database}"
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=url, summary_retention_days=30),
        bot_api,
    ):
        find = "/find deposit"
        bot_api.push(
            bot_api.text_message(chat_id=GROUP, user_id=BOB, text=find, chat_type="supergroup")
        )
        found = await next_reply(bot_api, GROUP)
        bot_api.set_member_status(GROUP, ANN, "administrator")
        bot_api.push(
            bot_api.text_message(chat_id=GROUP, user_id=ANN, text="/forget", chat_type="supergroup")
        )
        await next_reply(bot_api, GROUP)
        bot_api.push(
            bot_api.text_message(chat_id=GROUP, user_id=BOB, text=find, chat_type="supergroup")
        )
        forgotten = await next_reply(bot_api, GROUP)

    sent = NOW - timedelta(days=21)
    assert f"1. Ann, {sent:%b} {sent.day}, " in found  # the message's own date, not the import's
    assert 'href="https://t.me/c/1555/4"' in found
    assert "keeps the <b>deposit</b> until" in found
    assert forgotten.startswith("Nothing I kept here from the last 30 days has “deposit”")
    assert kept_in_file(database, str(GROUP)) == []  # /forget took the imported lines too


async def test_a_group_with_summary_off_keeps_no_imported_line_for_summaries(
    cwd: Path, mimo: FakeMimo, bot_api: FakeBotApi
) -> None:
    """Issue 103's slip: an import ignored `/summary off` (no import test ran with the chat's
    log off). The group's administrator turned logging off: the import keeps the voice
    messages' transcripts for `/find`, and neither them nor the export's text messages in the
    log `/summary` reads."""
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    url = f"sqlite+aiosqlite:///{database}"
    bot_api.set_member_status(GROUP, ANN, "administrator")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=url, summary_retention_days=30),
        bot_api,
    ):
        off = bot_api.text_message(chat_id=GROUP, user_id=ANN, text="/summary off",
                                   chat_type="supergroup")  # fmt: skip
        bot_api.push(off)
        said = await next_reply(bot_api, GROUP)
    hears_by_length(mimo, SAID)
    settings = env(mimo, DATABASE_URL=url, SUMMARY_RETENTION_DAYS="30")

    done = await voicebridge("import", "telegram", str(export), "--yes", cwd=cwd, env=settings)

    assert said.startswith("Done: logging is off")
    assert done.code == 0, done.err
    assert "Voice messages imported: 4 (0:18 of speech); could not be transcribed: 0." in (
        done.text.splitlines()
    )
    assert sorted(row[0] for row in kept_in_file(database, str(GROUP))) == ["4", "6", "7", "8"]
    assert log_in_file(database, str(GROUP)) == []


async def test_the_retention_counts_from_each_messages_own_date(cwd: Path, mimo: FakeMimo) -> None:
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    url = f"sqlite+aiosqlite:///{database}"
    hears_by_length(mimo, SAID)
    month = env(mimo, DATABASE_URL=url, SUMMARY_RETENTION_DAYS="30")
    imported = await voicebridge("import", "telegram", str(export), "--yes", cwd=cwd, env=month)

    fortnight = env(mimo, DATABASE_URL=url, SUMMARY_RETENTION_DAYS="14")
    purged = await voicebridge("db", "purge", cwd=cwd, env=fortnight)
    found = await voicebridge("find", f"telegram:{GROUP}", "plumber", cwd=cwd, env=fortnight)

    assert imported.code == 0 and purged.code == 0, imported.err + purged.err
    assert "transcripts: 1 (older than 14 days)" in purged.text  # three weeks old: gone today
    assert purged.err == ""  # what it deleted, and no log line without -v
    assert (found.code, found.err) == (0, "")
    assert "The plumber comes on Tuesday morning." in found.text  # plain text in a pipe
    assert "**" not in found.text and "\x1b" not in found.text
    assert [row[0] for row in kept_in_file(database, str(GROUP))] == ["6", "7", "8"]


async def test_a_days_quota_used_up_pauses_the_import_and_says_so_once(
    cwd: Path, mimo: FakeMimo
) -> None:
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                   SUMMARY_RETENTION_DAYS="30", DAILY_AUDIO_SECONDS="8",
                   ASR_MAX_IN_FLIGHT="2")  # fmt: skip
    hears_by_length(mimo, SAID)
    process = await start(
        "import", "telegram", str(export), "--yes", cwd=cwd, env=settings,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    said = await asyncio.wait_for(process.stderr.readline(), timeout=TIMEOUT)
    await _until_kept(database, 2)  # what was under way when the quota ran out is done
    process.send_signal(signal.SIGTERM)  # Ctrl-C or a stop: run again tomorrow
    rest = await asyncio.wait_for(process.stderr.read(), timeout=TIMEOUT)
    await asyncio.wait_for(process.wait(), timeout=TIMEOUT)

    assert said.decode().startswith(
        "The day's audio quota or budget is used up: the import waits for the next UTC day (in "
    )
    assert b"used up" not in rest, rest  # said once
    # 4 s and 3 s fit in the day's 8 s; the next, of 5 s, waits for tomorrow.
    assert [row[0] for row in kept_in_file(database, str(GROUP))] == ["4", "6"]
    assert len(mimo.calls(ASR)) == 2


async def test_an_import_killed_mid_way_carries_on_and_hears_nothing_twice(
    cwd: Path, mimo: FakeMimo
) -> None:
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    # WORK_LEASE_SECONDS: the killed import's claim on the message it was hearing lapses in 3 s.
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                   SUMMARY_RETENTION_DAYS="30", ASR_MAX_IN_FLIGHT="1",
                   WORK_LEASE_SECONDS="3")  # fmt: skip
    lengths = hears_by_length(mimo, SAID)
    # One message at a time: MiMo's check and the oldest are answered, the next held until the
    # process is killed.
    mimo.hold_after(2)
    process = await start(
        "import", "telegram", str(export), "--yes", cwd=cwd, env=settings,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await mimo.wait_for_requests(2, model=ASR, timeout=TIMEOUT)
    await _until_kept(database, 1)
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), timeout=TIMEOUT)
    sent_before = len(mimo.calls(ASR))  # the one answered, and the one held when it was killed
    mimo.hold_after(None)

    done = await voicebridge("import", "telegram", str(export), "--yes", cwd=cwd, env=settings)

    assert process.returncode == -signal.SIGKILL
    assert lengths[0] == 4  # the oldest voice message in the window went first
    assert done.code == 0, done.err
    assert "Kept already, not transcribed again: 1." in done.text
    assert "voice messages to transcribe: 3, 0:14 of speech." in done.text
    assert len(mimo.calls(ASR)) - sent_before == 3  # the rest, each once
    assert lengths.count(4) == 1  # the one kept is never heard again
    assert [row[0] for row in kept_in_file(database, str(GROUP))] == ["4", "6", "7", "8"]


async def _until_kept(database: Path, count: int) -> None:
    async def poll() -> None:
        while True:
            try:
                if _whole(database) >= count:
                    return
            except sqlite3.Error:
                pass
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout=TIMEOUT)


def _whole(database: Path) -> int:
    db = sqlite3.connect(database)
    try:
        return int(
            db.execute(
                "SELECT count(*) FROM recording_transcripts WHERE duration IS NOT NULL"
            ).fetchone()[0]
        )
    finally:
        db.close()


@pytest.mark.parametrize(
    ("case", "code", "said"),
    [
        ("key refused", 5, "voicebridge: MiMo refused the API key: check MIMO_API_KEY"),
        ("balance used up", 5, "voicebridge: The MiMo account's balance is used up"),
        ("MiMo out of reach", 6, "voicebridge: cannot reach MiMo at http://127.0.0.1:"),
    ],
)
async def test_an_import_mimo_would_refuse_says_why_before_asking_to_start(
    cwd: Path, mimo: FakeMimo, case: str, code: int, said: str
) -> None:
    """The question is never asked of an import that cannot run: MiMo is tried first, as
    doctor tries it, and what it said is `transcribe`'s line for the same failure."""
    export = make_export(cwd)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SUMMARY_RETENTION_DAYS="30")  # fmt: skip
    if case == "key refused":
        settings["MIMO_API_KEY"] = "not-the-key"
    elif case == "balance used up":
        mimo.fail_next(402)
    else:
        [port] = free_ports()
        settings["MIMO_BASE_URL"] = f"http://127.0.0.1:{port}/v1"

    done = await voicebridge("import", "telegram", str(export), cwd=cwd, env=settings, stdin=b"y\n")

    assert done.code == code
    [line] = done.err.splitlines()
    assert line.startswith(said), line
    assert "voice messages to transcribe: 4" in done.text  # what it found is said first
    assert "Start the import?" not in done.text
    assert "Voice messages imported" not in done.text
    assert len(mimo.requests) <= 1  # the check's, at most: nothing was sent to be heard
    # The group's text message was announced as one to keep, and nothing was kept.
    assert "Text messages to keep for /summary: 1." in done.text.splitlines()
    assert "Text messages kept" not in done.text
    assert log_in_file(cwd / "voicebridge.db", str(GROUP)) == []


async def test_messages_that_could_not_be_transcribed_say_why_and_the_import_fails(
    cwd: Path, mimo: FakeMimo
) -> None:
    """MiMo answered the check, then went down once the import was agreed to: the count of
    messages not transcribed, and why, in `transcribe`'s words, with its exit code."""
    export = make_export(cwd)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SUMMARY_RETENTION_DAYS="30", MIMO_MAX_RETRIES="0")  # fmt: skip
    process = await start(
        "import", "telegram", str(export), cwd=cwd, env=settings,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    asked = await asyncio.wait_for(_until_asked(process.stdout), timeout=TIMEOUT)
    checked = len(mimo.requests)  # MiMo was tried before the question
    mimo.fail_always(SERVER_ERROR)
    process.stdin.write(b"y\n")
    out, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT)

    assert checked == 1 and "voice messages to transcribe: 4" in asked
    assert process.returncode == 6
    assert out.decode().splitlines()[-2:] == [
        "Voice messages imported: 0 (0:00 of speech); could not be transcribed: 4.",
        "Text messages kept for /summary: 1.",  # kept as the import began: MiMo was not needed
    ]
    assert err.decode().splitlines() == [
        "voicebridge: The speech service is not responding right now. Please try again in a few "
        "minutes."
    ]


async def test_a_balance_used_up_during_the_import_ends_it_with_transcribe_s_line(
    cwd: Path, mimo: FakeMimo
) -> None:
    """No other message would fare better: the import stops at once, with the line and the
    exit code `transcribe` has for it, not an unexpected error."""
    export = make_export(cwd)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SUMMARY_RETENTION_DAYS="30", ASR_MAX_IN_FLIGHT="1",
                   WORK_LEASE_SECONDS="3")  # the killed import's claim lapses in 3 s  # fmt: skip
    process = await start(
        "import", "telegram", str(export), cwd=cwd, env=settings,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    await asyncio.wait_for(_until_asked(process.stdout), timeout=TIMEOUT)
    mimo.fail_next(402)
    process.stdin.write(b"y\n")
    _, err = await asyncio.wait_for(process.communicate(), timeout=TIMEOUT)

    assert process.returncode == 5
    assert err.decode().splitlines() == [
        "voicebridge: The MiMo account's balance is used up: top it up, then try again."
    ]
    assert len(mimo.calls(ASR)) == 1  # the one refused: the others were not tried


async def _until_asked(stdout: asyncio.StreamReader) -> str:
    """What the import printed up to its question (which ends without a newline)."""
    shown = b""
    while b"Start the import?" not in shown:
        chunk = await stdout.read(1024)
        assert chunk, shown
        shown += chunk
    return shown.decode()


async def test_older_messages_name_the_setting_that_would_let_them_in(
    cwd: Path, mimo: FakeMimo
) -> None:
    export = make_export(cwd)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SUMMARY_RETENTION_DAYS="1")  # fmt: skip

    done = await voicebridge("import", "telegram", str(export), cwd=cwd, env=settings)

    assert done.code == 0, done.err
    assert (
        "Older than the retention window of 1 day, so not imported: 5. SUMMARY_RETENTION_DAYS "
        "sets the window (in .env or the environment): if raised, it keeps what every chat said "
        "that much longer."
    ) in done.text.splitlines()
    assert "Nothing to import." in done.text
    assert mimo.requests == []


async def test_a_result_json_copied_without_its_folders_says_so_and_what_to_do(
    cwd: Path, mimo: FakeMimo
) -> None:
    export = make_export(cwd)
    alone = cwd / "copied"
    alone.mkdir()
    shutil.copy(export / "result.json", alone / "result.json")
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}",
                   SUMMARY_RETENTION_DAYS="30")  # fmt: skip

    done = await voicebridge("import", "telegram", str(alone / "result.json"), "--yes", cwd=cwd,
                             env=settings)  # fmt: skip

    assert done.code == 3
    assert done.err.splitlines() == [
        f"voicebridge: {alone / 'result.json'}: the folders its result.json names the "
        "recordings in (files, round_video_messages, voice_messages) are not next to it, so "
        "none of them can be found: copy the whole folder Telegram Desktop exported, "
        "result.json with its folders, and import that."
    ]
    assert "not downloaded" not in done.text + done.err
    assert mimo.requests == []


async def test_import_alone_names_its_source_in_one_line(cwd: Path, mimo: FakeMimo) -> None:
    done = await voicebridge("import", cwd=cwd, env=env(mimo))

    assert done.code == 2
    assert done.err.splitlines() == [
        "voicebridge: name what to import: voicebridge import telegram FOLDER imports the folder "
        "of a Telegram Desktop export (see voicebridge import --help)"
    ]
    assert done.text == ""


@pytest.mark.parametrize(
    ("answer", "code"),
    [("ctrl-c", 130), ("sigterm", 143), ("y", 0)],
    ids=["Ctrl-C", "SIGTERM", "yes"],
)
async def test_the_question_hears_a_signal_at_once_and_a_yes_runs_the_plan_it_was_asked_about(
    cwd: Path, mimo: FakeMimo, answer: str, code: int
) -> None:
    """Asked "Start the import?" on a terminal, Ann stops the command: it ends at once with
    the shell's code for the signal, nothing transcribed nor kept; answering yes, the plan it
    showed runs on the runtime it was planned on."""
    export = make_export(cwd)
    database = cwd / "voicebridge.db"
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}",
                   SUMMARY_RETENTION_DAYS="30")  # fmt: skip
    lengths = hears_by_length(mimo, SAID)
    with on_a_terminal("import", "telegram", str(export), cwd=cwd, env=settings) as (
        process,
        terminal,
    ):
        asked = await asyncio.to_thread(shown_until, terminal, b"Start the import? [y/N]")
        assert b"voice messages to transcribe: 4" in asked, asked
        if answer == "ctrl-c":
            os.write(terminal, b"\x03")  # as typed: the terminal sends SIGINT
        elif answer == "sigterm":
            process.send_signal(signal.SIGTERM)
        else:
            os.write(terminal, b"y\r")
        returned = await asyncio.to_thread(process.wait, TIMEOUT)
        shown = (await asyncio.to_thread(rest_of, terminal)).decode()

    assert returned == code, shown
    if answer == "y":
        assert "Voice messages imported: 4 (0:18 of speech); could not be transcribed: 0." in shown
        assert sorted(lengths) == [3, 4, 5, 6]
    else:
        assert "Traceback" not in shown, shown
        assert lengths == []  # MiMo heard nothing: only the key was tried
        assert kept_in_file(database, str(GROUP)) == []
