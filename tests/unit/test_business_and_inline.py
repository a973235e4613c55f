"""Whose recordings a Telegram Business owner gets transcripts of, and when two inline voice
notes would sound the same."""

from __future__ import annotations

from dataclasses import replace

from core.domain.recordings.business_choices import BusinessConnection
from core.domain.voices.inline_voice_cache_key import inline_voice_key

OWNER = BusinessConnection(
    connection_id="c1", owner_user_id="1", owner_chat_id="1", can_reply=False
)


def test_the_owners_contacts_are_transcribed_but_not_the_owner() -> None:
    assert OWNER.transcribes(chat_id="2", sender_id="2")
    assert not OWNER.transcribes(chat_id="2", sender_id="1")


def test_a_skipped_chat_and_transcripts_off_are_left_alone() -> None:
    assert not replace(OWNER, skipped_chats=frozenset({"2"})).transcribes(
        chat_id="2", sender_id="2"
    )
    assert replace(OWNER, skipped_chats=frozenset({"2"})).transcribes(chat_id="3", sender_id="3")
    assert not replace(OWNER, transcripts=False).transcribes(chat_id="2", sender_id="2")


def test_replies_need_the_choice_and_the_right() -> None:
    assert not replace(OWNER, destination="reply").replies  # chosen, not allowed
    assert not replace(OWNER, can_reply=True).replies  # allowed, not chosen
    assert replace(OWNER, destination="reply", can_reply=True).replies


def test_the_inline_key_changes_with_anything_that_changes_the_sound() -> None:
    base = {"text": "hi", "model": "m", "voice": "Mia", "description": None, "style": None}
    key = inline_voice_key(**base)
    assert key == inline_voice_key(**base) and len(key) == 64
    for change in ({"text": "hi!"}, {"voice": "Dean"}, {"style": "calm"}, {"model": "n"},
                   {"description": "a calm voice"}):  # fmt: skip
        assert inline_voice_key(**{**base, **change}) != key
