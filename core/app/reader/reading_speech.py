"""One channel reading's speech (`core.app.reader.reading` reads its messages in order): its
messages made into speech (`core.app.reader.message_speech`) for the people in its voice
channel, a clip checked again as it comes up for whether it may still play as made for them, and
what the voice channel's chat hears of a message that could not be read.

The characters of the pieces MiMo was asked for count in the speech quota, the rest is given
back (`core.app.voices.streamed`). The clips are live work in the account's minute, the
server's (`core.domain.pacing`): ahead of people waiting and of the background.

A message that cannot be read is let go and the reading goes on. Its chat hears why once in the
reading, not once for every message:

    too long       the message needs more than is left of the server's daily speech quota (a
                   shorter one may still fit)
    share used     its author's share of the server's speech is used up (named as typed)
    refused        MiMo refuses a speech model: logged once too, naming its setting
                   (MIMO_TTS_MODEL...), as the owner's to fix; another voice's model may serve
    play failed    a clip could not be played (`core.app.reader.clips`)

The server's quota used up is not said here: it ends the reading, which says why.
"""

from __future__ import annotations

import logging

from core.app.reader.message_speech import MessageSpeech, Spoken
from core.app.reader.room import room, unseen
from core.chat.messages import text
from core.domain import errors
from core.domain.pacing import Urgency, asking
from core.domain.reading import ChannelMessage, ReadingSession, Reads
from core.domain.text import literal_markdown
from core.domain.values import ChatRef
from core.ports import VoiceCallSeat, VoiceChannels

logger = logging.getLogger(__name__)

__all__ = ["ReadingSpeech"]


class ReadingSpeech:
    """One reading's speech (module docstring): the voice channel it speaks in, what it
    remembers between messages (the voices cast, who spoke last), and the lines told its chat
    once already."""

    def __init__(
        self,
        *,
        server: ChatRef,
        call: VoiceCallSeat,
        channels: VoiceChannels,
        speech: MessageSpeech,
        reads: Reads,
    ) -> None:
        """`reads` is the reading's own: what it reads, and the language of its lines, as they
        change."""
        self.voice_id = call.voice_id  # where it speaks: the platform tells of every move
        self._server, self._call, self._channels = server, call, channels
        self._speech, self._reads = speech, reads
        self._session = ReadingSession()
        self._told: set[str] = set()  # the lines told the channel once already

    async def made(self, message: ChannelMessage, *, again: Spoken | None) -> Spoken | None:
        """`message` made into speech for the people in the voice channel (`again`: anew, see
        `MessageSpeech.speak`), or None: not read, or MiMo failed (the reading goes on). The
        server's quota used up raises `errors.QuotaUsed`: the reading ends."""
        # A webhook is no member: the server's rules let it in or not.
        speaks = self._channels.may_speak(self._server, self.voice_id, message.author_id)
        if not speaks and not message.webhook:
            logger.info("a message in %s not read: its author may not speak", self._server)
            return None
        try:
            here = room(self._channels, self._server, self.voice_id, self._reads, message)
            # Made ahead as a message is posted, or as it comes up: people listen as it comes.
            with asking(Urgency.LIVE, self._server):
                return await self._speech.speak(
                    self._server, self._session, message, room=here, again=again
                )
        except (errors.SpeechQuotaShort, errors.SpeechOverQuota) as refusal:
            # Too long for what is left today: a shorter message may still fit.
            line = text(refusal.key, self._reads.locale, **refusal.params)
            await self.tell_once(refusal.key, line)
            return None
        except errors.ReadingShareUsed:
            name = literal_markdown(message.author_name)  # posted: shown as typed
            line = text("reader.share_used", self._reads.locale, name=name)
            await self.tell_once(f"share:{message.author_id}", line)
            return None
        except errors.QuotaUsed:
            raise  # used up: the reading ends, saying why
        except errors.MimoModelRefused as refused:  # the owner's to fix: said and logged once
            what = f"refused:{refused.params.get('setting')}"  # another voice's model may serve
            if what not in self._told:
                logger.error("a message in %s not read: %s", self._server, refused.detail)
            await self.tell_once(what, text(refused.key, self._reads.locale, **refused.params))
            return None
        except errors.VoicebridgeError as refusal:
            logger.warning("a message in %s not read: %s", self._server, refusal.key)
            return None

    def names_unseen(self, spoken: Spoken) -> bool:
        """Whether `spoken` says the name of a channel someone listening now may not see."""
        return bool(unseen(self._channels, self._server, self.voice_id, spoken.named_channels))

    async def may_play(self, spoken: Spoken) -> bool:
        """Whether `spoken` may play as it was made, to the people listening now: no channel's
        name someone there may not see, and its author's own voice only while they allow
        it."""
        if self.names_unseen(spoken):
            return False
        return await self._speech.voice_allowed(self._server, spoken)

    async def tell_once(self, what: str, line: str) -> None:
        """Post `line` in the voice channel's chat, unless the line for `what` was posted
        already in this reading."""
        if what not in self._told:
            self._told.add(what)
            await self._call.post(line)
