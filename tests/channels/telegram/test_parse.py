"""parse_update: one test per fixture, asserting the exact result; no Flask, no network."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.dialogue.messages import GeoPoint, InboundMessage
from channels.base import AnomalousPayloadError, MediaRef, ParsedMessage, UnsupportedEventError
from channels.telegram.parse import MAX_TEXT, callback_query_id, parse_update
from tests.channels.telegram.support import read_update
from tests.conftest import shared_data

NOW = datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
CHAT = "555000111"


def at(minute: int) -> datetime:
    return datetime(2024, 6, 1, 12, minute, tzinfo=UTC)


def inbound(update_id: int, received_at: datetime, **fields: Any) -> InboundMessage:
    return InboundMessage(
        channel="telegram",
        sender_id=CHAT,
        message_id=str(update_id),
        received_at=received_at,
        language_hint="es",
        display_name="Ana",
        **fields,
    )


def parse(name: str) -> list[ParsedMessage]:
    return parse_update(read_update(name), now=NOW)


def test_text_message_becomes_one_inbound_message() -> None:
    assert parse("message_text") == [
        ParsedMessage(inbound(910000001, at(0), text="Hay un bache enorme en Oak St")),
    ]


def test_start_command_is_kept_as_text() -> None:
    assert parse("command_start") == [ParsedMessage(inbound(910000002, at(1), text="/start"))]


def test_photo_keeps_the_largest_size_and_the_caption() -> None:
    assert parse("message_photo") == [
        ParsedMessage(
            inbound(910000003, at(2), text="Pothole in front of 1450 Oak St"),
            media=(MediaRef("FAKE-PHOTO-large-1280", "image/jpeg", 154211),),
        )
    ]


def test_image_sent_as_a_file_is_a_photo() -> None:
    assert parse("message_document_image") == [
        ParsedMessage(inbound(910000004, at(3)), media=(MediaRef("FAKE-DOC-png-2041", "image/png", 2483117),)),
    ]


def test_location_becomes_a_geo_point() -> None:
    assert parse("message_location") == [
        ParsedMessage(inbound(910000005, at(4), location=GeoPoint(42.387612, -71.099523))),
    ]


def test_venue_becomes_a_geo_point_and_its_name_and_address() -> None:
    assert parse("message_venue") == [
        ParsedMessage(
            inbound(
                910000006,
                at(5),
                text="Davis Square, Davis Sq, Somerville, MA 02144",
                location=GeoPoint(42.396744, -71.122412),
            )
        )
    ]


def test_button_press_becomes_a_button_payload_received_now() -> None:
    assert parse("callback_query") == [ParsedMessage(inbound(910000007, NOW, button_payload="yes"))]
    assert callback_query_id(read_update("callback_query")) == "2386142397104563981"
    assert callback_query_id(read_update("message_text")) is None


def test_edited_message_is_unsupported_and_not_answered() -> None:
    with pytest.raises(UnsupportedEventError, match="edited_message") as raised:
        parse("edited_message")
    assert raised.value.reply_to is None


def test_sticker_is_unsupported_and_answered_with_what_the_bot_reads() -> None:
    with pytest.raises(UnsupportedEventError, match="sticker") as raised:
        parse("message_sticker")
    assert raised.value.reply_to == inbound(910000008, at(8))


def test_voice_note_is_unsupported_and_answered_with_what_the_bot_reads() -> None:
    with pytest.raises(UnsupportedEventError, match="voice") as raised:
        parse("message_voice")
    assert raised.value.reply_to == inbound(910000009, at(9))


def test_sticker_in_a_group_is_not_answered() -> None:
    update = read_update("message_sticker")
    update["message"]["chat"] = {"id": -100123, "title": "Neighbours", "type": "supergroup"}
    with pytest.raises(UnsupportedEventError) as raised:
        parse_update(update, now=NOW)
    assert raised.value.reply_to is None


def test_voice_note_with_a_caption_is_read_as_text() -> None:
    update = read_update("message_voice")
    update["message"]["caption"] = "Streetlight out on Elm St"
    assert parse_update(update, now=NOW) == [ParsedMessage(inbound(910000009, at(9), text="Streetlight out on Elm St"))]


def test_other_documents_are_unsupported() -> None:
    update = read_update("message_document_image")
    update["message"]["document"]["mime_type"] = "application/pdf"
    with pytest.raises(UnsupportedEventError, match="document") as raised:
        parse_update(update, now=NOW)
    assert raised.value.reply_to == inbound(910000004, at(3))


def test_inline_query_is_unsupported_and_not_answered() -> None:
    update = {"update_id": 910000011, "inline_query": {"id": "1", "from": {"id": 1}, "query": "x", "offset": ""}}
    with pytest.raises(UnsupportedEventError, match="inline_query") as raised:
        parse_update(update, now=NOW)
    assert raised.value.reply_to is None


def test_text_is_bounded() -> None:
    update = read_update("message_text")
    update["message"]["text"] = "a" * (MAX_TEXT + 100)
    [parsed] = parse_update(update, now=NOW)
    assert parsed.message.text == "a" * MAX_TEXT


def test_username_is_never_kept() -> None:
    for name in ("message_text", "message_photo", "callback_query"):
        assert "ana_resident_555" not in repr(parse(name))


def test_missing_language_and_name_are_none() -> None:
    update = read_update("message_text")
    update["message"]["from"] = {"id": 555000111, "is_bot": False, "first_name": " "}
    [parsed] = parse_update(update, now=NOW)
    assert parsed.message.language_hint is None and parsed.message.display_name is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "update",
        {"message": {"text": "hi"}},
        {"update_id": "910000001", "message": {}},
        {"update_id": 910000001},
        {"update_id": 910000001, "message": {"message_id": 1, "date": 1717243200, "text": "no chat"}},
        {"update_id": 910000001, "message": {"chat": {"id": "555"}, "text": "chat id not a number"}},
        {"update_id": 910000001, "message": {"chat": {"id": 5}, "location": {"latitude": 91, "longitude": 0}}},
        {"update_id": 910000001, "message": {"chat": {"id": 5}, "location": {"latitude": "42", "longitude": 0}}},
    ],
)
def test_anomalous_payloads_are_refused(body: Any) -> None:
    with pytest.raises(AnomalousPayloadError):
        parse_update(body, now=NOW)


# Real 2017 captures (../shared/data/telegram): what each becomes.
REFERENCE = {
    "message.json": "text",
    "forwarded_message.json": "text",
    "reply_message.json": "text",
    "message_with_photo.json": "photo",
    "message_with_location.json": "location",
    "message_with_document.json": "text",  # a .docx with a caption: its caption is read
    "message_with_video.json": "text",  # a video with a caption: its caption is read
    "message_with_voice.json": "answered",
    "message_with_audio.json": "answered",
    "message_with_sticker.json": "answered",
    "message_with_game.json": "answered",
    "message_with_successful_payment.json": "ignored",
    "edited_message.json": "ignored",
    "pre_checkout_query.json": "ignored",
    "shipping_query.json": "ignored",
    "inline_query.json": "anomalous",  # a placeholder without update_id
    "message_with_invoice.json": "anomalous",  # a bare Message, not an Update
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_captures(name: str) -> None:
    body = json.loads(shared_data("telegram", name).read_text(encoding="utf-8"))
    try:
        [parsed] = parse_update(body, now=NOW)
    except UnsupportedEventError as error:
        outcome = "answered" if error.reply_to is not None else "ignored"
    except AnomalousPayloadError:
        outcome = "anomalous"
    else:
        message = parsed.message
        outcome = "photo" if parsed.media else "location" if message.location else "text"
        assert message.channel == "telegram" and message.sender_id == "12345678"
        assert message.message_id == str(body["update_id"])
    assert outcome == REFERENCE[name]
