"""The service catalog: the shipped file, validation of a city's file, loading into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask.testing import FlaskClient

from bot.app import AppServices
from case_store.catalog import (
    AttributeDatatype,
    Catalog,
    CatalogError,
    ServiceDefinition,
    parse_catalog,
    read_catalog,
    read_default_catalog,
)
from case_store.catalog.load import LoadSummary, do_load_catalog
from case_store.models import Service

DEFAULT_CODES = [
    "pothole", "sidewalk", "streetlight", "traffic_signal", "street_sign", "graffiti",
    "illegal_dumping", "missed_collection", "bulk_pickup", "bin_request", "litter",
    "abandoned_vehicle", "parking", "tree", "water_leak", "sewer_drain", "noise",
    "dead_animal", "rodents", "park_maintenance", "snow_ice", "other",
]  # fmt: skip


# --- helpers ----------------------------------------------------------------------


def service_entry(code: str = "pothole", **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": code,
        "name": code.replace("_", " ").capitalize(),
        "description": f"Reports about {code}",
        "group": "Streets",
        "department": "Public Works",
        "sla_hours": 48,
    }
    entry.update(fields)
    return entry


def attribute(code: str = "size", datatype: str = "string", order: int = 1, **fields: Any) -> dict[str, Any]:
    return {"code": code, "datatype": datatype, "description": f"What {code}?", "order": order, **fields}


def catalog_yaml(*entries: dict[str, Any]) -> str:
    return yaml.safe_dump({"services": list(entries)}, sort_keys=False)


def parse_error(text: str) -> str:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, source="city.yaml")
    return str(caught.value)


def with_services(catalog: Catalog, services: list[ServiceDefinition]) -> Catalog:
    return catalog.model_copy(update={"services": tuple(services)})


def load(services: AppServices, catalog: Catalog) -> LoadSummary:
    with services.sessions.begin() as session:
        return do_load_catalog(session, catalog)


def stored(services: AppServices) -> dict[str, Service]:
    with services.sessions() as session:
        return {s.code: s for s in session.scalars(sa.select(Service))}


def offered_codes(client: FlaskClient) -> list[str]:
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    return [item["service_code"] for item in response.get_json()]


# --- the shipped catalog ----------------------------------------------------------


def test_default_catalog_has_the_expected_services_in_order() -> None:
    assert list(read_default_catalog().codes()) == DEFAULT_CODES


@pytest.mark.parametrize(
    ("code", "required"),
    [("abandoned_vehicle", {"license_plate", "time_parked"}), ("illegal_dumping", {"items"})],
)
def test_default_catalog_required_attributes(code: str, required: set[str]) -> None:
    service = next(s for s in read_default_catalog().services if s.code == code)
    assert {a.code for a in service.attributes if a.required} == required


def test_default_catalog_yes_no_keys_stay_words() -> None:
    # default.yaml quotes "yes"/"no"; unquoted YAML would read them as booleans.
    graffiti = next(s for s in read_default_catalog().services if s.code == "graffiti")
    offensive = next(a for a in graffiti.attributes if a.code == "offensive")
    assert offensive.datatype is AttributeDatatype.SINGLEVALUELIST
    assert [v.key for v in offensive.values] == ["yes", "no"]


def test_numeric_value_keys_become_strings() -> None:
    values = [{"key": 1, "name": "One"}, {"key": 2.5, "name": "Two and a half"}]
    size = attribute(datatype="singlevaluelist", values=values)
    catalog = parse_catalog(catalog_yaml(service_entry(attributes=[size])))
    assert [v.key for v in catalog.services[0].attributes[0].values] == ["1", "2.5"]


def test_valid_city_catalog_parses() -> None:
    catalog = parse_catalog(
        catalog_yaml(
            service_entry("pothole", keywords=["hole"], attributes=[attribute("depth", "number")]),
            service_entry("noise"),
        )
    )
    assert list(catalog.codes()) == ["pothole", "noise"]
    assert catalog.services[0].attributes[0].datatype is AttributeDatatype.NUMBER
    assert catalog.services[0].keywords == ("hole",)


# --- invalid catalogs -------------------------------------------------------------

LIST_WITHOUT_VALUES = [attribute("size", "singlevaluelist")]
STRING_WITH_VALUES = [attribute("size", "string", values=[{"key": "big", "name": "Big"}])]
# Written by hand: YAML reads the bare `yes` as a boolean, which a dumper would never emit.
UNQUOTED_YES_KEY = """
services:
  - code: graffiti
    name: Graffiti
    description: Paint on walls.
    group: Neighborhood
    department: Public Works
    sla_hours: 48
    attributes:
      - code: offensive
        datatype: singlevaluelist
        description: Is it offensive?
        order: 1
        values:
          - key: yes
            name: It is offensive
"""
REPEATED_ORDER = [attribute("size", order=1), attribute("depth", order=1)]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            catalog_yaml(service_entry("pothole"), service_entry("noise"), service_entry("pothole")),
            ["service code 'pothole' appears twice"],
            id="duplicate-code",
        ),
        pytest.param(
            catalog_yaml(service_entry(attributes=LIST_WITHOUT_VALUES)),
            ["services.0.attributes.0", "'size' is a singlevaluelist and needs values"],
            id="list-without-values",
        ),
        pytest.param(
            catalog_yaml(service_entry(attributes=[attribute("items", "multivaluelist")])),
            ["'items' is a multivaluelist and needs values"],
            id="multivaluelist-without-values",
        ),
        pytest.param(
            catalog_yaml(service_entry(attributes=STRING_WITH_VALUES)),
            ["services.0.attributes.0", "'size' is a string and must not list values"],
            id="values-on-string",
        ),
        pytest.param(
            catalog_yaml(service_entry(attributes=REPEATED_ORDER)),
            ["services.0", "service 'pothole' repeats an attribute order"],
            id="repeated-order",
        ),
        pytest.param(
            catalog_yaml(service_entry("noise"), service_entry("pot hole/1")),
            ["services.1.code", "pattern"],
            id="bad-code-characters",
        ),
        pytest.param(
            catalog_yaml(service_entry(attributes=[attribute("bad code!")])),
            ["services.0.attributes.0.code", "pattern"],
            id="bad-attribute-code",
        ),
        pytest.param(
            catalog_yaml(service_entry(colour="red")),
            ["services.0.colour", "Extra inputs are not permitted"],
            id="unknown-field",
        ),
        pytest.param(
            catalog_yaml(service_entry(sla_hours=0)),
            ["services.0.sla_hours", "greater than or equal to 1"],
            id="zero-sla",
        ),
        pytest.param("services: [pothole\n  - {code: x", ["not valid YAML"], id="not-yaml"),
        pytest.param(
            UNQUOTED_YES_KEY,
            ["services.0.attributes.0.values.0.key", "put yes/no/on/off keys in quotes"],
            id="unquoted-yes-key",
        ),
        pytest.param("", ["the file is empty"], id="empty-file"),
        pytest.param("# nothing but a comment\n", ["the file is empty"], id="comments-only"),
        pytest.param("services: []\n", ["the catalog lists no services"], id="no-services"),
    ],
)
def test_invalid_catalog_names_the_problem(text: str, fragments: list[str]) -> None:
    message = parse_error(text)
    assert message.startswith("city.yaml: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    "entries",
    [
        [service_entry("noise"), service_entry("pothole", sla_hours="soon")],
        [service_entry("noise", sla_hours="soon"), service_entry("pothole", sla_hours="soon")],
    ],
    ids=["one-of-two-bad", "all-bad"],
)
def test_bad_services_are_the_only_problems_reported(entries: list[dict[str, Any]]) -> None:
    # Broken entries must not also be reported as "no services", even when every entry is broken.
    message = parse_error(catalog_yaml(*entries))
    problems = message.removeprefix("city.yaml: ").split("; ")
    bad = [i for i, e in enumerate(entries) if e["sla_hours"] == "soon"]
    assert [p.split(":")[0] for p in problems] == [f"services.{i}.sla_hours" for i in bad], message
    assert "at least 1 item" not in message


def test_unreadable_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalog"):
        read_catalog(tmp_path / "missing.yaml")


def test_catalog_file_is_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(catalog_yaml(service_entry("pothole")), encoding="utf-8")
    assert list(read_catalog(path).codes()) == ["pothole"]
    path.write_text(catalog_yaml(service_entry("pothole"), service_entry("pothole")), encoding="utf-8")
    with pytest.raises(CatalogError, match=f"^{path}: .*appears twice"):
        read_catalog(path)


# --- loading into the store -------------------------------------------------------


def test_first_load_adds_every_service(services: AppServices, client: FlaskClient) -> None:
    summary = load(services, read_default_catalog())

    assert summary == LoadSummary(added=tuple(DEFAULT_CODES), updated=(), retired=())
    assert str(summary) == "22 added, 0 updated, 0 retired"
    rows = stored(services)
    assert sorted(rows) == sorted(DEFAULT_CODES)
    assert all(row.active for row in rows.values())
    assert sorted(rows, key=lambda code: rows[code].position) == DEFAULT_CODES
    assert rows["pothole"].sla_hours == 96 and rows["pothole"].department == "Public Works – Highway"
    assert offered_codes(client) == DEFAULT_CODES


def test_reloading_the_same_catalog_changes_nothing(services: AppServices) -> None:
    load(services, read_default_catalog())
    before = {code: (row.id, row.name, row.attributes, row.updated_at) for code, row in stored(services).items()}

    assert load(services, read_default_catalog()) == LoadSummary((), (), ())

    after = {code: (row.id, row.name, row.attributes, row.updated_at) for code, row in stored(services).items()}
    assert after == before


def test_editing_a_name_updates_that_service(services: AppServices, client: FlaskClient) -> None:
    default = read_default_catalog()
    load(services, default)
    edited = [s.model_copy(update={"name": "Hole in the road"}) if s.code == "pothole" else s for s in default.services]

    summary = load(services, with_services(default, edited))

    assert summary == LoadSummary(added=(), updated=("pothole",), retired=())
    assert stored(services)["pothole"].name == "Hole in the road"
    offered = client.get("/open311/v2/services.json").get_json()
    names = {item["service_code"]: item["service_name"] for item in offered}
    assert names == {s.code: s.name for s in edited}
    assert names["pothole"] == "Hole in the road" != next(s.name for s in default.services if s.code == "pothole")


def test_dropped_service_is_retired_then_brought_back(services: AppServices, client: FlaskClient) -> None:
    default = read_default_catalog()
    load(services, default)
    without_graffiti = with_services(default, [s for s in default.services if s.code != "graffiti"])

    retired = load(services, without_graffiti)

    # The services listed after it move up one place, so they count as updated.
    moved_up = tuple(DEFAULT_CODES[DEFAULT_CODES.index("graffiti") + 1 :])
    assert retired == LoadSummary(added=(), updated=moved_up, retired=("graffiti",))
    rows = stored(services)
    assert len(rows) == 22  # kept for the cases that use it
    assert rows["graffiti"].active is False
    assert offered_codes(client) == [c for c in DEFAULT_CODES if c != "graffiti"]
    assert client.get("/open311/v2/services/graffiti.json").status_code == 404
    assert load(services, without_graffiti) == LoadSummary((), (), ())  # retired once only

    restored = load(services, default)

    assert "graffiti" in restored.updated and restored.added == () and restored.retired == ()
    assert stored(services)["graffiti"].active is True
    assert offered_codes(client) == DEFAULT_CODES
    assert client.get("/open311/v2/services/graffiti.json").status_code == 200
