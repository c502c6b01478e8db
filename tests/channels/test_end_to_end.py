"""Residents on SMS, WhatsApp and Telegram, end to end: signed webhooks into the app, the
worker running their turns, the real twilio and python-telegram-bot SDKs delivering the
replies to fake provider servers on 127.0.0.1."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image

from bot.app import AppServices, build_worker, create_app
from bot.worker import Worker
from case_store.models import Case, CaseMedia, InboxItem, OutboxItem, OutboxStatus
from tests.channels.telegram.fake_telegram import FakeTelegram
from tests.channels.telegram.support import WEBHOOK_SECRET
from tests.channels.twilio.fake_twilio import FakeTwilio
from tests.channels.twilio.support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, sign

pytestmark = pytest.mark.usefixtures("demo_city")
PUBLIC = "https://city.test"
RESIDENT = "+15555550111"


@pytest.fixture
def channels(
    services: AppServices,
    fake_twilio: FakeTwilio,
    fake_telegram: FakeTelegram,
) -> Iterator[tuple[FlaskClient, Worker]]:
    settings = services.settings.model_copy(
        update={
            "public_base_url": PUBLIC,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_phone_number": SMS_NUMBER,
            "twilio_whatsapp_number": WHATSAPP_NUMBER,
            "twilio_api_base_url": fake_twilio.url,
            "telegram_bot_token": fake_telegram.token,
            "telegram_webhook_secret": WEBHOOK_SECRET,
            "telegram_api_base_url": fake_telegram.url,
        }
    )
    wired = replace(services, settings=settings)
    worker = build_worker(wired)
    yield create_app(services=wired).test_client(), worker
    for adapter in {id(a): a for a in worker._adapters.values()}.values():  # noqa: SLF001
        close = getattr(adapter, "close", None)
        if close:
            close()


class Phone:
    """A resident texting the city's number (or its WhatsApp number)."""

    def __init__(self, client: FlaskClient, *, whatsapp: bool = False) -> None:
        self.client = client
        self.prefix = "whatsapp:" if whatsapp else ""
        self.count = 0

    def sends(self, body: str = "", *, sid: str | None = None, **fields: str) -> int:
        self.count += 1
        to = WHATSAPP_NUMBER if self.prefix else SMS_NUMBER
        form = {
            "MessageSid": sid or f"SM{self.prefix and 'wa'}{self.count:030d}",
            "AccountSid": ACCOUNT_SID,
            "From": f"{self.prefix}{RESIDENT}",
            "To": f"{self.prefix}{to}",
            "Body": body,
            "NumMedia": "0",
            **fields,
        }
        url = f"{PUBLIC}/channels/twilio/messages"
        response = self.client.post(
            "/channels/twilio/messages",
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": sign(url, form)},
        )
        return response.status_code


def work(worker: Worker, services: AppServices) -> None:
    """Runs the worker until nothing is left, waiting out Telegram's one-message-a-second pace."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        while worker.process_inbox() or worker.deliver_outbox():
            pass
        with services.sessions() as session:
            pending = session.scalar(
                sa.select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING)
            )
        if not pending:
            return
        time.sleep(0.2)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), "gray").save(out, "JPEG")
    return out.getvalue()


def test_sms_resident_reports_a_pothole_with_an_mms_photo(
    channels: tuple[FlaskClient, Worker],
    fake_twilio: FakeTwilio,
    services: AppServices,
) -> None:
    client, worker = channels
    phone = Phone(client)
    media = fake_twilio.add_media(jpeg(), "image/jpeg")
    assert (
        phone.sends(
            "huge pothole in front of 1450 Oak St", NumMedia="1", MediaUrl0=media, MediaContentType0="image/jpeg"
        )
        == 200
    )
    work(worker, services)
    [confirm] = fake_twilio.sent
    assert confirm.to == RESIDENT and confirm.from_ == SMS_NUMBER
    assert "1450 Oak St, with 1 photo" in (confirm.body or "") and "\n1 Yes, send it" in (confirm.body or "")
    assert phone.sends("1") == 200
    work(worker, services)
    assert "311-000001" in (fake_twilio.sent[-1].body or "")
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseMedia)) == 1


def test_whatsapp_resident_sends_a_photo_then_a_location_pin(
    channels: tuple[FlaskClient, Worker],
    fake_twilio: FakeTwilio,
    services: AppServices,
) -> None:
    client, worker = channels
    phone = Phone(client, whatsapp=True)
    media = fake_twilio.add_media(jpeg(), "image/jpeg")
    phone.sends("someone dumped a mattress here", NumMedia="1", MediaUrl0=media, MediaContentType0="image/jpeg")
    work(worker, services)
    assert fake_twilio.sent[-1].to == f"whatsapp:{RESIDENT}"
    phone.sends("", Latitude="42.3905", Longitude="-71.1003", Address="", Label="")
    work(worker, services)
    while "311-" not in (fake_twilio.sent[-1].body or ""):
        phone.sends("1")
        work(worker, services)
    with services.sessions() as session:
        case = session.scalars(sa.select(Case)).unique().one()
        assert case.service.code == "illegal_dumping" and case.lat == pytest.approx(42.3905, abs=0.01)


def test_telegram_resident_uses_the_inline_buttons(
    channels: tuple[FlaskClient, Worker],
    fake_telegram: FakeTelegram,
    services: AppServices,
) -> None:
    client, worker = channels
    chat = {"id": 555000222, "type": "private", "first_name": "Ana"}
    sender = {"id": 555000222, "is_bot": False, "first_name": "Ana", "language_code": "es"}

    def post(update: dict) -> int:
        response = client.post(
            "/channels/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        )
        return response.status_code

    text = {
        "message_id": 1,
        "date": 1764000000,
        "chat": chat,
        "from": sender,
        "text": "hay un bache enorme enfrente del 1450 de Oak St",
    }
    assert post({"update_id": 1001, "message": text}) == 200
    assert post({"update_id": 1001, "message": text}) == 200  # Telegram retried
    work(worker, services)
    [question] = fake_telegram.sent
    keyboard = question.reply_markup["inline_keyboard"]
    assert "foto" in (question.text or "").lower() and keyboard[0][0]["callback_data"] == "no"
    press = {
        "id": "cb1",
        "from": sender,
        "chat_instance": "1",
        "data": "no",
        "message": {"message_id": 2, "date": 1764000001, "chat": chat, "text": question.text},
    }
    post({"update_id": 1002, "callback_query": press})
    work(worker, services)
    confirm = fake_telegram.sent[-1]
    send_button = confirm.reply_markup["inline_keyboard"][0][0]
    post({"update_id": 1003, "callback_query": press | {"id": "cb2", "data": send_button["callback_data"]}})
    work(worker, services)
    assert "311-000001" in (fake_telegram.sent[-1].text or "")
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(InboxItem)) == 3


def test_duplicate_sms_delivery_is_answered_once(
    channels: tuple[FlaskClient, Worker],
    fake_twilio: FakeTwilio,
    services: AppServices,
) -> None:
    client, worker = channels
    phone = Phone(client)
    assert phone.sends("streetlight out at 230 Elm St", sid="SMdup00000000000000000000000000001") == 200
    assert phone.sends("streetlight out at 230 Elm St", sid="SMdup00000000000000000000000000001") == 200
    work(worker, services)
    assert len(fake_twilio.sent) == 1


def test_provider_outage_then_recovery_sends_everything_once(
    channels: tuple[FlaskClient, Worker],
    fake_twilio: FakeTwilio,
    services: AppServices,
) -> None:
    client, worker = channels
    phone = Phone(client)
    fake_twilio.fail_next(500, times=3)
    for number, text in enumerate(("pothole at 1450 Oak St", "graffiti at 230 Elm St"), start=1):
        phone.sends(text, sid=f"SMoutage{number:026d}")
    for _ in range(8):
        work(worker, services)
        with services.sessions.begin() as session:  # let the backoff pass
            due = datetime.now(UTC) - timedelta(seconds=1)
            session.execute(
                sa.update(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING).values(next_attempt_at=due)
            )
    with services.sessions() as session:
        statuses = session.scalars(sa.select(OutboxItem.status)).all()
    assert statuses and all(s is OutboxStatus.SENT for s in statuses)
    assert len(fake_twilio.sent) == len(statuses)  # each reply reached the provider exactly once


def test_one_phone_on_sms_and_whatsapp_is_one_resident(
    channels: tuple[FlaskClient, Worker], fake_twilio: FakeTwilio, services: AppServices
) -> None:
    client, worker = channels
    sms, whatsapp = Phone(client), Phone(client, whatsapp=True)
    sms.sends("huge pothole in front of 1450 Oak St")
    work(worker, services)
    sms.sends("no")
    work(worker, services)
    sms.sends("yes")
    work(worker, services)
    assert "311-000001" in (fake_twilio.sent[-1].body or "")
    whatsapp.sends("what's the status of my request?")
    work(worker, services)
    answer = fake_twilio.sent[-1]
    assert answer.to == f"whatsapp:{RESIDENT}" and "311-000001" in (answer.body or "")


def test_stop_on_sms_silences_whatsapp_too(
    channels: tuple[FlaskClient, Worker], fake_twilio: FakeTwilio, services: AppServices
) -> None:
    client, worker = channels
    Phone(client).sends("STOP")
    work(worker, services)
    before = len(fake_twilio.sent)
    Phone(client, whatsapp=True).sends("pothole at 1450 Oak St")
    work(worker, services)
    assert len(fake_twilio.sent) == before
