"""Twilio's webhooks: inbound messages and delivery receipts. The only module of the
channel that touches Flask.

Both answer fast: an inbound message is recorded (once, by its MessageSid) and the worker
runs the turn, fetches photos and sends the replies.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import record_webhook
from channels.base import AnomalousPayloadError, ChannelAdapter, WebhookRequest
from channels.twilio.adapter import MESSAGES_PATH, STATUS_PATH
from channels.twilio.parse import parse_status
from channels.twilio.receipts import do_record_delivery

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's forms are a few kilobytes; anything far larger is not Twilio.
MAX_FORM_BYTES = 64 * 1024


def twilio_blueprint(adapter: ChannelAdapter, sessions: sessionmaker[Session], *, public_base_url: str) -> Blueprint:
    """The webhooks at /channels/twilio/messages and /channels/twilio/status.

    Args:
        adapter: checks signatures and parses (a TwilioAdapter).
        public_base_url: the address Twilio posts to (PUBLIC_BASE_URL); signatures cover the
            public URL, which a proxy in front of the app does not pass on.
    """
    bp = Blueprint("twilio", __name__)
    base = public_base_url.rstrip("/")

    def verified() -> WebhookRequest | Response:
        """The request as Twilio sent it, or the refusal: too large (413), unsigned (403)."""
        if (request.content_length or 0) > MAX_FORM_BYTES:
            return _plain("too large", 413)
        webhook = _webhook_request(base)
        return webhook if adapter.verify(webhook) else _plain("forbidden", 403)

    @bp.post(MESSAGES_PATH)
    def twilio_webhook() -> Response:
        webhook = verified()
        if isinstance(webhook, Response):
            return webhook
        try:
            record_webhook(sessions, lambda: adapter.parse(webhook), "Twilio")
        except AnomalousPayloadError as error:
            logger.warning("Twilio message webhook refused: %s", error)
            return _plain("bad request", 400)
        return _twiml()

    @bp.post(STATUS_PATH)
    def twilio_status_webhook() -> Response:
        webhook = verified()
        if isinstance(webhook, Response):
            return webhook
        try:
            update = parse_status(webhook.form)
        except AnomalousPayloadError as error:
            logger.warning("Twilio status callback refused: %s", error)
            return _plain("bad request", 400)
        if update is not None:
            with sessions.begin() as session:
                do_record_delivery(session, update)
        return _twiml()

    return bp


def _webhook_request(base: str) -> WebhookRequest:
    query = request.query_string.decode("latin-1")
    url = f"{base}{request.path}" + (f"?{query}" if query else "")
    return WebhookRequest(url=url, headers=dict(request.headers), form=request.form.to_dict())


def _twiml() -> Response:
    return Response(EMPTY_TWIML, 200, mimetype="text/xml")


def _plain(text: str, status: int) -> Response:
    return Response(text, status, mimetype="text/plain")
