"""Finding the recording in a Telegram message and fetching it to a local file."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Audio, Document, Message, Video, VideoNote, Voice
from telegram.error import BadRequest

from core.domain import errors
from core.domain.quantities import Megabytes

Recording = Voice | Audio | VideoNote | Video | Document

# The public Bot API refuses getFile above this; a local Bot API server has no such cap.
BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024
_AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wav", ".flac", ".webm"}


class FileTooBigToDownload(errors.AudioTooLarge):
    """Over the public Bot API's download cap: the reply explains the local-server option."""

    key = "error.file_too_big_to_download"


def recording_in(message: Message | None) -> Recording | None:
    """The voice note, audio, round video, video or audio/video document a message carries."""
    if message is None:
        return None
    for media in (message.voice, message.audio, message.video_note, message.video):
        if media is not None:
            return media
    document = message.document
    if document is not None and _is_media_document(document):
        return document
    return None


def _is_media_document(document: Document) -> bool:
    mime = document.mime_type or ""
    suffix = Path(document.file_name or "").suffix.lower()
    return mime.startswith(("audio/", "video/")) or suffix in _AUDIO_SUFFIXES


@asynccontextmanager
async def downloaded(recording: Recording, *, local_mode: bool) -> AsyncIterator[Path]:
    """The recording as a local file for as long as the block runs."""
    size = recording.file_size
    if not local_mode and size is not None and size > BOT_API_DOWNLOAD_LIMIT:
        raise FileTooBigToDownload(limit=Megabytes(20))
    try:
        telegram_file = await recording.get_file()
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            raise FileTooBigToDownload(limit=Megabytes(20)) from exc
        raise
    if local_mode:
        # A local Bot API server hands out a path on this machine: read it in place, no copy.
        yield await telegram_file.download_to_drive()
        return
    with tempfile.TemporaryDirectory(prefix="voicebridge-") as tmp:
        yield await telegram_file.download_to_drive(Path(tmp) / "recording")
