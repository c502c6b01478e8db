"""Read-side queries over cases, shaped for the public APIs.

Lists select plain columns (not ORM objects): a page of 1,000 requests is read and
serialised in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from case_store.models import Case, CaseEvent, CaseMedia, Media, MediaRole, Service
from case_store.statuses import CaseStatus


@dataclass(frozen=True, slots=True)
class CaseQuery:
    public_ids: tuple[str, ...] = ()
    service_ids: tuple[int, ...] = ()
    statuses: frozenset[CaseStatus] | None = None
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = 1000


PUBLIC_COLUMNS = (
    Case.id,
    Case.public_id,
    Case.status,
    Case.status_notes,
    Case.closure_reason,
    Service.name.label("service_name"),
    Service.code.label("service_code"),
    Case.description,
    Case.department,
    Case.requested_at,
    Case.updated_at,
    Case.expected_at,
    Case.address,
    Case.address_id,
    Case.zipcode,
    Case.lat,
    Case.lon,
    Case.external_media_url,
)


# The first photo a resident sent, as "sha256 content/type": one indexed probe per row,
# cheaper than a second query with a thousand bound ids.
FIRST_PHOTO = (
    sa.select(Media.sha256 + " " + Media.content_type)
    .join(CaseMedia, CaseMedia.media_id == Media.id)
    .where(CaseMedia.case_id == Case.id, CaseMedia.role == MediaRole.REPORT)
    .order_by(CaseMedia.id)
    .limit(1)
    .correlate(Case)
    .scalar_subquery()
    .label("first_photo")
)


def find_cases(session: Session, query: CaseQuery) -> Sequence[RowMapping]:
    stmt = sa.select(*PUBLIC_COLUMNS, FIRST_PHOTO).join(Service, Case.service_id == Service.id)
    if query.public_ids:
        # Open311: a list of ids overrides every other filter.
        stmt = stmt.where(Case.public_id.in_(query.public_ids))
    else:
        if query.service_ids:
            stmt = stmt.where(Case.service_id.in_(query.service_ids))
        if query.statuses is not None:
            stmt = stmt.where(Case.status.in_(sorted(query.statuses)))
        if query.start is not None:
            stmt = stmt.where(Case.requested_at >= query.start)
        if query.end is not None:
            stmt = stmt.where(Case.requested_at <= query.end)
    stmt = (
        stmt.order_by(Case.requested_at.desc(), Case.id.desc())
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    # Core execution: plain rows, without the ORM's per-row bookkeeping.
    return session.connection().execute(stmt).mappings().all()


def service_ids_for(session: Session, codes: Sequence[str]) -> dict[str, int]:
    rows = session.execute(sa.select(Service.code, Service.id).where(Service.code.in_(codes)))
    return {code: pk for code, pk in rows}


def public_events(session: Session, case_ids: Sequence[int]) -> dict[int, list[CaseEvent]]:
    """Each case's public history, oldest first."""
    if not case_ids:
        return {}
    events: dict[int, list[CaseEvent]] = {}
    for event in session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.public.is_(True))
        .order_by(CaseEvent.case_id, CaseEvent.created_at, CaseEvent.id)
    ):
        events.setdefault(event.case_id, []).append(event)
    return events
