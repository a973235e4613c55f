"""Fixtures the use-case tests share: the preferences they store and the speech they hear, both
in memory (`tests.fakes`)."""

from __future__ import annotations

import pytest

from core.domain.shared_values import ChatRef, Preferences
from tests.fakes import FakeSpeech


@pytest.fixture
def store() -> dict[ChatRef, Preferences]:
    """The chats' preferences, as a memory unit of work keeps them (empty at first)."""
    return {}


@pytest.fixture
def speech() -> FakeSpeech:
    """MiMo's speech in memory: what it was asked to say and transcribe."""
    return FakeSpeech()
