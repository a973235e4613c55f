"""One event, one reading of the chat's preferences: a voice note on Telegram, a voice message
on Discord, each transcribed with its automatic translation below, read the chat's
preferences in one unit of work, whatever else they decide (the language shown, the
translation, the gist); so does `/say` on either (its voice, its style, the answer's
language); a listened call reads them as it begins, never per piece. Counted at the database:
every statement that touches `chat_preferences`, by the transaction it ran in; and, for a
voice note and `/say`, every statement they make at all, beside each MiMo request's use of
the account's minute (PostgreSQL: at most four statements, `of_the_minute`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.app.rules.chat_settings import ChatPreferences
from core.bootstrap import storage
from core.config import Settings
from core.domain.shared_values import ChatRef
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.test_discord_listening import (
    bot_in_server,
    listening_started,
    posted_in,
)
from tests.integration.test_discord_reader import Members
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.standins.voice_members import tone
from tests.waiting import until

USER = 7007


@contextmanager
def preference_reads() -> Iterator[list[int]]:
    """The transactions (numbered as they begin) of every statement on `chat_preferences`
    that any engine runs while the block lasts, one entry per statement: the reads of a chat's
    preferences."""
    with reads_of("chat_preferences") as seen:
        yield seen


@contextmanager
def reads_of(table: str) -> Iterator[list[int]]:
    """The transactions (numbered as they begin) of every SELECT on `table` that any engine
    runs while the block lasts, one entry per statement."""
    numbers = itertools.count(1)
    seen: list[int] = []

    def began(connection: Any) -> None:
        connection.info["transaction"] = next(numbers)

    def executing(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        reads = statement.lstrip().upper().startswith("SELECT") and not _start_up(statement)
        if table in statement and reads:
            seen.append(connection.info.get("transaction", 0))

    event.listen(Engine, "begin", began)
    event.listen(Engine, "before_cursor_execute", executing)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executing)
        event.remove(Engine, "begin", began)


class Statements(list[tuple[str, str]]):
    """Statements seen, each its words on one line with its parameters; `transactions`: the
    transaction (numbered as it began) each ran in, in the same order."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions: list[int] = []

    def count_transactions(self, kept: Callable[[str, str], bool]) -> int:
        """How many transactions ran the statements `kept` keeps (its words, its parameters)."""
        return len(
            {t for (said, p), t in zip(self, self.transactions, strict=True) if kept(said, p)}
        )


@contextmanager
def statements() -> Iterator[Statements]:
    """Every statement any engine runs while the block lasts (without BEGIN and COMMIT, and
    without Discord's start-up sweep), its words on one line, with its parameters, and the
    transaction it ran in."""
    seen = Statements()
    numbers = itertools.count(1)

    def began(connection: Any) -> None:
        connection.info["statements' transaction"] = next(numbers)

    def executing(connection: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        said = " ".join(statement.split())
        if not said.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")) and not _start_up(said):
            seen.append((said, repr(parameters)))
            seen.transactions.append(connection.info.get("statements' transaction", 0))

    event.listen(Engine, "begin", began)
    event.listen(Engine, "before_cursor_execute", executing)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executing)
        event.remove(Engine, "begin", began)


def of_the_minute(statement: str) -> bool:
    """A statement of MiMo's minute as replicas share it (PostgreSQL): a request's use, taken
    in one transaction under its model's lock, and its tokens corrected by MiMo's answer."""
    return "minute_turns" in statement or "minute_lines" in statement


def without_the_minute(made: list[str], requests: int) -> list[str]:
    """`made` without the minute's statements, which are at most four a request to MiMo (none
    on SQLite, whose one process keeps the minute in memory), beside the reads of what it holds
    the process makes every second for `/metrics`, whatever happens (`AccountMinute.look`)."""
    uses = [said for said in made if of_the_minute(said) and not _looked_at(said)]
    assert len(uses) <= 4 * requests, "\n".join(uses)
    return [said for said in made if not of_the_minute(said)]


def _looked_at(statement: str) -> bool:
    """A read of what the minute holds, outside any request's use (taken under its model's
    lock, whose first statement takes the lock)."""
    return statement.upper().startswith("SELECT") and "pg_advisory" not in statement


def _start_up(statement: str) -> bool:
    """Work no event asked for, which a busy machine may run inside a test's block: Discord's
    start-up sweep for channels deleted while no bot ran (a UNION of the chat ids in every
    table, on `on_ready`), and the periodic jobs' first pass as the bot starts: what expired
    deleted (`DELETE ... < ?`) and the digests due looked for (`next_digest_at <=`)."""
    upper = statement.upper()
    expired = upper.startswith("DELETE FROM") and " < ?" in statement
    return "UNION" in upper or expired or "next_digest_at <=" in statement


async def translated_into_english(settings: Settings, chat: ChatRef) -> None:
    """`/autotranslate en` in `chat`, before the bot starts (nothing else runs meanwhile)."""
    async with storage(settings) as store:
        preferences = ChatPreferences(uow=store.uow, default_tts_model=settings.mimo_tts_model)
        await preferences.set_autotranslate(chat, "en", can_manage=True)


async def test_a_telegram_voice_note_reads_the_chats_preferences_once(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    mimo.asr_text = "我们明天见"
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    await translated_into_english(settings, ChatRef("telegram", str(USER)))
    async with running(settings, bot_api):
        with preference_reads() as reads:
            bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg))
            # A status may say first that the note waits for its use of MiMo's minute.
            await bot_api.wait_until(lambda: "Translation" in "".join(bot_api.texts(USER)))
            [transcript] = bot_api.texts(USER)

    assert "Translation (English):" in transcript
    assert len(reads) >= 1 and len(set(reads)) == 1, reads  # one unit of work


async def test_a_telegram_transcribe_reads_the_chats_preferences_once(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """`/transcribe` on a voice note: the language shown and the translation below, from one
    reading of the chat's preferences in the use case (who asks is in its request)."""
    mimo.asr_text = "我们明天见"
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    await translated_into_english(settings, ChatRef("telegram", str(USER)))
    translated = "Translation (English):"
    async with running(settings, bot_api):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
        bot_api.push(note)
        await bot_api.wait_until(lambda: any(translated in t for t in bot_api.texts(USER)))
        with preference_reads() as reads:
            asked = bot_api.text_message(
                chat_id=USER, user_id=USER, text="/transcribe", reply_to=note
            )
            bot_api.push(asked)
            await bot_api.wait_until(lambda: sum(translated in t for t in bot_api.texts(USER)) == 2)

    assert len(reads) == 1, reads


async def test_a_telegram_inline_voice_reads_the_askers_preferences_once(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """`@bot some text`: the voice and style that key the voice notes kept, and the rendering
    in them, from one reading of the asker's preferences."""
    cache = -1005550001
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, telegram_inline_cache_chat=cache
    )
    bot_api.add_chat(cache)
    async with running(settings, bot_api):
        with preference_reads() as reads:
            asked = bot_api.inline_query(user_id=USER, query="hello")
            await bot_api.wait_for_inline_answers([asked])

    assert [r["type"] for r in bot_api.inline_answers[asked]["results"]] == ["voice"]
    assert len(reads) == 1, reads


async def test_a_voice_note_writes_nothing_beside_its_transcript_its_claim_and_its_counts(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """With no consent sentence open, a voice note's statements are its claim (and its reply's
    id noted in it), its rates, its chat's and its sender's day, its transcript, and one read of
    the sentences open, in the transaction that reads the chat's preferences: nothing is noted
    for the copy check (a note sent while no sentence was open cannot say one's random digits).
    Two reads of the chat's count of forgets: in the statement that reads its preferences, and
    as its transcript is kept (a /forget meanwhile, in any process, keeps it out:
    `core.domain.memory.write_mandates`), the latter under PostgreSQL's shared lock of the count,
    which a /forget takes alone. Its transcript's header is written and marked whole in one
    statement, and what MiMo billed for it is recorded in the transaction that keeps it. 13
    statements in 8 transactions (12 in 8 at 0f05f74, before the mandate's checks and the reply's id
    in the claim; 9 transactions before the usage was recorded with the transcript; 15 statements
    before the preferences and the count were one read, 14 before the header's INSERT and UPDATE
    were one)."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER + 1, user_id=USER + 1, data=voice_ogg))
        await bot_api.wait_for_texts(USER + 1, ["heard 3.0 seconds"])  # first connections
        with (
            statements() as seen,
            preference_reads() as preferences,
            reads_of("clone_challenges") as sentences,
        ):
            bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg))
            await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
            await until(
                lambda: any("SET state" in s and str(USER) in p for s, p in seen), "its claim done"
            )

    # Not the first note's claim, should its mark come late; nor its one request's use.
    made = [said for said, parameters in seen if str(USER + 1) not in parameters]
    made = without_the_minute(made, requests=1)
    touching = [s for s in made if "consent_readings" in s or "clone_challenges" in s]
    assert [s.split()[0] for s in touching] == ["SELECT"], touching
    locks = [s for s in made if "pg_advisory_xact_lock_shared" in s]
    made = [s for s in made if s not in locks]
    writes = [s for s in made if not s.startswith("SELECT")]
    assert len(writes) <= 9 and len(made) <= 13 and len(locks) <= 1, "\n".join(made)
    transactions = seen.count_transactions(
        lambda said, parameters: str(USER + 1) not in parameters and not of_the_minute(said)
    )
    assert transactions <= 8, "\n".join(made)
    assert_billed_as_kept(seen)
    assert sum("FROM chat_forgets" in said for said in made) == 2
    [header] = [said for said in made if said.startswith("INSERT INTO recording_transcripts ")]
    assert "duration" in header and not any(s.startswith("UPDATE recording_tr") for s in made)
    [read] = [said for said in made if "FROM chat_preferences" in said or "JOIN chat_pref" in said]
    assert "FROM chat_forgets" in read, read  # the preferences and the mandate, one read
    assert len(sentences) == 1 and sentences == preferences  # one transaction for both


async def test_a_discord_voice_message_writes_nothing_beside_its_transcript_its_claim_and_counts(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """A voice message in a server's channel, transcribed by itself: the server's preferences,
    the channel's own and the count of forgets in one read; whether the message was deleted,
    looked at before its piece goes to MiMo and read again as it is kept, there in the
    statement that reads the count of forgets again (a deletion or a /forget meanwhile keeps
    it out); its claim, rates, the day's audio and its transcript written, its header marked
    whole as it is written, what MiMo billed for it recorded in the same transaction. 13
    statements in 8 transactions (13 in 9 at 0f05f74, before the checks of a deletion and of
    the mandate, and before the usage was recorded with the transcript; 17 statements before
    the reads were combined, 14 before the header was written whole in one statement), and
    PostgreSQL's locks of the count and of the message."""
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    general = server.general

    def heard(count: int) -> bool:
        return sum("heard 3.0 seconds" in c for c in discord_api.contents(general)) == count

    async with running_discord(settings, discord_api):
        with statements() as early:  # first connections
            first = await discord_api.post_voice_message(
                server.general, admin, voice_ogg, duration=3
            )
            await discord_api.wait_until(lambda: heard(1), timeout=15, what="the first transcript")
            await until(
                lambda: any("SET state" in s and first["id"] in p for s, p in early), "claim done"
            )
        with statements() as seen:
            said = await discord_api.post_voice_message(
                server.general, admin, voice_ogg, duration=3
            )
            await discord_api.wait_until(lambda: heard(2), timeout=15, what="its transcript")
            await until(
                lambda: any("SET state" in s and said["id"] in p for s, p in seen), "claim done"
            )

    made = without_the_minute([s for s, _ in seen], requests=1)
    locks = [s for s in made if "pg_advisory_xact_lock" in s]
    made = [s for s in made if s not in locks]
    writes = [s for s in made if not s.startswith("SELECT")]
    assert len(writes) <= 8 and len(made) <= 13 and len(locks) <= 2, "\n".join(made)
    transactions = seen.count_transactions(lambda said, parameters: not of_the_minute(said))
    assert transactions <= 8, "\n".join(made)
    assert_billed_as_kept(seen)
    [read] = [said for said in made if "FROM chat_preferences" in said or "JOIN chat_pref" in said]
    assert "FROM chat_forgets" in read, read  # the server's, the channel's, the mandate
    looks = [said for said in made if "FROM deleted_messages" in said]
    assert len(looks) == 2 and sum("FROM chat_forgets" in said for said in looks) == 1, looks
    assert sum("FROM chat_forgets" in said for said in made) == 2


def assert_billed_as_kept(seen: Statements) -> None:
    """What MiMo billed for the note (its tokens: the chat's row of the day) is recorded in the
    transaction that keeps its transcript, and in no transaction of its own after it."""
    ran = list(zip(seen, seen.transactions, strict=True))
    [keeping] = [t for (said, _), t in ran if said.startswith("INSERT INTO recording_transcript_p")]
    counted = [t for (said, _), t in ran if said.startswith("INSERT INTO chat_usage")]
    # The day's audio reserved (the chat's row, the sender's), then the usage as MiMo billed it.
    assert counted[-1] == keeping and counted.count(keeping) == 1, counted


async def test_a_discord_voice_message_reads_the_chats_preferences_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    mimo.asr_text = "我们明天见"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    await translated_into_english(settings, ChatRef("discord", f"guild:{server.id}"))
    async with running_discord(settings, discord_api):
        with preference_reads() as reads:
            await discord_api.post_voice_message(server.general, admin, voice_ogg, duration=3)
            await discord_api.wait_until(
                lambda: any("Translation (English)" in c for c in discord_api.contents(
                    server.general
                )),
                timeout=15,
                what="the transcript and its translation",
            )  # fmt: skip

    # The server's preferences and the channel's override, in one unit of work.
    assert len(reads) >= 1 and len(set(reads)) == 1, reads


async def test_a_message_read_aloud_in_a_voice_channel_reads_the_preferences_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str
) -> None:
    """The channel reader (issue 46): a message coming up reads the server's preferences, its
    rules and the author's choices in one unit of work, and nothing reads them again."""
    ann = discord_api.add_member(server, "Ann")
    await discord_api.join_voice(server, ann, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, ann, "read_channel")
        await asked.wait_for_messages()
        with preference_reads() as reads:
            await discord_api.post_message(server.lounge, ann, "Hello everyone")
            await until(lambda: mimo.calls("mimo-v2.5-tts"), "the message spoken")

    assert len(reads) == 1, reads


async def test_a_telegram_say_reads_the_chats_preferences_once(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """`/say`: who asks and where go into the use case, which reads the chat's preferences
    (its voice, its style, the answer's language) once and answers with them."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        bot_api.push(bot_api.text_message(chat_id=USER + 1, user_id=USER + 1, text="/say Hi"))
        await bot_api.wait_for("sendVoice", chat_id=USER + 1)  # first connections
        with preference_reads() as reads, statements() as seen:
            bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say Hi there"))
            [voice] = await bot_api.wait_for("sendVoice", chat_id=USER)
            await until(
                lambda: any("SET state" in s and str(USER) in p for s, p in seen), "its claim done"
            )

    assert voice.files["voice"].startswith(b"OggS")
    assert len(reads) == 1, reads
    # Its claim (taken, done), its rates, the preferences read and the commander's language
    # noted (a new chat's), the speech quota reserved and settled; and its use of MiMo's minute.
    made = [said for said, parameters in seen if str(USER + 1) not in parameters]
    assert len(without_the_minute(made, requests=1)) <= 8, "\n".join(made)


async def test_a_discord_say_reads_the_places_preferences_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str
) -> None:
    """`/say` in direct messages: its voice, its style and the commander's language noted for
    what the bot posts there unasked, all in one reading of the person's preferences."""
    member = discord_api.add_member(server, "member")
    dm = discord_api.dm_channel(member)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        with statements() as early:  # first connections, the commander's language noted
            first = await discord_api.slash(dm, member, "say", text="Hi")
            await first.wait_for_messages(2)
            await until(
                lambda: any("SET state" in s and str(first.id) in p for s, p in early),
                "its claim done",
            )
        with preference_reads() as reads, statements() as seen:
            said = await discord_api.slash(dm, member, "say", text="Hi there")
            _, spoken = await said.wait_for_messages(2)
            await until(
                lambda: any("SET state" in s and str(said.id) in p for s, p in seen),
                "its claim done",
            )

    assert spoken.is_voice_message
    assert len(reads) == 1, reads
    # Its claim (taken, done), its rates, the preferences read, the speech quota reserved
    # and settled: the language noted already is not noted again; and its use of the minute.
    made = [said for said, parameters in seen if str(first.id) not in parameters]
    assert len(without_the_minute(made, requests=1)) <= 7, "\n".join(made)


async def test_a_listened_call_reads_the_servers_preferences_as_it_begins_and_not_per_piece(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """`/listen`: the server's transcript language is read as the call begins and kept; its
    members' pieces read no preferences; a language set during the call holds from the next
    piece on."""
    ann = discord_api.add_member(server, "Ann", manage_guild=True)
    ann_in_call = await discord_api.join_call(server, ann, server.lounge)
    members = Members(discord_api, server.general)
    asr = "mimo-v2.5-asr"
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann, cheaper=True)
        with preference_reads() as reads:
            await discord_api.voice.speak(ann_in_call, tone(440, 1.0))
            await mimo.wait_for_requests(1, model=asr)
            await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her caption")
        await members.answer(ann, "language", value="zh")
        await discord_api.voice.speak(ann_in_call, tone(440, 1.0))
        await mimo.wait_for_requests(2, model=asr)
        await members.answer(ann, "stop_listening")

    assert reads == []
    first, second = mimo.calls(asr)
    assert first["asr_options"] == {"language": "auto"}
    assert second["asr_options"] == {"language": "zh"}
