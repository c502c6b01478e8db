"""Refused requests: the spec's error envelope, the right HTTP status, a description that
names the problem, never a 500, and nothing written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.app import AppServices, create_app
from case_store.apikeys import do_create_api_key, do_revoke_api_key
from case_store.catalog import Catalog, ServiceDefinition, read_default_catalog
from case_store.catalog.load import do_load_catalog
from tests.case_store.open311.support import (
    API,
    ERROR_SHAPE,
    FIXTURES,
    FORMATS,
    assert_error,
    away_from_minute_boundary,
    create_case,
    json_of,
    row_counts,
    spec_xml_example,
    tag_paths,
)

KEY = "<api key>"  # replaced by the test's real key
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# A service beyond the default catalog, for the datatypes the catalog does not use.
METER_CHECK = ServiceDefinition.model_validate(
    {
        "code": "meter_check",
        "name": "Water meter check",
        "description": "A water meter that seems to read wrong.",
        "group": "Water & sewer",
        "department": "Water & Sewer",
        "sla_hours": 72,
        "attributes": [
            {"code": "reading", "datatype": "number", "description": "The meter reading", "required": True, "order": 1},
            {"code": "noticed_at", "datatype": "datetime", "description": "When did you notice?", "order": 2},
        ],
    }
)

# A complete, valid request; each case below changes one thing (None removes a field).
VALID: dict[str, str | list[str]] = {
    "api_key": KEY,
    "jurisdiction_id": "city.test",
    "service_code": "abandoned_vehicle",
    "lat": "42.3876",
    "long": "-71.0995",
    "address_string": "119 Central St",
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@example.org",
    "phone": "+16175550100",
    "description": "Grey sedan, flat tires",
    "attribute[license_plate]": "7ABC123",
    "attribute[time_parked]": "more_than_7_days",
}
Changes = Mapping[str, str | list[str] | None]
NO_LOCATION: Changes = {"lat": None, "long": None, "address_string": None}
METER: Changes = {
    "service_code": "meter_check",
    "attribute[license_plate]": None,
    "attribute[time_parked]": None,
    "attribute[reading]": "10452.5",
}


@dataclass(frozen=True)
class Bad:
    """One refused request: what is sent, and the status and words of the answer."""

    status: int
    words: tuple[str, ...]
    changes: Changes = field(default_factory=dict)  # POST form over VALID
    method: str = "POST"
    path: str = "/open311/v2/requests.{fmt}"
    body: bytes | None = None  # sent as is instead of a form
    content_type: str = FORM
    formats: tuple[str, ...] = FORMATS


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


CASES: dict[str, Bad] = {
    # -- what the request is about
    "unknown-service-code": Bad(
        404, ("service_code 'no_such_service' was not found",), {"service_code": "no_such_service"}
    ),
    "missing-service-code": Bad(400, ("service_code was not provided",), {"service_code": None}),
    "empty-service-code": Bad(400, ("service_code was not provided",), {"service_code": "  "}),
    "other-jurisdiction": Bad(404, ("jurisdiction_id 'other.city' was not found",), {"jurisdiction_id": "other.city"}),
    # -- where
    "missing-location": Bad(400, ("a location is required", "address_string", "address_id"), NO_LOCATION),
    "lat-without-long": Bad(400, ("lat and long must be sent together",), {"long": None}),
    "long-without-lat": Bad(400, ("lat and long must be sent together",), {**NO_LOCATION, "long": "-71.1"}),
    "lat-out-of-range": Bad(400, ("lat must be between -90 and 90",), {"lat": "90.5"}),
    "long-out-of-range": Bad(400, ("long must be between -180 and 180",), {"long": "-180.01"}),
    "lat-not-a-number": Bad(400, ("lat must be a decimal number",), {"lat": "42°23'N"}),
    "long-not-finite": Bad(400, ("long must be a finite number",), {"long": "-inf"}),
    "lat-nan": Bad(400, ("lat must be a finite number",), {"lat": "NaN"}),
    # -- what
    "description-4001": Bad(400, ("description is 4001 characters; the limit is 4000",), {"description": "x" * 4001}),
    "media-url-not-http": Bad(400, ("media_url must be an http or https URL",), {"media_url": "javascript:alert(1)"}),
    "email-not-an-address": Bad(400, ("email is not a valid email address",), {"email": "jane at example"}),
    "device-id-too-long": Bad(400, ("device_id is longer than 200 characters",), {"device_id": "d" * 201}),
    # -- who
    "missing-api-key": Bad(403, ("api_key was not provided",), {"api_key": None}),
    "empty-api-key": Bad(403, ("api_key was not provided",), {"api_key": ""}),
    "wrong-api-key": Bad(403, ("Invalid api_key",), {"api_key": "o311_" + "A" * 43}),
    "not-even-a-key": Bad(403, ("Invalid api_key",), {"api_key": "xyz"}),
    # -- attributes
    "attribute-not-in-list": Bad(
        400,
        ("attribute[time_parked] does not accept 'forever'", "more_than_7_days"),
        {"attribute[time_parked]": "forever"},
    ),
    "unknown-attribute-code": Bad(
        400, ("service 'abandoned_vehicle' has no attribute 'colour'", "license_plate"), {"attribute[colour]": "grey"}
    ),
    "missing-required-attribute": Bad(
        400, ("attribute[license_plate] is required for 'abandoned_vehicle'",), {"attribute[license_plate]": None}
    ),
    "empty-required-attribute": Bad(400, ("attribute[time_parked] is required",), {"attribute[time_parked]": ""}),
    "two-values-for-a-single-value": Bad(
        400,
        ("attribute[time_parked] takes a single value",),
        {"attribute[time_parked]": ["3_to_7_days", "more_than_7_days"]},
    ),
    "multivaluelist-value-not-in-list": Bad(
        400,
        ("attribute[items] does not accept 'piano'", "furniture"),
        {
            "service_code": "illegal_dumping",
            "attribute[license_plate]": None,
            "attribute[time_parked]": None,
            "attribute[items][]": ["furniture", "piano"],
        },
    ),
    "number-not-a-number": Bad(400, ("attribute[reading] must be a number",), {**METER, "attribute[reading]": "lots"}),
    "number-not-finite": Bad(
        400, ("attribute[reading] must be a finite number",), {**METER, "attribute[reading]": "1e999"}
    ),
    "datetime-not-a-datetime": Bad(
        400, ("attribute[noticed_at] must be an ISO 8601 date",), {**METER, "attribute[noticed_at]": "last week"}
    ),
    "attribute-key-malformed": Bad(
        400,
        ("'attribute[license_plate' is not of the form attribute[code]",),
        {"attribute[license_plate]": None, "attribute[license_plate": "7ABC123"},
    ),
    # -- characters no field can hold (PostgreSQL refuses NUL)
    "nul-in-service-code": Bad(400, ("'service_code' contains a NUL character",), {"service_code": "pothole\x00"}),
    "nul-in-email": Bad(400, ("'email' contains a NUL character",), {"email": "jane\x00@example.org"}),
    "nul-in-media-url": Bad(400, ("'media_url' contains a NUL character",), {"media_url": "http://a\x00b.org/1.jpg"}),
    # -- bodies
    "broken-json": Bad(
        400,
        ("the request body is not valid JSON",),
        body=b'{"service_code": "pothole",',
        content_type="application/json",
    ),
    "json-not-an-object": Bad(
        400, ("the JSON body must be an object",), body=b'["pothole"]', content_type="application/json"
    ),
    "json-nested-value": Bad(
        400,
        ("'lat' must be a string, a number or a list of them",),
        body=b'{"service_code": "pothole", "lat": {"deg": 42}}',
        content_type="application/json",
    ),
    "json-nested-too-deep": Bad(
        400, ("the request body is not valid JSON",), body=b'{"a": ' + b"[" * 20000, content_type="application/json"
    ),
    "json-unpaired-surrogate": Bad(
        400,
        ("'email' contains a NUL character or an unpaired surrogate",),
        body=b'{"api_key": "KEY", "service_code": "pothole", "address_string": "1 Oak St",'
        b' "email": "\\ud83d@example.org"}',
        content_type="application/json",
    ),
    "json-unpaired-surrogate-in-a-name": Bad(
        400,
        ("must be a string, a number or a list of them",),
        body=b'{"\\udc00": {"a": 1}}',
        content_type="application/json",
    ),
    "json-not-utf8": Bad(
        400,
        ("the request body is not valid JSON",),
        body=b'{"service_code": "\xff\xfe"}',
        content_type="application/json",
    ),
    "broken-xml": Bad(
        400,
        ("the request body is not valid XML",),
        body=b"<request><service_code>pothole</service_code>",
        content_type="text/xml",
    ),
    "xml-entity-bomb": Bad(
        400,
        ("XML entities and DTDs are not accepted",),
        body=fixture("entity_bomb.xml"),
        content_type="text/xml; charset=utf-8",
    ),
    "xml-external-entity": Bad(
        400,
        ("XML entities and DTDs are not accepted",),
        body=fixture("external_entity.xml"),
        content_type="application/xml",
    ),
    "xml-nested-element": Bad(
        400,
        ("XML element <description> must hold text",),
        body=b"<request><service_code>pothole</service_code><address_string>1 Oak St"
        b"</address_string><description><b>big</b></description></request>",
        content_type="text/xml",
    ),
    "body-too-large": Bad(
        400,
        ("the request body is larger than 64 KB",),
        body=urlencode({"service_code": "pothole", "description": "x" * 70_000}).encode(),
    ),
    # -- GET requests arguments
    "bad-start-date": Bad(
        400,
        ("start_date 'yesterday' is not a W3C date-time",),
        method="GET",
        path="/open311/v2/requests.{fmt}?start_date=yesterday",
    ),
    "bad-end-date": Bad(
        400,
        ("end_date '2024-13-01T00:00:00Z' is not a W3C date-time",),
        method="GET",
        path="/open311/v2/requests.{fmt}?end_date=2024-13-01T00:00:00Z",
    ),
    "end-before-start": Bad(
        400,
        ("start_date is after end_date",),
        method="GET",
        path="/open311/v2/requests.{fmt}?start_date=2024-03-01T00:00:00Z&end_date=2024-02-01T00:00:00Z",
    ),
    "91-day-range": Bad(
        400,
        ("may not span more than 90 days",),
        method="GET",
        path="/open311/v2/requests.{fmt}?start_date=2024-01-01T00:00:00Z&end_date=2024-04-01T00:00:01Z",
    ),
    "date-far-in-the-future": Bad(
        400,
        ("start_date '9999-12-31T23:59:59Z' is not between the years",),
        method="GET",
        path="/open311/v2/requests.{fmt}?start_date=9999-12-31T23:59:59Z",
    ),
    "date-before-year-one-in-utc": Bad(
        400,
        ("end_date '0001-01-01T00:00:00+01:00' is not a W3C date-time",),
        method="GET",
        path="/open311/v2/requests.{fmt}?end_date=0001-01-01T00:00:00%2B01:00",
    ),
    "bad-status": Bad(
        400,
        ("status 'pending' is not valid; use open or closed",),
        method="GET",
        path="/open311/v2/requests.{fmt}?status=open,pending",
    ),
    "page-size-0": Bad(
        400,
        ("page_size must be a whole number from 1 to 1000",),
        method="GET",
        path="/open311/v2/requests.{fmt}?page_size=0",
    ),
    "page-size-1001": Bad(
        400,
        ("page_size must be a whole number from 1 to 1000",),
        method="GET",
        path="/open311/v2/requests.{fmt}?page_size=1001",
    ),
    "page-size-superscript": Bad(
        400, ("page_size must be a whole number",), method="GET", path="/open311/v2/requests.{fmt}?page_size=%C2%B2"
    ),
    "page-with-5000-digits": Bad(
        400,
        ("page must be a whole number from 1 to 1000000",),
        method="GET",
        path="/open311/v2/requests.{fmt}?page=" + "9" * 5000,
    ),
    "page-negative": Bad(
        400, ("page must be a whole number",), method="GET", path="/open311/v2/requests.{fmt}?page=-1"
    ),
    "unknown-service-code-in-list": Bad(
        400,
        ("service_code 'no_such_service' is not a service of this city",),
        method="GET",
        path="/open311/v2/requests.{fmt}?service_code=pothole,no_such_service",
    ),
    "nul-in-service-request-id": Bad(
        400,
        ("'service_request_id' contains a NUL character",),
        method="GET",
        path="/open311/v2/requests.{fmt}?service_request_id=311-000001%00",
    ),
    "requests-other-jurisdiction": Bad(
        404,
        ("jurisdiction_id 'other.city' was not found",),
        method="GET",
        path="/open311/v2/requests.{fmt}?jurisdiction_id=other.city",
    ),
    # -- single requests and services
    "unknown-request-id": Bad(
        404,
        ("service_request_id '311-999999' was not found",),
        method="GET",
        path="/open311/v2/requests/311-999999.{fmt}",
    ),
    "malformed-request-id": Bad(
        404, ("service_request_id 'abc' was not found",), method="GET", path="/open311/v2/requests/abc.{fmt}"
    ),
    "request-other-jurisdiction": Bad(
        404,
        ("jurisdiction_id 'other.city' was not found",),
        method="GET",
        path="/open311/v2/requests/311-000001.{fmt}?jurisdiction_id=other.city",
    ),
    "unknown-service-definition": Bad(
        404,
        ("service_code 'no_such_service' was not found",),
        method="GET",
        path="/open311/v2/services/no_such_service.{fmt}",
    ),
    "nul-in-service-definition": Bad(
        400, ("'service_code' contains a NUL character",), method="GET", path="/open311/v2/services/pothole%00.{fmt}"
    ),
    # -- routes and methods
    "unknown-route": Bad(
        404, ("no such Open311 resource", "discovery.json"), method="GET", path="/open311/v2/nothing_here.{fmt}"
    ),
    "tokens-not-offered": Bad(404, ("no such Open311 resource",), method="GET", path="/open311/v2/tokens/123.{fmt}"),
    "unknown-version": Bad(404, ("no such Open311 resource",), method="GET", path="/open311/v3/services.{fmt}"),
    "unknown-format": Bad(
        404, ("no such Open311 resource",), method="GET", path="/open311/v2/services.csv", formats=("xml",)
    ),
    "no-format": Bad(404, ("no such Open311 resource",), method="GET", path="/open311/v2/requests", formats=("xml",)),
    "delete-requests": Bad(405, ("method DELETE is not allowed here",), method="DELETE"),
    "put-request": Bad(
        405, ("method PUT is not allowed here",), method="PUT", path="/open311/v2/requests/311-000001.{fmt}"
    ),
    "post-services": Bad(405, ("method POST is not allowed here",), path="/open311/v2/services.{fmt}"),
    "post-single-request": Bad(405, ("method POST is not allowed here",), path="/open311/v2/requests/311-000001.{fmt}"),
}

TABLE = [pytest.param(case, fmt, id=f"{name}-{fmt}") for name, case in CASES.items() for fmt in case.formats]


@pytest.fixture
def catalog_and_more(services: AppServices) -> None:
    """The default catalog plus a service with number and datetime attributes."""
    default = read_default_catalog()
    with services.sessions.begin() as session:
        do_load_catalog(session, Catalog(services=(*default.services, METER_CHECK)))


@pytest.fixture
def one_case(services: AppServices, catalog_and_more: None) -> Iterator[str]:
    # A case to exist, so nothing answers 404 for lack of data.
    yield create_case(services, "pothole")


def send(client: FlaskClient, case: Bad, fmt: str, api_key: str) -> TestResponse:
    path = case.path.format(fmt=fmt)
    if case.method != "POST":
        return client.open(path, method=case.method)
    if case.body is not None:
        body = case.body.replace(b"xyz", api_key.encode()).replace(b"KEY", api_key.encode())
        return client.post(path, data=body, content_type=case.content_type)
    fields = {**VALID, **case.changes}
    fields = {k: (api_key if v == KEY else v) for k, v in fields.items() if v is not None}
    return client.post(path, data=urlencode(fields, doseq=True), content_type=case.content_type)


@pytest.mark.parametrize(("case", "fmt"), TABLE)
def test_refused(client: FlaskClient, services: AppServices, api_key: str, one_case: str, case: Bad, fmt: str) -> None:
    before = row_counts(services.engine)

    response = send(client, case, fmt, api_key)

    assert_error(response, fmt, case.status, *case.words)
    assert row_counts(services.engine) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_valid_request_the_table_breaks_is_accepted(
    client: FlaskClient, services: AppServices, api_key: str, one_case: str, fmt: str
) -> None:
    # Each refusal above is caused by its one change, not by the rest of the request.
    before = row_counts(services.engine)
    for changes in (
        {},
        METER,
        {**METER, "attribute[noticed_at]": "2024-05-01T08:00:00-04:00"},
        {"description": "x" * 4000},
    ):
        response = send(client, Bad(201, (), changes), fmt, api_key)
        assert response.status_code == 201, response.data
    after = row_counts(services.engine)
    assert after["cases"] == before["cases"] + 4
    assert after["case_events"] == before["case_events"] + 8  # created and routed, each
    assert after["residents"] == before["residents"] + 4  # unverified contacts never merge


@pytest.mark.parametrize("fmt", FORMATS)
def test_revoked_api_key(client: FlaskClient, services: AppServices, one_case: str, fmt: str) -> None:
    with services.sessions.begin() as session:
        _, key = do_create_api_key(session, "retired client")
    fields = {**VALID, "api_key": key}
    assert client.post(f"{API}/requests.{fmt}", data=fields).status_code == 201
    with services.sessions.begin() as session:
        do_revoke_api_key(session, "retired client")
    before = row_counts(services.engine)

    response = client.post(f"{API}/requests.{fmt}", data=fields)

    assert_error(response, fmt, 403, "Invalid api_key received -- can't proceed with create_request")
    assert row_counts(services.engine) == before


def test_error_envelope_has_the_spec_example_shape(client: FlaskClient, catalog_and_more: None) -> None:
    assert ERROR_SHAPE == tag_paths(spec_xml_example("xml-errors"))
    response = client.post(f"{API}/requests.xml", data={"service_code": "pothole"})
    assert tag_paths(response.data) == ERROR_SHAPE
    assert json.loads(client.post(f"{API}/requests.json", data={"service_code": "pothole"}).data) == [
        {"code": 403, "description": "api_key was not provided -- can't proceed with create_request"}
    ]


def test_wrong_method_names_the_allowed_ones(client: FlaskClient) -> None:
    response = client.delete(f"{API}/requests.json")
    assert_error(response, "json", 405, "DELETE")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


# --- rate limit -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_rate_limit_per_api_key(services: AppServices, api_key: str, catalog_and_more: None, fmt: str) -> None:
    limited = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"open311_rate_limit_per_minute": 3})
    )
    client = create_app(services=limited).test_client()
    fields = {"api_key": api_key, "service_code": "pothole", "address_string": "1 Oak St"}
    away_from_minute_boundary()

    for _ in range(3):
        assert client.post(f"{API}/requests.{fmt}", data=fields).status_code == 201
    before = row_counts(services.engine)
    refused = client.post(f"{API}/requests.{fmt}", data=fields)

    assert_error(refused, fmt, 429, "too many requests for this api_key")
    assert refused.headers["Retry-After"] == "60"
    assert row_counts(services.engine) == before
    # Reading is not limited, and another client's key has its own allowance.
    assert len(json_of(client.get(f"{API}/requests.json"))) == 3
    with services.sessions.begin() as session:
        _, other_key = do_create_api_key(session, "other client")
    assert client.post(f"{API}/requests.{fmt}", data={**fields, "api_key": other_key}).status_code == 201
