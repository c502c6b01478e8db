"""The Open311 GeoReport v2 API under /open311/v2/, in JSON and XML."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Blueprint, Response, request
from sqlalchemy.orm import Session, sessionmaker

from case_store.apikeys import find_api_key
from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError
from case_store.media import media_filename
from case_store.models import Resident, Service
from case_store.open311 import serialize
from case_store.open311.body import STRUCTURED_BODY_TYPES, body_arguments
from case_store.open311.errors import Open311Error, bad_request, forbidden, not_found
from case_store.open311.params import (
    Contact,
    check_characters,
    check_public_id,
    first,
    parse_new_request,
    parse_requests_args,
    split_attribute_args,
    wants_extensions,
)
from case_store.queries import CaseQuery, find_cases, public_events, service_ids_for
from case_store.service import check_create_case, do_create_case

log = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_BODY = 64 * 1024  # a request is a few fields and at most 4,000 characters of text


class RateLimiter(Protocol):
    def allow(self, key: str, limit: int, window_seconds: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class Open311Config:
    public_base_url: str
    jurisdiction_id: str | None
    contact: str
    key_service: str | None
    posts_per_minute: int


def open311_blueprint(sessions: sessionmaker[Session], config: Open311Config, rate_limiter: RateLimiter) -> Blueprint:
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
    api_url = f"{config.public_base_url}/open311/v2"

    def media_url(first_photo: str | None) -> str | None:
        if not first_photo:
            return None
        sha256, content_type = first_photo.split(" ", 1)
        return f"{config.public_base_url}/media/{media_filename(sha256, content_type)}"

    def check_jurisdiction(args: Mapping[str, Sequence[str]]) -> None:
        given = first(args, "jurisdiction_id")
        if given is not None and config.jurisdiction_id and given != config.jurisdiction_id:
            raise not_found(f"jurisdiction_id {given[:80]!r} was not found")

    @bp.after_request
    def allow_public_reads(response: Response) -> Response:
        # Open311 data is public: maps and dashboards on other sites may read it.
        # Posting needs an API key and is left to same-origin or server-side clients.
        if request.method == "GET":
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @bp.before_request
    def refuse_unstorable_characters() -> None:
        check_characters(request.args.to_dict(flat=False))
        check_characters({k: [v] for k, v in (request.view_args or {}).items() if isinstance(v, str)})

    @bp.errorhandler(Open311Error)
    def open311_error(error: Open311Error) -> Response:
        return error_response(_format_of_path(request.path), error.http_status, error.description, error.headers)

    @bp.get("/discovery.<any(json, xml):fmt>")
    def discovery(fmt: str) -> Response:
        with sessions() as session:
            changed = session.scalar(sa.select(sa.func.max(Service.updated_at)))
        document = {
            "changeset": changed or utcnow(),
            "contact": config.contact,
            "key_service": config.key_service or config.contact,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": api_url,
                    "changeset": changed or utcnow(),
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return respond(fmt, "discovery", document)

    @bp.get("/services.<any(json, xml):fmt>")
    def services(fmt: str) -> Response:
        check_jurisdiction(request.args.to_dict(flat=False))
        with sessions() as session:
            rows = session.scalars(
                sa.select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.code)
            ).all()
            document = [serialize.service_document(s) for s in rows]
        return respond(fmt, "services", document)

    @bp.get("/services/<service_code>.<any(json, xml):fmt>")
    def service_definition(service_code: str, fmt: str) -> Response:
        check_jurisdiction(request.args.to_dict(flat=False))
        with sessions() as session:
            service = session.scalar(sa.select(Service).where(Service.code == service_code, Service.active.is_(True)))
            if service is None:
                raise not_found(f"service_code {service_code[:64]!r} was not found")
            document = serialize.definition_document(service)
        return respond(fmt, "service_definition", document)

    @bp.get("/requests.<any(json, xml):fmt>")
    def list_requests(fmt: str) -> Response:
        args = request.args.to_dict(flat=False)
        check_jurisdiction(args)
        parsed = parse_requests_args(args, now=utcnow())
        with sessions() as session:
            service_ids: tuple[int, ...] = ()
            if parsed.service_codes and not parsed.public_ids:
                known = service_ids_for(session, parsed.service_codes)
                unknown = [c for c in parsed.service_codes if c not in known]
                if unknown:
                    raise bad_request(f"service_code {unknown[0][:64]!r} is not a service of this city")
                service_ids = tuple(known.values())
            rows = find_cases(
                session,
                CaseQuery(
                    public_ids=parsed.public_ids,
                    service_ids=service_ids,
                    statuses=parsed.statuses,
                    start=parsed.start,
                    end=parsed.end,
                    page=parsed.page,
                    page_size=parsed.page_size,
                ),
            )
            document = documents_for(session, rows, extensions=parsed.extensions)
        return respond(fmt, "service_requests", document)

    @bp.get("/requests/<service_request_id>.<any(json, xml):fmt>")
    def get_request(service_request_id: str, fmt: str) -> Response:
        args = request.args.to_dict(flat=False)
        check_jurisdiction(args)
        public_id = check_public_id(service_request_id)
        extensions = wants_extensions(args)
        with sessions() as session:
            rows = find_cases(session, CaseQuery(public_ids=(public_id,), page_size=1))
            if not rows:
                raise not_found(f"service_request_id {public_id!r} was not found")
            document = documents_for(session, rows, extensions=extensions)
        return respond(fmt, "service_requests", document)

    def documents_for(session: Session, rows: Sequence[Any], *, extensions: bool) -> list[dict[str, Any]]:
        events = public_events(session, [row["id"] for row in rows]) if extensions else None
        return [
            serialize.request_document(
                row,
                media_url=media_url(row["first_photo"]),
                events=events.get(row["id"], []) if events is not None else None,
            )
            for row in rows
        ]

    @bp.post("/requests.<any(json, xml):fmt>")
    def create_request(fmt: str) -> Response:
        args, attributes = split_attribute_args(_post_arguments())
        check_jurisdiction(args)
        api_key = first(args, "api_key")
        if api_key is None:
            raise forbidden("api_key was not provided -- can't proceed with create_request")
        draft, contact = parse_new_request(args, attributes)
        with sessions.begin() as session:
            key = find_api_key(session, api_key)
            if key is None:
                raise forbidden("Invalid api_key received -- can't proceed with create_request")
            if config.posts_per_minute and not rate_limiter.allow(
                f"open311:post:{key.id}", config.posts_per_minute, 60
            ):
                raise Open311Error(
                    429, "too many requests for this api_key; retry in a minute", headers={"Retry-After": "60"}
                )
            reporter = _reporter(session, contact)
            try:
                checked = check_create_case(
                    session,
                    replace(draft, api_key_id=key.id, reporter_id=reporter.id if reporter else None),
                )
            except NotFoundError as exc:
                raise not_found(exc.message) from None
            except CaseValidationError as exc:
                raise bad_request(exc.message) from None
            case = do_create_case(session, checked, actor=f"open311:{key.name}")
            document = [{"service_request_id": case.public_id, "service_notice": None, "account_id": draft.account_id}]
        log.info("open311 request created", extra={"service_request_id": document[0]["service_request_id"]})
        return respond(fmt, "service_requests", document, status=201)

    return bp


def _reporter(session: Session, contact: Contact) -> Resident | None:
    """Keeps a request's contact details privately, as a reporter of this case only.

    The details are unverified, so they never join an existing resident: a client that
    knows someone's phone number must not be able to add cases to their history.
    """
    if not (contact.name or contact.email or contact.phone):
        return None
    resident = Resident(contact_phone=contact.phone, name=contact.name, email=contact.email)
    session.add(resident)
    session.flush()
    return resident


def _post_arguments() -> dict[str, list[str]]:
    """The POST's arguments: query string plus body, checked for unstorable characters."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise bad_request(f"the request body is larger than {MAX_BODY // 1024} KB")
    args: dict[str, list[str]] = request.args.to_dict(flat=False)
    if request.mimetype in STRUCTURED_BODY_TYPES:
        body = body_arguments(request.mimetype, request.get_data(cache=False))
    else:
        body = request.form.to_dict(flat=False)
    for key, values in body.items():
        args.setdefault(key, []).extend(values)
    check_characters(args)
    return args


def respond(fmt: str, root_tag: str, document: Any, *, status: int = 200) -> Response:
    if fmt == "json":
        body = serialize.render_json(document)
    else:
        body = serialize.render_xml(root_tag, document)
    return Response(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, http_status: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    response = respond(fmt, "errors", serialize.error_document(http_status, description), status=http_status)
    response.headers.update(headers or {})
    return response


def _format_of_path(path: str) -> str:
    return "json" if path.endswith(".json") else "xml"


def is_open311_path(path: str) -> bool:
    return path.startswith("/open311/")


def open311_error_for_path(path: str, http_status: int, description: str) -> Response:
    """The envelope for errors raised before an Open311 view runs (404 routes, 405, 413)."""
    return error_response(_format_of_path(path), http_status, description)
