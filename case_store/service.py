"""Creating and changing cases: ``check_*`` validates and raises, ``do_*`` writes.

``do_*`` functions add to the caller's session and flush; the caller owns the
transaction, so a case and everything it causes (events, outbox rows) commit together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.attributes import AttributeValue, check_attribute_answers, definitions_of
from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError, TransitionError
from case_store.media import StoredMedia
from case_store.models import Case, CaseEvent, CaseMedia, Channel, EventKind, Media, MediaRole, Service
from case_store.public_ids import format_public_id
from case_store.statuses import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    STATUS_TEXT,
    CaseStatus,
    ClosureReason,
)
from case_store.text import clean_line, clean_text

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 500
MAX_NOTE = 4000


@dataclass(frozen=True, slots=True)
class NewCase:
    """A request to create a case, as received (untrusted until checked)."""

    service_code: str
    channel: Channel
    description: str | None = None
    description_language: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    ward: str | None = None
    neighborhood: str | None = None
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    external_media_url: str | None = None
    reporter_id: int | None = None
    api_key_id: int | None = None
    device_id: str | None = None
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedCase:
    """A NewCase whose every field has been validated and cleaned."""

    service: Service
    draft: NewCase
    description: str | None
    address: str | None
    address_id: str | None
    attributes: dict[str, AttributeValue]


def check_create_case(session: Session, draft: NewCase) -> CheckedCase:
    service = session.scalar(sa.select(Service).where(Service.code == draft.service_code))
    if service is None or not service.active:
        raise NotFoundError(f"service_code {draft.service_code!r} was not found")

    description = (clean_text(draft.description) if draft.description else None) or None
    if description and len(description) > MAX_DESCRIPTION:
        raise CaseValidationError(
            "description", f"description is {len(description)} characters; the limit is {MAX_DESCRIPTION}"
        )
    address = (clean_line(draft.address) if draft.address else None) or None
    if address and len(address) > MAX_ADDRESS:
        raise CaseValidationError("address_string", f"address_string is longer than {MAX_ADDRESS} characters")
    address_id = (clean_line(draft.address_id) if draft.address_id else None) or None
    _check_point(draft.lat, draft.lon)
    if draft.lat is None and not address and not address_id:
        raise CaseValidationError("location", "a location is required: lat and long, address_string or address_id")
    attributes = check_attribute_answers(service.code, definitions_of(service.attributes), draft.attributes)
    return CheckedCase(
        service=service,
        draft=draft,
        description=description,
        address=address,
        address_id=address_id,
        attributes=attributes,
    )


def _check_point(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise CaseValidationError("lat", "lat and long must be sent together")
    if lat is None or lon is None:
        return
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise CaseValidationError("lat", "lat must be between -90 and 90")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise CaseValidationError("long", "long must be between -180 and 180")


def do_create_case(session: Session, checked: CheckedCase, *, actor: str, now: datetime | None = None) -> Case:
    """Inserts the case and its first events; routes it when the service has a department.

    Precondition: ``checked`` comes from check_create_case in this session.
    """
    now = now or utcnow()
    draft, service = checked.draft, checked.service
    case = Case(
        service=service,
        status=CaseStatus.RECEIVED,
        description=checked.description,
        description_language=draft.description_language,
        attributes=checked.attributes,
        lat=draft.lat,
        lon=draft.lon,
        address=checked.address,
        address_id=checked.address_id,
        zipcode=clean_line(draft.zipcode) if draft.zipcode else None,
        ward=draft.ward,
        neighborhood=draft.neighborhood,
        external_media_url=draft.external_media_url,
        channel=draft.channel,
        reporter_id=draft.reporter_id,
        api_key_id=draft.api_key_id,
        device_id=draft.device_id,
        account_id=draft.account_id,
        requested_at=now,
        updated_at=now,
        expected_at=now + timedelta(hours=service.sla_hours),
        status_notes=STATUS_TEXT[CaseStatus.RECEIVED],
    )
    session.add(case)
    session.flush()  # assigns the primary key the public id is made from
    case.public_id = format_public_id(case.id)
    session.add(
        CaseEvent(
            case_id=case.id,
            created_at=now,
            kind=EventKind.CREATED,
            actor=actor,
            new_status=CaseStatus.RECEIVED,
            note=None,
            public=True,
        )
    )
    if service.department:
        case.department = service.department
        do_change_status(
            session, case, CaseStatus.ROUTED, actor="system:routing", note=f"Routed to {service.department}", now=now
        )
    session.flush()
    return case


def check_status_change(case: Case, new_status: CaseStatus, closure_reason: ClosureReason | None) -> None:
    if new_status not in ALLOWED_TRANSITIONS[case.status]:
        raise TransitionError(f"a case that is {case.status} cannot become {new_status}")
    if new_status in CLOSED_STATUSES and new_status is not CaseStatus.DUPLICATE and closure_reason is None:
        raise CaseValidationError("closure_reason", f"closing a case as {new_status} needs a closure_reason")
    if new_status not in CLOSED_STATUSES and closure_reason is not None:
        raise CaseValidationError("closure_reason", "only a closing status takes a closure_reason")


def do_change_status(
    session: Session,
    case: Case,
    new_status: CaseStatus,
    *,
    actor: str,
    note: str | None = None,
    closure_reason: ClosureReason | None = None,
    public: bool = True,
    now: datetime | None = None,
) -> CaseEvent:
    """Moves the case to ``new_status`` and records the event.

    Precondition: check_status_change passed for these arguments.
    """
    now = now or utcnow()
    note = clean_text(note)[:MAX_NOTE] if note else None
    if new_status is CaseStatus.DUPLICATE and closure_reason is None:
        closure_reason = ClosureReason.DUPLICATE
    event = CaseEvent(
        case_id=case.id,
        created_at=now,
        kind=EventKind.REOPENED if new_status is CaseStatus.REOPENED else EventKind.STATUS_CHANGED,
        actor=actor,
        old_status=case.status,
        new_status=new_status,
        closure_reason=closure_reason,
        note=note,
        public=public,
    )
    session.add(event)
    case.status = new_status
    case.updated_at = now
    if new_status in CLOSED_STATUSES:
        case.closed_at = now
        case.closure_reason = closure_reason
    else:
        case.closed_at = None
        case.closure_reason = None
    if public:
        case.status_notes = note or STATUS_TEXT[new_status]
    return event


def do_add_media(
    session: Session,
    case: Case,
    stored: StoredMedia,
    *,
    actor: str,
    role: MediaRole = MediaRole.REPORT,
    message_id: int | None = None,
) -> CaseMedia:
    """Records a stored photo and attaches it to the case (once, however often it is sent)."""
    media = do_record_media(session, stored)
    return do_attach_media(session, case, media, actor=actor, role=role, message_id=message_id)


def do_record_media(session: Session, stored: StoredMedia) -> Media:
    """The photo's row, added the first time these bytes are seen."""
    media = session.scalar(sa.select(Media).where(Media.sha256 == stored.sha256))
    if media is None:
        media = Media(
            sha256=stored.sha256,
            content_type=stored.content_type,
            byte_size=stored.byte_size,
            width=stored.width,
            height=stored.height,
        )
        session.add(media)
        session.flush()
    return media


def do_attach_media(
    session: Session,
    case: Case,
    media: Media,
    *,
    actor: str,
    role: MediaRole = MediaRole.REPORT,
    message_id: int | None = None,
) -> CaseMedia:
    """Attaches a recorded photo to the case, once."""
    link = session.scalar(sa.select(CaseMedia).where(CaseMedia.case_id == case.id, CaseMedia.media_id == media.id))
    if link is None:
        link = CaseMedia(case_id=case.id, media=media, role=role, message_id=message_id)
        session.add(link)
        session.add(
            CaseEvent(
                case_id=case.id, kind=EventKind.MEDIA_ADDED, actor=actor, note=None, public=role is MediaRole.EVIDENCE
            )
        )
        case.updated_at = utcnow()
        session.flush()
    return link
