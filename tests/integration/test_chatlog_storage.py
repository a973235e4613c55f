"""The chat log and summary state through the real unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage, SummaryState
from core.infra.storage import SqlAlchemyUnitOfWork

UowFactory = Callable[[], SqlAlchemyUnitOfWork]

GROUP = ChatRef("telegram", "-1001")
OTHER = ChatRef("telegram", "-1002")
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def message_n(chat: ChatRef, n: int, *, kind: str = "text", text: str | None = None) -> ChatMessage:
    return ChatMessage(
        chat=chat,
        message_id=str(n),
        author=f"Person {n}",
        sent_at=T0 + timedelta(minutes=n),
        text=text or f"message {n}",
        kind=kind,  # type: ignore[arg-type]
    )


async def store_messages(uow_factory: UowFactory, *messages: ChatMessage) -> None:
    async with uow_factory() as uow:
        for message in messages:
            await uow.chat_log.add(message)
        await uow.commit()


async def recent(uow_factory: UowFactory, chat: ChatRef, **kwargs: object) -> list[ChatMessage]:
    async with uow_factory() as uow:
        return await uow.chat_log.recent(chat, limit=kwargs.pop("limit", 100), **kwargs)  # type: ignore[arg-type]


class TestChatLog:
    async def test_messages_come_back_oldest_first_with_aware_times(
        self, uow_factory: UowFactory
    ) -> None:
        await store_messages(
            uow_factory, message_n(GROUP, 2), message_n(GROUP, 1), message_n(GROUP, 3)
        )
        messages = await recent(uow_factory, GROUP)
        assert [m.message_id for m in messages] == ["1", "2", "3"]
        assert messages[0] == message_n(GROUP, 1)
        assert messages[0].sent_at.tzinfo is not None

    async def test_a_window_is_strictly_after_its_start_and_the_newest_within_its_limit(
        self, uow_factory: UowFactory
    ) -> None:
        await store_messages(uow_factory, *(message_n(GROUP, n) for n in range(10)))
        after = await recent(uow_factory, GROUP, after=T0 + timedelta(minutes=6))
        newest = await recent(uow_factory, GROUP, limit=3)
        assert [m.message_id for m in after] == ["7", "8", "9"]
        assert [m.message_id for m in newest] == ["7", "8", "9"]

    async def test_one_chat_never_sees_another(self, uow_factory: UowFactory) -> None:
        await store_messages(
            uow_factory,
            message_n(GROUP, 1),
            message_n(OTHER, 2),
            message_n(ChatRef("discord", "-1001"), 3),
        )
        assert [m.message_id for m in await recent(uow_factory, GROUP)] == ["1"]

    async def test_the_same_message_twice_is_stored_once_but_its_transcript_too(
        self, uow_factory: UowFactory
    ) -> None:
        caption = message_n(GROUP, 1, kind="caption", text="listen to this")
        transcript = message_n(GROUP, 1, kind="transcript", text="hello everyone")
        await store_messages(uow_factory, caption, transcript)
        await store_messages(
            uow_factory, caption, message_n(GROUP, 1, kind="transcript", text="again")
        )
        assert [(m.kind, m.text) for m in await recent(uow_factory, GROUP)] == [
            ("caption", "listen to this"),
            ("transcript", "hello everyone"),
        ]

    async def test_deleting_a_chat_or_old_messages_says_how_many(
        self, uow_factory: UowFactory
    ) -> None:
        await store_messages(
            uow_factory, *(message_n(GROUP, n) for n in range(5)), message_n(OTHER, 9)
        )
        async with uow_factory() as uow:
            expired = await uow.chat_log.delete_sent_before(T0 + timedelta(minutes=2))
            await uow.commit()
        async with uow_factory() as uow:
            forgotten = await uow.chat_log.delete_chat(GROUP)
            await uow.commit()
        assert (expired, forgotten) == (2, 3)
        assert [m.message_id for m in await recent(uow_factory, OTHER)] == ["9"]


class TestSummaryState:
    async def test_state_round_trips_and_defaults_when_missing(
        self, uow_factory: UowFactory
    ) -> None:
        state = SummaryState(
            logging_enabled=False,
            last_summary_at=T0,
            digest_time=time(18, 30),
            time_zone="Europe/Berlin",
            next_digest_at=T0 + timedelta(hours=5),
        )
        async with uow_factory() as uow:
            assert await uow.summary_states.get(GROUP) == SummaryState()
            await uow.summary_states.save(GROUP, state)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.summary_states.get(GROUP) == state

    async def test_marking_a_summary_keeps_the_settings(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            await uow.summary_states.mark_summarised(OTHER, T0)  # no row yet: created
            await uow.summary_states.save(GROUP, SummaryState(logging_enabled=False))
            await uow.summary_states.mark_summarised(GROUP, T0)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.summary_states.get(GROUP) == SummaryState(False, T0)
            assert await uow.summary_states.get(OTHER) == SummaryState(last_summary_at=T0)

    async def test_only_due_digests_of_the_asked_platforms_are_listed(
        self, uow_factory: UowFactory
    ) -> None:
        due, later = T0, T0 + timedelta(hours=1)
        async with uow_factory() as uow:
            await uow.summary_states.save(GROUP, SummaryState(next_digest_at=due))
            await uow.summary_states.save(OTHER, SummaryState(next_digest_at=later))
            await uow.summary_states.save(ChatRef("discord", "5"), SummaryState(next_digest_at=due))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.summary_states.due(["telegram"], T0, limit=10) == [(GROUP, due)]

    async def test_of_replicas_claiming_one_digest_exactly_one_wins(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            await uow.summary_states.save(GROUP, SummaryState(next_digest_at=T0))
            await uow.commit()

        async def claim() -> bool:
            async with uow_factory() as uow:
                won = await uow.summary_states.claim_digest(GROUP, T0, T0 + timedelta(days=1))
                await uow.commit()
                return won

        results = await asyncio.gather(*(claim() for _ in range(5)))
        assert sorted(results) == [False, False, False, False, True]
        async with uow_factory() as uow:
            state = await uow.summary_states.get(GROUP)
        assert state.next_digest_at == T0 + timedelta(days=1)
