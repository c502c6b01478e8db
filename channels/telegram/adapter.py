"""The Telegram channel adapter: verifies and parses webhook calls, fetches photos, sends.

It composes a ``telegram.Bot`` (python-telegram-bot, async) and never subclasses it; the
Bot's coroutines run on one event loop the adapter owns in a background thread (see
``loop.py`` for why not ``asyncio.run`` per call), so ``send()`` and ``fetch_media()`` are
plain blocking calls, safe from any number of worker threads. Call ``close()`` on shutdown.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import telegram
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from channels.base import (
    DeliveryReceipt,
    MediaFetchError,
    MediaRef,
    OutboundMessage,
    ParsedMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    WebhookRequest,
)
from channels.telegram.loop import EventLoopThread
from channels.telegram.parse import CHANNEL, parse_update
from channels.telegram.send import PlannedMessage, chat_id, delivery_error, plan

T = TypeVar("T")

DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/channels/telegram/webhook"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
MAX_FILE_BYTES = 20 * 1024 * 1024  # the Bot API serves no larger file anyway
_CHUNK = 64 * 1024
_GENERIC_TYPE = "application/octet-stream"  # a file server's answer when it does not know the type

# A file's first bytes for the image formats the media store accepts (JPEG, PNG, GIF, WebP, HEIC).
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


class TelegramAdapter:
    """Args:
    token: the bot's token from @BotFather (a secret: it is in every Bot API URL).
    webhook_secret: the ``secret_token`` given to setWebhook; without it every webhook
        call fails verification.
    api_base_url: the Bot API root (a fake one in tests, a local Bot API server).
    timeout: seconds one ``send()`` or ``fetch_media()`` may take in all.
    """

    channels: tuple[str, ...] = (CHANNEL,)

    def __init__(
        self,
        token: str,
        webhook_secret: str | None,
        api_base_url: str = DEFAULT_API_BASE_URL,
        *,
        timeout: float = 60.0,
    ) -> None:
        if not token:
            raise ValueError("a Telegram bot token is required (TELEGRAM_BOT_TOKEN)")
        root = api_base_url.rstrip("/")
        self._token = token
        self._secret = webhook_secret.encode() if webhook_secret else None
        self._timeout = timeout
        self._file_url = f"{root}/file/bot{token}/"
        _hide_token_in_logs(token)  # before the Bot logs its URLs
        self._bot = telegram.Bot(
            token,
            base_url=f"{root}/bot",
            base_file_url=f"{root}/file/bot",
            # Several worker threads may send at once over the one loop.
            request=HTTPXRequest(connection_pool_size=16, pool_timeout=10.0, read_timeout=15.0),
        )
        self._loop = EventLoopThread("telegram-bot")
        self._downloads = httpx.Client(timeout=httpx.Timeout(15.0, read=30.0), follow_redirects=False)

    def verify(self, request: WebhookRequest) -> bool:
        """True when the call carries our webhook secret (compared in constant time)."""
        if self._secret is None:
            return False
        given = _header(request.headers, SECRET_HEADER)
        return given is not None and hmac.compare_digest(given.encode(), self._secret)

    def parse(self, request: WebhookRequest) -> list[ParsedMessage]:
        return parse_update(request.json, now=datetime.now(UTC))

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Sends the message (in several Bot API calls when it is long); the receipt carries the
        last message's id.

        Raises:
            TemporaryDeliveryError: retry later (``retry_after`` when Telegram said).
            PermanentDeliveryError: never deliverable (blocked by the resident, no such chat).
        """
        if message.channel != CHANNEL:
            raise PermanentDeliveryError(f"the Telegram adapter cannot send on {message.channel!r}")
        chat = chat_id(message.recipient)
        calls = plan(message)
        sent = self._run(self._send_all(chat, calls), "send")
        return DeliveryReceipt(provider_message_id=str(sent.message_id), status="sent")

    def fetch_media(self, media: MediaRef, *, channel: str) -> bytes:
        """The photo's bytes: getFile, then a download of at most 20 MB, images only.

        Raises:
            MediaFetchError: not an image, too large, or refused by Telegram.
            TemporaryDeliveryError: Telegram could not be reached or asked to wait; try again.
        """
        if channel != CHANNEL:
            raise MediaFetchError(f"the Telegram adapter cannot fetch {channel!r} media")
        if media.content_type and not media.content_type.lower().startswith("image/"):
            raise MediaFetchError(f"only images are fetched, not {media.content_type}")
        if media.size and media.size > MAX_FILE_BYTES:
            raise MediaFetchError("the file is larger than 20 MB")
        try:
            file = self._run(self._bot.get_file(media.ref), "getFile")
        except PermanentDeliveryError as error:
            raise MediaFetchError(str(error)) from error
        if file.file_size and file.file_size > MAX_FILE_BYTES:
            raise MediaFetchError("the file is larger than 20 MB")
        url = file.file_path or ""
        if not url.startswith(self._file_url):  # the Bot prefixes the relative path it was given
            raise MediaFetchError("Telegram gave no downloadable file path")
        return self._download(url)

    def set_webhook(self, url: str, *, drop_pending_updates: bool = False) -> None:
        """Points Telegram at ``url`` with our secret, for the updates the bot handles."""
        if self._secret is None:
            raise PermanentDeliveryError("a webhook secret is required (TELEGRAM_WEBHOOK_SECRET)")
        self._run(
            self._bot.set_webhook(
                url,
                secret_token=self._secret.decode(),
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending_updates,
            ),
            "setWebhook",
        )

    def close(self) -> None:
        """Closes the HTTP clients and stops the loop thread. Idempotent."""
        # Bot.shutdown() only acts after Bot.initialize(), which would cost a getMe call we do
        # not need; the request object owns the HTTP client, so it is closed directly.
        self._loop.close(self._bot.request.shutdown())
        self._downloads.close()

    def __enter__(self) -> TelegramAdapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def _send_all(self, chat: int, calls: list[PlannedMessage]) -> telegram.Message:
        # Sequential, so a long text arrives in order. A retry after a failure part-way
        # resends the earlier parts: rare, and better than losing the rest.
        sent: telegram.Message | None = None
        for call in calls:
            if call.photo:
                sent = await self._bot.send_photo(
                    chat, call.photo, caption=call.text or None, reply_markup=call.keyboard
                )
            else:
                sent = await self._bot.send_message(chat, call.text, reply_markup=call.keyboard)
        assert sent is not None  # plan() always returns at least one call
        return sent

    def _run(self, coroutine: Coroutine[Any, Any, T], action: str) -> T:
        try:
            return self._loop.run(coroutine, timeout=self._timeout)
        except TelegramError as error:
            raise delivery_error(error, action, token=self._token) from error
        except TimeoutError as error:
            raise TemporaryDeliveryError(f"Telegram {action}: no answer within {self._timeout:g} s") from error

    def _download(self, url: str) -> bytes:
        try:
            with self._downloads.stream("GET", url) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    raise TemporaryDeliveryError(f"Telegram file download: HTTP {response.status_code}")
                if response.status_code != 200:
                    raise MediaFetchError(f"Telegram file download: HTTP {response.status_code}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
                    raise MediaFetchError("the file is larger than 20 MB")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if content_type and not (content_type.startswith("image/") or content_type == _GENERIC_TYPE):
                    raise MediaFetchError(f"only images are fetched, not {content_type}")
                data = bytearray()
                # The size Telegram reported may be missing or wrong: the stream is bounded too.
                for chunk in response.iter_bytes(_CHUNK):
                    data += chunk
                    if len(data) > MAX_FILE_BYTES:
                        raise MediaFetchError("the file is larger than 20 MB")
        except httpx.HTTPError as error:
            # The URL holds the token: only the kind of failure is kept.
            raise TemporaryDeliveryError(f"Telegram file download failed: {type(error).__name__}") from None
        if not looks_like_image(bytes(data[:16])):
            raise MediaFetchError("the file is not a JPEG, PNG, GIF, WebP or HEIC image")
        return bytes(data)


def looks_like_image(head: bytes) -> bool:
    """Whether a file's first 16 bytes start an image format the media store accepts."""
    return (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head[:6] in (b"GIF87a", b"GIF89a")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or (head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS)
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class _HideToken(logging.Filter):
    """Replaces the bot token in log lines: httpx logs every request URL at INFO, and the
    Bot API puts the token in the URL."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def _hide_token_in_logs(token: str) -> None:
    for name in ("httpx", "telegram.Bot"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideToken) and f.token == token for f in logger.filters):
            logger.addFilter(_HideToken(token))
