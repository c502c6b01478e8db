"""Twilio's webhook forms, one fixture per event, parsed without Flask."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import channels.twilio
from bot.dialogue.messages import GeoPoint, InboundMessage
from channels.base import AnomalousPayloadError, MediaRef, ParsedMessage, UnsupportedEventError
from channels.twilio.parse import DeliveryUpdate, parse_inbound, parse_status
from tests.channels.twilio.support import ACCOUNT_SID, RESIDENT, load_form

NOW = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
MEDIA_BASE = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages"


def test_inbound_sms() -> None:
    assert parse_inbound(load_form("inbound_sms.txt"), now=NOW) == [
        ParsedMessage(
            InboundMessage(
                channel="sms",
                sender_id=RESIDENT,
                message_id="SM00000000000000000000000000000101",
                received_at=NOW,
                text="There's a huge pothole in front of 1450 Oak St",
            )
        )
    ]


def test_inbound_mms_photo() -> None:
    sid = "MM00000000000000000000000000000102"
    assert parse_inbound(load_form("inbound_mms_photo.txt"), now=NOW) == [
        ParsedMessage(
            InboundMessage(channel="sms", sender_id=RESIDENT, message_id=sid, received_at=NOW, text="Streetlight out"),
            (MediaRef(f"{MEDIA_BASE}/{sid}/Media/ME00000000000000000000000000000001", "image/jpeg"),),
        )
    ]


def test_inbound_whatsapp_location() -> None:
    assert parse_inbound(load_form("inbound_whatsapp_location.txt"), now=NOW) == [
        ParsedMessage(
            InboundMessage(
                channel="whatsapp",
                sender_id=RESIDENT,  # the bare number: the same resident as by SMS
                message_id="SM00000000000000000000000000000103",
                received_at=NOW,
                location=GeoPoint(42.3905, -71.1003),
                display_name="Ana",
            )
        )
    ]


def test_inbound_whatsapp_photo_keeps_the_image_and_drops_the_video() -> None:
    sid = "MM00000000000000000000000000000104"
    assert parse_inbound(load_form("inbound_whatsapp_photo.txt"), now=NOW) == [
        ParsedMessage(
            InboundMessage(
                channel="whatsapp",
                sender_id=RESIDENT,
                message_id=sid,
                received_at=NOW,
                text="Graffiti on the bridge",
                display_name="Ana",
            ),
            (MediaRef(f"{MEDIA_BASE}/{sid}/Media/ME00000000000000000000000000000001", "image/jpeg"),),
        )
    ]


def test_inbound_whatsapp_button() -> None:
    assert parse_inbound(load_form("inbound_whatsapp_button.txt"), now=NOW) == [
        ParsedMessage(
            InboundMessage(
                channel="whatsapp",
                sender_id=RESIDENT,
                message_id="SM00000000000000000000000000000105",
                received_at=NOW,
                text="Yes, send it",
                button_payload="1",
                display_name="Ana",
            )
        )
    ]


def test_inbound_voice_note_only_is_unsupported_with_a_reply() -> None:
    with pytest.raises(UnsupportedEventError) as raised:
        parse_inbound(load_form("inbound_voice_note_only.txt"), now=NOW)
    assert raised.value.reply_to == InboundMessage(
        channel="whatsapp",
        sender_id=RESIDENT,
        message_id="MM00000000000000000000000000000106",
        received_at=NOW,
        display_name="Ana",
    )


def test_status_callback_delivered() -> None:
    assert parse_status(load_form("status_callback_delivered.txt")) == DeliveryUpdate(
        "SM00000000000000000000000000000201", "delivered"
    )


def test_status_callback_failed() -> None:
    assert parse_status(load_form("status_callback_failed.txt")) == DeliveryUpdate(
        "SM00000000000000000000000000000202", "failed", "63016"
    )


@pytest.mark.parametrize(("twilio", "ours"), [("undelivered", "failed"), ("sending", "queued"), ("read", "read")])
def test_status_callback_statuses(twilio: str, ours: str) -> None:
    form = load_form("status_callback_delivered.txt") | {"MessageStatus": twilio, "SmsStatus": twilio}
    update = parse_status(form)
    assert update is not None and update.status == ours


def test_status_callback_untracked_status_is_ignored() -> None:
    form = load_form("status_callback_delivered.txt") | {"MessageStatus": "receiving", "SmsStatus": "receiving"}
    assert parse_status(form) is None


def test_status_callback_without_sid_is_anomalous() -> None:
    form = load_form("status_callback_delivered.txt")
    del form["MessageSid"], form["SmsSid"]
    with pytest.raises(AnomalousPayloadError):
        parse_status(form)


def test_status_callback_error_code_is_bounded() -> None:
    form = load_form("status_callback_failed.txt") | {"ErrorCode": "63016<script>"}
    update = parse_status(form)
    assert update is not None and update.error_code is None


def test_sms_message_sid_alone_is_enough() -> None:
    form = load_form("inbound_sms.txt")
    del form["MessageSid"]
    [parsed] = parse_inbound(form, now=NOW)
    assert parsed.message.message_id == "SM00000000000000000000000000000101"


@pytest.mark.parametrize("missing", [("MessageSid", "SmsMessageSid", "SmsSid"), ("From",)])
def test_without_sid_or_sender_is_anomalous(missing: tuple[str, ...]) -> None:
    form = load_form("inbound_sms.txt")
    for name in missing:
        del form[name]
    with pytest.raises(AnomalousPayloadError):
        parse_inbound(form, now=NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("From", "not a number"),
        ("From", "whatsapp:15555550100"),
        ("MessageSid", "SM-<script>"),
        ("NumMedia", "lots"),
        ("Latitude", "north"),
        ("Latitude", "nan"),
        ("Latitude", "91"),
        ("Longitude", "-180.5"),
    ],
)
def test_malformed_fields_are_anomalous(field: str, value: str) -> None:
    form = load_form("inbound_whatsapp_location.txt") | {field: value}
    if field == "MessageSid":
        form["SmsMessageSid"] = form["SmsSid"] = value
    with pytest.raises(AnomalousPayloadError):
        parse_inbound(form, now=NOW)


def test_latitude_without_longitude_is_anomalous() -> None:
    form = load_form("inbound_whatsapp_location.txt")
    del form["Longitude"]
    with pytest.raises(AnomalousPayloadError):
        parse_inbound(form, now=NOW)


def test_body_is_bounded() -> None:
    form = load_form("inbound_sms.txt") | {"Body": "a" * 20_000}
    [parsed] = parse_inbound(form, now=NOW)
    assert len(parsed.message.text) == 5000


def test_at_most_ten_media() -> None:
    form = load_form("inbound_mms_photo.txt") | {"NumMedia": "12"}
    for index in range(12):
        form[f"MediaUrl{index}"] = f"{MEDIA_BASE}/MM1/Media/ME{index}"
        form[f"MediaContentType{index}"] = "image/png"
    [parsed] = parse_inbound(form, now=NOW)
    assert [m.ref.rsplit("/", 1)[1] for m in parsed.media] == [f"ME{i}" for i in range(10)]


def test_media_url_that_is_not_a_url_is_anomalous() -> None:
    form = load_form("inbound_mms_photo.txt") | {"MediaUrl0": "javascript:alert(1)"}
    with pytest.raises(AnomalousPayloadError):
        parse_inbound(form, now=NOW)


def test_status_callback_posted_to_the_messages_url_is_not_a_message() -> None:
    form = load_form("status_callback_delivered.txt")
    with pytest.raises(UnsupportedEventError) as raised:
        parse_inbound(form, now=NOW)
    assert raised.value.reply_to is None


def test_other_twilio_channels_are_not_served() -> None:
    form = load_form("inbound_sms.txt") | {"From": "messenger:1234567890"}
    with pytest.raises(UnsupportedEventError) as raised:
        parse_inbound(form, now=NOW)
    assert raised.value.reply_to is None


def test_empty_message_gets_a_reply() -> None:
    form = load_form("inbound_sms.txt") | {"Body": "   "}
    with pytest.raises(UnsupportedEventError) as raised:
        parse_inbound(form, now=NOW)
    assert raised.value.reply_to is not None and raised.value.reply_to.text == ""


def test_short_code_sender() -> None:
    form = load_form("inbound_sms.txt") | {"From": "72345"}
    [parsed] = parse_inbound(form, now=NOW)
    assert parsed.message.sender_id == "72345" and parsed.message.channel == "sms"


def test_only_views_touch_flask_and_parsing_does_no_io() -> None:
    package = Path(channels.twilio.__file__).parent
    for path in package.glob("*.py"):
        roots = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                roots.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
        if path.name != "views.py":
            assert "flask" not in roots, path.name
        if path.name in ("parse.py", "compose.py"):
            assert not roots & {"flask", "requests", "twilio", "sqlalchemy", "case_store"}, path.name
