"""Own voices taken back while a channel reading runs (`core.app.reader.playing`): a member no
longer lets their cloned voice read them (`/myvoice own_voice:False`), or one of the server's
own voices was deleted (`/delete_voice`; all of them, `/forget`). The clip playing in such a
voice is cut, to be made again in a voice of the model's; a clip made ahead in one is made again
as it comes up, where `MessageSpeech.voice_allowed` reads the database anew.

    whose     which clips a voice taken back reaches: a member's own voice (`of_member`), or the
              server's voice of a name, or all of them (`in_voice`)
    since     the voices taken back are counted: a message coming up notes the count as its
              clip's voice is checked, and checks again where one landed meanwhile, once the
              clip counts as playing (a no landing between the check and the play still holds)
"""

from __future__ import annotations

from collections.abc import Callable

from core.app.reader.message_speech import OWN_VOICE, Spoken

__all__ = ["VoicesTakenBack", "Whose", "in_voice", "of_member"]

Whose = Callable[[Spoken], bool]  # whether a voice taken back reaches a clip


def of_member(author_id: str) -> Whose:
    """The clips of `author_id`'s messages: their own voice is taken back."""
    return lambda spoken: spoken.author_id == author_id


def in_voice(name: str | None) -> Whose:
    """The clips in the server's own voice `name` (None: in any of its own voices)."""
    key = None if name is None else name.casefold()
    return lambda spoken: key is None or (spoken.own_voice or "").casefold() == key


class VoicesTakenBack:
    """The own voices taken back during one reading, counted (module docstring)."""

    def __init__(self) -> None:
        self._count = 0  # so far: a no, a voice deleted, a /forget

    def take_back(self, whose: Whose, playing: Spoken | None) -> bool:
        """One more voice taken back; whether the clip `playing` is in an own voice it reaches
        (to be cut and made again)."""
        self._count += 1
        return playing is not None and playing.voice == OWN_VOICE and whose(playing)

    def mark(self) -> int:
        """The count as a clip's voice is checked, for `since`."""
        return self._count

    def since(self, mark: int, spoken: Spoken) -> bool:
        """Whether `spoken` is to be checked again before it plays: it is in an own voice, and
        one was taken back since `mark`."""
        return spoken.voice == OWN_VOICE and self._count != mark
