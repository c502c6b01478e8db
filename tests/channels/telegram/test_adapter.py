"""send() and fetch_media() with the real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

import io
import logging
import threading

import pytest
from PIL import Image

from channels.base import (
    MediaFetchError,
    MediaRef,
    OutboundMessage,
    PermanentDeliveryError,
    QuickReplyOption,
    TemporaryDeliveryError,
    WebhookRequest,
)
from channels.telegram import TelegramAdapter
from channels.telegram.adapter import MAX_FILE_BYTES
from channels.telegram.loop import LoopClosedError
from tests.channels.telegram.fake_telegram import FakeTelegram
from tests.channels.telegram.support import WEBHOOK_SECRET

CHAT = "555000111"
YES_NO = (QuickReplyOption("Sí", "yes"), QuickReplyOption("No", "no"))


def message(
    text: str,
    *,
    recipient: str = CHAT,
    quick_replies: tuple[QuickReplyOption, ...] = (),
    photo_url: str | None = None,
) -> OutboundMessage:
    return OutboundMessage("telegram", recipient, text, quick_replies=quick_replies, photo_url=photo_url)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "gray").save(out, "JPEG")
    return out.getvalue()


def test_text_is_sent_to_the_chat(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    receipt = telegram_adapter.send(message("Gracias, su reporte es el 311-1042"))
    [sent] = fake_telegram.sent
    assert (sent.method, sent.chat_id, sent.text, sent.reply_markup) == (
        "sendMessage",
        555000111,
        "Gracias, su reporte es el 311-1042",
        None,
    )
    assert receipt.provider_message_id == str(sent.message_id) and receipt.status == "sent"


def test_quick_replies_become_an_inline_keyboard(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    telegram_adapter.send(message("¿Es este el lugar correcto?", quick_replies=YES_NO))
    [sent] = fake_telegram.sent
    assert sent.buttons == [[("Sí", "yes")], [("No", "no")]]


def test_long_text_is_split_with_the_keyboard_on_the_last_part(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    words = [f"word{n}" for n in range(1100)]  # about 8,800 characters
    receipt = telegram_adapter.send(message(" ".join(words), quick_replies=YES_NO))
    assert [s.method for s in fake_telegram.sent] == ["sendMessage"] * 3
    assert all(len(s.text or "") <= 4096 for s in fake_telegram.sent)
    assert " ".join(s.text or "" for s in fake_telegram.sent).split() == words
    assert [s.reply_markup is not None for s in fake_telegram.sent] == [False, False, True]
    assert receipt.provider_message_id == str(fake_telegram.sent[-1].message_id)


def test_photo_is_sent_with_its_caption(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    photo = "https://city.test/media/ab.jpg"
    telegram_adapter.send(message("Repaired today", photo_url=photo, quick_replies=YES_NO))
    [sent] = fake_telegram.sent
    assert (sent.method, sent.photo, sent.text) == ("sendPhoto", photo, "Repaired today")
    assert sent.buttons == [[("Sí", "yes")], [("No", "no")]]


def test_photo_with_a_text_too_long_for_a_caption_is_followed_by_the_text(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    text = "Crew notes. " * 100  # 1,200 characters: more than a caption holds
    telegram_adapter.send(message(text, photo_url="https://city.test/media/ab.jpg"))
    assert [(s.method, s.text) for s in fake_telegram.sent] == [("sendPhoto", None), ("sendMessage", text.strip())]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
def test_flood_control_is_temporary_with_retry_after(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(429, retry_after=7)
    with pytest.raises(TemporaryDeliveryError) as raised:
        telegram_adapter.send(message("hello"))
    assert raised.value.retry_after == 7
    assert fake_telegram.sent == []
    telegram_adapter.send(message("hello"))  # the next attempt goes through
    assert len(fake_telegram.sent) == 1


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_temporary(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram, status: int
) -> None:
    fake_telegram.fail_next(status)
    with pytest.raises(TemporaryDeliveryError) as raised:
        telegram_adapter.send(message("hello"))
    assert raised.value.retry_after is None


def test_blocked_by_the_resident_is_permanent(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(403)
    with pytest.raises(PermanentDeliveryError, match="blocked by the user"):
        telegram_adapter.send(message("hello"))


def test_unknown_chat_is_permanent(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(400, description="Bad Request: chat not found")
    with pytest.raises(PermanentDeliveryError, match="(?i)chat not found"):
        telegram_adapter.send(message("hello"))


def test_unreachable_api_is_temporary_and_does_not_reveal_the_token(fake_telegram: FakeTelegram) -> None:
    adapter = TelegramAdapter(fake_telegram.token, WEBHOOK_SECRET, "http://127.0.0.1:9", timeout=15.0)
    try:
        with pytest.raises(TemporaryDeliveryError) as raised:
            adapter.send(message("hello"))
        assert fake_telegram.token not in str(raised.value)
    finally:
        adapter.close()


def test_rejected_token_is_temporary(fake_telegram: FakeTelegram) -> None:
    adapter = TelegramAdapter("999:wrong-token", WEBHOOK_SECRET, fake_telegram.url, timeout=15.0)
    try:
        with pytest.raises(TemporaryDeliveryError, match="TELEGRAM_BOT_TOKEN"):
            adapter.send(message("hello"))
    finally:
        adapter.close()


@pytest.mark.parametrize(
    "outbound",
    [
        message("hello", recipient="@someone"),
        message("   "),
        message("pick", quick_replies=(QuickReplyOption("Long", "v" * 65),)),
        OutboundMessage(channel="sms", recipient=CHAT, text="hello"),
    ],
)
def test_unsendable_messages_are_permanent_and_nothing_is_called(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram, outbound: OutboundMessage
) -> None:
    with pytest.raises(PermanentDeliveryError):
        telegram_adapter.send(outbound)
    assert fake_telegram.calls == []


def test_many_sends_in_a_row_from_one_thread(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    receipts = [telegram_adapter.send(message(f"update {n}")) for n in range(60)]
    assert [s.text for s in fake_telegram.sent] == [f"update {n}" for n in range(60)]
    assert len({r.provider_message_id for r in receipts}) == 60


def test_sends_from_several_threads_share_the_loop(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            for n in range(15):
                telegram_adapter.send(message(f"{name}-{n}"))
        except BaseException as error:  # collected: the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(s.text or "" for s in fake_telegram.sent) == sorted(f"w{i}-{n}" for i in range(4) for n in range(15))


def test_closed_adapter_refuses_to_send(fake_telegram: FakeTelegram) -> None:
    adapter = TelegramAdapter(fake_telegram.token, WEBHOOK_SECRET, fake_telegram.url)
    adapter.send(message("before"))
    adapter.close()
    adapter.close()  # idempotent
    with pytest.raises(LoopClosedError):
        adapter.send(message("after"))


def test_bot_token_is_hidden_in_http_logs(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        telegram_adapter.send(message("hello"))
    assert "sendMessage" in caplog.text and fake_telegram.token not in caplog.text


def test_fetch_media_downloads_the_photo(telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    content = jpeg()
    file_id = fake_telegram.add_file(content, "image/jpeg")
    assert telegram_adapter.fetch_media(MediaRef(file_id, "image/jpeg", len(content)), channel="telegram") == content
    assert [c.method for c in fake_telegram.calls] == ["getFile"]


def test_fetch_media_refuses_a_file_telegram_says_is_too_large(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    file_id = fake_telegram.add_file(jpeg(), "image/jpeg", file_size=MAX_FILE_BYTES + 1)
    with pytest.raises(MediaFetchError, match="20 MB"):
        telegram_adapter.fetch_media(MediaRef(file_id, "image/jpeg"), channel="telegram")


def test_fetch_media_stops_a_download_that_grows_too_large(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    # getFile reports no size and the download has no Content-Length: only the stream shows it.
    file_id = fake_telegram.add_file(jpeg() + bytes(MAX_FILE_BYTES), "image/jpeg", file_size=None)
    with pytest.raises(MediaFetchError, match="20 MB"):
        telegram_adapter.fetch_media(MediaRef(file_id, "image/jpeg"), channel="telegram")


def test_fetch_media_refuses_before_asking_when_the_update_said_too_large(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    with pytest.raises(MediaFetchError, match="20 MB"):
        telegram_adapter.fetch_media(MediaRef("FAKE", "image/jpeg", MAX_FILE_BYTES + 1), channel="telegram")
    assert fake_telegram.calls == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"%PDF-1.7 not an image", "image/jpeg"), (b"\xff\xd8\xff looks like a jpeg", "text/html")],
)
def test_fetch_media_refuses_what_is_not_an_image(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram, content: bytes, content_type: str
) -> None:
    file_id = fake_telegram.add_file(content, content_type)
    with pytest.raises(MediaFetchError, match="image"):
        telegram_adapter.fetch_media(MediaRef(file_id, "image/jpeg"), channel="telegram")


@pytest.mark.parametrize(
    ("ref", "channel"),
    [(MediaRef("FAKE-VOICE", "audio/ogg"), "telegram"), (MediaRef("FAKE", "image/jpeg"), "sms")],
)
def test_fetch_media_refuses_other_media_without_asking(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram, ref: MediaRef, channel: str
) -> None:
    with pytest.raises(MediaFetchError):
        telegram_adapter.fetch_media(ref, channel=channel)
    assert fake_telegram.calls == []


def test_fetch_media_of_an_unknown_file_is_refused(telegram_adapter: TelegramAdapter) -> None:
    with pytest.raises(MediaFetchError, match="(?i)invalid file_id"):
        telegram_adapter.fetch_media(MediaRef("NO-SUCH-FILE", "image/jpeg"), channel="telegram")


def test_fetch_media_when_telegram_is_failing_is_temporary(
    telegram_adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail_next(500)
    with pytest.raises(TemporaryDeliveryError):
        telegram_adapter.fetch_media(MediaRef(fake_telegram.add_file(jpeg()), "image/jpeg"), channel="telegram")


@pytest.mark.parametrize(
    ("headers", "verified"),
    [
        ({"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}, True),
        ({"x-telegram-bot-api-secret-token": WEBHOOK_SECRET}, True),
        ({"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET + "x"}, False),
        ({"X-Telegram-Bot-Api-Secret-Token": "sécret"}, False),
        ({}, False),
    ],
)
def test_verify_compares_the_secret_header(
    telegram_adapter: TelegramAdapter, headers: dict[str, str], verified: bool
) -> None:
    assert telegram_adapter.verify(WebhookRequest(url="https://city.test/", headers=headers)) is verified
