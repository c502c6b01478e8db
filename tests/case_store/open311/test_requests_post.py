"""POST Service Request: the spec's example request, other bodies, locations and privacy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.app import AppServices
from case_store.models import ApiKey, Case, CaseEvent, Channel, EventKind, Resident
from case_store.service import do_change_status
from case_store.statuses import CaseStatus, ClosureReason
from tests.case_store.open311.support import (
    API,
    FIXTURES,
    FORMATS,
    case_by_public_id,
    json_of,
    row_counts,
    spec_xml_example,
    tag_paths,
    xml_of,
)

pytestmark = pytest.mark.usefixtures("catalog")

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def fixture_body(name: str, api_key: str) -> bytes:
    """A fixture request body, with the spec's placeholder key ``xyz`` replaced by a real one."""
    text = (FIXTURES / name).read_text(encoding="utf-8").strip()
    for placeholder in ("api_key=xyz", '"api_key": "xyz"', "<api_key>xyz</api_key>"):
        text = text.replace(placeholder, placeholder.replace("xyz", api_key))
    assert api_key in text
    return text.encode("utf-8")


def events_of(services: AppServices, case_id: int) -> list[CaseEvent]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def post(client: FlaskClient, fmt: str, fields: Mapping[str, str | list[str]]) -> object:
    response = client.post(f"{API}/requests.{fmt}", data=urlencode(fields, doseq=True), content_type=FORM)
    return json_of(response, 201) if fmt == "json" else xml_of(response, 201)


def public_id_of(created: object) -> str:
    if isinstance(created, bytes):
        return ET.fromstring(created).findtext("request/service_request_id") or ""
    assert isinstance(created, list)
    return str(created[0]["service_request_id"])


# --- the spec's example request ---------------------------------------------------------


def test_spec_example_request_json(client: FlaskClient, services: AppServices, api_key: str) -> None:
    response = client.post(f"{API}/requests.json", data=fixture_body("post_request.txt", api_key), content_type=FORM)

    assert json_of(response, 201) == [
        {"service_request_id": "311-000001", "service_notice": None, "account_id": "123456"}
    ]
    case = case_by_public_id(services, "311-000001")
    assert case.channel is Channel.OPEN311
    assert case.service.code == "abandoned_vehicle"
    assert (case.lat, case.lon) == (37.76524078, -122.4212043)
    assert case.address == "1234 5th street"
    assert case.description == "A grey sedan with flat tires has not moved for three weeks"
    assert case.external_media_url == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert case.attributes == {"license_plate": "7ABC123", "time_parked": "more_than_7_days"}
    assert (case.device_id, case.account_id) == ("tt222111", "123456")
    # Created, then routed at once to the service's department.
    assert case.status is CaseStatus.ROUTED
    assert case.department == "Traffic & Parking"
    assert case.status_notes == "Routed to Traffic & Parking"
    # The SLA of abandoned_vehicle is 168 hours.
    assert case.expected_at is not None
    assert case.expected_at - case.requested_at == timedelta(hours=168)
    assert case.requested_at == case.updated_at
    assert datetime.now(case.requested_at.tzinfo) - case.requested_at < timedelta(minutes=1)

    with services.sessions() as session:
        key = session.scalar(sa.select(ApiKey).where(ApiKey.name == "test client"))
        assert key is not None and case.api_key_id == key.id
        reporter = session.get(Resident, case.reporter_id)
        assert reporter is not None
        # The contact details are kept, privately; 111111111 is no E.164 number, so no phone.
        assert (reporter.name, reporter.email, reporter.phone) == ("john smith", "smit333@sfgov.edu", None)

    events = events_of(services, case.id)
    assert [(e.kind, e.old_status, e.new_status, e.actor, e.public) for e in events] == [
        (EventKind.CREATED, None, CaseStatus.RECEIVED, "open311:test client", True),
        (EventKind.STATUS_CHANGED, CaseStatus.RECEIVED, CaseStatus.ROUTED, "system:routing", True),
    ]
    assert events[1].note == "Routed to Traffic & Parking"
    assert all(e.created_at == case.requested_at for e in events)

    [shown] = json_of(client.get(f"{API}/requests/311-000001.json"))
    requested = datetime.fromisoformat(shown["requested_datetime"])
    assert datetime.fromisoformat(shown["expected_datetime"]) - requested == timedelta(hours=168)
    assert (shown["status"], shown["agency_responsible"]) == ("open", "Traffic & Parking")


def test_spec_example_request_xml_has_the_spec_response_shape(client: FlaskClient, api_key: str) -> None:
    response = client.post(f"{API}/requests.xml", data=fixture_body("post_request.txt", api_key), content_type=FORM)

    xml = xml_of(response, 201)
    assert tag_paths(xml) == tag_paths(spec_xml_example("xml-service-request-post"))
    request = ET.fromstring(xml).find("request")
    assert request is not None
    assert {child.tag: child.text for child in request} == {
        "service_request_id": "311-000001",
        "service_notice": None,
        "account_id": "123456",
    }


def test_case_numbers_follow_each_other(client: FlaskClient, api_key: str) -> None:
    ids = [
        public_id_of(
            post(client, fmt, {"api_key": api_key, "service_code": "pothole", "address_string": f"{n} Oak St"})
        )
        for n, fmt in enumerate(["json", "xml", "json"], start=1)
    ]
    assert ids == ["311-000001", "311-000002", "311-000003"]


# --- attributes and body formats -------------------------------------------------------


def test_multivaluelist_with_bracket_keys(client: FlaskClient, services: AppServices, api_key: str) -> None:
    response = client.post(
        f"{API}/requests.json", data=fixture_body("post_request_multivaluelist.txt", api_key), content_type=FORM
    )

    assert json_of(response, 201)[0]["service_request_id"] == "311-000001"
    case = case_by_public_id(services, "311-000001")
    assert case.service.code == "illegal_dumping"
    assert case.attributes == {"items": ["furniture", "tires"], "private_property": "no"}
    # illegal_dumping: 120 hours, Public Works – Sanitation.
    assert case.expected_at is not None
    assert case.expected_at - case.requested_at == timedelta(hours=120)
    assert case.department == "Public Works – Sanitation"


def test_multivaluelist_repeated_values_are_kept_once_in_order(
    client: FlaskClient, services: AppServices, api_key: str
) -> None:
    post(
        client,
        "json",
        {
            "api_key": api_key,
            "service_code": "illegal_dumping",
            "address_string": "230 Elm St",
            "attribute[items][]": ["mattress", "tires", "mattress"],
            "attribute[items]": "other",
        },
    )
    assert case_by_public_id(services, "311-000001").attributes == {"items": ["mattress", "tires", "other"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_body_is_accepted(client: FlaskClient, services: AppServices, api_key: str, fmt: str) -> None:
    response = client.post(
        f"{API}/requests.{fmt}", data=fixture_body("post_request.json", api_key), content_type="application/json"
    )

    created = json_of(response, 201) if fmt == "json" else xml_of(response, 201)
    assert public_id_of(created) == "311-000001"
    case = case_by_public_id(services, "311-000001")
    assert case.channel is Channel.OPEN311
    assert (case.lat, case.lon, case.address) == (37.76524078, -122.4212043, "Alley behind 230 Elm Street")
    assert case.attributes == {"items": ["furniture", "tires"], "private_property": "no"}
    assert case.external_media_url == "https://photos.example.org/dumping/42.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_flat_xml_body_is_accepted(client: FlaskClient, services: AppServices, api_key: str, fmt: str) -> None:
    response = client.post(
        f"{API}/requests.{fmt}", data=fixture_body("post_request.xml", api_key), content_type="text/xml; charset=utf-8"
    )

    created = json_of(response, 201) if fmt == "json" else xml_of(response, 201)
    assert public_id_of(created) == "311-000001"
    case = case_by_public_id(services, "311-000001")
    assert case.service.code == "illegal_dumping"
    assert case.description == "Old couch and four tires dumped in the alley"
    assert case.attributes == {"items": ["furniture", "tires"], "private_property": "no"}
    assert (case.lat, case.lon) == (37.76524078, -122.4212043)


def test_xml_body_as_application_xml_with_a_single_value_attribute(
    client: FlaskClient, services: AppServices, api_key: str
) -> None:
    body = (
        "<?xml version='1.0' encoding='utf-8'?><request>"
        f"<api_key>{api_key}</api_key><service_code>streetlight</service_code>"
        "<address_id>MAR-000123</address_id><description>Luz apagada desde el lunes ñ</description>"
        "<attribute><problem>flickering</problem><pole_number>SL-88</pole_number></attribute></request>"
    )
    response = client.post(f"{API}/requests.json", data=body.encode(), content_type="application/xml")

    assert json_of(response, 201)[0]["service_request_id"] == "311-000001"
    case = case_by_public_id(services, "311-000001")
    assert case.attributes == {"pole_number": "SL-88", "problem": "flickering"}
    assert case.address_id == "MAR-000123"
    assert case.description == "Luz apagada desde el lunes ñ"


# --- locations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "stored", "shown"),
    [
        pytest.param(
            {"lat": "42.3876", "long": "-71.0995"},
            (42.3876, -71.0995, None, None),
            {"lat": 42.3876, "long": -71.0995, "address": None, "address_id": None},
            id="lat-long-only",
        ),
        pytest.param(
            {"address_string": "  1450   Oak St,\n Springfield  "},
            (None, None, "1450 Oak St, Springfield", None),
            {"lat": None, "long": None, "address": "1450 Oak St, Springfield", "address_id": None},
            id="address-string-only",
        ),
        pytest.param(
            {"address_id": "545483"},
            (None, None, None, "545483"),
            {"lat": None, "long": None, "address": None, "address_id": "545483"},
            id="address-id-only",
        ),
    ],
)
def test_each_kind_of_location_is_enough(
    client: FlaskClient,
    services: AppServices,
    api_key: str,
    fields: dict[str, str],
    stored: tuple[object, ...],
    shown: dict[str, object],
) -> None:
    post(client, "json", {"api_key": api_key, "service_code": "pothole", **fields})

    case = case_by_public_id(services, "311-000001")
    assert (case.lat, case.lon, case.address, case.address_id) == stored
    [document] = json_of(client.get(f"{API}/requests/311-000001.json"))
    assert {k: document[k] for k in shown} == shown


def test_media_url_is_stored_and_returned(client: FlaskClient, services: AppServices, api_key: str) -> None:
    url = "https://photos.example.org/reports/2024/pothole%20big.jpg?size=large"
    post(
        client, "json", {"api_key": api_key, "service_code": "pothole", "address_string": "1 Oak St", "media_url": url}
    )

    assert case_by_public_id(services, "311-000001").external_media_url == url
    assert json_of(client.get(f"{API}/requests/311-000001.json"))[0]["media_url"] == url
    xml = xml_of(client.get(f"{API}/requests.xml"))
    assert ET.fromstring(xml).findtext("request/media_url") == url


# --- privacy ----------------------------------------------------------------------------

PRIVATE = (
    "Zebulon",
    "Quimbyfrost",
    "zeb.quimby@example.net",
    "+16175550123",
    "6175550123",
    "555-0123",
    "dev-7f3a9",
    "acct-889911",
    "mia@example.org",
    "6175550199",
    "555-0199",
)


def test_contact_details_never_appear_in_any_get_output(
    client: FlaskClient, services: AppServices, api_key: str
) -> None:
    fields = {
        "api_key": api_key,
        "service_code": "pothole",
        "address_string": "1450 Oak St",
        "first_name": "Zebulon",
        "last_name": "Quimbyfrost",
        "email": "Zeb.Quimby@example.net",
        "phone": "+1 (617) 555-0123",
        "device_id": "dev-7f3a9",
        "account_id": "acct-889911",
        "description": "Deep pothole. Call me at 617-555-0199 or write to mia@example.org if needed.",
    }
    created = post(client, "json", fields)
    # The client's own account_id comes back to it in the POST response, as the spec says.
    assert created == [{"service_request_id": "311-000001", "service_notice": None, "account_id": "acct-889911"}]

    case = case_by_public_id(services, "311-000001")
    with services.sessions.begin() as session:
        reporter = session.get(Resident, case.reporter_id)
        assert reporter is not None
        assert (reporter.name, reporter.email, reporter.phone, reporter.contact_phone) == (
            "Zebulon Quimbyfrost",
            "zeb.quimby@example.net",
            None,
            "+16175550123",
        )
        # Staff notes can carry contact details too; status_notes publishes the last public one.
        loaded = session.get(Case, case.id)
        assert loaded is not None
        do_change_status(
            session,
            loaded,
            CaseStatus.RESOLVED,
            actor="staff:ana",
            closure_reason=ClosureReason.FIXED,
            note="Filled. Resident (617-555-0199, mia@example.org) was told.",
        )
    # The store keeps the text as typed, for staff.
    assert "617-555-0199" in (case_by_public_id(services, "311-000001").description or "")

    outputs: list[str] = []
    for fmt in FORMATS:
        for query in ("", "?extensions=true"):
            for path in (
                f"{API}/requests.{fmt}{query}",
                f"{API}/requests/311-000001.{fmt}{query}",
                f"{API}/requests.{fmt}?service_request_id=311-000001{query.replace('?', '&')}",
            ):
                response = client.get(path)
                assert response.status_code == 200, path
                outputs.append(response.get_data(as_text=True))
    assert len(outputs) == 12
    for output in outputs:
        assert "311-000001" in output
        for private in PRIVATE:
            assert private.lower() not in output.lower(), (private, output)
        assert "Call me at [phone removed] or write to [email removed] if needed." in output
        assert "Resident ([phone removed], [email removed]) was told." in output

    [document] = json_of(client.get(f"{API}/requests/311-000001.json?extensions=true"))
    assert document["description"] == "Deep pothole. Call me at [phone removed] or write to [email removed] if needed."
    assert document["status_notes"] == "Filled. Resident ([phone removed], [email removed]) was told."
    assert document["notes"][-1]["description"] == document["status_notes"]


def test_contact_phone_never_joins_an_existing_resident(
    client: FlaskClient, services: AppServices, api_key: str
) -> None:
    """An API client knowing a resident's number must not add cases to that resident's history."""
    with services.sessions.begin() as session:
        session.add(Resident(phone="+16175550123", name="Verified by SMS"))
    base = {"api_key": api_key, "service_code": "pothole", "address_string": "1 Oak St"}
    post(client, "json", {**base, "phone": "+16175550123", "first_name": "Ana"})
    post(client, "json", {**base, "phone": "+1 617 555 0123", "first_name": "Ana"})
    post(client, "json", {**base})

    first, second, third = (case_by_public_id(services, f"311-00000{n}") for n in (1, 2, 3))
    assert third.reporter_id is None
    with services.sessions() as session:
        verified = session.scalar(sa.select(Resident).where(Resident.phone == "+16175550123"))
        assert verified is not None and verified.id not in (first.reporter_id, second.reporter_id)
        reporters = [session.get(Resident, r) for r in (first.reporter_id, second.reporter_id)]
    assert first.reporter_id != second.reporter_id
    assert [(r.phone, r.contact_phone, r.name) for r in reporters if r] == [
        (None, "+16175550123", "Ana"),
        (None, "+16175550123", "Ana"),
    ]
    assert row_counts(services.engine)["residents"] == 3
