"""Voice memory on Discord end to end: `/find` lists the moments of the server's voice messages
and listened calls with jump links, only in the channels the member may read as they search
(a private thread only to those in it), page after page; pages change by button; `/ask` alone
answers from what was said in its channel and cites it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.domain.memory.search_rules import Said
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory, upgrade
from tests.integration.chatlog_db import kept_line_count, until_kept, until_noted_deleted
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import (
    MANAGE_THREADS,
    VIEW_CHANNEL,
    FakeDiscord,
    Guild,
    SentMessage,
)
from tests.standins.mimo import FakeMimo

POST = "POST /channels/{channel_id}/messages"
DELETED_WHILE_HEARD = (
    "That message was deleted while I was transcribing it, so its transcript is neither shown "
    "nor kept."
)
SAID = {
    2: "The invoice for the Acme account is 4,200 euros.",
    3: "I promised to send the invoice on Friday.",
    4: "Nothing about money here.",
}


async def keep_a_call(database_url: str, server: Guild, lines: list[tuple[str, str]]) -> None:
    """A call listened to in the server's voice channel, kept as
    `core.app.listening.live_transcription` keeps it."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
            for number, (speaker, said) in enumerate(lines):
                part = TranscriptPart(60.0 * number + 5, 60.0 * number + 9, said, speaker, "1")
                await uow.transcripts.keep_part(
                    ChatRef("discord", f"guild:{server.id}"), f"call:{server.lounge}:1",
                    language="auto", part=part, at=datetime.now(UTC),
                )  # fmt: skip
            await uow.commit()
    finally:
        await engine.dispose()


async def keep_messages(database_url: str, server: Guild, said: list[tuple[int, str]]) -> None:
    """Voice messages said in the server's channels, oldest first, a minute apart, kept as
    `core.app.recordings.kept_transcripts` keeps them: each `(channel, what was said)`."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    start = datetime.now(UTC) - timedelta(hours=1)
    try:
        async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
            for number, (channel, line) in enumerate(said):
                at = start + timedelta(minutes=number)
                where = Said(str(1000 + number), "Dee", at, str(channel))
                await uow.transcripts.keep_part(
                    ChatRef("discord", f"guild:{server.id}"), f"note-{number}", language="auto",
                    part=TranscriptPart(0.0, 4.0, line, None, None), at=at, said=where,
                )  # fmt: skip
            await uow.commit()
    finally:
        await engine.dispose()


async def next_page(discord_api: FakeDiscord, page: SentMessage, user: int, shown: str) -> str:
    """`user` presses Next under `page`; the page once it shows `shown` (its range)."""
    clicked = await discord_api.click(page, user, label="Next ›")
    await clicked.wait_for_callback()
    return await discord_api.wait_until(
        lambda: page.content if shown in page.content else None, timeout=15, what=shown
    )


async def test_every_page_shows_only_what_the_member_may_read_as_they_page_through(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    carla, bob = discord_api.add_member(server, "carla"), discord_api.add_member(server, "bob")
    finance = await discord_api.add_text_channel(server, "finance")
    await discord_api.deny_in_channel(finance, carla, VIEW_CHANNEL)
    # Newest first: six in #general, then four in #finance, then four more in #general.
    said = [(server.general, f"invoice older {n}") for n in range(4)]
    said += [(finance, f"invoice finance {n}") for n in range(4)]
    said += [(server.general, f"invoice newer {n}") for n in range(6)]
    await keep_messages(sqlite_url, server, said)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, carla, "find", phrase="invoice")
        [carlas] = await asked.wait_for_messages()
        carlas_second = await next_page(discord_api, carlas, carla, "(6–10;")
        asked = await discord_api.slash(server.general, bob, "find", phrase="invoice")
        [bobs] = await asked.wait_for_messages()
        bobs_first = bobs.content
        await discord_api.deny_in_channel(finance, bob, VIEW_CHANNEL)  # between his pages
        bobs_second = await next_page(discord_api, bobs, bob, "(6–10;")

    assert "finance" not in carlas.content and "finance" not in carlas_second
    assert "**invoice** older 3" in carlas_second  # the page after #general's newer six
    assert "finance 3" not in bobs_first and "**invoice** newer 1" in bobs_first
    assert "finance" not in bobs_second and str(finance) not in bobs_second
    assert "**invoice** older 3" in bobs_second


async def test_each_page_shown_counts_in_the_members_searches_and_one_too_many_says_slow_down(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Three searches a minute: Bob's /find and his first Next are two, his second Next a third,
    and his next one is refused, answered to him alone with the limit's own sentence (before,
    Discord told him only that the interaction failed); the page stays as it was."""
    bob = discord_api.add_member(server, "bob")
    await keep_messages(sqlite_url, server, [(server.general, f"invoice {n}") for n in range(16)])
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        rate_limit_searches_per_minute=3,
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, bob, "find", phrase="invoice")
        [page] = await asked.wait_for_messages()
        await next_page(discord_api, page, bob, "(6–10;")
        shown = await next_page(discord_api, page, bob, "(11–15;")
        refused = await discord_api.click(page, bob, label="Next ›")
        [slow_down] = await refused.wait_for_messages()

    assert slow_down.ephemeral and slow_down.content.startswith("Slow down: at most 3 requests")
    assert page.content == shown  # the page as it was


LAYOFFS = "The layoffs are planned for March, keep it quiet."


async def test_a_private_thread_shows_only_to_those_in_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: LAYOFFS
    ann, carol = discord_api.add_member(server, "ann"), discord_api.add_member(server, "carol")
    mod = discord_api.add_member(server, "mod")
    moderators = await discord_api.add_role(server, "moderators", MANAGE_THREADS)
    await discord_api.give_role(server, mod, moderators)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        thread = await discord_api.add_thread(
            server.general, ann, "planning", private=True, members=[discord_api.application_id]
        )
        await discord_api.post_voice_message(thread, ann, notes[2], duration=2)
        await discord_api.wait_for_messages(thread)
        found = {}
        askers = [("carol", carol, server.general), ("ann", ann, server.general),
                  ("mod", mod, server.general), ("inside", ann, thread)]  # fmt: skip
        for name, who, where in askers:
            asked = await discord_api.slash(where, who, "find", phrase="layoffs")
            [found[name]] = await asked.wait_for_messages()
        await discord_api.remove_from_thread(thread, ann)
        asked = await discord_api.slash(server.general, ann, "find", phrase="layoffs")
        [left] = await asked.wait_for_messages()

    assert "keep it quiet" not in found["carol"].content
    assert found["carol"].content.startswith("Nothing I kept here from the last 7 days has")
    for name in ("ann", "mod", "inside"):
        assert "The **layoffs** are planned for March" in found[name].content, name
        assert f"/{server.id}/{thread}/" in found[name].content, name
    assert "keep it quiet" not in left.content


async def test_find_shows_only_the_channels_the_member_may_read(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    carla = discord_api.add_member(server, "carla")
    finance = await discord_api.add_text_channel(server, "finance")
    await discord_api.deny_in_channel(finance, carla, VIEW_CHANNEL)
    await keep_a_call(sqlite_url, server, [("Cy", "Chat about lunch"), ("Cy", "Invoice sent")])
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        secret = await discord_api.post_voice_message(finance, alice, notes[2], duration=2)
        await discord_api.wait_for_messages(finance)
        public = await discord_api.post_voice_message(server.general, bob, notes[3], duration=3)
        await discord_api.wait_for_messages(server.general)
        asked = await discord_api.slash(server.general, alice, "find", phrase="INVOICE")
        [everything] = await asked.wait_for_messages()
        denied = await discord_api.slash(server.general, carla, "find", phrase="invoice")
        [hidden] = await denied.wait_for_messages()
        euros = await discord_api.slash(server.general, carla, "find", phrase="euros")
        [nothing] = await euros.wait_for_messages()

    assert everything.ephemeral and hidden.ephemeral
    base = f"https://discord.com/channels/{server.id}"
    assert f"{base}/{finance}/{secret['id']}" in everything.content
    assert f"{base}/{server.general}/{public['id']}" in everything.content
    assert "1. bob, " in everything.content and "**invoice**" in everything.content
    assert (
        "Cy, " in everything.content
        and f"into the call in <#{server.lounge}>" in everything.content
    )
    assert "4,200" in everything.content
    assert "4,200" not in hidden.content and str(finance) not in hidden.content
    assert "I promised to send the **invoice** on Friday." in hidden.content
    assert "**Invoice** sent" in hidden.content
    assert nothing.content.startswith("Nothing I kept here from the last 7 days has “euros”")


async def test_pages_change_by_button(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    lines = [("Cy", f"invoice number {n}") for n in range(7)]
    await keep_a_call(sqlite_url, server, lines)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, alice, "find", phrase="invoice number")
        [page] = await asked.wait_for_messages()
        first = page.content
        clicked = await discord_api.click(page, alice, label="Next ›")
        await clicked.wait_for_callback()
        await discord_api.wait_until(
            lambda: page.content if "6–7" in page.content else None,
            timeout=15,
            what="the second page",
        )

    assert "(1–5;" in first and "**number** 6" in first and "**number** 1" not in first
    assert "**number** 1" in page.content and "**number** 0" in page.content


async def test_ask_alone_answers_from_this_channel_and_cites_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    mimo.answer_text = "bob promised the invoice for Friday [1]."
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    finance = await discord_api.add_text_channel(server, "finance")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(finance, alice, notes[2], duration=2)
        await discord_api.wait_for_messages(finance)
        said = await discord_api.post_voice_message(server.general, bob, notes[3], duration=3)
        await discord_api.wait_for_messages(server.general)
        asked = await discord_api.slash(
            server.general, alice, "ask", question="who promised the invoice?"
        )
        [answer] = await asked.wait_for_messages()

    assert answer.content.startswith(
        "bob promised the invoice for Friday [1].\n\nSaid here:\n1. bob"
    )
    assert f"/{server.general}/{said['id']}" in answer.content
    [request] = [r for r in mimo.requests if isinstance(r["messages"][-1]["content"], str)
                 and r["messages"][-1]["content"].startswith("who promised")]  # fmt: skip
    assert "4,200" not in request["messages"][-1]["content"]  # #finance is not this channel


async def test_half_a_character_in_the_words_is_no_error(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """A lone surrogate (half of a character, which JSON can carry) separates words, as a
    space does: what is left is searched, or the bot asks for words."""
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, alice, "find", phrase="\ud800invoice")
        [searched] = await asked.wait_for_messages()
        asked = await discord_api.slash(server.general, alice, "find", phrase="\ud800\x00")
        [empty] = await asked.wait_for_messages()

    assert searched.content.startswith("Nothing I kept here from the last 7 days has “invoice”")
    assert empty.content.startswith("Find where something was said in this server's voice messages")


async def test_a_deleted_voice_message_is_no_longer_found(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Its author took it back (MESSAGE_DELETE), a moderator purged others (BULK): nobody
    finds what they said, and the rest stays found."""
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann, carol = discord_api.add_member(server, "ann"), discord_api.add_member(server, "carol")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = {}
        for seconds in (2, 3, 4):
            said[seconds] = await discord_api.post_voice_message(
                server.general, ann, notes[seconds], duration=seconds
            )
            await discord_api.wait_for_messages(server.general, count=seconds - 1)
        await discord_api.delete_message(said[2])
        await discord_api.purge_messages([said[4]])
        await until_kept(sqlite_url, 1)
        asked = await discord_api.slash(server.general, carol, "find", phrase="invoice")
        [found] = await asked.wait_for_messages()

    assert "4,200" not in found.content  # taken back
    assert "I promised to send the **invoice** on Friday." in found.content


async def test_a_voice_message_deleted_while_it_is_heard_is_neither_kept_nor_posted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Ann takes her voice message back while MiMo is still hearing it: when MiMo answers,
    nothing of it is posted nor kept (Carol's /find does not show it); her next one is."""
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann, carol = discord_api.add_member(server, "ann"), discord_api.add_member(server, "carol")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        with mimo.held_each() as held:
            taken_back = await discord_api.post_voice_message(
                server.general, ann, notes[2], duration=2
            )
            await mimo.wait_for_requests(1)
            await discord_api.delete_message(taken_back)
            await until_noted_deleted(database_url, str(taken_back["id"]))
            held[0].let_go()
        await discord_api.post_voice_message(server.general, ann, notes[3], duration=3)
        await until_kept(database_url, 1)
        # Either note may show a status first, while its use of MiMo's minute is slow to come:
        # the first's goes as its work ends, which may be after the second's transcript came.
        await discord_api.wait_until(
            lambda: [SAID[3] in said for said in discord_api.contents(server.general)] == [True],
            timeout=15, what="the second note's transcript, and nothing of the first",
        )  # fmt: skip
        tried = [str(call.body) for call in discord_api.calls if call.method in ("POST", "PATCH")]
        asked = await discord_api.slash(server.general, carol, "find", phrase="invoice")
        [found] = await asked.wait_for_messages()

    # Once the bot has stopped: the second note's transcript, and nothing the first one left.
    left = [m.content for m in discord_api.messages_in(server.general) if not m.ephemeral]
    assert len(left) == 1 and SAID[3] in left[0], left
    assert not any("4,200" in body for body in tried)  # nothing of the message taken back
    assert "4,200" not in found.content
    assert "I promised to send the **invoice** on Friday." in found.content


async def test_transcribe_on_a_message_deleted_meanwhile_says_so_and_keeps_nothing(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Carol asks for the transcript of Ann's audio file (the message menu's Transcribe) and
    Ann deletes her message while MiMo hears it: Carol is told so, and nothing of it is shown nor
    kept."""
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann, carol = discord_api.add_member(server, "ann"), discord_api.add_member(server, "carol")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        audio = discord_api.attachment(notes[2], filename="quote.ogg", content_type="audio/ogg")
        said = await discord_api.post_message(server.general, ann, "", attachments=[audio])
        with mimo.held_each() as held:
            asked = await discord_api.message_command(server.general, carol, "Transcribe", said)
            await mimo.wait_for_requests(1)
            await discord_api.delete_message(said)
            await until_noted_deleted(database_url, str(said["id"]))
            held[0].let_go()
            # A status may come first (its use of MiMo's minute slow to come): it becomes this.
            await asked.wait_for_contents([DELETED_WHILE_HEARD])

    assert await kept_line_count(database_url) == 0
    assert not any("4,200" in content for content in discord_api.contents(server.general))


async def test_a_deleted_channels_and_threads_lines_go_with_them(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """A moderator deletes #deals and a thread of #general: what was said in them is found
    no more (the server's other lines are), at once rather than after the retention."""
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann, carol = discord_api.add_member(server, "ann"), discord_api.add_member(server, "carol")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        deals = await discord_api.add_text_channel(server, "deals")
        thread = await discord_api.add_thread(server.general, ann, "acme", private=False)
        for channel, seconds in ((deals, 2), (thread, 3), (server.general, 4)):
            await discord_api.post_voice_message(channel, ann, notes[seconds], duration=seconds)
            await discord_api.wait_for_messages(channel)
        await until_kept(database_url, 3)
        await discord_api.delete_channel(server, deals)
        await discord_api.delete_thread(thread)
        await until_kept(database_url, 1)
        asked = await discord_api.slash(server.general, carol, "find", phrase="invoice")
        [found] = await asked.wait_for_messages()
        asked = await discord_api.slash(server.general, carol, "find", phrase="money")
        [kept] = await asked.wait_for_messages()

    assert found.content.startswith("Nothing I kept here")
    assert "Nothing about **money** here." in kept.content


async def test_a_private_thread_the_bot_was_removed_from_shows_to_nobody_in_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Removed from a private thread, the bot is told nothing more of who leaves it: who is in
    it is no longer known, and its moments show to nobody by membership (Bob, removed after
    the bot, finds nothing; a moderator who manages threads still does)."""
    mimo.asr_text = lambda duration, body: LAYOFFS
    ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        thread = await discord_api.add_thread(
            server.general, ann, "planning", private=True,
            members=[bob, discord_api.application_id],
        )  # fmt: skip
        await discord_api.post_voice_message(thread, ann, notes[2], duration=2)
        await discord_api.wait_for_messages(thread)
        asked = await discord_api.slash(server.general, bob, "find", phrase="layoffs")
        [while_in] = await asked.wait_for_messages()
        await discord_api.remove_from_thread(thread, discord_api.application_id)
        await discord_api.remove_from_thread(thread, bob)  # the bot is not told
        asked = await discord_api.slash(server.general, bob, "find", phrase="layoffs")
        [after] = await asked.wait_for_messages()

    assert "keep it quiet" in while_in.content
    assert "keep it quiet" not in after.content
