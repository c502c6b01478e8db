"""Importing a city into the store: the CLI and the importer, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import AppServices
from case_store.city_models import AreaKind, CityArea, CityImport, CityStreet
from nlu.city import (
    CityDataError,
    CityIndex,
    CitySources,
    LocationMention,
    Precision,
    city_index,
    do_import_city,
    ensure_city_loaded,
    has_city,
    read_city,
)
from nlu.city.demo import DEMO_DIR, DEMO_SOURCES, demo_city
from tests.nlu.city.conftest import run_city

DEMO_IMPORT = [
    "import",
    "--streets", str(DEMO_DIR / "streets.geojson"),
    "--street-name-field", "name",
    "--from-left-field", "from_left", "--to-left-field", "to_left",
    "--from-right-field", "from_right", "--to-right-field", "to_right",
    "--wards", str(DEMO_DIR / "wards.geojson"), "--ward-field", "name",
    "--neighborhoods", str(DEMO_DIR / "neighborhoods.geojson"), "--neighborhood-field", "name",
    "--landmarks", str(DEMO_DIR / "landmarks.geojson"),
    "--boundary", str(DEMO_DIR / "boundary.geojson"),
]  # fmt: skip


def counts(services: AppServices) -> dict[str, int]:
    with services.sessions() as session:
        return {
            "streets": session.scalar(sa.select(sa.func.count()).select_from(CityStreet)) or 0,
            "areas": session.scalar(sa.select(sa.func.count()).select_from(CityArea)) or 0,
            "imports": session.scalar(sa.select(sa.func.count()).select_from(CityImport)) or 0,
        }


@pytest.mark.usefixtures("cli_env")
def test_cli_imports_the_demo_city_and_it_geocodes(services: AppServices) -> None:
    result = run_city(DEMO_IMPORT)
    assert result.exit_code == 0, result.output
    assert "52 street segments (19 streets), 3 wards, 3 neighbourhoods, 4 landmarks, a boundary" in result.output
    assert counts(services) == {"streets": 52, "areas": 3 + 3 + 4 + 1, "imports": 1}
    with services.sessions() as session:
        kinds = {k: n for k, n in session.execute(sa.select(CityArea.kind, sa.func.count()).group_by(CityArea.kind))}
        stored = session.scalars(sa.select(CityStreet).where(CityStreet.name == "Oak St")).all()
        index = city_index(session)
    assert kinds == {AreaKind.WARD: 3, AreaKind.NEIGHBORHOOD: 3, AreaKind.LANDMARK: 4, AreaKind.BOUNDARY: 1}
    assert len(stored) == 4 and {(s.from_left, s.to_right) for s in stored} >= {(1200, 1799)}
    found = index.geocode(LocationMention(house_number="1450", street="Oak St"))
    assert (found.precision, found.street, found.ward) == (Precision.ADDRESS, "Oak St", "Ward 2")


def test_the_store_round_trip_keeps_every_answer(services: AppServices, demo_index: CityIndex) -> None:
    with services.sessions.begin() as session:
        summary = do_import_city(session, demo_city(), source="test")
    assert summary.streets == 52 and summary.boundary
    with services.sessions() as session:
        stored = CityIndex.from_store(session)
    for mention in (
        LocationMention(house_number="230", street="Elm Street"),
        LocationMention(street="Main", cross_street="5th"),
        LocationMention(street="mian st"),
        LocationMention(landmark="city hall"),
    ):
        assert stored.geocode(mention) == demo_index.geocode(mention)
    assert stored.reverse(42.3887, -71.1005) == demo_index.reverse(42.3887, -71.1005)


def test_an_import_replaces_the_city_and_the_cached_index_follows(services: AppServices, tmp_path: Path) -> None:
    with services.sessions.begin() as session:
        do_import_city(session, demo_city(), source="demo")
    with services.sessions() as session:
        first = city_index(session)
        assert city_index(session) is first  # cached while the city is unchanged
    one_street = write(
        tmp_path / "one.geojson", collection([line({"name": "Harbor Rd"}, [[-71.0, 42.0], [-71.0, 42.001]])])
    )
    with services.sessions.begin() as session:
        do_import_city(session, read_city(CitySources(streets=one_street)), source="one")
    assert counts(services) == {"streets": 1, "areas": 0, "imports": 2}
    with services.sessions() as session:
        second = city_index(session)
    assert second is not first and second.street_names == ["Harbor Rd"]
    assert second.geocode(LocationMention(street="Main St")).precision is Precision.NONE
    # Without a boundary or wards, the streets' surroundings are the city.
    assert second.reverse(42.0005, -71.0).in_city and not second.reverse(42.1, -71.0).in_city


def test_a_store_without_a_city_geocodes_nothing(services: AppServices) -> None:
    with services.sessions() as session:
        empty = city_index(session)
    assert empty.street_names == []
    assert empty.geocode(LocationMention(house_number="119", street="Central St")).precision is Precision.NONE
    assert not empty.reverse(42.39, -71.10).in_city


def test_ensure_city_loaded_loads_the_demo_only_into_a_store_without_a_city(services: AppServices) -> None:
    with services.sessions.begin() as session:
        assert not has_city(session)
        loaded = ensure_city_loaded(session)
    assert loaded is not None and loaded.streets == 52
    with services.sessions.begin() as session:
        assert ensure_city_loaded(session) is None
        demo = session.scalars(sa.select(CityImport)).one()
    assert demo.demo and demo.street_count == 52
    with services.sessions.begin() as session:
        do_import_city(session, demo_city(), source="the city's own files")
        session.execute(sa.delete(CityStreet))  # even an emptied city counts as imported
    with services.sessions.begin() as session:
        assert ensure_city_loaded(session) is None
    assert counts(services)["streets"] == 0


def test_the_demo_sources_are_the_files_shipped() -> None:
    city = read_city(DEMO_SOURCES)
    names = {s.name for s in city.streets}
    assert {"Main St", "Elm St", "Oak St", "Pine Ave", "Central St", "Lincoln Blvd", "Broadway"} <= names
    assert {"Washington St", "Maple Ave", *(f"{n} St" for n in ("1st", "2nd", "3rd", "4th", "10th"))} <= names
    assert all(s.addresses is not None for s in city.streets)
    assert len(city.wards) == 3 and len(city.neighborhoods) == 3 and len(city.boundary) == 1


# Bad input: a clear message naming the file, and the stored city untouched.


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def line(properties: dict[str, Any], coordinates: list[list[Any]]) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": {"type": "LineString", "coordinates": coordinates}}


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


GOOD_LINE = [[-71.1, 42.39], [-71.1, 42.391]]
SQUARE = {"type": "Polygon", "coordinates": [[[-71.2, 42.3], [-71.0, 42.3], [-71.0, 42.5], [-71.2, 42.3]]]}


@pytest.mark.parametrize(
    ("streets", "extra", "message"),
    [
        ("this is not json", [], "streets.geojson is not a readable GeoJSON file"),
        ({"type": "Topology", "objects": {}}, [], "streets.geojson is not GeoJSON: expected a FeatureCollection"),
        (collection([]), [], "streets.geojson has no features"),
        (
            collection([line({"STNAME": "Main St"}, GOOD_LINE)]),
            [],
            "no feature has the property 'name'; properties found: STNAME",
        ),
        (collection([line({"name": None}, GOOD_LINE)]), [], "no street has both a geometry and a 'name' value"),
        (
            collection([{"type": "Feature", "properties": {"name": "Main St"}, "geometry": SQUARE}]),
            [],
            "feature 1 is a Polygon, expected LineString or MultiLineString",
        ),
        (
            collection([line({"name": "Main St"}, [[232000.5, 902000.0], [232100.0, 902000.0]])]),
            [],
            "not longitude/latitude",
        ),
        (
            {
                **collection([line({"name": "Main St"}, GOOD_LINE)]),
                "crs": {"type": "name", "properties": {"name": "EPSG:26986"}},
            },
            [],
            "uses the coordinate system EPSG:26986",
        ),
        (
            collection([line({"name": "Main St", "lo": "12B"}, GOOD_LINE)]),
            ["--from-left-field", "lo"],
            "feature 1 has lo = '12B', expected a house number",
        ),
        (collection([line({"name": "Main St"}, GOOD_LINE)]), ["--from-left-field", "L_F_ADD"], "property 'L_F_ADD'"),
        (collection([line({"name": "Main St"}, [[-71.1, "x"], [-71.1, 42.391]])]), [], "malformed coordinate"),
    ],
)
@pytest.mark.usefixtures("cli_env")
def test_bad_street_files_are_refused_and_nothing_changes(
    services: AppServices, tmp_path: Path, streets: Any, extra: list[str], message: str
) -> None:
    assert run_city(DEMO_IMPORT).exit_code == 0
    before = counts(services)
    result = run_city(["import", "--streets", str(write(tmp_path / "streets.geojson", streets)), *extra])
    assert result.exit_code == 1
    assert message in result.output
    assert counts(services) == before


@pytest.mark.usefixtures("cli_env")
def test_a_bad_ward_file_stops_the_whole_import(services: AppServices, tmp_path: Path) -> None:
    assert run_city(DEMO_IMPORT).exit_code == 0
    before = counts(services)
    wards = write(
        tmp_path / "wards.geojson", collection([{"type": "Feature", "properties": {"Ward": "1"}, "geometry": SQUARE}])
    )
    args = ["import", "--streets", str(DEMO_DIR / "streets.geojson"), "--wards", str(wards)]
    missing_field = run_city(args)
    assert missing_field.exit_code == 1
    assert "wards.geojson: no feature has the property 'name'; properties found: Ward" in missing_field.output
    lines = write(tmp_path / "hoods.geojson", collection([line({"title": "Downtown"}, GOOD_LINE)]))
    wrong_shape = run_city(
        [
            "import",
            "--streets",
            str(DEMO_DIR / "streets.geojson"),
            "--neighborhoods",
            str(lines),
            "--neighborhood-field",
            "title",
        ]
    )
    assert (
        wrong_shape.exit_code == 1
        and "hoods.geojson: feature 1 is a LineString, expected MultiPolygon or Polygon" in wrong_shape.output
    )
    empty_boundary = write(tmp_path / "outline.geojson", {"type": "Feature", "properties": {}, "geometry": None})
    no_polygon = run_city(["import", "--streets", str(DEMO_DIR / "streets.geojson"), "--boundary", str(empty_boundary)])
    assert no_polygon.exit_code == 1 and "outline.geojson: the boundary file has no polygon" in no_polygon.output
    assert counts(services) == before


@pytest.mark.usefixtures("cli_env")
def test_missing_files_and_options_are_usage_errors(services: AppServices, tmp_path: Path) -> None:
    assert run_city(["import"]).exit_code == 2
    assert run_city(["import", "--streets", str(tmp_path / "absent.geojson")]).exit_code == 2
    assert counts(services)["imports"] == 0


def test_a_single_feature_and_unnamed_segments_are_accepted(tmp_path: Path) -> None:
    single = write(tmp_path / "single.geojson", line({"name": "Main St"}, GOOD_LINE))
    assert [s.name for s in read_city(CitySources(streets=single)).streets] == ["Main St"]
    mixed = write(
        tmp_path / "mixed.geojson",
        collection(
            [line({"name": "Main St"}, GOOD_LINE), line({"name": None}, GOOD_LINE), line({"name": " "}, GOOD_LINE)]
        ),
    )
    city = read_city(CitySources(streets=mixed))
    assert len(city.streets) == 1 and city.skipped_streets == 2


def test_importer_errors_are_city_data_errors(tmp_path: Path) -> None:
    with pytest.raises(CityDataError, match="has no features"):
        read_city(CitySources(streets=write(tmp_path / "empty.geojson", collection([]))))
