"""What the Discord bot does in voice channels: the channel reader (`/read_channel`), listening
(`/listen`) and its interpreter, and the calls and readings taken up after a restart. Part of
`Settings` (`settings.py`); each field's docstring is its description in the configuration
reference and `.env.example`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings

from core.config.connection_settings import SETTINGS_CONFIG

__all__ = ["VoiceChannelSettings"]


class VoiceChannelSettings(BaseSettings):
    """The Discord bot in voice channels (see the module docstring)."""

    model_config = SETTINGS_CONFIG

    discord_reader_max_chars: int = Field(default=300, ge=20, le=2000)
    """The channel reader (`/read_channel`): characters of one message read aloud; a longer one
    is cut at a word, with a word saying so."""
    discord_reader_queue: int = Field(default=10, ge=1, le=100)
    """The channel reader: messages waiting to be read, per server; past it the oldest is
    dropped, with one line in the channel."""
    discord_reader_idle_seconds: float = Field(default=600.0, gt=0)
    """The channel reader: seconds with nothing read before the bot leaves the voice channel."""
    discord_listen_idle_seconds: float = Field(default=600.0, gt=0)
    """Listening (`/listen`): seconds without anything said by a member who is transcribed
    before the bot stops listening and leaves the voice channel."""
    discord_interpret_from: Literal["text", "audio"] = "text"
    """The interpreter (`/listen interpret:True`): how each sentence is translated before it is
    spoken. `text`: from the words MiMo's speech recognition heard, by the text model
    (MIMO_CHAT_MODEL): three requests one after another (the sentence heard, translated, spoken).
    `audio`: from the sentence's sound itself, by the audio understanding model
    (MIMO_AUDIO_MODEL), asked beside the recognition that makes the captions: one request fewer
    before its speech, about 0.5 s sooner, billed by the audio's seconds (about 6.25 tokens a
    second) and the answer's tokens. Those seconds count in the day's listening
    (DAILY_LISTEN_SECONDS) on top of the recognition's: a sentence's sound is sent at its first
    pause, again at a later pause only once twice as long, and whole at its end, at most about
    three times its seconds in all, so a day's listening lasts between half and about a quarter
    as long as with `text`. Only `text` has been compared on the real MiMo; the test stand-ins
    cannot judge a translation's quality."""
    call_resume_within: float = Field(default=600.0, ge=0)
    """Listening (`/listen`) and the channel reader (`/read_channel`): a call the bot was
    listening to, or a channel it was reading aloud, when it stopped (a deploy) or crashed is
    taken up by its next start if this many seconds at most have passed and someone is still in
    the voice channel (a reading goes on from the first message it had not read); otherwise it
    is ended there, a call with its transcript posted. `0`: never taken up."""
    calls_end_on_stop: bool = False
    """Listening (`/listen`) and the channel reader: `true` ends every call listened to and
    every channel reading when the bot stops (for good, not for a deploy), each call with its
    goodbye and transcript, as `/stop_listening` does; `false` (the default) keeps them for the
    next start to take up."""
    discord_reader_member_share: float = Field(default=0.25, gt=0, le=1)
    """The channel reader: the most of a server's daily speech (`DAILY_TTS_CHARS`) one member's
    messages may take in a day (0.25: a quarter); past it their messages are not read, said
    once. 1: no share of their own, only the server's quota."""
