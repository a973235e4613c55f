"""How `/find`'s moments and `/ask`'s cited moments read in a chat: one line per moment, with
who said it, when (in the chat's time zone), the time inside the recording or call, the
sentence around the words with the words marked, and a way back to it.

The platform says how text is marked up (`Markup`: Telegram's HTML, Discord's Markdown) and
where each moment can be opened (`link`: a message's link, None where there is none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.chat.locale_formats import day_and_time
from core.chat.message_catalogue import text
from core.domain.memory.search_rules import SNIPPET_CHARS, FoundPage, Moment, marked_snippet
from core.domain.message_splitting import format_duration
from core.domain.shared_values import ChatRef

__all__ = ["Markup", "found_text", "link_to", "moment_line"]


@dataclass(frozen=True)
class Markup:
    """A platform's way to show words: made safe, in bold, as a link, a channel named."""

    escape: Callable[[str], str]
    bold: tuple[str, str]
    anchor: Callable[[str, str], str]  # (label, url) -> a link
    channel: Callable[[str], str]  # a channel's id -> how it is named
    width: int = SNIPPET_CHARS  # at most this much of a line is shown around the words


def found_text(
    page: FoundPage, locale: str, *, markup: Markup, link: Callable[[Moment], str | None], days: int
) -> str:
    """A page of `/find`: its heading and its moments, numbered; or that nothing was found."""
    words = markup.escape(" ".join(page.words))
    if not page.moments:
        key = "find.none" if page.page == 0 else "find.no_more"
        return text(key, locale, words=words, days=days)
    last = page.first + len(page.moments) - 1
    heading = text("find.heading", locale, words=words, first=page.first, last=last,
                   zone=page.zone)  # fmt: skip
    lines = [
        moment_line(
            moment,
            page.words,
            locale,
            number=number,
            zone=page.zone,
            markup=markup,
            link=link(moment),
        )
        for number, moment in enumerate(page.moments, page.first)
    ]
    return "\n\n".join([heading, *lines])


def moment_line(
    moment: Moment,
    words: tuple[str, ...],
    locale: str,
    *,
    number: int,
    zone: str,
    markup: Markup,
    link: str | None,
) -> str:
    """`3. Ann, Nov 24, 14:05, 0:42 into the recording: …the invoice…` and its link."""
    escaped = _escaped_snippet(moment.text, words, markup)
    who = markup.escape(moment.who or text("find.someone", locale))
    when = day_and_time(moment.when, zone, locale)
    at = format_duration(moment.start)
    if moment.call_channel is not None:
        channel = markup.channel(moment.call_channel)
        line = text("find.moment_call", locale, who=who, when=when, at=at, channel=channel,
                    said=escaped)  # fmt: skip
    elif moment.start > 0:
        line = text("find.moment_at", locale, who=who, when=when, at=at, said=escaped)
    else:
        line = text("find.moment", locale, who=who, when=when, said=escaped)
    opened = "" if link is None else " " + markup.anchor(text("find.open", locale), link)
    return f"{number}. {line}{opened}"


def _escaped_snippet(text: str, words: tuple[str, ...], markup: Markup) -> str:
    """The snippet with the words marked, everything else made safe for the platform."""
    begin, end = "\x00", "\x01"  # marks no transcript holds, replaced once the rest is escaped
    clean = text.replace(begin, "").replace(end, "")
    snippet = marked_snippet(clean, words, mark=(begin, end), width=markup.width)
    safe = markup.escape(snippet)
    return safe.replace(begin, markup.bold[0]).replace(end, markup.bold[1])


def link_to(chat: ChatRef, moment: Moment) -> str | None:
    """Where the moment can be opened: a Telegram supergroup's link to its message
    (`t.me/c/<chat>/<message>`; other chats have none), Discord's jump link to its message, or
    for a call's line its voice channel. None where there is no link."""
    if chat.platform == "telegram":
        if moment.said is None or not chat.chat_id.startswith("-100"):
            return None
        return f"https://t.me/c/{chat.chat_id.removeprefix('-100')}/{moment.said.message_id}"
    server = chat.chat_id.removeprefix("guild:") if chat.chat_id.startswith("guild:") else "@me"
    if moment.said is not None and moment.said.place is not None:
        return f"https://discord.com/channels/{server}/{moment.said.place}/{moment.said.message_id}"
    if moment.call_channel is not None:
        return f"https://discord.com/channels/{server}/{moment.call_channel}"
    return None
