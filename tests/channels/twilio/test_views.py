"""The Twilio webhooks through the app: signed requests recorded once, anything else refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.app import AppServices, create_app
from case_store.models import Channel, DeliveryStatus, Direction, InboxItem, Message
from channels.twilio import TwilioAdapter
from channels.twilio.views import EMPTY_TWIML, twilio_blueprint
from tests.channels.twilio.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    RESIDENT,
    SMS_NUMBER,
    WHATSAPP_NUMBER,
    fixture_body,
    load_form,
    sign,
)

# Twilio posts to the public address; the app behind the proxy sees http://localhost.
PUBLIC = "https://city.test"
MESSAGES = "/channels/twilio/messages"
STATUS = "/channels/twilio/status"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def twilio_app(services: AppServices) -> Flask:
    adapter = TwilioAdapter(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        phone_number=SMS_NUMBER,
        whatsapp_number=WHATSAPP_NUMBER,
        # Never called here: the webhooks only verify and parse.
        api_base_url="http://127.0.0.1:9",
        public_base_url=PUBLIC,
    )
    app = create_app(services=services)
    app.register_blueprint(twilio_blueprint(adapter, services.sessions, public_base_url=PUBLIC))
    return app


@pytest.fixture
def twilio_client(twilio_app: Flask) -> FlaskClient:
    return twilio_app.test_client()


def post_fixture(client: FlaskClient, path: str, name: str, *, signature: str | None = None) -> TestResponse:
    """Posts the fixture exactly as Twilio does, signed for the public URL unless told."""
    body = fixture_body(name)
    if signature is None:
        signature = sign(f"{PUBLIC}{path}", load_form(name))
    return client.post(path, data=body, content_type=FORM, headers={"X-Twilio-Signature": signature})


def inbox(services: AppServices) -> list[InboxItem]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(InboxItem).order_by(InboxItem.id)))


def test_signed_message_is_recorded(twilio_client: FlaskClient, services: AppServices) -> None:
    response = post_fixture(twilio_client, MESSAGES, "inbound_sms.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/xml" and response.get_data(as_text=True) == EMPTY_TWIML
    [item] = inbox(services)
    assert (item.channel, item.provider_message_id) == (Channel.SMS, "SM00000000000000000000000000000101")
    assert item.conversation_id == f"sms:{RESIDENT}"
    assert item.payload["text"] == "There's a huge pothole in front of 1450 Oak St"
    assert "unsupported" not in item.payload


def test_photo_is_recorded_with_its_media_ref(twilio_client: FlaskClient, services: AppServices) -> None:
    assert post_fixture(twilio_client, MESSAGES, "inbound_whatsapp_photo.txt").status_code == 200
    [item] = inbox(services)
    assert item.channel == Channel.WHATSAPP and item.conversation_id == f"whatsapp:{RESIDENT}"
    [media] = item.payload["media"]
    assert media["content_type"] == "image/jpeg" and media["ref"].startswith("https://api.twilio.com/")


def test_location_is_recorded(twilio_client: FlaskClient, services: AppServices) -> None:
    assert post_fixture(twilio_client, MESSAGES, "inbound_whatsapp_location.txt").status_code == 200
    [item] = inbox(services)
    assert item.payload["location"] == {"lat": 42.3905, "lon": -71.1003}


def test_twilios_retry_is_recorded_once(twilio_client: FlaskClient, services: AppServices) -> None:
    assert post_fixture(twilio_client, MESSAGES, "inbound_sms.txt").status_code == 200
    assert post_fixture(twilio_client, MESSAGES, "inbound_sms.txt").status_code == 200
    assert len(inbox(services)) == 1


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", sign(f"{PUBLIC}{MESSAGES}", {}, "other")])
def test_forged_signature_is_refused(twilio_client: FlaskClient, services: AppServices, signature: str) -> None:
    response = post_fixture(twilio_client, MESSAGES, "inbound_sms.txt", signature=signature)
    assert response.status_code == 403
    assert inbox(services) == []


def test_missing_signature_is_refused(twilio_client: FlaskClient, services: AppServices) -> None:
    response = twilio_client.post(MESSAGES, data=fixture_body("inbound_sms.txt"), content_type=FORM)
    assert response.status_code == 403
    assert inbox(services) == []


def test_replayed_signature_with_a_changed_body_is_refused(twilio_client: FlaskClient, services: AppServices) -> None:
    signature = sign(f"{PUBLIC}{MESSAGES}", load_form("inbound_sms.txt"))
    changed = fixture_body("inbound_sms.txt").replace("pothole", "sinkhole")
    response = twilio_client.post(MESSAGES, data=changed, content_type=FORM, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert inbox(services) == []


def test_signature_for_the_local_url_is_refused(twilio_client: FlaskClient, services: AppServices) -> None:
    # Behind the proxy only the public URL counts.
    signature = sign(f"http://localhost{MESSAGES}", load_form("inbound_sms.txt"))
    assert post_fixture(twilio_client, MESSAGES, "inbound_sms.txt", signature=signature).status_code == 403


def test_query_string_is_part_of_the_signed_url(twilio_client: FlaskClient, services: AppServices) -> None:
    path = f"{MESSAGES}?source=sms"
    assert post_fixture(twilio_client, path, "inbound_sms.txt").status_code == 200
    assert len(inbox(services)) == 1


def test_voice_note_is_recorded_as_unsupported(twilio_client: FlaskClient, services: AppServices) -> None:
    response = post_fixture(twilio_client, MESSAGES, "inbound_voice_note_only.txt")
    assert response.status_code == 200 and response.get_data(as_text=True) == EMPTY_TWIML
    [item] = inbox(services)
    assert item.payload["unsupported"] is True and item.payload["media"] == []
    assert item.provider_message_id == "MM00000000000000000000000000000106"


def test_status_callback_at_the_messages_url_is_ignored(twilio_client: FlaskClient, services: AppServices) -> None:
    response = post_fixture(twilio_client, MESSAGES, "status_callback_delivered.txt")
    assert response.status_code == 200
    assert inbox(services) == []


def test_signed_but_malformed_is_a_bad_request(twilio_client: FlaskClient, services: AppServices) -> None:
    form = load_form("inbound_sms.txt")
    del form["From"]
    signature = sign(f"{PUBLIC}{MESSAGES}", form)
    response = twilio_client.post(MESSAGES, data=form, content_type=FORM, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert inbox(services) == []


def test_oversized_form_is_refused(twilio_client: FlaskClient, services: AppServices) -> None:
    form = load_form("inbound_sms.txt") | {"Body": "a" * 70_000}
    signature = sign(f"{PUBLIC}{MESSAGES}", form)
    response = twilio_client.post(MESSAGES, data=form, content_type=FORM, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 413
    assert inbox(services) == []


# Delivery receipts


def sent_message(services: AppServices, sid: str, channel: Channel, status: DeliveryStatus) -> int:
    with services.sessions.begin() as session:
        row = Message(
            direction=Direction.OUTBOUND,
            channel=channel,
            provider_message_id=sid,
            author="bot",
            text="Thanks, we got it.",
            delivery_status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def message(services: AppServices, row_id: int) -> Message:
    with services.sessions() as session:
        row = session.get(Message, row_id)
        assert row is not None
        return row


def test_delivered_receipt_updates_the_message(twilio_client: FlaskClient, services: AppServices) -> None:
    row_id = sent_message(services, "SM00000000000000000000000000000201", Channel.SMS, DeliveryStatus.SENT)
    response = post_fixture(twilio_client, STATUS, "status_callback_delivered.txt")
    assert response.status_code == 200
    row = message(services, row_id)
    assert row.delivery_status == DeliveryStatus.DELIVERED and row.delivery_error is None


def test_failed_receipt_records_the_error(twilio_client: FlaskClient, services: AppServices) -> None:
    row_id = sent_message(services, "SM00000000000000000000000000000202", Channel.WHATSAPP, DeliveryStatus.SENT)
    assert post_fixture(twilio_client, STATUS, "status_callback_failed.txt").status_code == 200
    row = message(services, row_id)
    assert row.delivery_status == DeliveryStatus.FAILED and row.delivery_error == "Twilio error 63016"


def test_late_receipt_does_not_step_back(twilio_client: FlaskClient, services: AppServices) -> None:
    sid = "SM00000000000000000000000000000201"
    row_id = sent_message(services, sid, Channel.SMS, DeliveryStatus.DELIVERED)
    form = load_form("status_callback_delivered.txt") | {"MessageStatus": "sent", "SmsStatus": "sent"}
    signature = sign(f"{PUBLIC}{STATUS}", form)
    response = twilio_client.post(STATUS, data=form, content_type=FORM, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert message(services, row_id).delivery_status == DeliveryStatus.DELIVERED


def test_receipt_for_another_channels_message_is_not_applied(twilio_client: FlaskClient, services: AppServices) -> None:
    row_id = sent_message(services, "SM00000000000000000000000000000201", Channel.TELEGRAM, DeliveryStatus.SENT)
    assert post_fixture(twilio_client, STATUS, "status_callback_delivered.txt").status_code == 200
    assert message(services, row_id).delivery_status == DeliveryStatus.SENT


def test_receipt_for_an_unknown_message_is_a_no_op(twilio_client: FlaskClient) -> None:
    response = post_fixture(twilio_client, STATUS, "status_callback_delivered.txt")
    assert response.status_code == 200


def test_forged_receipt_is_refused(twilio_client: FlaskClient, services: AppServices) -> None:
    row_id = sent_message(services, "SM00000000000000000000000000000201", Channel.SMS, DeliveryStatus.SENT)
    response = post_fixture(twilio_client, STATUS, "status_callback_delivered.txt", signature="forged")
    assert response.status_code == 403
    assert message(services, row_id).delivery_status == DeliveryStatus.SENT


def test_receipt_signed_for_the_messages_url_is_refused(twilio_client: FlaskClient) -> None:
    signature = sign(f"{PUBLIC}{MESSAGES}", load_form("status_callback_delivered.txt"))
    response = post_fixture(twilio_client, STATUS, "status_callback_delivered.txt", signature=signature)
    assert response.status_code == 403
