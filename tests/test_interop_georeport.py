"""Interoperability: an independent Open311 client (``georeport`` from PyPI) against a live server.

Posting uses plain HTTP, exactly as the spec's example request is written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from georeport import GeoReport
from werkzeug.serving import make_server

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def post_like_the_spec(live_url: str, api_key: str) -> str:
    body = (
        f"api_key={api_key}&jurisdiction_id=city.test&service_code=abandoned_vehicle"
        "&lat=42.3876&long=-71.0995&address_string=119+Central+St"
        "&email=resident%40example.org&device_id=tt222111&account_id=123456"
        "&first_name=Jane&last_name=Resident&phone=%2B16175550100"
        "&description=Grey+sedan+parked+for+two+weeks&media_url=https%3A%2F%2Fphotos.example.org%2F1.jpg"
        "&attribute[license_plate]=ABC1234&attribute[time_parked]=more_than_7_days"
    )
    response = requests.post(
        f"{live_url}/requests.xml",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert "<service_request_id>311-000001</service_request_id>" in response.text
    return "311-000001"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_services_definitions_and_requests(
    live_url: str, api_key: str, output_format: str
) -> None:
    request_id = post_like_the_spec(live_url, api_key)
    client = GeoReport(live_url, jurisdiction="city.test", output_format=output_format)

    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert codes[:3] == ["pothole", "sidewalk", "streetlight"] and len(codes) == 22
    vehicle = next(s for s in services if s["service_code"] == "abandoned_vehicle")
    assert str(vehicle["metadata"]).lower() == "true"

    definition = client.get_service_definition("abandoned_vehicle")
    attributes = definition["attributes"]
    if output_format == "xml":  # xmltodict keeps the XML nesting
        attributes = attributes["attribute"]
    plate = next(a for a in attributes if a["code"] == "license_plate")
    assert str(plate["required"]).lower() == "true"

    listed = client.get_service_requests(service_code="abandoned_vehicle", status="open")
    if isinstance(listed, dict):  # xmltodict gives a dict for a single <request>
        listed = [listed]
    assert [r["service_request_id"] for r in listed] == [request_id]

    single = client.get_service_request(request_id)
    assert single["service_code"] == "abandoned_vehicle"
    assert single["status"] == "open"
    assert single["address"] == "119 Central St"
    assert single["media_url"] == "https://photos.example.org/1.jpg"
    assert single["agency_responsible"]
    assert float(single["lat"]) == pytest.approx(42.3876)
    text = repr(single) + repr(listed)
    for private in ("Jane", "Resident", "5550100", "resident@example.org", "tt222111"):
        assert private not in text


def test_georeport_client_sees_http_errors_for_unknown_request(live_url: str) -> None:
    client = GeoReport(live_url, jurisdiction="city.test")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request("311-999999")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json() == [
        {"code": 404, "description": "service_request_id '311-999999' was not found"}
    ]
