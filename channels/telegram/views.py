"""The Telegram webhook. The only module of the channel that touches ``flask.request``.

It verifies, parses and records each update once (keyed by its ``update_id``), then answers
at once: the worker fetches photos, runs the turn and sends the replies. Telegram retries an
update until it gets a 2xx, so a failure to record it (a 500) is retried and a retry of one
already recorded is dropped by the inbox.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import record_webhook
from channels.base import (
    AnomalousPayloadError,
    ChannelAdapter,
    WebhookRequest,
)
from channels.telegram.adapter import WEBHOOK_PATH
from channels.telegram.parse import callback_query_id

logger = logging.getLogger(__name__)

MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few kilobytes; photos stay at Telegram


def telegram_blueprint(adapter: ChannelAdapter, sessions: sessionmaker[Session]) -> Blueprint:
    bp = Blueprint("telegram", __name__)

    @bp.post(WEBHOOK_PATH)
    def telegram_webhook() -> tuple[Response, int]:
        headers = dict(request.headers)
        # Verified before the body is read: a stranger's request costs no JSON parsing.
        if not adapter.verify(WebhookRequest(url=request.url, headers=headers)):
            logger.warning("Telegram webhook: refused a request without the right secret token")
            return jsonify(error="forbidden"), 403
        if (request.content_length or 0) > MAX_UPDATE_BYTES:
            return jsonify(error="too large"), 413
        body = request.get_data(cache=True)
        webhook_request = WebhookRequest(
            url=request.url, headers=headers, json=request.get_json(silent=True), body=body
        )
        try:
            record_webhook(sessions, lambda: adapter.parse(webhook_request), "Telegram")
        except AnomalousPayloadError as error:
            logger.warning("Telegram webhook: %s", error)
            return jsonify(error=str(error)), 400
        return _acknowledge(callback_query_id(webhook_request.json)), 200

    return bp


def _acknowledge(query_id: str | None) -> Response:
    """An empty answer; for a button press, an answerCallbackQuery carried by the webhook's own
    response (Telegram performs it), which stops the button's spinner with no extra request."""
    if query_id is None:
        return jsonify({})
    return jsonify(method="answerCallbackQuery", callback_query_id=query_id)
