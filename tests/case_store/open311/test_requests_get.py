"""GET Service Requests and GET Service Request: documents, filters, extensions and photos."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image

from bot.app import AppServices
from case_store.models import Case, CaseEvent, EventKind, MediaRole
from case_store.service import check_status_change, do_add_media, do_change_status
from case_store.statuses import CLOSED_STATUSES, CaseStatus, ClosureReason
from tests.case_store.open311.support import (
    API,
    FORMATS,
    W3C_UTC,
    create_case,
    json_of,
    schema_errors,
    spec_xml_example,
    tag_paths,
    xml_items,
    xml_of,
)

pytestmark = pytest.mark.usefixtures("catalog")

NOW = datetime.now(UTC).replace(microsecond=0)


def w3c(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ids(client: FlaskClient, query: str = "", fmt: str = "json") -> list[str]:
    response = client.get(f"{API}/requests.{fmt}?{query}")
    if fmt == "json":
        return [r["service_request_id"] for r in json_of(response)]
    return [item["service_request_id"] or "" for item in xml_items(xml_of(response))]


def change(
    services: AppServices,
    public_id: str,
    *statuses: CaseStatus,
    reason: ClosureReason | None = None,
    note: str | None = None,
    public: bool = True,
    now: datetime | None = None,
) -> None:
    """Moves a case through ``statuses`` the way staff would, checks first."""
    with services.sessions.begin() as session:
        case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
        assert case is not None
        for status in statuses:
            closure = reason if status in CLOSED_STATUSES and status is not CaseStatus.DUPLICATE else None
            check_status_change(case, status, closure)
            do_change_status(
                session, case, status, actor="staff:test", note=note, closure_reason=closure, public=public, now=now
            )


def jpeg(color: str, size: tuple[int, int] = (16, 12)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), color).save(out, "PNG")
    return out.getvalue()


def attach_photo(services: AppServices, public_id: str, data: bytes, role: MediaRole = MediaRole.REPORT) -> str:
    stored = services.media.save(data)
    with services.sessions.begin() as session:
        case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
        assert case is not None
        do_add_media(session, case, stored, actor="sms:resident", role=role)
    return stored.filename


# --- documents --------------------------------------------------------------------------


def test_a_request_document_in_full(client: FlaskClient, services: AppServices) -> None:
    requested = NOW - timedelta(hours=3)
    create_case(
        services,
        "pothole",
        now=requested,
        description="Big hole\nin the right lane",
        address="1450 Oak St",
        attributes={"size": ["larger_than_tire"]},
    )

    expected = {
        "service_request_id": "311-000001",
        "status": "open",
        "status_notes": "Routed to Public Works – Highway",
        "service_name": "Pothole",
        "service_code": "pothole",
        "description": "Big hole\nin the right lane",
        "agency_responsible": "Public Works – Highway",
        "service_notice": None,
        "requested_datetime": w3c(requested),
        "updated_datetime": w3c(requested),
        "expected_datetime": w3c(requested + timedelta(hours=96)),
        "address": "1450 Oak St",
        "address_id": None,
        "zipcode": None,
        "lat": 42.3876,
        "long": -71.0995,
        "media_url": None,
    }
    assert json_of(client.get(f"{API}/requests/311-000001.json")) == [expected]
    assert json_of(client.get(f"{API}/requests.json")) == [expected]
    assert json_of(client.get(f"{API}/requests/311-000001.json?jurisdiction_id=city.test")) == [expected]
    # The XML carries the same values, element for element; None is an empty element.
    for path in (f"{API}/requests/311-000001.xml", f"{API}/requests.xml"):
        assert xml_items(xml_of(client.get(path))) == [{k: None if v is None else str(v) for k, v in expected.items()}]


def test_requests_validate_against_the_schemas(client: FlaskClient, services: AppServices) -> None:
    create_case(services, "pothole", now=NOW - timedelta(days=2), description="x" * 4000, address="1 Oak St")
    create_case(
        services,
        "abandoned_vehicle",
        now=NOW - timedelta(days=1),
        lat=None,
        lon=None,
        address="2 Elm St",
        attributes={"license_plate": ["none"], "time_parked": ["3_to_7_days"]},
    )
    third = create_case(
        services, "illegal_dumping", now=NOW - timedelta(hours=1), attributes={"items": ["tires", "mattress"]}
    )
    attach_photo(services, third, jpeg("blue"))
    change(services, "311-000001", CaseStatus.RESOLVED, reason=ClosureReason.FIXED)

    listed = json_of(client.get(f"{API}/requests.json"))
    assert [r["service_request_id"] for r in listed] == ["311-000003", "311-000002", "311-000001"]
    assert schema_errors("requests.json", listed) == []
    for request in listed:
        assert schema_errors("request.json", request) == []
        assert all(W3C_UTC.match(request[k]) for k in ("requested_datetime", "updated_datetime", "expected_datetime"))
    single = json_of(client.get(f"{API}/requests/311-000003.json"))
    assert schema_errors("requests.json", single) == []
    assert single == listed[:1]
    with_extensions = json_of(client.get(f"{API}/requests.json?extensions=true"))
    assert schema_errors("requests.json", with_extensions) == []

    # The check has teeth.
    listed[0]["status"] = "pending"
    listed[1]["requested_datetime"] = "2024-01-31 10:00"
    listed[2]["media_url"] = "not a url"
    assert len(schema_errors("requests.json", listed)) == 3


def test_requests_xml_has_the_spec_example_shape(client: FlaskClient, services: AppServices) -> None:
    create_case(services, "pothole", now=NOW - timedelta(hours=2), address="1 Oak St")
    create_case(services, "graffiti", now=NOW - timedelta(hours=1), address="2 Oak St")

    xml = xml_of(client.get(f"{API}/requests.xml"))
    assert tag_paths(xml) == tag_paths(spec_xml_example("xml-service-requests"))
    assert len(ET.fromstring(xml).findall("request")) == 2
    single = xml_of(client.get(f"{API}/requests/311-000001.xml"))
    assert tag_paths(single) == tag_paths(spec_xml_example("xml-service-request"))


def test_no_requests_is_an_empty_list(client: FlaskClient) -> None:
    assert json_of(client.get(f"{API}/requests.json")) == []
    assert tag_paths(xml_of(client.get(f"{API}/requests.xml"))) == {"service_requests"}


def test_long_descriptions_stay_within_the_spec_limit_after_redaction(
    client: FlaskClient, services: AppServices
) -> None:
    # 4,000 characters of short addresses: each "[email removed]" is longer than what it replaces.
    description = ("a@b.co " * 572)[:4000]
    create_case(services, "pothole", now=NOW - timedelta(hours=1), description=description)

    [document] = json_of(client.get(f"{API}/requests.json"))
    assert len(document["description"]) == 4000
    assert document["description"].startswith("[email removed] [email removed]")
    assert "@" not in document["description"]
    assert schema_errors("request.json", document) == []


# --- filters ----------------------------------------------------------------------------


def test_service_request_id_list_overrides_every_other_argument(client: FlaskClient, services: AppServices) -> None:
    create_case(services, "pothole", now=NOW - timedelta(hours=1))  # 311-000001
    create_case(services, "graffiti", now=NOW - timedelta(hours=2))  # 311-000002
    create_case(services, "pothole", now=NOW - timedelta(days=200))  # 311-000003, outside any window
    create_case(services, "graffiti", now=NOW - timedelta(hours=3))  # 311-000004
    change(services, "311-000004", CaseStatus.RESOLVED, reason=ClosureReason.FIXED)

    others = "&service_code=graffiti&status=closed&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
    assert ids(client, "service_request_id=311-000003,311-000001" + others) == ["311-000001", "311-000003"]
    assert ids(client, "service_request_id=311-000003, 311-000999 ,311-000001,311-000003") == [
        "311-000001",
        "311-000003",
    ]
    assert ids(client, "service_request_id=311-000003&service_request_id=311-000002", "xml") == [
        "311-000002",
        "311-000003",
    ]
    # The other arguments on their own do select something else.
    assert ids(client, "service_code=graffiti&status=closed") == ["311-000004"]
    # Overridden arguments are not even read: malformed ones do not turn the ids away.
    malformed = "&start_date=yesterday&status=pending&page_size=0&service_code=no_such_code"
    assert ids(client, "service_request_id=311-000002" + malformed) == ["311-000002"]


def test_service_code_filter_takes_a_comma_list(client: FlaskClient, services: AppServices) -> None:
    for hours, code in enumerate(["pothole", "graffiti", "noise", "pothole", "streetlight"], start=1):
        create_case(
            services,
            code,
            now=NOW - timedelta(hours=hours),
            attributes={"noise_source": ["alarm"]}
            if code == "noise"
            else {"problem": ["out"]}
            if code == "streetlight"
            else None,
        )

    assert ids(client, "service_code=pothole") == ["311-000001", "311-000004"]
    assert ids(client, "service_code=pothole,noise") == ["311-000001", "311-000003", "311-000004"]
    assert ids(client, "service_code=graffiti&service_code=streetlight", "xml") == ["311-000002", "311-000005"]
    assert ids(client, "service_code=sidewalk") == []
    assert ids(client, "service_code=") == [f"311-00000{n}" for n in range(1, 6)]


def test_status_filter_maps_the_detailed_statuses(client: FlaskClient, services: AppServices) -> None:
    journeys: dict[CaseStatus, tuple[CaseStatus, ...]] = {
        CaseStatus.ROUTED: (),
        CaseStatus.IN_QUEUE: (CaseStatus.IN_QUEUE,),
        CaseStatus.ONSITE_ATTEMPT: (CaseStatus.IN_QUEUE, CaseStatus.ONSITE_ATTEMPT),
        CaseStatus.RESOLVED: (CaseStatus.ONSITE_ATTEMPT, CaseStatus.RESOLVED),
        CaseStatus.CLOSED: (CaseStatus.CLOSED,),
        CaseStatus.DUPLICATE: (CaseStatus.DUPLICATE,),
        CaseStatus.REOPENED: (CaseStatus.RESOLVED, CaseStatus.REOPENED),
    }
    public_ids: dict[CaseStatus, str] = {}
    for hours, (final, journey) in enumerate(journeys.items(), start=1):
        public_ids[final] = create_case(services, "pothole", now=NOW - timedelta(hours=hours))
        change(services, public_ids[final], *journey, reason=ClosureReason.NO_PROBLEM_FOUND)
    opened = [public_ids[s] for s in journeys if s.is_open]
    closed = [public_ids[s] for s in journeys if not s.is_open]
    assert len(opened) == 4 and len(closed) == 3

    assert ids(client, "status=open") == opened
    assert ids(client, "status=closed") == closed
    assert ids(client, "status=closed", "xml") == closed
    assert ids(client, "status=OPEN,closed") == sorted(opened + closed)
    assert ids(client, "status=open&status=closed") == sorted(opened + closed)

    documents = json_of(client.get(f"{API}/requests.json?extensions=true"))
    shown = {d["service_request_id"]: (d["status"], d["detailed_status"]) for d in documents}
    assert shown == {public_ids[s]: ("open" if s.is_open else "closed", str(s)) for s in journeys}


@pytest.fixture
def spread_over_2024(services: AppServices) -> dict[str, str]:
    """Four cases at known times in 2024 (ids 311-000001 to 311-000004, out of order)."""
    times = {
        "mar": datetime(2024, 3, 20, 23, 59, 59, tzinfo=UTC),
        "jan": datetime(2024, 1, 10, 12, 0, tzinfo=UTC),
        "jun": datetime(2024, 6, 1, 0, 0, tzinfo=UTC),
        "feb": datetime(2024, 2, 15, 8, 30, tzinfo=UTC),
    }
    return {name: create_case(services, "pothole", now=when) for name, when in times.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start_date=2024-01-01T00:00:00Z&end_date=2024-03-01T00:00:00Z", ["feb", "jan"]),
        # Both ends are inclusive.
        ("start_date=2024-02-15T08:30:00Z&end_date=2024-03-20T23:59:59Z", ["mar", "feb"]),
        ("start_date=2024-02-15T08:30:01Z&end_date=2024-03-20T23:59:58Z", []),
        # Offsets are honoured, encoded or with the "+" a query string turns into a space.
        ("start_date=2024-02-15T10:30:00%2B02:00&end_date=2024-03-20T19:59:59-04:00", ["mar", "feb"]),
        ("start_date=2024-02-15T10:30:00+02:00&end_date=2024-03-21T00:59:59+01:00", ["mar", "feb"]),
        # Bare dates are midnight UTC.
        ("start_date=2024-02-15&end_date=2024-03-21", ["mar", "feb"]),
        # One end only: the other is 90 days away.
        ("start_date=2024-01-01T00:00:00Z", ["mar", "feb", "jan"]),
        ("end_date=2024-06-30T00:00:00Z", ["jun"]),
        ("end_date=2024-04-10T00:00:00Z", ["mar", "feb"]),
        ("end_date=2024-04-09T12:00:00Z", ["mar", "feb", "jan"]),
        # Exactly 90 days is allowed.
        ("start_date=2024-01-10T12:00:00Z&end_date=2024-04-09T12:00:00Z", ["mar", "feb", "jan"]),
    ],
)
def test_start_and_end_dates(
    client: FlaskClient, spread_over_2024: dict[str, str], query: str, expected: list[str]
) -> None:
    for fmt in FORMATS:
        assert ids(client, query, fmt) == [spread_over_2024[name] for name in expected]


def test_dates_combine_with_service_code_and_status(
    client: FlaskClient, services: AppServices, spread_over_2024: dict[str, str]
) -> None:
    create_case(services, "graffiti", now=datetime(2024, 2, 1, tzinfo=UTC))  # 311-000005
    change(services, spread_over_2024["jan"], CaseStatus.RESOLVED, reason=ClosureReason.FIXED)
    window = "start_date=2024-01-01T00:00:00Z&end_date=2024-03-30T00:00:00Z"

    assert ids(client, window) == ["311-000001", "311-000004", "311-000005", "311-000002"]
    assert ids(client, f"{window}&service_code=pothole&status=open") == ["311-000001", "311-000004"]
    assert ids(client, f"{window}&status=closed") == ["311-000002"]


def test_default_window_is_the_most_recent_90_days(
    client: FlaskClient, services: AppServices, spread_over_2024: dict[str, str]
) -> None:
    for days in (1, 89, 91, 400):
        create_case(services, "pothole", now=NOW - timedelta(days=days))  # 311-000005 to 311-000008
    assert ids(client) == ["311-000005", "311-000006"]
    assert ids(client, "status=open&service_code=pothole", "xml") == ["311-000005", "311-000006"]


def test_newest_first(client: FlaskClient, services: AppServices) -> None:
    for hours in (3, 1, 2, 5, 4):
        create_case(services, "pothole", now=NOW - timedelta(hours=hours))
    assert ids(client) == ["311-000002", "311-000003", "311-000001", "311-000005", "311-000004"]


def test_cases_of_the_same_second_keep_a_stable_order(client: FlaskClient, services: AppServices) -> None:
    for _ in range(3):
        create_case(services, "pothole", now=NOW - timedelta(minutes=5))
    assert ids(client) == ["311-000003", "311-000002", "311-000001"]
    assert ids(client, "page_size=1&page=2") == ["311-000002"]


def test_pages(client: FlaskClient, services: AppServices) -> None:
    for hours in range(1, 6):
        create_case(services, "pothole", now=NOW - timedelta(hours=hours))

    assert ids(client, "page_size=2") == ["311-000001", "311-000002"]
    assert ids(client, "page_size=2&page=1") == ["311-000001", "311-000002"]
    assert ids(client, "page_size=2&page=2") == ["311-000003", "311-000004"]
    assert ids(client, "page_size=2&page=3", "xml") == ["311-000005"]
    assert ids(client, "page_size=2&page=4") == []
    assert ids(client, "page_size=1000") == [f"311-00000{n}" for n in range(1, 6)]
    assert ids(client, "page=1&page_size=&status=") == [f"311-00000{n}" for n in range(1, 6)]


# --- extensions -------------------------------------------------------------------------


def test_extensions_add_detailed_status_public_notes_and_closure_reason(
    client: FlaskClient, services: AppServices
) -> None:
    t0 = NOW - timedelta(days=3)
    public_id = create_case(services, "pothole", now=t0, address="1450 Oak St")
    change(services, public_id, CaseStatus.IN_QUEUE, note="Crew scheduled for Tuesday", now=t0 + timedelta(days=1))
    change(
        services,
        public_id,
        CaseStatus.ONSITE_ATTEMPT,
        note="Internal: contractor B",
        public=False,
        now=t0 + timedelta(days=2),
    )
    attach_photo(services, public_id, jpeg("gray"))  # a resident's photo: not a public event
    change(
        services,
        public_id,
        CaseStatus.RESOLVED,
        reason=ClosureReason.FIXED,
        note="Patched with cold mix",
        now=t0 + timedelta(days=2, hours=4),
    )
    with services.sessions() as session:
        kinds = session.scalars(sa.select(CaseEvent.kind).order_by(CaseEvent.id)).all()
    assert kinds == [
        EventKind.CREATED,
        EventKind.STATUS_CHANGED,
        EventKind.STATUS_CHANGED,
        EventKind.STATUS_CHANGED,
        EventKind.MEDIA_ADDED,
        EventKind.STATUS_CHANGED,
    ]

    [plain] = json_of(client.get(f"{API}/requests/{public_id}.json"))
    [extended] = json_of(client.get(f"{API}/requests/{public_id}.json?extensions=true"))
    assert {k: v for k, v in extended.items() if k in plain} == plain
    assert plain["status"] == "closed"
    assert plain["status_notes"] == "Patched with cold mix"
    assert plain["updated_datetime"] == w3c(t0 + timedelta(days=2, hours=4))
    assert set(extended) - set(plain) == {
        "detailed_status",
        "detailed_status_text",
        "closure_reason",
        "closure_reason_text",
        "notes",
    }
    assert extended["detailed_status"] == "resolved"
    assert extended["detailed_status_text"] == "Resolved"
    assert extended["closure_reason"] == "fixed"
    assert extended["closure_reason_text"] == "The problem was fixed."
    assert extended["notes"] == [
        {"datetime": w3c(t0), "type": "created", "status": "received", "summary": "Received", "description": None},
        {
            "datetime": w3c(t0),
            "type": "status_changed",
            "status": "routed",
            "summary": "Routed to the responsible team",
            "description": "Routed to Public Works – Highway",
        },
        {
            "datetime": w3c(t0 + timedelta(days=1)),
            "type": "status_changed",
            "status": "in_queue",
            "summary": "In the team's work queue",
            "description": "Crew scheduled for Tuesday",
        },
        {
            "datetime": w3c(t0 + timedelta(days=2, hours=4)),
            "type": "status_changed",
            "status": "resolved",
            "summary": "Resolved",
            "description": "Patched with cold mix",
        },
    ]
    # The list says the same as the single request.
    assert json_of(client.get(f"{API}/requests.json?extensions=true")) == [extended]
    for value in ("false", "", "no"):
        assert json_of(client.get(f"{API}/requests.json?extensions={value}")) == [plain]

    xml = xml_of(client.get(f"{API}/requests/{public_id}.xml?extensions=true"))
    root = ET.fromstring(xml)
    assert root.findtext("request/detailed_status") == "resolved"
    assert root.findtext("request/closure_reason_text") == "The problem was fixed."
    notes = root.findall("request/notes/note")
    assert [n.findtext("status") for n in notes] == ["received", "routed", "in_queue", "resolved"]
    assert "Internal" not in xml.decode() and "contractor" not in xml.decode()
    assert tag_paths(xml) - tag_paths(spec_xml_example("xml-service-request")) == {
        "service_requests/request/" + tail
        for tail in (
            "detailed_status",
            "detailed_status_text",
            "closure_reason",
            "closure_reason_text",
            "notes",
            "notes/note",
            "notes/note/datetime",
            "notes/note/type",
            "notes/note/status",
            "notes/note/summary",
            "notes/note/description",
        )
    }


def test_extensions_of_an_open_case_and_a_duplicate(client: FlaskClient, services: AppServices) -> None:
    create_case(services, "graffiti", now=NOW - timedelta(hours=2))
    create_case(services, "graffiti", now=NOW - timedelta(hours=1))
    change(services, "311-000002", CaseStatus.DUPLICATE)

    documents = {d["service_request_id"]: d for d in json_of(client.get(f"{API}/requests.json?extensions=true"))}
    first, duplicate = documents["311-000001"], documents["311-000002"]
    assert (first["detailed_status"], first["closure_reason"], first["closure_reason_text"]) == ("routed", None, None)
    assert duplicate["status"] == "closed"
    assert duplicate["detailed_status_text"] == "Closed as a duplicate of an earlier report"
    assert duplicate["closure_reason"] == "duplicate"
    assert duplicate["closure_reason_text"] == "The problem was already reported."


# --- photos -----------------------------------------------------------------------------


def test_first_photo_is_the_media_url_and_is_served(client: FlaskClient, services: AppServices) -> None:
    public_id = create_case(services, "pothole", now=NOW - timedelta(hours=1))
    first_name = attach_photo(services, public_id, jpeg("red"))
    attach_photo(services, public_id, png("green"))
    create_case(services, "pothole", now=NOW - timedelta(hours=2))  # 311-000002: no photo
    assert first_name.endswith(".jpg")

    url = f"http://city.test/media/{first_name}"
    listed = json_of(client.get(f"{API}/requests.json"))
    assert [(r["service_request_id"], r["media_url"]) for r in listed] == [(public_id, url), ("311-000002", None)]
    assert json_of(client.get(f"{API}/requests/{public_id}.json"))[0]["media_url"] == url
    assert ET.fromstring(xml_of(client.get(f"{API}/requests/{public_id}.xml"))).findtext("request/media_url") == url

    served = client.get(urlsplit(url).path)
    assert served.status_code == 200
    assert served.content_type == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as image:
        assert (image.format, image.size) == ("JPEG", (16, 12))
    assert served.data == services.media.path_of(first_name).read_bytes()  # type: ignore[union-attr]


def test_staff_evidence_photos_are_not_the_media_url(client: FlaskClient, services: AppServices) -> None:
    public_id = create_case(services, "pothole", now=NOW - timedelta(hours=1))
    attach_photo(services, public_id, jpeg("white"), role=MediaRole.EVIDENCE)

    [document] = json_of(client.get(f"{API}/requests/{public_id}.json?extensions=true"))
    assert document["media_url"] is None
    assert document["notes"][-1]["type"] == "media_added"
