"""The shared case store's tables.

Public identifiers (``Case.public_id``, ``Media.sha256``) are separate from internal
primary keys. Residents' contact details live only in ``Resident`` and
``ChannelIdentity``; nothing public ever joins to them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from case_store.db import Base, BigId, UTCDateTime, utcnow
from case_store.statuses import CaseStatus, ClosureReason


class Channel(StrEnum):
    """Where a case or message came from or goes to."""

    SMS = "sms"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    WEB = "web"
    OPEN311 = "open311"
    STAFF = "staff"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class DeliveryStatus(StrEnum):
    RECEIVED = "received"  # inbound
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"  # not attempted: opted out, channel rules


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    NOTE = "note"
    REOPENED = "reopened"
    DUPLICATE_LINKED = "duplicate_linked"
    MEDIA_ADDED = "media_added"


class MediaRole(StrEnum):
    REPORT = "report"  # sent by the resident
    EVIDENCE = "evidence"  # attached by staff, e.g. the repaired road


def _enum(enum_type: type[StrEnum], length: int = 20) -> sa.Enum:
    # Stored as plain strings (no native enum types) so adding a value needs no DDL.
    return sa.Enum(
        enum_type,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Service(Timestamped, Base):
    """A category residents report under; an Open311 service."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    group: Mapped[str] = mapped_column(sa.String(200))
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    department: Mapped[str] = mapped_column(sa.String(200))
    sla_hours: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(16), default="realtime")
    # Open311 service-definition attributes as validated by case_store.catalog.
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # Retired services stay for the cases that use them but are no longer offered.
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Resident(Timestamped, Base):
    """A person who reports; private, never exposed in public output."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # E.164, proven by the resident writing from it; links their SMS and WhatsApp identities.
    phone: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    # A number someone else typed (an Open311 client's form): kept for staff to call back,
    # never used to link identities, so nobody can attach cases to another person's phone.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(320))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(8))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="resident")


class ChannelIdentity(Timestamped, Base):
    """How a resident is reached on one channel (phone number, Telegram chat, web session)."""

    __tablename__ = "channel_identities"
    __table_args__ = (sa.UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    address: Mapped[str] = mapped_column(sa.String(128))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    # WhatsApp allows free-form messages only within 24 hours of the resident's last message.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[Resident] = relationship(back_populates="identities")


class ApiKey(Timestamped, Base):
    """An Open311 client allowed to post requests; only a hash of the key is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Case(Base):
    """A service request."""

    __tablename__ = "cases"
    __table_args__ = (
        # The Open311 list queries: newest first, filtered by status and/or service.
        sa.Index("ix_cases_requested_at", "requested_at"),
        sa.Index("ix_cases_status_requested_at", "status", "requested_at"),
        sa.Index("ix_cases_service_id_requested_at", "service_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.RECEIVED)
    status_notes: Mapped[str | None] = mapped_column(sa.Text)
    closure_reason: Mapped[ClosureReason | None] = mapped_column(_enum(ClosureReason, 32))
    department: Mapped[str | None] = mapped_column(sa.String(200))

    description: Mapped[str | None] = mapped_column(sa.Text)
    description_language: Mapped[str | None] = mapped_column(sa.String(8))
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    lat: Mapped[float | None]
    lon: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(sa.String(500))
    address_id: Mapped[str | None] = mapped_column(sa.String(100))
    zipcode: Mapped[str | None] = mapped_column(sa.String(20))
    ward: Mapped[str | None] = mapped_column(sa.String(100))
    neighborhood: Mapped[str | None] = mapped_column(sa.String(200))
    # A media URL given by an Open311 client; our own photos are in case_media.
    external_media_url: Mapped[str | None] = mapped_column(sa.String(2048))

    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residents.id", ondelete="SET NULL"))
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id", ondelete="SET NULL"))
    device_id: Mapped[str | None] = mapped_column(sa.String(200))
    account_id: Mapped[str | None] = mapped_column(sa.String(200))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)

    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)
    duplicate_of: Mapped[Case | None] = relationship(remote_side=[id])


class CaseEvent(Base):
    """One change to a case, in order; public events form the Open311 notes history."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_case_id_created_at", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    actor: Mapped[str] = mapped_column(sa.String(200))
    old_status: Mapped[CaseStatus | None] = mapped_column(_enum(CaseStatus))
    new_status: Mapped[CaseStatus | None] = mapped_column(_enum(CaseStatus))
    closure_reason: Mapped[ClosureReason | None] = mapped_column(_enum(ClosureReason, 32))
    note: Mapped[str | None] = mapped_column(sa.Text)
    public: Mapped[bool] = mapped_column(default=True)


class Message(Base):
    """One message of a case thread or conversation, inbound or outbound."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("channel", "provider_message_id"),
        sa.Index("ix_messages_case_id_created_at", "case_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    identity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channel_identities.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[Direction] = mapped_column(_enum(Direction, 8))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(128))
    author: Mapped[str | None] = mapped_column(sa.String(200))  # staff member for outbound replies
    text: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(8))
    translation: Mapped[str | None] = mapped_column(sa.Text)
    translation_language: Mapped[str | None] = mapped_column(sa.String(8))
    delivery_status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    delivery_error: Mapped[str | None] = mapped_column(sa.Text)
    # What a chat shows besides the text: quick replies offered, photos and a location sent.
    extras: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Media(Timestamped, Base):
    """A stored photo, addressed by the SHA-256 of its (metadata-free) bytes."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(64))
    byte_size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]


class CaseMedia(Timestamped, Base):
    """A photo attached to a case, in the order it arrived."""

    __tablename__ = "case_media"
    __table_args__ = (sa.UniqueConstraint("case_id", "media_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="SET NULL"))
    role: Mapped[MediaRole] = mapped_column(_enum(MediaRole, 16), default=MediaRole.REPORT)

    media: Mapped[Media] = relationship(lazy="joined", innerjoin=True)


class Subscription(Timestamped, Base):
    """A resident who hears about a case's changes, on the channel they used."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.UniqueConstraint("case_id", "resident_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    identity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel_identities.id", ondelete="SET NULL"))
    muted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class StaffUser(Timestamped, Base):
    """A city employee who works cases; the password is kept only as a slow hash."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, 16))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)


class StaffToken(Timestamped, Base):
    """A bearer token for the staff API; only its SHA-256 is kept."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship(lazy="joined", innerjoin=True)


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class InboxItem(Base):
    """A provider's inbound message, recorded once (by its id) before the webhook answers;
    the worker fetches its media and runs the conversation turn."""

    __tablename__ = "inbox"
    __table_args__ = (
        sa.UniqueConstraint("channel", "provider_message_id"),
        sa.Index("ix_inbox_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    provider_message_id: Mapped[str] = mapped_column(sa.String(128))
    conversation_id: Mapped[str] = mapped_column(sa.String(160))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[InboxStatus] = mapped_column(_enum(InboxStatus, 16), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxItem(Timestamped, Base):
    """A message waiting to be sent, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    identity_id: Mapped[int] = mapped_column(sa.ForeignKey("channel_identities.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, 16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


from case_store import city_models  # noqa: E402,F401  (registers the city tables)
