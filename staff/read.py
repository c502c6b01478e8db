"""What the staff pages show, read from the case store into plain values.

The same facts the staff API returns (bot/staff_api.py), as typed rows for templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.notify import STAFF_LANGUAGE
from bot.staff_actions import find_case
from bot.staff_api import do_translate_thread
from case_store.media import media_filename
from case_store.models import (
    Case,
    CaseEvent,
    CaseMedia,
    DeliveryStatus,
    Direction,
    EventKind,
    MediaRole,
    Message,
    Service,
    Subscription,
)
from case_store.statuses import CaseStatus, ClosureReason
from nlu.translate import Translator

PAGE_SIZE = 50
_UNSENT = frozenset({DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERABLE})


@dataclass(frozen=True, slots=True)
class CaseRow:
    public_id: str
    category: str
    address: str | None
    status: CaseStatus
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CaseList:
    rows: tuple[CaseRow, ...]
    page: int
    has_next: bool


@dataclass(frozen=True, slots=True)
class CaseHeader:
    public_id: str
    category: str
    service_code: str
    status: CaseStatus
    closure_reason: ClosureReason | None
    department: str | None
    address: str | None
    ward: str | None
    neighborhood: str | None
    lat: float | None
    lon: float | None
    description: str | None
    description_language: str | None
    description_en: str | None
    channel: str | None
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    subscribers: int

    @property
    def map_url(self) -> str | None:
        if self.lat is None or self.lon is None:
            return None
        return _map_url(self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class PhotoRow:
    url: str
    evidence: bool
    width: int
    height: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    id: int
    inbound: bool
    channel: str
    author: str | None
    text: str | None
    language: str | None
    translation: str | None
    translation_language: str | None
    delivery_status: DeliveryStatus
    delivery_error: str | None
    photo_urls: tuple[str, ...]
    location: tuple[float, float] | None
    at: datetime
    # A staff reply: what the staff member wrote, and whether a model translated it.
    original: str | None = None
    original_language: str | None = None
    machine_translated: bool | None = None

    @property
    def not_delivered(self) -> bool:
        return self.delivery_status in _UNSENT

    @property
    def untranslated(self) -> bool:
        """A resident's words staff may not read: not in the staff language, and no translation."""
        return self.inbound and bool(self.text) and self.translation is None and self.language != STAFF_LANGUAGE

    @property
    def sent_untranslated(self) -> bool:
        """A staff reply that went out as written, in a language the resident may not read."""
        return self.machine_translated is False and self.language != self.original_language

    @property
    def location_url(self) -> str | None:
        return _map_url(*self.location) if self.location else None


@dataclass(frozen=True, slots=True)
class EventRow:
    kind: EventKind
    actor: str
    old_status: CaseStatus | None
    new_status: CaseStatus | None
    closure_reason: ClosureReason | None
    note: str | None
    public: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseThread:
    case: CaseHeader
    photos: tuple[PhotoRow, ...]
    messages: tuple[ThreadMessage, ...]
    events: tuple[EventRow, ...]


def list_cases(session: Session, *, status: CaseStatus | None, service_code: str | None, page: int) -> CaseList:
    """One page of cases, newest first, filtered like the staff API's list."""
    query = sa.select(Case).join(Service, Case.service_id == Service.id)
    if status is not None:
        query = query.where(Case.status == status)
    if service_code:
        query = query.where(Service.code == service_code)
    query = query.order_by(Case.requested_at.desc(), Case.id.desc())
    # One row more than a page tells whether there is a next page.
    cases = session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).unique().all()
    rows = tuple(CaseRow(c.public_id or str(c.id), c.service.name, c.address, c.status, c.updated_at) for c in cases)
    return CaseList(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


def service_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every service, for the list's filter (retired ones too: old cases use them)."""
    rows = session.execute(sa.select(Service.code, Service.name).order_by(Service.position, Service.name))
    return [(code, name) for code, name in rows]


def read_thread(session: Session, public_id: str, translator: Translator | None = None) -> CaseThread:
    """The case with its photos, messages and events (raises NotFoundError).

    With a translator, residents' messages not yet translated for staff get their
    translation first and keep it (as the staff API's read does): run it in a
    transaction. Without a model for a language the message stays untranslated.
    """
    case = find_case(session, public_id)
    if translator is not None:
        do_translate_thread(session, case, translator, STAFF_LANGUAGE)
        session.flush()
    return CaseThread(_header(session, case), _photos(session, case), _messages(session, case), _events(session, case))


def _header(session: Session, case: Case) -> CaseHeader:
    subscribers = session.scalar(
        sa.select(sa.func.count(Subscription.id)).where(
            Subscription.case_id == case.id, Subscription.muted_at.is_(None)
        )
    )
    return CaseHeader(
        public_id=case.public_id or str(case.id),
        category=case.service.name,
        service_code=case.service.code,
        status=case.status,
        closure_reason=case.closure_reason,
        department=case.department,
        address=case.address,
        ward=case.ward,
        neighborhood=case.neighborhood,
        lat=case.lat,
        lon=case.lon,
        description=case.description,
        description_language=case.description_language,
        description_en=case.description_en,
        channel=case.channel.value if case.channel else None,
        requested_at=case.requested_at,
        updated_at=case.updated_at,
        expected_at=case.expected_at,
        subscribers=subscribers or 0,
    )


def _photos(session: Session, case: Case) -> tuple[PhotoRow, ...]:
    links = session.scalars(sa.select(CaseMedia).where(CaseMedia.case_id == case.id).order_by(CaseMedia.id))
    return tuple(
        PhotoRow(
            url="/media/" + media_filename(link.media.sha256, link.media.content_type),
            evidence=link.role is MediaRole.EVIDENCE,
            width=link.media.width,
            height=link.media.height,
            added_at=link.created_at,
        )
        for link in links
    )


def _messages(session: Session, case: Case) -> tuple[ThreadMessage, ...]:
    messages = session.scalars(sa.select(Message).where(Message.case_id == case.id).order_by(Message.id))
    return tuple(
        ThreadMessage(
            id=m.id,
            inbound=m.direction is Direction.INBOUND,
            channel=m.channel.value,
            author=m.author,
            text=m.text,
            language=m.language,
            translation=m.translation,
            translation_language=m.translation_language,
            delivery_status=m.delivery_status,
            delivery_error=m.delivery_error,
            photo_urls=tuple(f"/media/{name}" for name in _photo_names(m)),
            location=_location(m),
            at=m.created_at,
            **_reply_marks(m),
        )
        for m in messages
    )


def _reply_marks(message: Message) -> dict[str, Any]:
    extras = message.extras or {}
    original = extras.get("original")
    if message.direction is not Direction.OUTBOUND or not isinstance(original, str):
        return {}
    language = extras.get("original_language")
    translated = extras.get("translated")
    return {
        "original": original,
        "original_language": language if isinstance(language, str) else None,
        "machine_translated": translated if isinstance(translated, bool) else None,
    }


def _photo_names(message: Message) -> list[str]:
    names = (message.extras or {}).get("photos", [])
    # Only our own content-addressed names become image URLs.
    return [n for n in names if isinstance(n, str) and _is_media_name(n)] if isinstance(names, list) else []


def _location(message: Message) -> tuple[float, float] | None:
    point = (message.extras or {}).get("location")
    if not isinstance(point, dict):
        return None
    lat, lon = point.get("lat"), point.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float) and -90 <= lat <= 90 and -180 <= lon <= 180:
        return float(lat), float(lon)
    return None


def _map_url(lat: float, lon: float) -> str:
    """The position on openstreetmap.org (a link; the page itself loads nothing from there)."""
    mlat, mlon = f"{lat:.6f}", f"{lon:.6f}"
    return f"https://www.openstreetmap.org/?mlat={mlat}&mlon={mlon}#map=18/{mlat}/{mlon}"


def _is_media_name(name: str) -> bool:
    stem, _, extension = name.partition(".")
    return len(stem) == 64 and all(c in "0123456789abcdef" for c in stem) and extension in ("jpg", "png", "webp")


def _events(session: Session, case: Case) -> tuple[EventRow, ...]:
    events = session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    return tuple(
        EventRow(e.kind, e.actor, e.old_status, e.new_status, e.closure_reason, e.note, e.public, e.created_at)
        for e in events
    )
