"""A message that arrives while the understanding models are still loading (or training)."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime

import pytest

from bot import conversations
from bot.app import AppServices, build_runtime
from bot.dialogue.messages import InboundMessage
from bot.runtime import LazyUnderstanding
from nlu.understand import Understanding


def test_a_message_waits_for_slow_models_without_losing_its_conversation_lock(
    services: AppServices, understanding: Understanding, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a fresh machine the models train for a minute or two; here the lock may be
    # held for one second and the models take longer than that to arrive.
    monkeypatch.setattr(conversations, "LOCK_TIMEOUT_SECONDS", 1)

    def slow_load() -> Understanding:
        time.sleep(1.5)
        return understanding

    runtime = build_runtime(dataclasses.replace(services, understanding=LazyUnderstanding(slow_load)))
    output = runtime.handle(
        InboundMessage(
            channel="web",
            sender_id="session-slow-models-0001",
            message_id="slow-1",
            received_at=datetime.now(UTC),
            text="huge pothole in front of 12 Main St",
        )
    )
    assert output.replies, "the resident gets an answer once the models are there"
