"""What staff do from the thread page: reply, note, change status with an evidence photo.

Each function runs inside the caller's transaction; nothing is written when it raises.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.notify import Notifier
from bot.staff_actions import change_status
from case_store.errors import CaseStoreError, NotFoundError
from case_store.media import MediaStore
from case_store.models import Case, CaseEvent, EventKind
from case_store.service import check_status_change, do_record_media
from staff.forms import ReplyForm, StatusForm


class CaseChangedError(CaseStoreError):
    """The case moved on since the staff member loaded the page."""


def find_case_for_update(session: Session, public_id: str) -> Case:
    """The case, row-locked until the transaction ends (PostgreSQL), so two staff members'
    changes are checked one after the other."""
    case = session.scalar(sa.select(Case).where(Case.public_id == public_id).with_for_update(of=Case))
    if case is None:
        raise NotFoundError(f"case {public_id!r} was not found")
    return case


def do_staff_reply(session: Session, notifier: Notifier, case: Case, reply: ReplyForm, *, actor: str) -> int:
    """Records the text as an internal note event (as the staff API does) and, for a public
    reply, queues it to every subscribed resident; returns how many messages were queued."""
    session.add(CaseEvent(case_id=case.id, kind=EventKind.NOTE, actor=actor, note=reply.text, public=False))
    if reply.internal:
        session.flush()
        return 0
    return notifier.do_notify_reply(session, case, reply.text, author=actor)


def do_staff_status_change(
    session: Session,
    notifier: Notifier,
    media: MediaStore,
    case: Case,
    form: StatusForm,
    photo: bytes | None,
    *,
    actor: str,
) -> CaseEvent:
    """Moves the case, attaching the evidence photo, and queues the residents' news.

    Raises CaseChangedError, TransitionError or CaseValidationError before anything is
    stored, and MediaError when the photo is not one we accept.
    """
    if form.seen_status is not None and case.status is not form.seen_status:
        raise CaseChangedError(
            f"the case became {case.status} while you were looking at it; check the history and try again"
        )
    # Checked before the photo is stored, so a refused change leaves no file behind.
    check_status_change(case, form.status, form.closure_reason)
    evidence = do_record_media(session, media.save(photo)) if photo else None
    return change_status(
        session,
        notifier,
        case,
        form.status,
        actor=actor,
        closure_reason=form.closure_reason,
        note=form.note,
        evidence=evidence,
    )
