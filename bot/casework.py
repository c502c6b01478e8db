"""Carrying out the engine's effects in the case store, inside the turn's transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.case_codes import code_matches
from bot.dialogue.effects import (
    AddToCase,
    CaseFiled,
    CaseSummary,
    Effect,
    FileCase,
    FilingFailed,
    HandedOff,
    HandOff,
    LookUpStatus,
    MuteCase,
    Outcome,
    SetOptOut,
    StatusFound,
)
from bot.dialogue.state import Draft
from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError
from case_store.models import (
    Case,
    CaseEvent,
    Channel,
    ChannelIdentity,
    EventKind,
    Media,
    Message,
    Service,
    Subscription,
)
from case_store.residents import do_set_opt_out
from case_store.service import NewCase, check_create_case, do_attach_media, do_change_status, do_create_case
from case_store.statuses import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus, ClosureReason

log = logging.getLogger(__name__)
STATUS_CASES = 3
HANDOFF_NOTE = "The resident asked to talk to a person in the chat."
REOPEN_NOTE = "The resident replied that the problem is still there."


@dataclass(frozen=True, slots=True)
class Turn:
    """Who the effects are for: the identity that wrote, on its channel."""

    identity: ChannelIdentity
    channel: Channel
    place_fallback: str  # the address of a case handed to staff before a place was given
    secret_key: str = ""  # checks the codes residents quote from another device


def do_effect(session: Session, turn: Turn, effect: Effect) -> Outcome | None:
    if isinstance(effect, FileCase):
        return _file(session, turn, effect.draft, effect.language)
    if isinstance(effect, HandOff):
        return _hand_off(session, turn, effect.draft, effect.language)
    if isinstance(effect, AddToCase):
        _add_to_case(session, turn, effect)
        return None
    if isinstance(effect, SetOptOut):
        do_set_opt_out(turn.identity, effect.opted_out)
        return None
    if isinstance(effect, MuteCase):
        _mute(session, turn, effect.case_id)
        return None
    if isinstance(effect, LookUpStatus):
        return _status(session, turn, effect.asked, effect.code)
    raise TypeError(f"unknown effect {effect!r}")


def _file(session: Session, turn: Turn, draft: Draft, language: str) -> Outcome:
    try:
        case = _create(session, turn, draft, language, draft.category or "other", actor="resident")
    except (CaseValidationError, NotFoundError) as error:
        log.warning("a chat report could not be filed: %s", error)
        return FilingFailed(str(error))
    return CaseFiled(
        case_id=str(case.public_id),
        status=case.status.value,
        team=case.department or "",
        due=case.expected_at.isoformat() if case.expected_at else None,
    )


def _hand_off(session: Session, turn: Turn, draft: Draft, language: str) -> Outcome:
    try:
        case = _create(session, turn, draft, language, draft.category or "other", actor="resident")
    except (CaseValidationError, NotFoundError):
        # Required questions still open: staff get it as "something else" and finish it.
        case = _create(session, turn, replace(draft, answers=()), language, "other", actor="resident")
    session.add(CaseEvent(case_id=case.id, kind=EventKind.NOTE, actor="system:chat", note=HANDOFF_NOTE, public=False))
    return HandedOff(str(case.public_id))


def _create(session: Session, turn: Turn, draft: Draft, language: str, category: str, *, actor: str) -> Case:
    place = draft.place
    new = NewCase(
        service_code=category,
        channel=turn.channel,
        description=draft.description or None,
        description_language=language,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        address=place.label if place else turn.place_fallback,
        ward=place.ward if place else None,
        neighborhood=place.neighborhood if place else None,
        attributes={code: list(values) for code, values in draft.answers},
        reporter_id=turn.identity.resident_id,
    )
    case = do_create_case(session, check_create_case(session, new), actor=actor)
    session.add(Subscription(case_id=case.id, resident_id=turn.identity.resident_id, identity_id=turn.identity.id))
    _add_photos_and_thread(session, turn, case, draft.photos)
    return case


def _add_to_case(session: Session, turn: Turn, effect: AddToCase) -> None:
    case = session.scalar(
        sa.select(Case).where(Case.public_id == effect.case_id, Case.reporter_id == turn.identity.resident_id)
    )
    if case is None:
        return
    _add_photos_and_thread(session, turn, case, effect.photos)
    if case.status in CLOSED_STATUSES and case.closure_reason is ClosureReason.NO_PROBLEM_FOUND:
        # The crew found nothing; the resident says it is still there: look again.
        do_change_status(session, case, CaseStatus.REOPENED, actor="resident", note=REOPEN_NOTE)


def _add_photos_and_thread(session: Session, turn: Turn, case: Case, photos: tuple[str, ...]) -> None:
    """Attaches the photos, and makes the messages not yet in a thread the case's thread."""
    shas = [name.split(".")[0] for name in photos]
    for media in session.scalars(sa.select(Media).where(Media.sha256.in_(shas))) if shas else ():
        do_attach_media(session, case, media, actor="resident")
    session.execute(
        sa.update(Message)
        .where(Message.identity_id == turn.identity.id, Message.case_id.is_(None))
        .values(case_id=case.id)
    )


def _mute(session: Session, turn: Turn, case_id: str) -> None:
    mine = sa.select(Case.id).where(Case.public_id == case_id)
    session.execute(
        sa.update(Subscription)
        .where(Subscription.resident_id == turn.identity.resident_id, Subscription.case_id.in_(mine))
        .values(muted_at=utcnow())
    )


def _status(session: Session, turn: Turn, asked: str | None, code: str | None = None) -> StatusFound:
    """The resident's cases — reported or subscribed to — open ones first, newest first;
    or only the case they named, when it is one of theirs or they quote its check code."""
    resident = turn.identity.resident_id
    subscribed = sa.select(Subscription.case_id).where(Subscription.resident_id == resident)
    query = sa.select(Case, Service.name).join(Service, Case.service_id == Service.id)
    proven = bool(asked and code and turn.secret_key and code_matches(turn.secret_key, asked, code))
    if not proven:
        query = query.where(sa.or_(Case.reporter_id == resident, Case.id.in_(subscribed)))
    if asked:
        query = query.where(Case.public_id == asked)
    open_first = sa.case((Case.status.in_(list(OPEN_STATUSES)), 0), else_=1)
    query = query.order_by(open_first, Case.requested_at.desc(), Case.id.desc()).limit(STATUS_CASES)
    rows = session.execute(query).all()
    notes = _last_public_notes(session, [case.id for case, _ in rows])
    return StatusFound(
        tuple(
            CaseSummary(
                case_id=str(case.public_id),
                category=case.service.code,
                category_name=name,
                place=case.address,
                status=case.status.value,
                team=case.department or "",
                since=case.updated_at.isoformat(),
                due=case.expected_at.isoformat() if case.expected_at and case.status in OPEN_STATUSES else None,
                last_note=notes.get(case.id),
            )
            for case, name in rows
        ),
        asked,
    )


def _last_public_notes(session: Session, case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    events = session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.public.is_(True), CaseEvent.note.is_not(None))
        # Notes people wrote, not the system's own ("Routed to Public Works").
        .where(CaseEvent.actor.not_like("system:%"))
        .order_by(CaseEvent.id)
    )
    return {event.case_id: str(event.note) for event in events}


def do_thread_replies(session: Session, turn: Turn, case_id: str) -> None:
    """The bot's answer that filed the case belongs to its thread too."""
    case_pk = session.scalar(sa.select(Case.id).where(Case.public_id == case_id))
    session.execute(
        sa.update(Message)
        .where(Message.identity_id == turn.identity.id, Message.case_id.is_(None))
        .values(case_id=case_pk)
    )


RECENT_DAYS = 30


def recent_cases(session: Session, resident_id: int, limit: int = 3) -> tuple[str, ...]:
    """The resident's reports of the last month, oldest first (the engine's order)."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    ids = session.scalars(
        sa.select(Case.public_id)
        .where(Case.reporter_id == resident_id, Case.requested_at >= since)
        .order_by(Case.requested_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    return tuple(str(public_id) for public_id in reversed(ids))


REPLY_WINDOW_DAYS = 14


def awaiting_reply(session: Session, resident_id: int) -> str | None:
    """The resident's report closed as "no problem found" in the last two weeks, if any:
    its notification invited them to reply."""
    since = utcnow() - timedelta(days=REPLY_WINDOW_DAYS)
    found = session.scalar(
        sa.select(Case.public_id)
        .where(
            Case.reporter_id == resident_id,
            Case.closure_reason == ClosureReason.NO_PROBLEM_FOUND,
            Case.status == CaseStatus.CLOSED,
            Case.closed_at >= since,
        )
        .order_by(Case.closed_at.desc())
        .limit(1)
    )
    return str(found) if found else None
