"""Finding the recording in a Discord message, and what Discord declares about it.

The core fetches it (`core.app.recordings.transcription`) from its CDN URL once the request has
passed every limit, streaming it to disk: never `Attachment.read` or `save`, which hold the whole
file.
"""

from __future__ import annotations

from pathlib import Path

import discord

from core.domain import errors
from core.domain.memory.search_rules import Said
from core.ports import RemoteRecording

__all__ = [
    "NothingNamedToAsk",
    "NothingToAsk",
    "RecordingGone",
    "is_recording",
    "kept_only",
    "recording_in",
    "remote",
    "require_audio",
    "require_recording",
    "voice_message_in",
]

_AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wav", ".flac", ".webm"}
_VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi"}


class NoRecording(errors.UserInputError):
    key = "discord.not_recording"


class NothingToAsk(errors.UserInputError):
    key = "discord.nothing_to_ask"


class NothingNamedToAsk(errors.UserInputError):
    """/ask with neither a recording nor `call:True`."""

    key = "discord.ask.nothing_named"


class NotAudio(errors.UserInputError):
    key = "discord.not_audio"


class RecordingGone(errors.UserInputError):
    """The recording a Gist button is about is no longer where the button says."""

    key = "discord.gist.gone"


def is_recording(attachment: discord.Attachment) -> bool:
    """A voice message, or a file whose type or name says audio or video."""
    if attachment.is_voice_message():
        return True
    mime = attachment.content_type or ""
    suffix = Path(attachment.filename).suffix.lower()
    return mime.startswith(("audio/", "video/")) or suffix in _AUDIO_SUFFIXES | _VIDEO_SUFFIXES


def voice_message_in(message: discord.Message) -> discord.Attachment | None:
    return next((a for a in message.attachments if a.is_voice_message()), None)


def recording_in(message: discord.Message) -> discord.Attachment | None:
    """The message's first audio or video attachment."""
    return next((a for a in message.attachments if is_recording(a)), None)


def require_recording(message: discord.Message) -> discord.Attachment:
    recording = recording_in(message)
    if recording is None:
        raise NoRecording("no audio or video attachment")
    return recording


def require_audio(attachment: discord.Attachment) -> discord.Attachment:
    if not is_recording(attachment):
        raise NotAudio(f"not audio: {attachment.content_type}")
    return attachment


def remote(
    attachment: discord.Attachment, *, message: discord.Message | None = None
) -> RemoteRecording:
    """`attachment` as the core takes it: the size Discord states, a voice message's length,
    its CDN URL, and its id (its transcript is kept under it); `message`, the one carrying it,
    is where it was said (for `/find`)."""

    async def locate() -> str:
        return attachment.url

    said = None
    if message is not None:
        author = message.author.display_name
        said = Said(str(message.id), author, message.created_at, str(message.channel.id))
    return RemoteRecording(
        locate, size=attachment.size, seconds=attachment.duration, identity=str(attachment.id),
        said=said,
    )  # fmt: skip


def kept_only(attachment_id: int) -> RemoteRecording:
    """A recording known by its attachment's id alone (one uploaded to /transcribe is in no
    message, and its link expires): its kept transcript, if whole, is all there is of it."""

    async def locate() -> str:
        raise RecordingGone(f"attachment {attachment_id} is in no message")

    return RemoteRecording(locate, identity=str(attachment_id))
