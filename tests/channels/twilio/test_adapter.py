"""The adapter's signature check and sending, with the real Twilio SDK against the fake API."""

from __future__ import annotations

import json
import socket

import pytest

from channels.base import (
    AnomalousPayloadError,
    DeliveryReceipt,
    OutboundMessage,
    PermanentDeliveryError,
    QuickReplyOption,
    TemporaryDeliveryError,
    WebhookRequest,
)
from channels.twilio import TwilioAdapter
from tests.channels.twilio.fake_twilio import FakeTwilio
from tests.channels.twilio.support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    RESIDENT,
    SMS_NUMBER,
    WHATSAPP_NUMBER,
    load_form,
    sign,
)

URL = f"{PUBLIC_BASE_URL}/channels/twilio/messages"


def webhook(form: dict[str, str], signature: str | None, url: str = URL) -> WebhookRequest:
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return WebhookRequest(url=url, headers=headers, form=form)


def adapter_for(api_base_url: str, **overrides: str | None) -> TwilioAdapter:
    settings: dict[str, str | None] = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "phone_number": SMS_NUMBER,
        "whatsapp_number": WHATSAPP_NUMBER,
        "api_base_url": api_base_url,
        "public_base_url": PUBLIC_BASE_URL,
    }
    settings.update(overrides)
    return TwilioAdapter(**settings)  # type: ignore[arg-type]


# Verifying


def test_verify_accepts_twilios_signature(twilio_adapter: TwilioAdapter) -> None:
    form = load_form("inbound_sms.txt")
    assert twilio_adapter.verify(webhook(form, sign(URL, form)))


def test_verify_accepts_the_signature_of_the_url_with_its_port(twilio_adapter: TwilioAdapter) -> None:
    form = load_form("inbound_sms.txt")
    signature = sign("https://city.test:443/channels/twilio/messages", form)
    assert twilio_adapter.verify(webhook(form, signature))


def test_verify_finds_the_header_in_any_case(twilio_adapter: TwilioAdapter) -> None:
    form = load_form("inbound_sms.txt")
    request = WebhookRequest(url=URL, headers={"x-twilio-signature": sign(URL, form)}, form=form)
    assert twilio_adapter.verify(request)


@pytest.mark.parametrize(
    "case", ["missing", "empty", "other token", "changed body", "other url", "added field", "huge"]
)
def test_verify_refuses(twilio_adapter: TwilioAdapter, case: str) -> None:
    form = load_form("inbound_sms.txt")
    signature: str | None = sign(URL, form)
    url = URL
    if case == "missing":
        signature = None
    elif case == "empty":
        signature = ""
    elif case == "other token":
        signature = sign(URL, form, token="not-the-token")
    elif case == "changed body":
        form = form | {"Body": "Send the truck to my house instead"}
    elif case == "other url":
        url = "http://localhost/channels/twilio/messages"
    elif case == "added field":
        form = form | {"Latitude": "0", "Longitude": "0"}
    elif case == "huge":
        signature = "A" * 10_000
    assert not twilio_adapter.verify(webhook(form, signature, url))


def test_parse_refuses_another_accounts_message(twilio_adapter: TwilioAdapter) -> None:
    form = load_form("inbound_sms.txt") | {"AccountSid": "AC" + "9" * 32}
    with pytest.raises(AnomalousPayloadError):
        twilio_adapter.parse(webhook(form, sign(URL, form)))


def test_parse_stamps_the_arrival(twilio_adapter: TwilioAdapter) -> None:
    form = load_form("inbound_sms.txt")
    [parsed] = twilio_adapter.parse(webhook(form, sign(URL, form)))
    assert parsed.message.received_at.tzinfo is not None


# Sending


def test_send_sms(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    receipt = twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Thanks, we got it."))
    [sent] = fake_twilio.sent
    assert receipt == DeliveryReceipt(sent.sid, "queued")
    assert (sent.from_, sent.to, sent.body) == (SMS_NUMBER, RESIDENT, "Thanks, we got it.")
    assert sent.media_url == () and sent.content_sid is None


def test_send_asks_for_delivery_receipts_at_the_public_url(
    twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio
) -> None:
    twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert fake_twilio.sent[0].status_callback == f"{PUBLIC_BASE_URL}/channels/twilio/status"


def test_send_passes_the_messages_status_callback(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    callback = "https://city.test/channels/twilio/status?outbox=42"
    twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi", status_callback=callback))
    assert fake_twilio.sent[0].status_callback == callback


def test_no_status_callback_without_a_public_https_url(fake_twilio: FakeTwilio) -> None:
    adapter = adapter_for(fake_twilio.url, public_base_url="http://127.0.0.1:8311")
    adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert fake_twilio.sent[0].status_callback is None


def test_send_whatsapp_prefixes_both_numbers(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    twilio_adapter.send(OutboundMessage(channel="whatsapp", recipient=RESIDENT, text="Hola"))
    [sent] = fake_twilio.sent
    assert (sent.from_, sent.to) == (f"whatsapp:{WHATSAPP_NUMBER}", f"whatsapp:{RESIDENT}")


def test_send_whatsapp_to_an_already_prefixed_recipient(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    twilio_adapter.send(OutboundMessage(channel="whatsapp", recipient=f"whatsapp:{RESIDENT}", text="Hola"))
    assert fake_twilio.sent[0].to == f"whatsapp:{RESIDENT}"


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_quick_replies_are_numbered(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio, channel: str) -> None:
    options = (QuickReplyOption("Yes, send it", "yes"), QuickReplyOption("Change something", "no"))
    twilio_adapter.send(
        OutboundMessage(
            channel=channel, recipient=RESIDENT, text="Pothole at 1450 Oak St. Send it?", quick_replies=options
        )
    )
    assert fake_twilio.sent[0].body == "Pothole at 1450 Oak St. Send it?\n\n1 Yes, send it\n2 Change something"


def test_long_text_goes_in_parts(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    text = "The crew will look at the pothole on Oak St this week. " * 60
    receipt = twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text=text))
    bodies = [sent.body or "" for sent in fake_twilio.sent]
    assert len(bodies) == 3 and all(len(body) <= 1600 for body in bodies)
    assert " ".join(bodies) == text.strip()
    assert receipt.provider_message_id == fake_twilio.sent[0].sid


def test_photo_goes_with_the_first_part(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    photo = "https://city.test/media/ab12.jpg"
    text = "Fixed! " * 400
    twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text=text, photo_url=photo))
    assert [sent.media_url for sent in fake_twilio.sent] == [(photo,), ()]


def test_photo_alone(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    photo = "https://city.test/media/ab12.jpg"
    twilio_adapter.send(OutboundMessage(channel="whatsapp", recipient=RESIDENT, text="", photo_url=photo))
    [sent] = fake_twilio.sent
    assert sent.body is None and sent.media_url == (photo,)


def test_template_sends_content_sid_and_variables(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    twilio_adapter.send(
        OutboundMessage(
            channel="whatsapp",
            recipient=RESIDENT,
            text="Your case 311-000001 was closed.",
            template_sid="HX" + "0" * 32,
            template_variables={"1": "311-000001", "2": "cerrado"},
        )
    )
    [sent] = fake_twilio.sent
    assert sent.content_sid == "HX" + "0" * 32 and sent.body is None
    assert json.loads(sent.content_variables or "") == {"1": "311-000001", "2": "cerrado"}


def test_empty_message_is_not_sent(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    with pytest.raises(PermanentDeliveryError):
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="  "))
    assert fake_twilio.sent == []


def test_channel_without_a_number_is_permanent(fake_twilio: FakeTwilio) -> None:
    adapter = adapter_for(fake_twilio.url, whatsapp_number=None)
    with pytest.raises(PermanentDeliveryError, match="whatsapp"):
        adapter.send(OutboundMessage(channel="whatsapp", recipient=RESIDENT, text="Hola"))


def test_other_channels_are_refused(twilio_adapter: TwilioAdapter) -> None:
    with pytest.raises(PermanentDeliveryError):
        twilio_adapter.send(OutboundMessage(channel="telegram", recipient="12345", text="Hi"))


# Failures


def test_429_is_temporary_with_retry_after(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(429, retry_after=7, code=20429)
    with pytest.raises(TemporaryDeliveryError) as raised:
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert raised.value.retry_after == 7
    assert fake_twilio.sent == []
    twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert len(fake_twilio.sent) == 1


def test_500_is_temporary(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(500)
    with pytest.raises(TemporaryDeliveryError) as raised:
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert raised.value.retry_after is None


def test_retry_after_as_a_past_http_date_is_now(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    with pytest.raises(TemporaryDeliveryError) as raised:
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert raised.value.retry_after == 0


def test_unsubscribed_recipient_is_permanent(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    fake_twilio.fail_next(400, code=21610)
    with pytest.raises(PermanentDeliveryError, match="STOP") as raised:
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))
    assert "21610" in str(raised.value)


@pytest.mark.parametrize(("code", "words"), [(21211, "not a valid"), (21614, "not a mobile"), (63016, "24-hour")])
def test_refusals_are_permanent_with_a_reason(
    twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio, code: int, words: str
) -> None:
    fake_twilio.fail_next(400, code=code)
    with pytest.raises(PermanentDeliveryError, match=words):
        twilio_adapter.send(OutboundMessage(channel="whatsapp", recipient=RESIDENT, text="Hi"))


def test_wrong_credentials_are_permanent(fake_twilio: FakeTwilio) -> None:
    adapter = adapter_for(fake_twilio.url, auth_token="wrong")
    with pytest.raises(PermanentDeliveryError, match="credentials"):
        adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))


def test_unreachable_twilio_is_temporary() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = adapter_for(f"http://127.0.0.1:{port}")
    with pytest.raises(TemporaryDeliveryError, match="unreachable"):
        adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Hi"))


def test_a_later_part_failing_is_permanent(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    # Retrying would send the first part twice: staff see the failure instead.
    fake_twilio.fail_next(500, after=1)
    with pytest.raises(PermanentDeliveryError, match="sent 1 of 2 parts"):
        twilio_adapter.send(OutboundMessage(channel="sms", recipient=RESIDENT, text="Fixed! " * 400))
    assert len(fake_twilio.sent) == 1
