"""What staff do to a case (from the thread page, the staff API or a script), with the
residents told in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.notify import Notifier
from case_store.errors import NotFoundError
from case_store.media import media_filename
from case_store.models import Case, CaseEvent, Media, MediaRole
from case_store.service import check_status_change, do_attach_media, do_change_status
from case_store.statuses import CaseStatus, ClosureReason


def find_case(session: Session, public_id: str) -> Case:
    case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
    if case is None:
        raise NotFoundError(f"case {public_id!r} was not found")
    return case


def change_status(
    session: Session,
    notifier: Notifier,
    case: Case,
    status: CaseStatus,
    *,
    actor: str,
    closure_reason: ClosureReason | None = None,
    note: str | None = None,
    evidence: Media | None = None,
) -> CaseEvent:
    """Moves the case on, attaches the evidence photo, and queues the news for every
    subscribed resident (raises CaseValidationError/TransitionError before writing)."""
    check_status_change(case, status, closure_reason)
    event = do_change_status(session, case, status, actor=actor, note=note, closure_reason=closure_reason)
    if evidence is not None:
        do_attach_media(session, case, evidence, actor=actor, role=MediaRole.EVIDENCE)
    session.flush()
    if event.public:
        photo = media_filename(evidence.sha256, evidence.content_type) if evidence else None
        notifier.do_notify_status(session, case, event, photo=photo)
    return event
