"""Residents and the channel identities they write from."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.db import utcnow
from case_store.models import Channel, ChannelIdentity, Resident

MAX_ADDRESS = 128
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})
MAX_NAME = 200


def do_identify(
    session: Session, channel: Channel, address: str, *, display_name: str | None = None, now: datetime | None = None
) -> ChannelIdentity:
    """The identity a message came from, created with its resident on first contact.

    Precondition: ``address`` is the channel's own, proven sender (a verified webhook's
    phone number or chat id, a web chat session), never a value a third party typed.
    """
    address = address[:MAX_ADDRESS]
    identity = session.scalar(
        sa.select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.address == address)
    )
    if identity is None:
        identity = ChannelIdentity(channel=channel, address=address, resident=_resident_for(session, channel, address))
        session.add(identity)
    if display_name:
        identity.display_name = display_name[:MAX_NAME]
    identity.last_inbound_at = now or utcnow()
    session.flush()
    return identity


def do_set_opt_out(identity: ChannelIdentity, opted_out: bool, *, now: datetime | None = None) -> None:
    """Stops (or restarts) every message to the resident, on every channel."""
    moment = (now or utcnow()) if opted_out else None
    identity.opted_out_at = moment
    identity.resident.opted_out_at = moment


def _resident_for(session: Session, channel: Channel, address: str) -> Resident:
    """One phone number is one resident: a text from it proves it is theirs, so its SMS
    and WhatsApp identities share the resident (and their cases)."""
    if channel not in PHONE_CHANNELS:
        return Resident()
    resident = session.scalar(sa.select(Resident).where(Resident.phone == address))
    if resident is None:
        resident = Resident(phone=address)
        session.add(resident)
    return resident
