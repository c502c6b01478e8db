"""Conversation state in Redis: TTL, remembered language, lock, answered messages."""

from __future__ import annotations

import threading
import time

import redis

from bot.app import AppServices
from bot.conversations import ConversationStore, Stored
from bot.dialogue import ConversationState, Step


def store(services: AppServices, ttl: int = 60) -> ConversationStore:
    return ConversationStore(services.redis, ttl_seconds=ttl)


def test_state_round_trips_with_its_options(services: AppServices) -> None:
    conversations = store(services)
    state = ConversationState(language="ko", language_settled=True, step=Step.ASK_LOCATION)
    conversations.save("web:a", Stored(state, (("Yes", "yes"),)))
    assert conversations.load("web:a") == Stored(state, (("Yes", "yes"),))
    assert 0 < services.redis.ttl("conv:web:a") <= 60


def test_expired_conversation_starts_afresh_in_the_residents_language(services: AppServices) -> None:
    conversations = store(services)
    conversations.save("sms:+15555550100", Stored(ConversationState(language="vi", language_settled=True), ()))
    services.redis.delete("conv:sms:+15555550100")  # what the TTL does after a quiet day
    fresh = conversations.load("sms:+15555550100")
    assert fresh.state == ConversationState(language="vi", language_settled=True)


def test_unknown_schema_version_starts_afresh(services: AppServices) -> None:
    services.redis.set("conv:web:old", '{"state": {"schema_version": 0, "language": "fr"}, "options": []}')
    assert store(services).load("web:old").state == ConversationState(language="fr")


def test_two_messages_of_one_conversation_take_turns(services: AppServices) -> None:
    conversations = store(services)
    order: list[str] = []

    def turn(name: str) -> None:
        with conversations.lock("web:busy"):
            order.append(f"{name} in")
            time.sleep(0.2)
            order.append(f"{name} out")

    threads = [threading.Thread(target=turn, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert order == ["first in", "first out", "second in", "second out"]


def test_answer_to_a_message_is_remembered(services: AppServices) -> None:
    conversations = store(services)
    assert conversations.answered("sms", "SM1") is None
    conversations.remember_answer("sms", "SM1", {"replies": []})
    assert conversations.answered("sms", "SM1") == {"replies": []}
    assert isinstance(services.redis, redis.Redis) and services.redis.ttl("seen:sms:SM1") > 0
