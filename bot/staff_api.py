"""The staff API (/api/v1), bearer tokens: list and read cases, reply, change status.
Our tools depend on exactly these paths and bodies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from bot.notify import STAFF_LANGUAGE, Notifier
from bot.staff_actions import change_status, find_case
from case_store.errors import CaseValidationError, NotFoundError, TransitionError
from case_store.models import Case, CaseEvent, Direction, EventKind, Message, Service
from case_store.staff import user_for_token
from case_store.statuses import CaseStatus, ClosureReason
from nlu.translate import Translator

PAGE_SIZE = 50
MAX_TEXT = 5000


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    internal: bool = False


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: CaseStatus
    closure_reason: ClosureReason | None = None
    note: str | None = Field(default=None, max_length=MAX_TEXT)


def staff_api_blueprint(sessions: sessionmaker[Session], notifier: Notifier, translator: Translator) -> Blueprint:
    bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")

    @bp.before_request
    def authenticate() -> tuple[Response, int] | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _error(401, "a bearer token is required (intake-bot staff token EMAIL)")
        with sessions.begin() as session:
            user = user_for_token(session, token.strip())
            if user is None:
                return _error(401, "the token is not valid")
            if not user.active:
                return _error(403, "this staff account is disabled")
            g.staff = (user.id, user.email, user.role.value)
        return None

    @bp.get("/cases")
    def list_cases() -> tuple[Response, int]:
        page = request.args.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= 10_000:
            return _error(422, "page must be a number from 1")
        query = sa.select(Case).join(Service, Case.service_id == Service.id)
        if status := request.args.get("status"):
            try:
                query = query.where(Case.status == CaseStatus(status))
            except ValueError:
                return _error(422, f"unknown status {status!r}; one of {', '.join(s.value for s in CaseStatus)}")
        if code := request.args.get("service_code"):
            query = query.where(Service.code == code)
        query = query.order_by(Case.requested_at.desc(), Case.id.desc())
        with sessions() as session:
            cases = session.scalars(query.offset((int(page) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique().all()
            return jsonify(cases=[_case(c) for c in cases], page=int(page)), 200

    @bp.get("/cases/<case_id>")
    def read_case(case_id: str) -> tuple[Response, int]:
        with sessions.begin() as session:
            try:
                case = find_case(session, case_id)
            except NotFoundError as error:
                return _error(404, str(error))
            do_translate_thread(session, case, translator)
            return jsonify(case=_case(case), events=_events(session, case), thread=_thread(session, case)), 200

    @bp.post("/cases/<case_id>/replies")
    def reply(case_id: str) -> tuple[Response, int]:
        body = _body(ReplyBody)
        if isinstance(body, tuple):
            return body
        actor = f"staff:{g.staff[1]}"
        with sessions.begin() as session:
            try:
                case = find_case(session, case_id)
            except NotFoundError as error:
                return _error(404, str(error))
            session.add(CaseEvent(case_id=case.id, kind=EventKind.NOTE, actor=actor, note=body.text, public=False))
            sent = 0 if body.internal else notifier.do_notify_reply(session, case, body.text, author=actor)
        return jsonify(case_id=case_id, internal=body.internal, messages_queued=sent), 201

    @bp.post("/cases/<case_id>/status")
    def status(case_id: str) -> tuple[Response, int]:
        body = _body(StatusBody)
        if isinstance(body, tuple):
            return body
        with sessions.begin() as session:
            try:
                case = find_case(session, case_id)
                change_status(
                    session,
                    notifier,
                    case,
                    body.status,
                    actor=f"staff:{g.staff[1]}",
                    closure_reason=body.closure_reason,
                    note=body.note,
                )
            except NotFoundError as error:
                return _error(404, str(error))
            except (CaseValidationError, TransitionError) as error:
                return _error(422, str(error))
            return jsonify(case=_case(case)), 200

    return bp


def do_translate_thread(session: Session, case: Case, translator: Translator, language: str = STAFF_LANGUAGE) -> None:
    """Gives each inbound message of the thread its translation for staff, once; the
    original is always kept. Without a model the message simply stays untranslated."""
    pending = session.scalars(
        sa.select(Message).where(
            Message.case_id == case.id,
            Message.direction == Direction.INBOUND,
            Message.translation.is_(None),
            Message.language.is_not(None),
            Message.language != language,
        )
    )
    for message in pending:
        result = translator.translate(message.text or "", message.language or "", language)
        if result.translated:
            message.translation, message.translation_language = result.text, language


def _body(model: type[BaseModel]) -> Any:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error(422, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        return _error(422, problems)


def _error(status: int, message: str) -> tuple[Response, int]:
    response = jsonify(error={"status": status, "message": message})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="staff"'
    return response, status


def _case(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.public_id,
        "service_code": case.service.code,
        "status": case.status.value,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "department": case.department,
        "description": case.description,
        "description_language": case.description_language,
        "address": case.address,
        "lat": case.lat,
        "lon": case.lon,
        "ward": case.ward,
        "neighborhood": case.neighborhood,
        "channel": case.channel.value if case.channel else None,
        "requested_at": case.requested_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "expected_at": case.expected_at.isoformat() if case.expected_at else None,
    }


def _events(session: Session, case: Case) -> list[dict[str, Any]]:
    events = session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    return [
        {
            "kind": e.kind.value,
            "actor": e.actor,
            "old_status": e.old_status.value if e.old_status else None,
            "new_status": e.new_status.value if e.new_status else None,
            "closure_reason": e.closure_reason.value if e.closure_reason else None,
            "note": e.note,
            "public": e.public,
            "at": e.created_at.isoformat(),
        }
        for e in events
    ]


def _thread(session: Session, case: Case) -> list[dict[str, Any]]:
    messages = session.scalars(sa.select(Message).where(Message.case_id == case.id).order_by(Message.id))
    return [
        {
            "id": str(m.id),
            "direction": m.direction.value,
            "channel": m.channel.value,
            "author": m.author,
            "text": m.text,
            "language": m.language,
            "translation": m.translation,
            "translation_language": m.translation_language,
            "delivery_status": m.delivery_status.value,
            "delivery_error": m.delivery_error,
            "photos": (m.extras or {}).get("photos", []),
            "at": m.created_at.isoformat(),
        }
        for m in messages
    ]

