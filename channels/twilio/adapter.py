"""The Twilio channel adapter: SMS, MMS and WhatsApp through one account.

It composes the Twilio SDK's ``Client`` (never inherits it) and keeps no state between
requests: one instance serves the web process and the worker's threads alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import (
    AnomalousPayloadError,
    DeliveryReceipt,
    MediaFetchError,
    MediaRef,
    OutboundMessage,
    ParsedMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    WebhookRequest,
)
from channels.twilio.compose import split_text, with_quick_replies
from channels.twilio.media import fetch_twilio_media
from channels.twilio.parse import WHATSAPP_PREFIX, delivery_status, parse_inbound

MESSAGES_PATH = "/channels/twilio/messages"
STATUS_PATH = "/channels/twilio/status"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_SIGNATURE = 200
API_TIMEOUT = 15.0  # seconds, for each call to Twilio's API
MAX_RETRY_AFTER = 3600.0
# Twilio's limits on a message's media: 5 MB for MMS, 16 MB for WhatsApp.
MAX_MEDIA_BYTES = {"sms": 5 * 1024 * 1024, "whatsapp": 16 * 1024 * 1024}

# Twilio's error codes that no retry will fix, in words staff can act on.
PERMANENT_REASONS = {
    20003: "Twilio refused the account's credentials (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)",
    21211: "the recipient's number is not a valid phone number",
    21408: "the account may not send to the recipient's country",
    21610: "the recipient replied STOP: Twilio blocks messages to them until they reply START",
    21612: "Twilio cannot route a message to the recipient's number",
    21614: "the recipient's number is not a mobile number and cannot receive SMS",
    21617: "the message is longer than Twilio's 1,600 characters",
    63016: "outside WhatsApp's 24-hour window: only an approved template may be sent",
}


class TwilioAdapter:
    """SMS, MMS and WhatsApp through Twilio.

    Args:
        account_sid: the account's SID (AC…); also the user name for media downloads.
        auth_token: the account's Auth Token: signs webhooks, authenticates API calls.
        phone_number: the E.164 number residents text; None when SMS is off.
        whatsapp_number: the E.164 WhatsApp sender, without "whatsapp:"; None when off.
        api_base_url: Twilio's API, or a stand-in for tests.
        public_base_url: where Twilio reaches this app; delivery receipts are asked for at
            ``{public_base_url}/channels/twilio/status`` when it is https.
    """

    channels: tuple[str, ...] = ("sms", "whatsapp")

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        phone_number: str | None,
        whatsapp_number: str | None,
        api_base_url: str = "https://api.twilio.com",
        public_base_url: str,
    ) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._senders = {"sms": phone_number, "whatsapp": whatsapp_number}
        self._api_base_url = api_base_url.rstrip("/")
        public = public_base_url.rstrip("/")
        self._status_callback = f"{public}{STATUS_PATH}" if public.startswith("https://") else None
        self._validator = RequestValidator(auth_token)
        self._client = Client(account_sid, auth_token, http_client=_HttpClient(timeout=API_TIMEOUT))
        # twilio 9.x builds every Messages URL from the Api domain's base_url (Domain.base_url).
        self._client.api.base_url = self._api_base_url

    def verify(self, request: WebhookRequest) -> bool:
        """Whether Twilio signed this request with the account's token, for ``request.url``."""
        signature = _header(request.headers, SIGNATURE_HEADER)
        if not signature or len(signature) > MAX_SIGNATURE:
            return False
        return bool(self._validator.validate(request.url, dict(request.form), signature))

    def parse(self, request: WebhookRequest) -> list[ParsedMessage]:
        account = request.form.get("AccountSid")
        if account is not None and account != self._account_sid:
            raise AnomalousPayloadError("a message for another Twilio account")
        return parse_inbound(request.form, now=datetime.now(UTC))

    def fetch_media(self, media: MediaRef, *, channel: str) -> bytes:
        """The photo's bytes from Twilio; only Twilio's hosts, only images, within size.

        Raises:
            MediaFetchError: see ``channels.twilio.media.fetch_twilio_media``.
        """
        limit = MAX_MEDIA_BYTES.get(channel)
        if limit is None:
            raise MediaFetchError(f"not a Twilio channel: {channel[:20]}")
        return fetch_twilio_media(
            media.ref,
            auth=(self._account_sid, self._auth_token),
            api_base_url=self._api_base_url,
            max_bytes=limit,
        )

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Sends the message; text too long for one message goes in parts, the photo with
        the first. The receipt names the first part, whose delivery receipts are tracked.

        Raises:
            TemporaryDeliveryError: Twilio is busy (429) or failing (5xx), or unreachable.
            PermanentDeliveryError: Twilio refused the message or the recipient; or a part
                failed after earlier parts went (retrying would send those twice).
        """
        sender, recipient = self._addresses(message)
        common: dict[str, Any] = {"from_": sender, "to": recipient}
        callback = message.status_callback or self._status_callback
        if callback:
            common["status_callback"] = callback
        calls = _calls(message, common)
        receipt = self._create(calls[0])
        for number, params in enumerate(calls[1:], start=1):
            try:
                self._create(params)
            except (TemporaryDeliveryError, PermanentDeliveryError) as error:
                raise PermanentDeliveryError(f"sent {number} of {len(calls)} parts, then: {error}") from error
        return receipt

    def _addresses(self, message: OutboundMessage) -> tuple[str, str]:
        if message.channel not in self.channels:
            raise PermanentDeliveryError(f"Twilio does not serve the {message.channel[:20]} channel")
        sender = self._senders[message.channel]
        if not sender:
            raise PermanentDeliveryError(f"no Twilio {message.channel} number is configured")
        recipient = message.recipient.strip()
        if recipient.lower().startswith(WHATSAPP_PREFIX):
            recipient = recipient[len(WHATSAPP_PREFIX) :]
        if not recipient:
            raise PermanentDeliveryError("no recipient")
        if message.channel == "whatsapp":
            return f"{WHATSAPP_PREFIX}{sender}", f"{WHATSAPP_PREFIX}{recipient}"
        return sender, recipient

    def _create(self, params: dict[str, Any]) -> DeliveryReceipt:
        try:
            created = self._client.messages.create(**params)
        except _ProviderBusyError as error:
            raise TemporaryDeliveryError(str(error), retry_after=error.retry_after) from error
        except (TwilioRestException, TwilioServiceException) as error:
            raise _delivery_error(int(error.status), error.code, _describe(error)) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TemporaryDeliveryError(f"Twilio unreachable: {type(error).__name__}") from error
        return DeliveryReceipt(provider_message_id=str(created.sid), status=delivery_status(created.status))


class _ProviderBusyError(Exception):
    """Twilio answered 429 or 5xx; carries the Retry-After header, which the SDK's
    TwilioRestException drops."""

    def __init__(self, status: int, retry_after: float | None, detail: str) -> None:
        super().__init__(f"Twilio answered {status}: {detail}" if detail else f"Twilio answered {status}")
        self.status = status
        self.retry_after = retry_after


class _HttpClient(TwilioHttpClient):
    """The SDK's HTTP client, raising on 429 and 5xx while the response's headers are at hand."""

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        response = super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
        if response.status_code == 429 or response.status_code >= 500:
            headers_ = response.headers or {}
            raise _ProviderBusyError(
                int(response.status_code), _retry_after(headers_.get("Retry-After")), _error_message(response.text)
            )
        return response


def _calls(message: OutboundMessage, common: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters of each ``messages.create`` call the message takes."""
    if message.template_sid:
        variables = json.dumps(dict(message.template_variables), ensure_ascii=False)
        return [common | {"content_sid": message.template_sid, "content_variables": variables}]
    parts = split_text(with_quick_replies(message.text, message.quick_replies))
    if not parts and not message.photo_url:
        raise PermanentDeliveryError("an empty message: no text, no photo")
    calls = [common | {"body": part} for part in parts] or [dict(common)]
    if message.photo_url:
        calls[0]["media_url"] = [message.photo_url]
    return calls


def _delivery_error(status: int, code: object, detail: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    if status == 429 or status >= 500:
        return TemporaryDeliveryError(f"Twilio answered {status}: {detail}")
    number = code if isinstance(code, int) else None
    reason = PERMANENT_REASONS.get(number or 0) or f"Twilio refused the message: {detail}"
    return PermanentDeliveryError(f"{reason} (Twilio error {number or status})")


def _describe(error: TwilioRestException | TwilioServiceException) -> str:
    text = getattr(error, "msg", None) or getattr(error, "detail", None) or getattr(error, "title", None) or ""
    return str(text)[:300]


def _error_message(body: str) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    message = document.get("message") if isinstance(document, dict) else None
    return str(message)[:300] if message else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from Retry-After's seconds or HTTP date; bounded to an hour."""
    value = (value or "").strip()[:64]
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)
