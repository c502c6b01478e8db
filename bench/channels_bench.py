"""Channels benchmark: webhook acknowledgement under sustained load, exactly-once
processing, and outbox delivery throughput.

Targets (issue: SMS, WhatsApp and Telegram): the Twilio webhook answers in under 50 ms
median and 200 ms p99 at 200 inbound messages/s for 60 s, with PostgreSQL and Redis,
every message processed exactly once; the outbox worker sends at least 500 messages/s to
a local fake provider, and retries do not slow healthy deliveries.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/channels_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/channels_bench.py [--rate 200 --seconds 60]

The database is emptied first. The web app runs under gunicorn (3 sync workers) and one
`intake-bot worker` process runs the turns while the load goes on; the load comes from
this process (paced threads, keep-alive connections) on the same 2-core machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

ACCOUNT = "ACbench000000000000000000000000001"
TOKEN = "bench-auth-token-000000000000000"
CITY_NUMBER = "+15555550199"
TEXTS = (
    "huge pothole in front of 1450 Oak St",
    "streetlight out at 230 Elm St",
    "yes",
    "hi",
    "what's the status of my request?",
    "graffiti on the wall at Main St and 5th St",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="inbound messages per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--outbox", type=int, default=5000, help="messages for the outbox throughput run")
    parser.add_argument("--models", type=Path, default=ROOT / "instance" / "models")
    parser.add_argument("--outbox-only", action="store_true", help="skip the webhook run")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL: the targets are for real servers")

    from bot.settings import load_settings
    from case_store.db import make_engine
    from tests.conftest import reset_database

    reset_database(make_engine(load_settings().sqlalchemy_url))
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()

    # The fake provider runs in a process of its own, as a real one would be elsewhere:
    # in this process it would share the interpreter lock with the worker it measures.
    with RemoteFake() as fake:
        if not args.outbox_only:
            webhook_figures(args, fake)
        outbox_figures(args, fake)


FAKE_SERVER = """
import logging, sys
logging.getLogger("werkzeug").setLevel(logging.WARNING)
sys.path.insert(0, sys.argv[1])
from tests.channels.twilio.fake_twilio import FakeTwilio
with FakeTwilio(sys.argv[2], sys.argv[3]) as fake:
    print(fake.url, flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[0] == "fail":
            fake.fail_next(int(command[1]), times=int(command[2]))
            print("ok", flush=True)
        elif command[0] == "sent":
            print(len(fake.sent), flush=True)
"""


class RemoteFake:
    """The fake Twilio API in a child process: ``.url``, ``.sent_count()``, ``.fail_next()``."""

    def __enter__(self) -> RemoteFake:
        self._process = subprocess.Popen(
            [sys.executable, "-c", FAKE_SERVER, str(ROOT), ACCOUNT, TOKEN],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        return self

    def __exit__(self, *_: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def _ask(self, command: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def sent_count(self) -> int:
        return int(self._ask("sent"))

    def fail_next(self, status: int, times: int) -> None:
        self._ask(f"fail {status} {times}")


def environment(fake: RemoteFake, port: int, data_dir: Path, models: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        INTAKE_DATA_DIR=str(data_dir),
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_PHONE_NUMBER=CITY_NUMBER,
        TWILIO_API_BASE_URL=fake.url,
        LOG_LEVEL="WARNING",
    )
    (data_dir / "models").mkdir(parents=True, exist_ok=True)
    for trained in models.glob("nlu-*"):
        target = data_dir / "models" / trained.name
        if not target.exists():
            target.symlink_to(trained.resolve())
    return env


def webhook_figures(args: argparse.Namespace, fake: RemoteFake) -> None:
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="channels-bench-"))
    env = environment(fake, port, data_dir, args.models)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "intake-bot", "db", "upgrade"], env=env, check=True, capture_output=True)
    web = subprocess.Popen(
        [bin_dir / "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bot.app:create_app()"],
        env=env,
        cwd=ROOT,
    )
    worker = subprocess.Popen([bin_dir / "intake-bot", "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        total = args.rate * args.seconds
        requests = signed_requests(total, f"http://127.0.0.1:{port}")
        latencies = load(port, requests, args.rate)
        latencies.sort()
        errors = sum(1 for status, _ in latencies if status != 200)
        times = sorted(ms for _, ms in latencies)
        print(
            f"webhook, {total} messages at {args.rate}/s for {args.seconds} s: "
            f"median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(len(times) * 0.95)]:.1f} ms, p99 {times[int(len(times) * 0.99)]:.1f} ms, "
            f"max {times[-1]:.0f} ms, non-200: {errors}"
        )
        drained = drain(total)
        print(drained)
    finally:
        for process in (worker, web):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the web app did not start")


def signed_requests(total: int, public_base_url: str) -> list[tuple[str, dict[str, str]]]:
    validator = RequestValidator(TOKEN)
    url = f"{public_base_url}/channels/twilio/messages"
    prepared = []
    for number in range(total):
        form = {
            "MessageSid": f"SMbench{number:026d}",
            "AccountSid": ACCOUNT,
            "From": f"+1555{number % 500:07d}",
            "To": CITY_NUMBER,
            "Body": TEXTS[number % len(TEXTS)],
            "NumMedia": "0",
        }
        prepared.append((urlencode(form), {"X-Twilio-Signature": validator.compute_signature(url, form)}))
    return prepared


def load(port: int, requests: list[tuple[str, dict[str, str]]], rate: int) -> list[tuple[int, float]]:
    """Sends at a steady rate from 16 threads; each request is timed from its send."""
    threads = 16
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    started = time.perf_counter() + 0.5

    def run(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for index in range(offset, len(requests), threads):
            due = started + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            body, headers = requests[index]
            sent = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    "/channels/twilio/messages",
                    body=body,
                    headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append((status, (time.perf_counter() - sent) * 1000))
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=run, args=(offset,)) for offset in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return results


def drain(total: int) -> str:
    """Waits for the worker to run every recorded turn; checks each ran exactly once."""
    from bot.settings import load_settings
    from case_store.db import make_engine
    from case_store.models import Direction, InboxItem, InboxStatus, Message

    engine = make_engine(load_settings().sqlalchemy_url)
    started = time.perf_counter()
    with engine.connect() as connection:
        while True:
            pending = connection.scalar(
                sa.select(sa.func.count()).select_from(InboxItem).where(InboxItem.status == InboxStatus.PENDING)
            )
            if not pending or time.perf_counter() - started > 900:
                break
            time.sleep(1)
        recorded = connection.scalar(sa.select(sa.func.count()).select_from(InboxItem))
        done = connection.scalar(
            sa.select(sa.func.count()).select_from(InboxItem).where(InboxItem.status == InboxStatus.DONE)
        )
        inbound = connection.scalar(
            sa.select(sa.func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)
        )
        distinct = connection.scalar(
            sa.select(sa.func.count(sa.distinct(Message.provider_message_id))).where(
                Message.direction == Direction.INBOUND
            )
        )
    return (
        f"exactly once: {total} sent, {recorded} recorded, {done} turns done, {inbound} inbound messages "
        f"({distinct} distinct); worker finished {time.perf_counter() - started:.0f} s after the load ended"
    )


def outbox_figures(args: argparse.Namespace, fake: RemoteFake) -> None:
    from bot.app import build_services, build_worker
    from bot.settings import load_settings
    from case_store import migrate
    from case_store.db import utcnow
    from case_store.models import (
        Channel,
        ChannelIdentity,
        DeliveryStatus,
        Direction,
        Message,
        OutboxItem,
        OutboxStatus,
        Resident,
    )

    settings = load_settings().model_copy(
        update={
            "twilio_account_sid": ACCOUNT,
            "twilio_auth_token": TOKEN,
            "twilio_phone_number": CITY_NUMBER,
            "twilio_api_base_url": fake.url,
            "intake_data_dir": Path(tempfile.mkdtemp(prefix="outbox-bench-")),
        }
    )
    services = build_services(settings)
    migrate.upgrade(services.engine)
    services = replace(services, understanding=lambda: None)  # type: ignore[arg-type,return-value]
    worker = build_worker(services)

    ids: list[int] = []

    def seed(count: int) -> None:
        with services.sessions.begin() as session:
            identities = []
            for number in range(200 if not ids else 0):
                address = f"+1555{9000000 + number}"
                identity = ChannelIdentity(
                    channel=Channel.SMS, address=address, resident=Resident(), last_inbound_at=utcnow()
                )
                session.add(identity)
                identities.append(identity)
            session.flush()
            ids.extend(identity.id for identity in identities)
            for number in range(count):
                identity_id = ids[number % len(ids)]
                message = Message(
                    identity_id=identity_id,
                    direction=Direction.OUTBOUND,
                    channel=Channel.SMS,
                    text=f"Update {number}",
                    delivery_status=DeliveryStatus.QUEUED,
                )
                session.add(message)
                session.flush()
                session.add(
                    OutboxItem(
                        message_id=message.id,
                        identity_id=identity_id,
                        payload={"text": f"Your report 311-{number:06d} was updated."},
                        status=OutboxStatus.PENDING,
                        attempts=0,
                        next_attempt_at=utcnow(),
                    )
                )

    def run(label: str) -> None:
        sent_before = fake.sent_count()
        started = time.perf_counter()
        while worker.deliver_outbox(limit=200):
            pass
        elapsed = time.perf_counter() - started
        with services.sessions() as session:
            pending = session.scalar(
                sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING)
            )
        sent = fake.sent_count() - sent_before
        rate = sent / elapsed
        print(f"outbox, {label}: {sent} sent in {elapsed:.1f} s = {rate:.0f} messages/s; {pending} waiting to retry")

    seed(args.outbox)
    run(f"{args.outbox} healthy messages")
    seed(args.outbox)
    fake.fail_next(500, times=args.outbox // 10)
    run(f"{args.outbox} messages, the first {args.outbox // 10} answered with 500")


if __name__ == "__main__":
    main()
