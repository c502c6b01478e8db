"""The worker: recorded inbound messages become turns; the outbox is delivered with
retries, opt-outs, WhatsApp's 24-hour rule and per-chat rate limits. The adapter here is
an in-memory one (like Errbot's test backend); the provider SDKs are exercised against
fake provider servers in tests/channels/."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from bot.app import AppServices, build_runtime
from bot.dialogue.messages import InboundMessage
from bot.inbox import do_record_inbound
from bot.ratelimit import RedisRateLimiter
from bot.worker import Worker
from case_store.models import (
    Case,
    ChannelIdentity,
    DeliveryStatus,
    InboxItem,
    InboxStatus,
    Message,
    OutboxItem,
    OutboxStatus,
)
from channels.base import (
    DeliveryReceipt,
    MediaRef,
    OutboundMessage,
    ParsedMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    WebhookRequest,
)

pytestmark = pytest.mark.usefixtures("demo_city")
PHONE = "+15555550123"


@dataclass
class MemoryAdapter:
    """Sends into a list; ``failures`` are raised one per send before anything succeeds."""

    channels: tuple[str, ...] = ("sms", "whatsapp", "telegram")
    sent: list[OutboundMessage] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)

    def verify(self, request: WebhookRequest) -> bool:
        return True

    def parse(self, request: WebhookRequest) -> list[ParsedMessage]:
        return []

    def fetch_media(self, media: MediaRef, *, channel: str) -> bytes:
        return self.media[media.ref]

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return DeliveryReceipt(f"SM{len(self.sent):032d}", "queued")


@pytest.fixture
def adapter() -> MemoryAdapter:
    return MemoryAdapter()


@pytest.fixture
def worker(services: AppServices, adapter: MemoryAdapter) -> Worker:
    adapters = {channel: adapter for channel in adapter.channels}
    return Worker(
        services.sessions,
        build_runtime(services),
        adapters,
        services.media,
        RedisRateLimiter(services.redis),
        status_callback_url="http://city.test/channels/twilio/status",
    )


_ids = iter(range(1, 10_000))


def receive(
    services: AppServices,
    text: str = "",
    *,
    channel: str = "sms",
    sender: str = PHONE,
    media: tuple[MediaRef, ...] = (),
) -> None:
    message = InboundMessage(channel, sender, f"SMinbound{next(_ids):025d}", datetime.now(UTC), text=text)
    with services.sessions.begin() as session:
        assert do_record_inbound(session, ParsedMessage(message, media))


def run(worker: Worker) -> None:
    while worker.process_inbox() or worker.deliver_outbox():
        pass


def test_an_mms_report_is_filed_and_answered_through_the_outbox(
    services: AppServices, worker: Worker, adapter: MemoryAdapter
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "gray").save(out, "JPEG")
    adapter.media["https://api.twilio.com/media/ME1"] = out.getvalue()
    receive(
        services,
        "huge pothole in front of 1450 Oak St",
        media=(MediaRef("https://api.twilio.com/media/ME1", "image/jpeg"),),
    )
    run(worker)
    [confirm] = adapter.sent
    assert "1450 Oak St, with 1 photo" in confirm.text and [q.value for q in confirm.quick_replies] == ["1", "2"]
    assert confirm.recipient == PHONE and confirm.status_callback == "http://city.test/channels/twilio/status"
    receive(services, "yes")
    run(worker)
    assert "311-000001" in adapter.sent[-1].text
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
        statuses = session.scalars(sa.select(InboxItem.status)).all()
        assert statuses == [InboxStatus.DONE, InboxStatus.DONE]
        sent = session.scalars(sa.select(Message).where(Message.direction == "outbound")).all()
        assert all(m.provider_message_id and m.delivery_status is DeliveryStatus.QUEUED for m in sent)


def test_provider_outage_then_recovery_loses_nothing_and_sends_once(
    services: AppServices, worker: Worker, adapter: MemoryAdapter
) -> None:
    adapter.failures = [TemporaryDeliveryError("503 from provider"), TemporaryDeliveryError("429", retry_after=0)]
    receive(services, "streetlight out at 230 Elm St")
    worker.process_inbox()
    for _ in range(3):
        worker.deliver_outbox()
        with services.sessions.begin() as session:  # the backoff has passed
            session.execute(
                sa.update(OutboxItem)
                .where(OutboxItem.status == OutboxStatus.PENDING)
                .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    assert len(adapter.sent) == 1
    with services.sessions() as session:
        item = session.scalars(sa.select(OutboxItem)).one()
        assert (item.status, item.attempts) == (OutboxStatus.SENT, 3)


def test_permanent_failure_is_visible_and_not_retried(
    services: AppServices, worker: Worker, adapter: MemoryAdapter
) -> None:
    adapter.failures = [PermanentDeliveryError("21610: the recipient unsubscribed")]
    receive(services, "hi")
    run(worker)
    run(worker)
    assert adapter.sent == []
    with services.sessions() as session:
        message = session.scalars(sa.select(Message).where(Message.direction == "outbound")).one()
        assert message.delivery_status is DeliveryStatus.FAILED and "21610" in (message.delivery_error or "")


def test_stop_confirms_once_then_nothing_is_sent(services: AppServices, worker: Worker, adapter: MemoryAdapter) -> None:
    receive(services, "STOP")
    run(worker)
    assert len(adapter.sent) == 1 and "START" in adapter.sent[0].text
    receive(services, "pothole at 1450 Oak St")
    run(worker)
    assert len(adapter.sent) == 1
    receive(services, "START")
    run(worker)
    assert len(adapter.sent) == 2


def test_whatsapp_outside_24_hours_needs_a_template(
    services: AppServices, worker: Worker, adapter: MemoryAdapter
) -> None:
    receive(services, "hi", channel="whatsapp")
    worker.process_inbox()
    with services.sessions.begin() as session:
        session.execute(sa.update(ChannelIdentity).values(last_inbound_at=datetime.now(UTC) - timedelta(hours=25)))
    worker.deliver_outbox()
    assert adapter.sent == []
    with services.sessions() as session:
        message = session.scalars(sa.select(Message).where(Message.direction == "outbound")).one()
        assert message.delivery_status is DeliveryStatus.UNDELIVERABLE and "24-hour" in (message.delivery_error or "")


def test_telegram_chat_gets_at_most_one_message_a_second(
    services: AppServices, worker: Worker, adapter: MemoryAdapter
) -> None:
    receive(services, "pothole at 1450 Oak St", channel="telegram", sender="7000001")
    receive(services, "cancel", channel="telegram", sender="7000001")
    worker.process_inbox()
    worker.deliver_outbox()
    assert len(adapter.sent) == 1
    with services.sessions() as session:
        waiting = session.scalars(sa.select(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING)).one()
        assert waiting.attempts == 0


def test_the_same_provider_message_is_recorded_once(services: AppServices) -> None:
    message = InboundMessage("sms", PHONE, "SMduplicate", datetime.now(UTC), text="hi")
    with services.sessions.begin() as session:
        assert do_record_inbound(session, ParsedMessage(message))
        assert not do_record_inbound(session, ParsedMessage(message))
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(InboxItem)) == 1


def test_unsupported_event_gets_a_polite_answer(services: AppServices, worker: Worker, adapter: MemoryAdapter) -> None:
    message = InboundMessage("telegram", "7000002", "9001", datetime.now(UTC))
    with services.sessions.begin() as session:
        do_record_inbound(session, ParsedMessage(message), unsupported=True)
    run(worker)
    assert "text, photos and locations" in adapter.sent[0].text
