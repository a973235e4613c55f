"""An import hears each message once however many the chat holds: `voicebridge import telegram`
over an export of 1,201 voice messages, every one kept whole already (as an import run before
keeps them), skips them all and sends MiMo nothing. What is kept is read in batches of ids
within every database's bound parameters; the test crosses two edges of them."""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

from core.domain.memory.search_rules import Said
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import unit_of_work
from tests.integration.cli.process import env, voicebridge
from tests.integration.cli.test_import_telegram import ANN, ASR, BARE_ID, GROUP, NOW
from tests.integration.cli.test_import_telegram_shapes import message
from tests.standins.mimo import FakeMimo

COUNT = 1201  # more than two batches of 500, and one over
CHAT = ChatRef("telegram", str(GROUP))
SENT = NOW - timedelta(days=1)


async def test_every_message_kept_already_is_skipped_however_many_the_chat_holds(
    cwd: Path, mimo: FakeMimo, database_url: str
) -> None:
    export = export_of(cwd, COUNT)
    await kept_whole(database_url, COUNT)

    # PYTHONPATH, where set, reaches the command: a break planted in a copy of the code
    # (`python -m tests.breaks`) runs there as well.
    where = {k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ}
    settings = env(mimo, DATABASE_URL=database_url) | where
    again = await voicebridge("import", "telegram", str(export), "--yes", cwd=cwd, env=settings)

    assert again.code == 0, again.err
    assert again.text.splitlines()[:3] == [
        "Flat 4B (telegram:-1001555): voice messages to transcribe: 0, 0:00 of speech.",
        f"Kept already, not transcribed again: {COUNT:,}.",
        "Nothing to import.",
    ]
    assert mimo.calls(ASR) == []  # none heard, nor paid, twice


def export_of(cwd: Path, count: int) -> Path:
    """Telegram Desktop's export of a group whose `count` voice messages (ids 1 to `count`),
    all Ann's, were sent a day ago; one recording on disk serves them all."""
    folder = cwd / "ChatExport_2026-11-26"
    (folder / "voice_messages").mkdir(parents=True)
    name_on_disk = "voice_messages/audio_1.ogg"
    shutil.copy(make_audio(cwd, fmt="ogg", seconds=3), folder / name_on_disk)
    messages = [
        message(
            number, 1, ANN, "Ann", file=name_on_disk, media_type="voice_message",
            mime_type="audio/ogg", duration_seconds=3,
        )
        for number in range(1, count + 1)
    ]  # fmt: skip
    export = {"name": "Flat 4B", "type": "private_supergroup", "id": BARE_ID, "messages": messages}
    (folder / "result.json").write_text(json.dumps(export))
    return folder


async def kept_whole(url: str, count: int) -> None:
    """Each of the group's messages 1 to `count` kept whole, as an import keeps one it heard."""
    async with unit_of_work(url) as uow:
        for number in range(1, count + 1):
            said = Said(str(number), "Ann", SENT, None, past=True)
            await uow.transcripts.keep_part(
                CHAT, f"past::{number}", language="auto", part=TranscriptPart(0, 3, "Hello."),
                at=SENT, whole=3.0, said=said,
            )  # fmt: skip
        await uow.commit()
