"""Voice memory's rules without a database: words folded, marked where they were said in the text
as it was said, a question's words, and a moment as it reads (made safe for its platform)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from core.app.memory.chat_search import question_words
from core.chat.find_results_wording import Markup, link_to, moment_line
from core.domain.memory.search_rules import Moment, Said, fold, marked_snippet, search_words
from core.domain.shared_values import ChatRef

MARK = ("[", "]")
HTML = Markup(
    escape=lambda words: html.escape(words, quote=False),
    bold=("<b>", "</b>"),
    anchor=lambda label, url: f'<a href="{url}">{label}</a>',
    channel=lambda channel: channel,
)
AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "folded"),
    [
        ("Café Zürich", "cafe zurich"),
        ("СЧЁТ", "счет"),
        ("Straße", "strasse"),
        ("ÉCOLE", "ecole"),
        ("发票", "发票"),
        ("ﾃｽﾄ", "テスト"),  # half-width katakana, as some keyboards type it
    ],
)
def test_case_and_accents_fold_alike_in_every_script(said: str, folded: str) -> None:
    assert fold(said) == folded


def test_the_words_are_marked_in_the_text_as_it_was_said() -> None:
    words = search_words("cafe STRASSE")
    assert marked_snippet("Wir treffen uns im Café an der Straße.", words, mark=MARK) == (
        "Wir treffen uns im [Café] an der [Straße]."
    )
    assert (
        marked_snippet("我明天给你开发票。", search_words("发票"), mark=MARK)
        == "我明天给你开[发票]。"
    )


def test_a_long_line_is_cut_around_the_first_word_found() -> None:
    line = "a" * 300 + " invoice " + "b" * 300
    snippet = marked_snippet(line, ("invoice",), mark=MARK, width=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "[invoice]" in snippet and len(snippet) <= 60 + 4


def test_a_question_is_searched_by_its_longer_words_and_chinese_by_pairs() -> None:
    assert question_words("Who promised the invoice?") == ["promised", "invoice"]
    assert question_words("who is it?") == ["who", "is", "it"]
    assert question_words("谁开发票？") == ["谁开", "开发", "发票"]


def test_a_moment_is_made_safe_for_its_platform() -> None:
    said = Said("41", "<Eve>", AT)
    moment = Moment("note", 42.0, "<b>pay</b> the invoice & more", AT, said=said)
    line = moment_line(
        moment, ("invoice",), "en", number=3, zone="UTC", markup=HTML,
        link=link_to(ChatRef("telegram", "-1001555"), moment),
    )  # fmt: skip
    assert line == (
        "3. &lt;Eve&gt;, Nov 24, 2:05\u202fPM, 0:42 into the recording: &lt;b&gt;pay&lt;/b&gt; "
        'the <b>invoice</b> &amp; more <a href="https://t.me/c/1555/41">open</a>'
    )


def test_only_a_supergroup_and_discord_have_links() -> None:
    moment = Moment("note", 0.0, "x", AT, said=Said("7", "Ann", AT, "555"))
    call = Moment("call:66:1", 3.0, "x", AT, speaker="Cy", call_channel="66")
    assert link_to(ChatRef("telegram", "-4242"), moment) is None  # a basic group
    assert link_to(ChatRef("telegram", "12345"), moment) is None  # a private chat
    assert link_to(ChatRef("discord", "guild:9"), moment) == (
        "https://discord.com/channels/9/555/7"
    )
    assert link_to(ChatRef("discord", "guild:9"), call) == "https://discord.com/channels/9/66"
