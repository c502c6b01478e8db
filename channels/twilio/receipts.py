"""Delivery receipts applied to the messages we sent."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.models import Channel, DeliveryStatus, Message
from channels.twilio.parse import DeliveryUpdate

# Receipts arrive out of order (a late "sent" after "delivered"): a status never steps back.
_PROGRESS = {
    DeliveryStatus.RECEIVED: 0,
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.FAILED: 2,
    DeliveryStatus.UNDELIVERABLE: 2,
    DeliveryStatus.READ: 3,
}


def do_record_delivery(session: Session, update: DeliveryUpdate) -> int:
    """Sets the delivery status (and Twilio's error code) of the SMS or WhatsApp messages sent
    under ``update.message_id``; returns how many there were (0 for an id we never sent).

    Runs in the caller's transaction; the rows are locked until it ends.
    """
    status = DeliveryStatus(update.status)
    rows = session.scalars(
        sa.select(Message)
        .where(Message.channel.in_((Channel.SMS, Channel.WHATSAPP)))
        .where(Message.provider_message_id == update.message_id)
        .with_for_update()
    ).all()
    for row in rows:
        if _PROGRESS[status] < _PROGRESS.get(row.delivery_status, 0):
            continue
        row.delivery_status = status
        if update.error_code:
            row.delivery_error = f"Twilio error {update.error_code}"
    return len(rows)
