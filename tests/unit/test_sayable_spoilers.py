"""Spoilers are never read aloud, whatever markup surrounds them
(`core.domain.channel_reader.spoken_text_rules`), as Discord's client shows them: whichever of a
code block, a spoiler or inline code starts first and is closed wins, and an unclosed fence is plain
text.

The property builds a message around a spoiler holding a secret word: before and after it any
mix of words, emphasis, quotes, headings, mentions, links, emoji and whole code blocks; inside
it anything at all but the spoiler's own mark (unclosed fences, inline code, line breaks). The
secret is never said, and a word outside every spoiler and code block still is. `WORST_CASES`
are the smallest messages it found that the reader of old (its code-block rule ran first, and
an unclosed fence swallowed the spoiler's end) read aloud; the channel reader's end-to-end test
posts each of them (`tests.integration.test_discord_reader_access`).
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from core.app.channel_reader.message_speech import spoken_marks
from core.domain.channel_reader.spoken_text_rules import sayable

SECRET, SHOWN = "Zebulon", "Quartz"
MARKS = spoken_marks("en")

# What may stand around a spoiler: no spoiler mark, no lone backtick (a fence or inline code
# opened outside and closed inside would change where the spoiler is, as it does on Discord).
OUTSIDE = st.sampled_from([
    "hello", "world", "ok", "**", "__", "_", "~~", "*", "> ", ">>> ", "# ", "-# ", "- ", "\n",
    "<#123>", "<@456>", "<@&789>", "https://example.com/a?b=c", "<:smile:1>", "<t:1700000000:R>",
    "```py\nprint(1)\n```", "```x```", "[text](https://example.com)", "!!!!!!", "@everyone",
])  # fmt: skip
# What may stand inside it: anything but its own closing mark.
INSIDE = st.one_of(
    OUTSIDE,
    st.sampled_from(["```", "```py\n", "`", "``", "` x `", "\n\n", "```a``` b", "<#1>"]),
    st.text(alphabet=st.characters(blacklist_characters="|\\"), max_size=8),
)

WORST_CASES = (
    "||Zebulon ```||",
    "||Zebulon ```|| hello ```x```",
    "```x```||Zebulon ```||",
)


def spoken_form(message: str) -> str:
    return sayable(message, marks=MARKS, limit=10_000) or ""


@given(
    before=st.lists(OUTSIDE, max_size=6),
    inside=st.lists(INSIDE, max_size=6),
    at=st.integers(min_value=0, max_value=6),
    after=st.lists(OUTSIDE, max_size=6),
)
@example(before=[], inside=["the killer is Bob", "```"], at=1, after=[])
@example(before=[], inside=["```"], at=0, after=["hello", "```x```"])
def test_a_spoiler_is_never_said_whatever_surrounds_it(
    before: list[str], inside: list[str], at: int, after: list[str]
) -> None:
    secret = " ".join([*inside[:at], SECRET, *inside[at:]])
    message = " ".join([*before, SHOWN, f"||{secret}||", *after])

    spoken = spoken_form(message)

    assert SECRET not in spoken
    assert SHOWN in spoken
    assert MARKS.spoiler in spoken


def test_the_worst_cases_read_aloud_before_say_nothing_of_their_secret() -> None:
    for case in WORST_CASES:
        assert SECRET not in spoken_form(case), case


def test_what_discord_shows_is_still_said() -> None:
    assert spoken_form("``` not closed, so shown ||Zebulon||") == ("not closed, so shown a spoiler")
    assert spoken_form("`||shown as it is||` after") == "shown as it is after"
    assert spoken_form("```a ||inside code|| b``` after") == "a code block. after"
