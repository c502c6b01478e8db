"""GET Service List, GET Service Definition and service discovery, against the spec."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient

from bot.app import AppServices
from case_store.catalog import Catalog, ServiceDefinition, read_default_catalog
from case_store.catalog.load import do_load_catalog
from tests.case_store.open311.support import (
    API,
    FORMATS,
    W3C_UTC,
    assert_error,
    json_of,
    schema_errors,
    spec_xml_example,
    tag_paths,
    xml_items,
    xml_of,
)

pytestmark = pytest.mark.usefixtures("catalog")

DEFAULT = read_default_catalog()


def expected_service(definition: ServiceDefinition) -> dict[str, Any]:
    """What the spec's service list says about one catalog entry."""
    return {
        "service_code": definition.code,
        "service_name": definition.name,
        "description": definition.description,
        "metadata": bool(definition.attributes),
        "type": "realtime",
        "keywords": ", ".join(definition.keywords),
        "group": definition.group,
    }


def expected_definition(definition: ServiceDefinition) -> dict[str, Any]:
    attributes = []
    for attribute in sorted(definition.attributes, key=lambda a: a.order):
        item: dict[str, Any] = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": str(attribute.datatype),
            "required": attribute.required,
            "datatype_description": attribute.datatype_description,
            "order": attribute.order,
            "description": attribute.description,
        }
        if attribute.values:
            item["values"] = [{"key": v.key, "name": v.name} for v in attribute.values]
        attributes.append(item)
    return {"service_code": definition.code, "attributes": attributes}


def definition_of(code: str) -> ServiceDefinition:
    return next(s for s in DEFAULT.services if s.code == code)


# --- GET Service List -------------------------------------------------------------------


def test_services_json_validates_and_lists_the_catalog_in_order(client: FlaskClient) -> None:
    document = json_of(client.get(f"{API}/services.json"))

    assert schema_errors("services.json", document) == []
    assert [s["service_code"] for s in document] == list(DEFAULT.codes())
    assert len(document) == 22
    assert document == [expected_service(d) for d in DEFAULT.services]
    with_metadata = {s["service_code"] for s in document if s["metadata"] is True}
    assert with_metadata == {d.code for d in DEFAULT.services if d.attributes}
    assert {"abandoned_vehicle", "illegal_dumping", "pothole"} <= with_metadata
    assert {"sidewalk", "other"}.isdisjoint(with_metadata)
    assert all(s["metadata"] in (True, False) for s in document)


def test_services_schema_check_is_not_vacuous(client: FlaskClient) -> None:
    document = json_of(client.get(f"{API}/services.json"))
    document[0]["metadata"] = "true"
    del document[1]["type"]
    assert len(schema_errors("services.json", document)) == 2


def test_services_xml_has_the_spec_example_shape_and_the_same_content(client: FlaskClient) -> None:
    xml = xml_of(client.get(f"{API}/services.xml"))

    assert tag_paths(xml) == tag_paths(spec_xml_example("xml-service-list"))
    items = xml_items(xml)
    assert [i["service_code"] for i in items] == list(DEFAULT.codes())
    for item, definition in zip(items, DEFAULT.services, strict=True):
        expected = expected_service(definition)
        expected["metadata"] = "true" if expected["metadata"] else "false"
        assert item == expected
    # Text is escaped, not mangled: the groups' ampersands come back as "&amp;".
    assert b"<group>Streets &amp; sidewalks</group>" in xml


@pytest.mark.parametrize("jurisdiction", ["city.test", ""])
def test_services_accepts_our_jurisdiction_or_none(client: FlaskClient, jurisdiction: str) -> None:
    document = json_of(client.get(f"{API}/services.json", query_string={"jurisdiction_id": jurisdiction}))
    assert len(document) == 22


def test_retired_services_are_no_longer_offered(client: FlaskClient, services: AppServices, api_key: str) -> None:
    with services.sessions.begin() as session:
        summary = do_load_catalog(session, Catalog(services=tuple(s for s in DEFAULT.services if s.code != "snow_ice")))
    assert summary.retired == ("snow_ice",)

    codes = [s["service_code"] for s in json_of(client.get(f"{API}/services.json"))]
    assert "snow_ice" not in codes and len(codes) == 21
    assert_error(client.get(f"{API}/services/snow_ice.json"), "json", 404, "'snow_ice'", "not found")
    response = client.post(
        f"{API}/requests.json", data={"api_key": api_key, "service_code": "snow_ice", "address_string": "1 Elm St"}
    )
    assert_error(response, "json", 404, "'snow_ice'", "not found")


# --- GET Service Definition -------------------------------------------------------------


@pytest.mark.parametrize("code", ["abandoned_vehicle", "illegal_dumping", "streetlight", "bulk_pickup", "sidewalk"])
def test_service_definition_json_validates_and_matches_the_catalog(client: FlaskClient, code: str) -> None:
    document = json_of(client.get(f"{API}/services/{code}.json"))

    assert schema_errors("service-definition.json", document) == []
    assert document == expected_definition(definition_of(code))


def test_service_definition_content_of_abandoned_vehicle(client: FlaskClient) -> None:
    document = json_of(client.get(f"{API}/services/abandoned_vehicle.json?jurisdiction_id=city.test"))

    assert document["service_code"] == "abandoned_vehicle"
    attributes = document["attributes"]
    assert [a["code"] for a in attributes] == ["license_plate", "vehicle_color", "vehicle_make", "time_parked"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4]
    plate = attributes[0]
    assert plate == {
        "variable": True,
        "code": "license_plate",
        "datatype": "string",
        "required": True,
        "datatype_description": 'Write "none" if there is no plate.',
        "order": 1,
        "description": "License plate number (and state, if not local)",
    }
    assert attributes[3]["datatype"] == "singlevaluelist" and attributes[3]["required"] is True
    assert attributes[3]["values"] == [
        {"key": "less_than_3_days", "name": "Less than 3 days"},
        {"key": "3_to_7_days", "name": "3 to 7 days"},
        {"key": "more_than_7_days", "name": "More than 7 days"},
    ]


def test_service_definition_schema_check_is_not_vacuous(client: FlaskClient) -> None:
    document = json_of(client.get(f"{API}/services/abandoned_vehicle.json"))
    document["attributes"][0]["datatype"] = "colour"
    document["attributes"][3]["values"][0] = {"key": "x"}
    assert len(schema_errors("service-definition.json", document)) == 2


@pytest.mark.parametrize("code", ["abandoned_vehicle", "missed_collection"])
def test_service_definition_xml_has_the_spec_example_shape(client: FlaskClient, code: str) -> None:
    xml = xml_of(client.get(f"{API}/services/{code}.xml"))

    assert tag_paths(xml) == tag_paths(spec_xml_example("xml-service-definition"))
    root = ET.fromstring(xml)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == code
    expected = expected_definition(definition_of(code))["attributes"]
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == [a["code"] for a in expected]
    for element, attribute in zip(attributes, expected, strict=True):
        assert element.findtext("variable") == "true"
        assert element.findtext("required") == ("true" if attribute["required"] else "false")
        assert element.findtext("order") == str(attribute["order"])
        assert element.findtext("datatype") == attribute["datatype"]
        assert [(v.findtext("key"), v.findtext("name")) for v in element.findall("values/value")] == [
            (v["key"], v["name"]) for v in attribute.get("values", [])
        ]


def test_service_definition_of_a_service_without_attributes(client: FlaskClient) -> None:
    assert json_of(client.get(f"{API}/services/sidewalk.json")) == {"service_code": "sidewalk", "attributes": []}
    xml = xml_of(client.get(f"{API}/services/sidewalk.xml"))
    assert tag_paths(xml) == {"service_definition", "service_definition/service_code", "service_definition/attributes"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_is_a_404_envelope(client: FlaskClient, fmt: str) -> None:
    assert_error(
        client.get(f"{API}/services/no_such_thing.{fmt}"), fmt, 404, "service_code 'no_such_thing' was not found"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_jurisdiction_is_a_404_envelope(client: FlaskClient, fmt: str) -> None:
    for path in (f"{API}/services.{fmt}", f"{API}/services/pothole.{fmt}"):
        response = client.get(path, query_string={"jurisdiction_id": "other.city"})
        assert_error(response, fmt, 404, "jurisdiction_id 'other.city' was not found")


# --- service discovery ------------------------------------------------------------------


def test_discovery_json_lists_the_endpoint_and_both_formats(client: FlaskClient) -> None:
    document = json_of(client.get(f"{API}/discovery.json"))

    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    assert document["contact"] == "311@example.org"
    assert document["key_service"] == "311@example.org"
    [endpoint] = document["endpoints"]
    assert endpoint["url"] == "http://city.test/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] == "production"
    assert sorted(endpoint["formats"]) == ["application/json", "text/xml"]
    assert W3C_UTC.match(document["changeset"]) and endpoint["changeset"] == document["changeset"]


def test_discovery_xml_lists_the_endpoint_and_both_formats(client: FlaskClient) -> None:
    xml = xml_of(client.get(f"{API}/discovery.xml"))

    assert tag_paths(xml) == {
        "discovery",
        "discovery/changeset",
        "discovery/contact",
        "discovery/key_service",
        "discovery/endpoints",
        "discovery/endpoints/endpoint",
        "discovery/endpoints/endpoint/specification",
        "discovery/endpoints/endpoint/url",
        "discovery/endpoints/endpoint/changeset",
        "discovery/endpoints/endpoint/type",
        "discovery/endpoints/endpoint/formats",
        "discovery/endpoints/endpoint/formats/format",
    }
    root = ET.fromstring(xml)
    assert root.findtext("endpoints/endpoint/url") == "http://city.test/open311/v2"
    assert sorted(f.text or "" for f in root.findall("endpoints/endpoint/formats/format")) == [
        "application/json",
        "text/xml",
    ]
