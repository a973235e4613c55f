"""Finding the recording in a Telegram message, and what Telegram declares about it.

The core fetches it (`core.app.recordings.transcription`) once the request has passed every limit:
`getFile` is only asked then, and the file is streamed from the URL it names, or, from a local Bot
API server, read in place.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Audio, Document, Message, Video, VideoNote, Voice
from telegram.error import BadRequest
from telegram.warnings import PTBDeprecationWarning

from core.domain import errors
from core.domain.memory.search_rules import Said
from core.domain.quantities import Megabytes
from core.ports import RemoteRecording

__all__ = [
    "Recording",
    "declared_seconds",
    "readable_local_file",
    "recording_in",
    "remote",
    "remote_in",
]

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


def remote_in(message: Message, *, local_mode: bool) -> RemoteRecording | None:
    """The recording `message` carries, as the core takes it (`remote`); None without one."""
    recording = recording_in(message)
    return None if recording is None else remote(recording, local_mode=local_mode, message=message)


def _is_media_document(document: Document) -> bool:
    mime = document.mime_type or ""
    suffix = Path(document.file_name or "").suffix.lower()
    return mime.startswith(("audio/", "video/")) or suffix in _AUDIO_SUFFIXES


def remote(
    recording: Recording, *, local_mode: bool, message: Message | None = None
) -> RemoteRecording:
    """`recording` as the core takes it: the size and length Telegram declares (a document has
    no length), and where to fetch it; `message`, the one carrying it, is where it was said
    (for `/find`). A file over the public Bot API's download cap is refused at once."""
    size = recording.file_size
    if not local_mode and size is not None and size > BOT_API_DOWNLOAD_LIMIT:
        raise FileTooBigToDownload(limit=Megabytes(20))

    async def locate() -> str | Path:
        try:
            telegram_file = await recording.get_file()
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise FileTooBigToDownload(limit=Megabytes(20)) from exc
            raise
        place = telegram_file.file_path
        if not place:
            raise RuntimeError("Telegram named no path for the file")
        # The public Bot API names a URL (python-telegram-bot prefixes the base file URL), which
        # carries the bot token; a local one, a file on its own disk.
        return await readable_local_file(place) if local_mode else place

    return RemoteRecording(
        locate,
        size=size,
        seconds=declared_seconds(recording),
        # The same in every chat and for every bot, unlike file_id: the file's lasting name.
        identity=recording.file_unique_id,
        said=None if message is None else said_in(message),
    )


def said_in(message: Message) -> Said:
    """Where a recording was said: its message, and who sent it (an anonymous administrator or
    a linked channel posts as a chat); a Business contact's chat too, where the connection
    keeps the transcripts of all its chats together (message ids are each chat's own)."""
    sender, user = message.sender_chat, message.from_user
    author = sender.effective_name if sender is not None else user.full_name if user else None
    place = str(message.chat_id) if message.business_connection_id else None
    return Said(str(message.message_id), author or "", message.date, place)


async def readable_local_file(place: str) -> Path:
    """The file a local Bot API server named, if this machine can read it. Anything else is a
    configuration error, said in one line: a path on another machine's disk (python-telegram-bot
    then makes it a download URL, which the server does not serve in local mode) or a relative
    one (a public server's, never looked for in the working directory)."""
    path = Path(urlsplit(place).path if place.startswith(("https://", "http://")) else place)
    on_this_disk = place == str(path) and path.is_absolute()
    if on_this_disk and await asyncio.to_thread(os.access, path, os.R_OK):
        return path
    # The server keeps files under a folder named after the bot token: only the end is shown.
    shown = "/".join(path.parts[-2:])
    raise errors.ConfigError(
        f"TELEGRAM_LOCAL_MODE is on, but the Bot API server named a file this machine cannot "
        f"read (…/{shown}): run the bot where the server's files are, at the same path, or "
        "set TELEGRAM_LOCAL_MODE=false for the public Bot API"
    )


def declared_seconds(recording: Recording) -> float | None:
    """The length Telegram states (a document has none). python-telegram-bot 22 gives it in
    whole seconds with a warning that it will be a timedelta one day: either is taken."""
    if isinstance(recording, Document):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        duration = recording.duration
    return duration.total_seconds() if isinstance(duration, timedelta) else duration
