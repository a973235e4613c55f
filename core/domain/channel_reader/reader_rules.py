"""The channel reader's rules (`core.app.channel_reader.reading_control`): which messages are read,
which voice reads each member, when their name is said, how many messages wait, and how many
times a clip is made again before its message is let go (`REMAKES`). No I/O here.

Which voice: a member's own cloned voice where they allowed it (the use case looks that up);
otherwise the model's voice they chose (`ReaderMember.voice`), when it speaks the message's
language; otherwise one assigned from the model's voices of that language (`VoiceCast`): each
member ranks the voices in an order of their own, the same every time (rendezvous hashing on
their id), and takes the first that nobody else in this reading speaks with, so two members
never sound alike while there are voices enough, and a member sounds the same from one reading
to the next when the same people talk. A chosen voice is its member's alone: nobody else is
given it while they read, and nobody else may choose it (`core.app.channel_reader.reader_choices`).

Names: a member is named when the speaker changes (`Narration`); two people the server shows
under the same name are told apart by their handles (`Narration.name_of`).
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef
from core.domain.voices.preset_voices import default_voice, voices_for

__all__ = [
    "REMAKES",
    "ChannelMessage",
    "Narration",
    "ReaderMember",
    "ReaderPolicy",
    "ReaderRules",
    "ReadingQueue",
    "ReadingSession",
    "Reads",
    "TakenBack",
    "VoiceCast",
    "assignable_voices",
    "is_command",
    "passed_over",
    "ranked_voices",
]

NAME_AGAIN_AFTER = timedelta(minutes=2)
"""A member who speaks again after this long a silence is named again."""
REMAKES = 3
"""How many times a clip is made again as it comes up (its message edited, a channel's name
no longer for everyone's ears) before the message is let go: an author editing on and on does
not stall the reading (`core.app.channel_reader.reading_clips`)."""
# A word glued to a prefix of one or two marks: `!play`, `.help`, `?rank` (another bot's command).
_COMMAND = re.compile(r"^[!?$%&;=+/.~,-]{1,2}[^\W\d_]")


@dataclass(frozen=True)
class TakenBack:
    """What a server or a member took back that a reading running now must stop using at
    once, as its use case stores it (`core.app.channel_reader.taken_back_relay`):

        read        `member` said no to being read (`/read_me`)
        own voice   `member` no longer lets their own cloned voice read them (`/myvoice`)
        voice       the server's own voice `voice` was deleted (`/delete_voice`), or all of
                    them (`voice` None: a `/forget`)
    """

    server: ChatRef
    what: Literal["read", "own voice", "voice"]
    member: str | None = None
    voice: str | None = None


@dataclass(frozen=True)
class ReaderRules:
    """A server's choices: whose messages are read besides its members'. Off by default."""

    bots: bool = False
    webhooks: bool = False
    commands: bool = False  # messages that are another bot's command (`!play`)


@dataclass(frozen=True)
class ReaderPolicy:
    """DISCORD_READER_QUEUE and DISCORD_READER_IDLE_SECONDS."""

    queue: int = 10
    idle_seconds: float = 600.0


@dataclass
class Reads:
    """What a reading reads and who asked for it: the text channel (`own_chat`: the voice
    channel's own chat, which follows the bot when it is moved), its starter, and the languages
    of its lines (`locale`) and of the server (`platform_locale`)."""

    text_id: str
    own_chat: bool
    starter_id: str
    locale: str
    platform_locale: str | None
    # The server's count of /forgets as it was asked for (`core.domain.memory.write_mandates`): its
    # place is kept for a restart only while no /forget came since
    # (`core.app.channel_reader.reading_resumption`).
    mandate: Mandate | None = None


@dataclass(frozen=True)
class ReaderMember:
    """A member's own choices in one server: a model's voice for their messages (None: one is
    assigned), and whether they are read at all."""

    voice: str | None = None
    read: bool = True


@dataclass(frozen=True)
class ChannelMessage:
    """A message typed in the channel being read, as the platform delivered it: the name of
    every person or role (`names`) and channel (`channels`) it mentions, by id."""

    id: str
    author_id: str
    author_name: str  # as the server shows them
    text: str
    at: datetime
    names: Mapping[str, str] = field(default_factory=dict)  # people and roles
    channels: Mapping[str, str] = field(default_factory=dict)  # the channels it mentions
    author_handle: str = ""  # their unique name on the platform
    attachments: int = 0
    bot: bool = False
    webhook: bool = False


def is_command(text: str) -> bool:
    """Whether `text` is a command to another bot: a word right after a prefix (`!play`)."""
    return bool(_COMMAND.match(text.lstrip()))


def passed_over(message: ChannelMessage, rules: ReaderRules) -> bool:
    """Whether the server's rules leave `message` unread: a webhook's, a bot's or a command,
    unless the server turned that kind on."""
    if message.webhook:
        return not rules.webhooks
    if message.bot and not rules.bots:
        return True
    return is_command(message.text) and not rules.commands


def assignable_voices(model: str, language: str | None = None) -> tuple[str, ...]:
    """The model's voices a member may be given or choose (of `language` only, when given). The
    default is left out: it is another of them under a second name."""
    return tuple(
        v.name for v in voices_for(model)
        if v.name != default_voice(model) and language in {None, v.language}
    )  # fmt: skip


def ranked_voices(member: str, voices: Sequence[str]) -> list[str]:
    """`voices` in `member`'s own order of preference, the same in every process and run."""
    return sorted(voices, key=lambda voice: zlib.crc32(f"{member}\0{voice}".encode()))


class VoiceCast:
    """Which of the model's voices each member speaks with in one reading (module docstring)."""

    def __init__(self) -> None:
        self._voices: dict[str, str] = {}
        self._chosen: set[str] = set()

    def voice_of(self, member: str, voices: Sequence[str], *, chosen: str | None = None) -> str:
        """`member`'s voice among `voices` (those of the message's language): the one they
        `chose` unless another member chose it first, else the one assigned to them."""
        if chosen is not None and not self._chosen_by_another(member, chosen):
            return self._take(member, chosen)
        self._chosen.discard(member)
        others = {voice for who, voice in self._voices.items() if who != member}
        current = self._voices.get(member)
        if current is not None and current in voices and current not in others:
            return current
        ranked = ranked_voices(member, voices)
        return self._cast(member, next((v for v in ranked if v not in others), ranked[0]))

    def _chosen_by_another(self, member: str, voice: str) -> bool:
        return any(
            who != member and who in self._chosen and theirs == voice
            for who, theirs in self._voices.items()
        )

    def _take(self, member: str, voice: str) -> str:
        """A chosen voice is its chooser's: a member only assigned it gets another next time."""
        self._chosen.add(member)
        for other, theirs in list(self._voices.items()):
            if other != member and theirs == voice and other not in self._chosen:
                del self._voices[other]
        return self._cast(member, voice)

    def _cast(self, member: str, voice: str) -> str:
        self._voices[member] = voice
        return voice


class Narration:
    """Who was read last, and when: a member is named when the speaker changes, or when they
    speak again after `NAME_AGAIN_AFTER`; and the names heard so far, to tell apart two people
    the server shows under one name."""

    def __init__(self) -> None:
        self._last: tuple[str, datetime] | None = None
        self._heard: dict[str, str] = {}  # author -> their name, folded, as last read

    def name_of(
        self, author: str, name: str, handle: str, *, present: Mapping[str, str] = {}
    ) -> str:
        """How `author` is named: `name`, with their `handle` after it when someone else
        (among the authors read and the people `present`, by id) goes by the same name."""
        folded = name.casefold()
        self._heard[author] = folded
        others = {**self._heard, **{who: n.casefold() for who, n in present.items()}}
        clash = any(who != author and theirs == folded for who, theirs in others.items())
        return f"{name} ({handle})" if clash and handle and handle != name else name

    def names(self, author: str, at: datetime) -> bool:
        """Whether a message of `author` at `at` is read with their name first."""
        if self._last is None:
            return True
        last_author, last_at = self._last
        return last_author != author or at - last_at > NAME_AGAIN_AFTER

    def read(self, author: str, at: datetime) -> None:
        """A message of `author` at `at` was read."""
        self._last = (author, at)


@dataclass
class ReadingSession:
    """What one reading remembers between messages: the voices cast, and who spoke last."""

    cast: VoiceCast = field(default_factory=VoiceCast)
    narration: Narration = field(default_factory=Narration)


@dataclass(frozen=True)
class Overflow:
    """The queue was full: `dropped` was let go for a newer message. `tell`: the first since it
    last ran empty, so the channel hears it once, not for every message of a flood."""

    dropped: ChannelMessage
    tell: bool


class ReadingQueue:
    """The messages waiting to be read in one server, oldest first, at most `capacity`: a newer
    one pushes the oldest out. A message delivered twice (a resumed gateway session) waits once.

    A message taken to be read (`pop`) is followed until it is `done`: its author may
    still edit or delete it while it is made into speech or waits to play. An edit replaces the
    message where it waits (`edit`), a deletion takes it out (`delete`); `latest` is a taken
    message as it stands now, None once deleted."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a reading queue holds at least one message")
        self.capacity = capacity
        self._waiting: deque[ChannelMessage] = deque()
        self._seen: deque[str] = deque(maxlen=max(64, capacity * 4))
        self._taken: OrderedDict[str, ChannelMessage | None] = OrderedDict()
        self._told = False

    def __len__(self) -> int:
        return len(self._waiting)

    def push(self, message: ChannelMessage) -> Overflow | None:
        """Queue `message`; what had to go for it, if anything."""
        if message.id in self._seen:
            return None
        self._seen.append(message.id)
        self._waiting.append(message)
        if len(self._waiting) <= self.capacity:
            return None
        tell, self._told = not self._told, True
        return Overflow(self._waiting.popleft(), tell)

    def pop(self) -> ChannelMessage | None:
        """The oldest waiting message, taken to be read; or None."""
        message = self._waiting.popleft() if self._waiting else None
        if not self._waiting:
            self._told = False
        if message is not None:
            self._taken[message.id] = message
            while len(self._taken) > _TAKEN:  # a message let go without `done`
                self._taken.popitem(last=False)
        return message

    def latest(self, message_id: str) -> ChannelMessage | None:
        """A message taken to be read, as it stands now; None once deleted."""
        return self._taken.get(message_id)

    def done(self, message_id: str) -> None:
        """The message was read or let go: edits and deletions of it no longer matter."""
        self._taken.pop(message_id, None)

    def edit(self, message: ChannelMessage) -> bool:
        """`message` as edited, where it waits or was taken; False when it is not here (read
        already, dropped, or never heard)."""
        for index, waiting in enumerate(self._waiting):
            if waiting.id == message.id:
                self._waiting[index] = message
                return True
        if self._taken.get(message.id) is not None:
            self._taken[message.id] = message
            return True
        return False

    def delete(self, message_id: str) -> bool:
        """The message was deleted: it is never read. False when it is not here."""
        for waiting in self._waiting:
            if waiting.id == message_id:
                self._waiting.remove(waiting)
                return True
        if self._taken.get(message_id) is not None:
            self._taken[message_id] = None
            return True
        return False

    def refuse(self, author_id: str) -> list[str]:
        """`author_id` said no to being read: their messages are taken out as if deleted,
        those waiting and those taken to be read alike. Returns the ids taken out."""
        gone = [message.id for message in self._waiting if message.author_id == author_id]
        gone += [key for key, taken in self._taken.items()
                 if taken is not None and taken.author_id == author_id]  # fmt: skip
        for message_id in gone:
            self.delete(message_id)
        return gone

    def clear(self) -> None:
        """Let every waiting message go (taken ones are done as they would be)."""
        self._waiting.clear()
        self._told = False

    def let_all_go(self) -> list[str]:
        """Let every message go, those waiting and those taken to be read, as if deleted:
        none of them is read (the reading moved to another channel). Returns the ids of those
        taken."""
        self.clear()
        taken = [key for key, message in self._taken.items() if message is not None]
        for message_id in taken:
            self._taken[message_id] = None
        return taken


_TAKEN = 8
"""Messages taken to be read that are followed at most: a reading has two at a time (one playing,
the next being made), and a message let go unfinished is forgotten this way."""
