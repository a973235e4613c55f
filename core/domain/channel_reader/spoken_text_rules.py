"""How a message typed in a chat reads aloud: the channel reader's rules for its text
(`core.app.channel_reader.message_speech`). Pure functions; the words they add come in the reader's
language (`SpokenMarks`).

What the text holds, and what is said of it (Discord's markup, the one the reader reads):

    ```code blocks```          the word for code (nobody listens to code read out)
    ||spoilers||               the word for a spoiler, never its words, whatever they hold
    [text](https://...)        the text
    https://host/path          the word for a link, with the site's name
    <:name:123> <a:name:123>   the emoji's name
    <@1> <@!1> <@&2> <#3>      the name of whom or what is mentioned (unknown: left out)
    </name:1>                  the command's name
    <t:1700000000:R>           left out
    **bold** _it_ ~~x~~ `x`    their words, without the marks; headings, quotes and list marks too
    aaaaaaa !!!!!!!            a run of one character longer than three: three

Code blocks, spoilers and inline code are found as Discord's client finds them: from the
left, whichever of them starts first and is closed wins, and an unclosed one is plain text. So
`||the killer is Bob ```||` is a spoiler (the fence inside it is never closed), a code block
holds whatever spoiler marks it contains, and `` `||x||` `` shows its marks as they are.

Lines become sentences. A text longer than the limit is cut at a word, and a word says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["SpokenMarks", "sayable", "speakable", "spoken_name"]

# Discord's own order at each place: a code block (closed, not empty), a spoiler, inline code
# (as many backticks to close as opened it, its text not ending in one). The leftmost wins.
_HIDDEN = re.compile(
    r"```(?P<code>[\s\S]*?[^`\s][\s\S]*?)```"
    r"|\|\|(?P<spoiler>[\s\S]+?)\|\|"
    r"|(?P<ticks>`+)(?P<inline>[\s\S]*?[^`])(?P=ticks)(?!`)"
)
_MASKED_LINK = re.compile(r"\[([^\[\]\n]+)\]\(<?https?://[^\s)]+>?\)")
_URL = re.compile(r"<?https?://(?:[^\s/@<>]+@)?([^\s/?#:<>]+)[^\s<>]*>?")
_CUSTOM_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_MENTION = re.compile(r"<(?:@[!&]?|#)(\d+)>")
_COMMAND_MENTION = re.compile(r"</([\w -]+):\d+>")
_TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")
_STRONG = re.compile(r"\*+|~~|__")
_STRAY_MARKS = re.compile(r"`+|\|\|")  # an unclosed fence or spoiler mark: shown, not said
_UNDERSCORES = re.compile(r"(?<!\w)_(\S(?:.*?\S)?)_(?!\w)")
_LINE_MARK = re.compile(r"^\s*(?:#{1,3}\s+|-#\s+|>>>\s?|>\s?|[-*•]\s+)+")
_RUN = re.compile(r"(\S)\1{3,}")
_AT_WORD = re.compile(r"(?<!\w)@(?=\w)")
_SENTENCE_END = ".!?。！？…,;:，；："
_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[.!?,;:。！？，；：])")


@dataclass(frozen=True)
class SpokenMarks:
    """The words said in place of what cannot be read, in the reader's language."""

    code: str
    spoiler: str
    link: Callable[[str], str]  # the site's name in
    attachments: Callable[[int], str]  # how many in
    cut: str


def sayable(
    text: str,
    *,
    marks: SpokenMarks,
    limit: int,
    names: Mapping[str, str] | None = None,
    attachments: int = 0,
) -> str | None:
    """What of `text` is said (see the module docstring), at most about `limit` characters and
    the word for a cut; the word for its `attachments` after it. None: nothing to say."""
    words = _cut(_plain(text, marks, names or {}), limit, marks.cut)
    if attachments:
        words = _sentences(f"{words}\n{marks.attachments(attachments)}")
    return words if speakable(words) else None


def spoken_name(name: str, *, limit: int = 32) -> str:
    """A person's name as it is said: without markup or custom emoji, at most `limit`
    characters (at a word); empty when nothing of it can be said."""
    plain = " ".join(_CUSTOM_EMOJI.sub(r"\1", _STRONG.sub("", name)).replace("_", " ").split())
    return _cut(plain, limit, "") if speakable(plain) else ""


def speakable(text: str) -> bool:
    """Whether `text` has a letter, a digit or a symbol (emoji count) to say."""
    return any(unicodedata.category(ch)[0] in "LNS" for ch in text)


def _plain(text: str, marks: SpokenMarks, names: Mapping[str, str]) -> str:
    text = _HIDDEN.sub(lambda m: _unhidden(m, marks), text)
    text = _MASKED_LINK.sub(r"\1", text)
    text = _URL.sub(lambda m: " " + marks.link(_site(m.group(1))) + " ", text)
    text = _CUSTOM_EMOJI.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    text = _MENTION.sub(lambda m: " " + names.get(m.group(1), "") + " ", text)
    text = _COMMAND_MENTION.sub(r" \1 ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _UNDERSCORES.sub(r"\1", _STRONG.sub("", _STRAY_MARKS.sub(" ", text)))
    text = _RUN.sub(r"\1\1\1", _AT_WORD.sub("", text))
    return _sentences(text)


def _unhidden(found: re.Match[str], marks: SpokenMarks) -> str:
    """What is said of a code block (the word for code), a spoiler (the word for a spoiler) or
    inline code (its text: everyone sees it)."""
    if found.group("code") is not None:
        return f" {marks.code}. "
    if found.group("spoiler") is not None:
        return f" {marks.spoiler} "
    return found.group("inline")


def _site(host: str) -> str:
    """`www.example.com` as `example.com`: the name a listener recognises."""
    return host.lower().removeprefix("www.")


def _sentences(text: str) -> str:
    """Each line a sentence: a line without an end of its own gets a full stop."""
    lines = [" ".join(_LINE_MARK.sub("", line).split()) for line in text.splitlines()]
    lines = [_SPACE_BEFORE_MARK.sub("", line) for line in lines]
    spoken = [line for line in lines if speakable(line)]
    ended = [line if line.endswith(tuple(_SENTENCE_END)) else line + "." for line in spoken[:-1]]
    return " ".join([*ended, *spoken[-1:]])


def _cut(text: str, limit: int, word: str) -> str:
    """`text` up to `limit` characters, cut after a word when one ends in the second half,
    then `word`."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return f"{head.rstrip(' ,.;:，。')}… {word}".strip()
