"""The webhook through Flask's test client, recording into the real inbox table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.app import AppServices, create_app
from case_store.models import Channel, InboxItem, InboxStatus
from channels.telegram import TelegramAdapter
from channels.telegram.views import telegram_blueprint
from tests.channels.telegram.fake_telegram import FAKE_TOKEN
from tests.channels.telegram.support import WEBHOOK_SECRET, read_update

URL = "/channels/telegram/webhook"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}


def webhook_client(services: AppServices, secret: str | None) -> Iterator[FlaskClient]:
    # No Bot API is reached by the webhook: the address is never called.
    adapter = TelegramAdapter(FAKE_TOKEN, secret, "http://127.0.0.1:9")
    app = create_app(services=services)
    app.register_blueprint(telegram_blueprint(adapter, services.sessions))
    yield app.test_client()
    adapter.close()


@pytest.fixture
def telegram_client(services: AppServices) -> Iterator[FlaskClient]:
    yield from webhook_client(services, WEBHOOK_SECRET)


def inbox(services: AppServices) -> list[InboxItem]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(InboxItem).order_by(InboxItem.id)))


def post(client: FlaskClient, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = client.post(URL, json=body, headers=HEADERS if headers is None else headers)
    return response.status_code, response.get_json(silent=True)


def test_text_update_with_the_secret_is_recorded_once(telegram_client: FlaskClient, services: AppServices) -> None:
    assert post(telegram_client, read_update("message_text")) == (200, {})
    [item] = inbox(services)
    assert item.channel is Channel.TELEGRAM and item.status is InboxStatus.PENDING
    assert item.provider_message_id == "910000001" and item.conversation_id == "telegram:555000111"
    assert item.payload["text"] == "Hay un bache enorme en Oak St"
    assert item.payload["display_name"] == "Ana" and item.payload["language_hint"] == "es"
    assert "unsupported" not in item.payload


def test_same_update_twice_is_recorded_once(telegram_client: FlaskClient, services: AppServices) -> None:
    update = read_update("message_text")
    assert post(telegram_client, update)[0] == 200
    assert post(telegram_client, update)[0] == 200  # Telegram's retry
    assert len(inbox(services)) == 1


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"}])
def test_wrong_or_missing_secret_is_refused(
    telegram_client: FlaskClient, services: AppServices, headers: dict[str, str]
) -> None:
    assert post(telegram_client, read_update("message_text"), headers)[0] == 403
    assert inbox(services) == []


def test_without_a_configured_secret_everything_is_refused(services: AppServices) -> None:
    for client in webhook_client(services, None):
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": ""}, HEADERS):
            assert post(client, read_update("message_text"), headers)[0] == 403
    assert inbox(services) == []


def test_edited_message_is_acknowledged_and_not_recorded(telegram_client: FlaskClient, services: AppServices) -> None:
    assert post(telegram_client, read_update("edited_message")) == (200, {})
    assert inbox(services) == []


def test_sticker_is_recorded_as_unsupported(telegram_client: FlaskClient, services: AppServices) -> None:
    assert post(telegram_client, read_update("message_sticker")) == (200, {})
    [item] = inbox(services)
    assert item.payload["unsupported"] is True and item.payload["text"] == ""


def test_photo_is_recorded_with_its_file_reference(telegram_client: FlaskClient, services: AppServices) -> None:
    assert post(telegram_client, read_update("message_photo"))[0] == 200
    [item] = inbox(services)
    assert item.payload["media"] == [{"ref": "FAKE-PHOTO-large-1280", "content_type": "image/jpeg", "size": 154211}]


def test_button_press_is_recorded_and_acknowledged_in_the_response(
    telegram_client: FlaskClient, services: AppServices
) -> None:
    status, body = post(telegram_client, read_update("callback_query"))
    assert status == 200
    assert body == {"method": "answerCallbackQuery", "callback_query_id": "2386142397104563981"}
    [item] = inbox(services)
    assert item.payload["button_payload"] == "yes" and item.conversation_id == "telegram:555000111"


@pytest.mark.parametrize("body", [{"message": {"text": "no update id"}}, "not an object"])
def test_anomalous_payload_is_a_400(telegram_client: FlaskClient, services: AppServices, body: Any) -> None:
    assert post(telegram_client, body)[0] == 400
    assert inbox(services) == []


def test_only_post_is_accepted(telegram_client: FlaskClient) -> None:
    assert telegram_client.get(URL, headers=HEADERS).status_code == 405
