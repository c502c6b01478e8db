"""Notification benchmark: from a staff status change to the message leaving the outbox,
and fanning one change out to 1,000 subscribers.

Targets (issue: two-way): under 1 s median from the status change to the notification
leaving the outbox with the worker running; a change on a case with 1,000 subscribers
queues all 1,000 notifications in under 2 s.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/notify_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/notify_bench.py

The database is emptied first. Delivery goes to an in-memory channel adapter that records
when each message was handed over, so the figure is the product's own delay.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from channels.base import DeliveryReceipt, MediaRef, OutboundMessage, ParsedMessage, WebhookRequest  # noqa: E402

_receipts = itertools.count(1)


@dataclass
class TimingAdapter:
    channels: tuple[str, ...] = ("sms",)
    handed_over: dict[str, float] = field(default_factory=dict)

    def verify(self, request: WebhookRequest) -> bool:
        return True

    def parse(self, request: WebhookRequest) -> list[ParsedMessage]:
        return []

    def fetch_media(self, media: MediaRef, *, channel: str) -> bytes:
        raise NotImplementedError

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        self.handed_over[message.recipient] = time.perf_counter()
        return DeliveryReceipt(f"SM{next(_receipts):032d}", "queued")


def main() -> None:
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    from bot.app import build_notifier, build_services, build_worker
    from bot.settings import load_settings
    from bot.staff_actions import change_status
    from case_store import migrate
    from case_store.catalog import read_default_catalog
    from case_store.catalog.load import do_load_catalog
    from case_store.models import Case, Channel, ChannelIdentity, Resident, Subscription
    from case_store.service import NewCase, check_create_case, do_create_case
    from case_store.statuses import CaseStatus
    from tests.conftest import reset_database

    settings = load_settings().model_copy(update={"intake_data_dir": Path(tempfile.mkdtemp(prefix="notify-bench-"))})
    services = build_services(settings)
    reset_database(services.engine)
    migrate.upgrade(services.engine)
    services.redis.flushdb()
    services = replace(services, understanding=lambda: None)  # type: ignore[arg-type,return-value]
    notifier = build_notifier(services)
    with services.sessions.begin() as session:
        do_load_catalog(session, read_default_catalog())

    def new_case(subscribers: int, prefix: int) -> str:
        with services.sessions.begin() as session:
            draft = NewCase(service_code="pothole", channel=Channel.SMS, lat=42.39, lon=-71.1, description="bench")
            case = do_create_case(session, check_create_case(session, draft), actor="bench")
            for number in range(subscribers):
                resident = Resident(preferred_language="es")
                address = f"+1{prefix:03d}{number:07d}"
                identity = ChannelIdentity(channel=Channel.SMS, address=address, resident=resident)
                session.add(identity)
                session.flush()
                session.add(Subscription(case_id=case.id, resident_id=identity.resident_id, identity_id=identity.id))
            return str(case.public_id)

    # 1,000 subscribers: how long the status change takes to queue every notification.
    public_id = new_case(1000, 100)
    started = time.perf_counter()
    with services.sessions.begin() as session:
        case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
        assert case is not None
        change_status(session, notifier, case, CaseStatus.IN_QUEUE, actor="bench")
    print(f"fan-out: 1,000 notifications queued (and committed) in {time.perf_counter() - started:.2f} s")

    # With the worker running: status change -> message handed to the channel.
    adapter = TimingAdapter()
    worker = build_worker(services, {"sms": adapter})
    while worker.deliver_outbox(limit=500):  # the fan-out above, out of the way
        pass
    adapter.handed_over.clear()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    delays = []
    for round_number in range(40):
        public_id = new_case(1, 200 + round_number)
        with services.sessions.begin() as session:
            case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
            assert case is not None
            changed = time.perf_counter()
            change_status(session, notifier, case, CaseStatus.IN_QUEUE, actor="bench")
        recipient = f"+1{200 + round_number:03d}{0:07d}"
        deadline = time.perf_counter() + 10
        while recipient not in adapter.handed_over and time.perf_counter() < deadline:
            time.sleep(0.005)
        delays.append((adapter.handed_over.get(recipient, deadline) - changed) * 1000)
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=5)
    delays.sort()
    print(
        f"status change -> handed to the channel ({len(delays)} changes, worker idle-polling every 0.25 s): "
        f"median {statistics.median(delays):.0f} ms, p95 {delays[int(len(delays) * 0.95)]:.0f} ms"
    )


if __name__ == "__main__":
    main()
