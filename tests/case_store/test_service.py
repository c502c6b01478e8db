"""Creating cases, validating their answers, moving them through their lifecycle, photos."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from bot.app import AppServices
from case_store.attributes import AttributeValue
from case_store.catalog import AttributeDefinition
from case_store.errors import CaseValidationError, NotFoundError, TransitionError
from case_store.media import StoredMedia
from case_store.models import Case, CaseEvent, CaseMedia, Channel, EventKind, Media, MediaRole, Service
from case_store.public_ids import format_public_id, is_public_id
from case_store.service import (
    MAX_DESCRIPTION,
    NewCase,
    check_create_case,
    check_status_change,
    do_add_media,
    do_change_status,
    do_create_case,
)
from case_store.statuses import CaseStatus, ClosureReason, Open311Status, statuses_for

S = CaseStatus
POTHOLE_DEPARTMENT = "Public Works – Highway"  # from the default catalog
POTHOLE_SLA_HOURS = 96
# 09:30:15.123456 in New York (UTC-5) is 14:30:15.123456 UTC.
REQUESTED = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
REQUESTED_UTC = datetime(2024, 3, 1, 14, 30, 15, 123456, tzinfo=UTC)

SURVEY_ATTRIBUTES = [
    {"code": "plate", "datatype": "string", "description": "Plate", "order": 1},
    {"code": "depth_cm", "datatype": "number", "description": "Depth", "order": 2},
    {"code": "seen_at", "datatype": "datetime", "description": "When", "order": 3},
    {"code": "details", "datatype": "text", "description": "Details", "order": 4},
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "description": "How big?",
        "order": 5,
        "required": True,
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    },
    {
        "code": "hazards",
        "datatype": "multivaluelist",
        "description": "Hazards",
        "order": 6,
        "values": [
            {"key": "glass", "name": "Glass"},
            {"key": "oil", "name": "Oil"},
            {"key": "water", "name": "Water"},
        ],
    },
    {"code": "internal", "datatype": "string", "description": "Staff only", "order": 7, "variable": False},
]


# --- helpers ----------------------------------------------------------------------


def add_service(
    services: AppServices,
    code: str,
    *,
    department: str = "Streets",
    sla_hours: int = 24,
    attributes: Sequence[Mapping[str, Any]] = (),
    active: bool = True,
) -> None:
    """A service besides the default catalog, its attributes stored as do_load_catalog stores them."""
    stored = [AttributeDefinition.model_validate(a).model_dump(mode="json") for a in attributes]
    with services.sessions.begin() as session:
        session.add(
            Service(
                code=code,
                name=code.title(),
                description=code,
                group="Tests",
                keywords=[],
                department=department,
                sla_hours=sla_hours,
                attributes=stored,
                active=active,
                position=99,
            )
        )


def new_case(service_code: str = "pothole", **fields: Any) -> NewCase:
    fields.setdefault("lat", 41.881)
    fields.setdefault("lon", -87.623)
    return NewCase(service_code=service_code, channel=Channel.WEB, **fields)


def create(services: AppServices, draft: NewCase | None = None, *, now: datetime | None = None) -> int:
    with services.sessions.begin() as session:
        checked = check_create_case(session, draft or new_case())
        case = do_create_case(session, checked, actor="resident:1", now=now)
        return case.id


def checked_attributes(
    services: AppServices, service_code: str, answers: Mapping[str, Sequence[str]]
) -> dict[str, AttributeValue]:
    with services.sessions() as session:
        return check_create_case(session, new_case(service_code, attributes=answers)).attributes


def refused(services: AppServices, draft: NewCase) -> CaseValidationError:
    with services.sessions() as session, pytest.raises(CaseValidationError) as caught:
        check_create_case(session, draft)
    return caught.value


def read_case(services: AppServices, case_id: int) -> Case:
    with services.sessions() as session:
        return session.get_one(Case, case_id)


def events_of(services: AppServices, case_id: int) -> list[CaseEvent]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def change(
    services: AppServices,
    case_id: int,
    status: CaseStatus,
    reason: ClosureReason | None = None,
    *,
    note: str | None = None,
    public: bool = True,
) -> None:
    """Checks then applies a status change, as a caller of the service layer must."""
    with services.sessions.begin() as session:
        case = session.get_one(Case, case_id)
        check_status_change(case, status, reason)
        do_change_status(session, case, status, actor="staff:ana", note=note, closure_reason=reason, public=public)


def refused_change(
    services: AppServices, case_id: int, status: CaseStatus, reason: ClosureReason | None = None
) -> Exception:
    with services.sessions() as session, pytest.raises((TransitionError, CaseValidationError)) as caught:
        check_status_change(session.get_one(Case, case_id), status, reason)
    return caught.value


def case_at(services: AppServices, path: Sequence[tuple[CaseStatus, ClosureReason | None]]) -> int:
    """A new pothole case (routed on creation) moved along ``path``."""
    case_id = create(services)
    for status, reason in path:
        change(services, case_id, status, reason)
    return case_id


def photo(services: AppServices, colour: str = "red") -> StoredMedia:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "JPEG")
    return services.media.save(out.getvalue())


def attach(services: AppServices, case_id: int, stored: StoredMedia, role: MediaRole = MediaRole.REPORT) -> int:
    with services.sessions.begin() as session:
        return do_add_media(session, session.get_one(Case, case_id), stored, actor="resident:1", role=role).id


def count(services: AppServices, table: type[Any], *where: Any) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0


def as_utc(raw: Any) -> datetime:
    """A timestamp as the driver returned it: SQLite gives text, PostgreSQL an aware datetime."""
    value = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- public ids -------------------------------------------------------------------


def test_public_id_format() -> None:
    assert format_public_id(1) == "311-000001"
    assert format_public_id(123456) == "311-123456"
    assert format_public_id(12345678) == "311-12345678"
    assert all(is_public_id(format_public_id(pk)) for pk in (1, 999999, 10**17))
    for wrong in ("311-12345", "311-00000a", "312-000001", "311000001", " 311-000001", "311-000001\n", ""):
        assert not is_public_id(wrong), repr(wrong)


def test_cases_are_numbered_in_order(services: AppServices, catalog: None) -> None:
    ids = [create(services) for _ in range(3)]
    assert [read_case(services, i).public_id for i in ids] == ["311-000001", "311-000002", "311-000003"]


# --- creating ---------------------------------------------------------------------


def test_new_case_is_created_then_routed_to_the_department(services: AppServices, catalog: None) -> None:
    case_id = create(services, now=REQUESTED)

    case = read_case(services, case_id)
    assert case.status is S.ROUTED
    assert case.department == POTHOLE_DEPARTMENT
    assert case.status_notes == f"Routed to {POTHOLE_DEPARTMENT}"
    assert case.service.code == "pothole" and case.channel is Channel.WEB
    assert (case.closed_at, case.closure_reason) == (None, None)
    events = events_of(services, case_id)
    assert [(e.kind, e.old_status, e.new_status, e.actor) for e in events] == [
        (EventKind.CREATED, None, S.RECEIVED, "resident:1"),
        (EventKind.STATUS_CHANGED, S.RECEIVED, S.ROUTED, "system:routing"),
    ]
    assert events[1].note == f"Routed to {POTHOLE_DEPARTMENT}"
    assert all(e.public and e.created_at == REQUESTED_UTC for e in events)


def test_timestamps_are_stored_and_read_back_as_utc(services: AppServices, catalog: None) -> None:
    case_id = create(services, now=REQUESTED)

    case = read_case(services, case_id)
    for value in (case.requested_at, case.updated_at, case.expected_at):
        assert value is not None and value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert case.requested_at == REQUESTED_UTC and case.requested_at.hour == 14
    assert case.updated_at == REQUESTED_UTC
    assert case.expected_at == REQUESTED_UTC + timedelta(hours=POTHOLE_SLA_HOURS)
    # What the database itself holds is the UTC instant, not the caller's local time.
    with services.engine.connect() as connection:
        query = sa.text("SELECT requested_at, expected_at FROM cases WHERE id = :id")
        raw = connection.execute(query, {"id": case_id}).one()
    assert as_utc(raw[0]) == REQUESTED_UTC
    assert as_utc(raw[1]) == datetime(2024, 3, 5, 14, 30, 15, 123456, tzinfo=UTC)


def test_expected_time_follows_each_services_sla(services: AppServices, catalog: None) -> None:
    add_service(services, "quick_fix", sla_hours=5)
    case_id = create(services, new_case("quick_fix"), now=REQUESTED)
    assert read_case(services, case_id).expected_at == REQUESTED_UTC + timedelta(hours=5)


def test_service_without_department_stays_received(services: AppServices) -> None:
    add_service(services, "unassigned", department="")

    case_id = create(services, new_case("unassigned"))

    case = read_case(services, case_id)
    assert (case.status, case.department, case.status_notes) == (S.RECEIVED, None, "Received")
    assert [e.kind for e in events_of(services, case_id)] == [EventKind.CREATED]


def test_free_text_is_cleaned_before_it_is_stored(services: AppServices, catalog: None) -> None:
    draft = new_case(
        description="  Big\x00 hole\r\nnear the school\x07\r\n\tby the gate\x1b[0m\x85 cafe\u0301\rend \x7f ",
        address=" 12 Main St\r\nApt\x0b 4 ",
        address_id="\x00 A-17\r\n",
        zipcode=" 60601\n",
    )

    case = read_case(services, create(services, draft))

    assert case.description == "Big hole\nnear the school\n\tby the gate[0m caf\u00e9\nend"
    assert case.address == "12 Main St Apt 4"
    assert (case.address_id, case.zipcode) == ("A-17", "60601")


def test_description_of_only_blanks_and_controls_is_stored_as_none(services: AppServices, catalog: None) -> None:
    case = read_case(services, create(services, new_case(description=" \x00\r\n\t\x07 ")))
    assert case.description is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lat": None, "lon": None}, "location", "a location is required"),
        ({"lat": 41.0, "lon": None}, "lat", "sent together"),
        ({"lat": 91.0}, "lat", "between -90 and 90"),
        ({"lat": float("nan")}, "lat", "between -90 and 90"),
        ({"lon": -180.5}, "long", "between -180 and 180"),
        ({"description": "x" * (MAX_DESCRIPTION + 1)}, "description", f"the limit is {MAX_DESCRIPTION}"),
        ({"lat": None, "lon": None, "address": "a" * 501}, "address_string", "longer than 500"),
    ],
)
def test_invalid_case_is_refused(
    services: AppServices, catalog: None, fields: dict[str, Any], field: str, message: str
) -> None:
    error = refused(services, new_case(**fields))
    assert error.field == field and message in error.message


def test_address_alone_is_a_location(services: AppServices, catalog: None) -> None:
    case = read_case(services, create(services, new_case(lat=None, lon=None, address="5 Elm St")))
    assert (case.lat, case.lon, case.address) == (None, None, "5 Elm St")


@pytest.mark.parametrize("code", ["no_such_service", "retired"])
def test_unknown_or_retired_service_is_not_found(services: AppServices, code: str) -> None:
    add_service(services, "retired", active=False)
    with services.sessions() as session, pytest.raises(NotFoundError, match=code):
        check_create_case(session, new_case(code))


# --- attributes -------------------------------------------------------------------


@pytest.fixture
def survey(services: AppServices) -> str:
    """A service asking one question of every datatype; ``size`` is required."""
    add_service(services, "survey", attributes=SURVEY_ATTRIBUTES)
    return "survey"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({"plate": [" AB\r\n 123\x00 "]}, {"plate": "AB 123"}, id="string"),
        pytest.param({"depth_cm": ["12.5"]}, {"depth_cm": 12.5}, id="number"),
        pytest.param({"depth_cm": [" -3 "]}, {"depth_cm": -3.0}, id="number-negative"),
        pytest.param(
            {"seen_at": ["2024-05-01T08:30:00+02:00"]}, {"seen_at": "2024-05-01T08:30:00+02:00"}, id="datetime"
        ),
        pytest.param({"seen_at": [" 2024-05-01 08:30 "]}, {"seen_at": "2024-05-01T08:30:00"}, id="datetime-space"),
        pytest.param({"details": ["line one\r\n\x00line two\x7f\n"]}, {"details": "line one\nline two"}, id="text"),
        pytest.param({"size": [" large "]}, {"size": "large"}, id="singlevaluelist"),
        pytest.param({"hazards": ["oil", "glass", "oil", " "]}, {"hazards": ["oil", "glass"]}, id="multivaluelist"),
        pytest.param({"plate": ["   "], "depth_cm": []}, {}, id="blank-optional-answers-dropped"),
    ],
)
def test_attribute_answers_are_typed(
    services: AppServices, survey: str, answers: dict[str, list[str]], expected: dict[str, AttributeValue]
) -> None:
    checked = checked_attributes(services, survey, {"size": ["small"], **answers})
    assert checked == {"size": "small", **expected}


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        pytest.param({"depth_cm": ["deep"]}, "depth_cm", "must be a number", id="number-text"),
        pytest.param({"depth_cm": ["nan"]}, "depth_cm", "must be a finite number", id="number-nan"),
        pytest.param({"depth_cm": ["inf"]}, "depth_cm", "must be a finite number", id="number-inf"),
        pytest.param({"depth_cm": ["1", "2"]}, "depth_cm", "takes a single value", id="number-twice"),
        pytest.param({"seen_at": ["yesterday"]}, "seen_at", "ISO 8601", id="datetime-words"),
        pytest.param({"seen_at": ["2024-13-01T00:00"]}, "seen_at", "ISO 8601", id="datetime-month-13"),
        pytest.param({"plate": ["x" * 501]}, "plate", "longer than 500", id="string-too-long"),
        pytest.param({"details": ["x" * 4001]}, "details", "longer than 4000", id="text-too-long"),
        pytest.param(
            {"size": ["huge"]}, "size", "does not accept 'huge'; choose from: small, large", id="singlevaluelist"
        ),
        pytest.param({"size": ["small", "large"]}, "size", "takes a single value", id="singlevaluelist-two"),
        pytest.param(
            {"hazards": ["oil", "fire"]},
            "hazards",
            "does not accept 'fire'; choose from: glass, oil, water",
            id="multivaluelist",
        ),
        pytest.param({"hazards": ["oil"] * 51}, "hazards", "more than 50 values", id="multivaluelist-too-many"),
        pytest.param({"colour": ["red"]}, "colour", "has no attribute 'colour'; its attributes are", id="unknown"),
        pytest.param({"internal": ["x"]}, "internal", "has no attribute 'internal'", id="not-variable"),
        pytest.param({"size": []}, "size", "attribute[size] is required for 'survey': How big?", id="missing"),
        pytest.param({"size": ["  "]}, "size", "is required", id="blank-required"),
    ],
)
def test_invalid_attribute_answers_are_refused(
    services: AppServices, survey: str, answers: dict[str, list[str]], field: str, message: str
) -> None:
    error = refused(services, new_case(survey, attributes={"size": ["small"], **answers}))
    assert error.field == f"attribute[{field}]"
    assert message in error.message


def test_required_attributes_of_the_default_catalog(services: AppServices, catalog: None) -> None:
    error = refused(services, new_case("abandoned_vehicle", attributes={"time_parked": ["3_to_7_days"]}))
    assert error.field == "attribute[license_plate]"
    answers = {"license_plate": ["ABC 123"], "time_parked": ["3_to_7_days"], "vehicle_color": ["blue"]}

    case = read_case(services, create(services, new_case("abandoned_vehicle", attributes=answers)))

    assert case.attributes == {"license_plate": "ABC 123", "vehicle_color": "blue", "time_parked": "3_to_7_days"}


def test_typed_attributes_are_stored_with_the_case(services: AppServices, survey: str) -> None:
    answers = {"size": ["large"], "depth_cm": ["7"], "hazards": ["water", "glass"], "seen_at": ["2024-05-01T08:30Z"]}

    case = read_case(services, create(services, new_case(survey, attributes=answers)))

    assert case.attributes == {
        "size": "large",
        "depth_cm": 7.0,
        "hazards": ["water", "glass"],
        "seen_at": "2024-05-01T08:30:00+00:00",
    }


# --- statuses ---------------------------------------------------------------------


def test_case_follows_the_resident_pipeline_to_resolved(services: AppServices, catalog: None) -> None:
    case_id = create(services)

    change(services, case_id, S.IN_QUEUE)
    change(services, case_id, S.ONSITE_ATTEMPT, note="Crew on site\r\n")
    change(services, case_id, S.RESOLVED, ClosureReason.FIXED, note="Filled")

    case = read_case(services, case_id)
    assert (case.status, case.closure_reason, case.status_notes) == (S.RESOLVED, ClosureReason.FIXED, "Filled")
    assert case.status.open311 is Open311Status.CLOSED
    assert case.closed_at is not None and case.closed_at == case.updated_at
    assert case.closed_at.utcoffset() == timedelta(0)
    events = events_of(services, case_id)
    transitions = [(e.kind, e.old_status, e.new_status, e.closure_reason, e.note) for e in events]
    assert transitions == [
        (EventKind.CREATED, None, S.RECEIVED, None, None),
        (EventKind.STATUS_CHANGED, S.RECEIVED, S.ROUTED, None, f"Routed to {POTHOLE_DEPARTMENT}"),
        (EventKind.STATUS_CHANGED, S.ROUTED, S.IN_QUEUE, None, None),
        (EventKind.STATUS_CHANGED, S.IN_QUEUE, S.ONSITE_ATTEMPT, None, "Crew on site"),
        (EventKind.STATUS_CHANGED, S.ONSITE_ATTEMPT, S.RESOLVED, ClosureReason.FIXED, "Filled"),
    ]


def test_status_notes_default_to_the_status_text(services: AppServices, catalog: None) -> None:
    case_id = create(services)
    change(services, case_id, S.IN_QUEUE)
    assert read_case(services, case_id).status_notes == "In the team's work queue"


def test_private_change_keeps_the_public_notes(services: AppServices, catalog: None) -> None:
    case_id = create(services)
    change(services, case_id, S.IN_QUEUE, note="crew 7, low priority", public=False)
    case = read_case(services, case_id)
    assert case.status is S.IN_QUEUE and case.status_notes == f"Routed to {POTHOLE_DEPARTMENT}"
    assert events_of(services, case_id)[-1].public is False


@pytest.mark.parametrize("closing", [S.RESOLVED, S.CLOSED])
def test_closing_needs_a_reason(services: AppServices, catalog: None, closing: CaseStatus) -> None:
    case_id = create(services)
    error = refused_change(services, case_id, closing)
    assert isinstance(error, CaseValidationError) and error.field == "closure_reason"
    assert read_case(services, case_id).status is S.ROUTED


def test_closing_as_duplicate_implies_its_reason(services: AppServices, catalog: None) -> None:
    case_id = case_at(services, [(S.DUPLICATE, None)])
    case = read_case(services, case_id)
    assert (case.status, case.closure_reason) == (S.DUPLICATE, ClosureReason.DUPLICATE)
    assert events_of(services, case_id)[-1].closure_reason is ClosureReason.DUPLICATE


def test_only_closing_takes_a_reason(services: AppServices, catalog: None) -> None:
    error = refused_change(services, create(services), S.IN_QUEUE, ClosureReason.FIXED)
    assert isinstance(error, CaseValidationError) and error.field == "closure_reason"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], S.ROUTED),  # already routed
        ([], S.REOPENED),  # nothing to reopen
        ([], S.RECEIVED),
        ([(S.ONSITE_ATTEMPT, None)], S.ROUTED),
        ([(S.RESOLVED, ClosureReason.FIXED)], S.IN_QUEUE),
        ([(S.RESOLVED, ClosureReason.FIXED)], S.CLOSED),
        ([(S.CLOSED, ClosureReason.CANCELLED)], S.RESOLVED),
        ([(S.DUPLICATE, None)], S.ROUTED),
    ],
)
def test_illegal_transition_is_refused(
    services: AppServices,
    catalog: None,
    path: list[tuple[CaseStatus, ClosureReason | None]],
    illegal: CaseStatus,
) -> None:
    case_id = case_at(services, path)
    before = read_case(services, case_id).status
    reason = ClosureReason.FIXED if illegal in (S.RESOLVED, S.CLOSED) else None

    error = refused_change(services, case_id, illegal, reason)

    assert isinstance(error, TransitionError)
    assert error.message == f"a case that is {before} cannot become {illegal}"


def test_resolved_case_can_be_reopened_and_resolved_again(services: AppServices, catalog: None) -> None:
    case_id = case_at(services, [(S.RESOLVED, ClosureReason.NO_PROBLEM_FOUND)])

    change(services, case_id, S.REOPENED, note="Still there")

    case = read_case(services, case_id)
    assert (case.status, case.closed_at, case.closure_reason) == (S.REOPENED, None, None)
    assert case.status.open311 is Open311Status.OPEN and case.status_notes == "Still there"
    last = events_of(services, case_id)[-1]
    assert (last.kind, last.old_status, last.new_status) == (EventKind.REOPENED, S.RESOLVED, S.REOPENED)

    change(services, case_id, S.ROUTED)
    change(services, case_id, S.RESOLVED, ClosureReason.FIXED)
    case = read_case(services, case_id)
    assert (case.status, case.closure_reason) == (S.RESOLVED, ClosureReason.FIXED)
    assert case.closed_at is not None


OPEN311_STATUS = {
    S.RECEIVED: "open",
    S.ROUTED: "open",
    S.IN_QUEUE: "open",
    S.ONSITE_ATTEMPT: "open",
    S.REOPENED: "open",
    S.RESOLVED: "closed",
    S.CLOSED: "closed",
    S.DUPLICATE: "closed",
}


def test_every_status_has_an_open311_status() -> None:
    assert set(OPEN311_STATUS) == set(CaseStatus)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_open311_status_is_derived(status: CaseStatus) -> None:
    expected = Open311Status(OPEN311_STATUS[status])
    assert status.open311 is expected
    assert status.is_open is (expected is Open311Status.OPEN)
    assert status in statuses_for(expected)
    other = Open311Status.CLOSED if expected is Open311Status.OPEN else Open311Status.OPEN
    assert status not in statuses_for(other)


# --- photos -----------------------------------------------------------------------


def test_same_photo_is_attached_once(services: AppServices, catalog: None) -> None:
    case_id = create(services)
    stored = photo(services)

    first = attach(services, case_id, stored)
    again = attach(services, case_id, photo(services))  # sent again: same bytes, same hash

    assert again == first
    assert count(services, Media) == 1
    assert count(services, CaseMedia, CaseMedia.case_id == case_id) == 1
    added = [e for e in events_of(services, case_id) if e.kind is EventKind.MEDIA_ADDED]
    assert len(added) == 1 and added[0].public is False  # a resident's photo is not a public note
    with services.sessions() as session:
        media = session.scalars(sa.select(Media)).one()
    assert (media.sha256, media.content_type, media.width, media.height) == (stored.sha256, "image/jpeg", 16, 12)
    assert media.byte_size == stored.byte_size


def test_photo_shared_by_two_cases_is_stored_once(services: AppServices, catalog: None) -> None:
    first_case, second_case = create(services), create(services)
    stored = photo(services)

    attach(services, first_case, stored)
    attach(services, second_case, stored)
    attach(services, first_case, photo(services, "blue"), MediaRole.EVIDENCE)

    assert count(services, Media) == 2
    assert count(services, CaseMedia, CaseMedia.case_id == first_case) == 2
    assert count(services, CaseMedia, CaseMedia.case_id == second_case) == 1
    evidence = [e for e in events_of(services, first_case) if e.kind is EventKind.MEDIA_ADDED]
    assert [e.public for e in evidence] == [False, True]  # staff evidence is public
