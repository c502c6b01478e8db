"""Geocoding and reverse geocoding against the shipped demo city (see nlu/city/demo/generate.py)."""

from __future__ import annotations

import pytest

from nlu.city import CityIndex, LocationMention, Precision, geocode_text, parse_address
from nlu.city.demo.generate import BLOCK_X, BLOCK_Y, EAST_WEST, NORTH_SOUTH, lonlat
from tests.nlu.city.conftest import metres


def grid(x_blocks: float, y_blocks: float) -> tuple[float, float]:
    """(lat, lon) of a grid position: x counts north-south streets from Lincoln Blvd, y east-west ones."""
    lon, lat = lonlat(x_blocks * BLOCK_X, y_blocks * BLOCK_Y)
    return lat, lon


def row(name: str) -> int:
    return EAST_WEST.index(name)


@pytest.mark.parametrize(
    ("text", "street", "between"),
    [
        # East-west streets count 200 a block from Lincoln Blvd; north-south 100 a block from Washington St.
        ("1450 Oak St", "Oak St", ((7, row("Oak St")), (8, row("Oak St")))),
        ("230 Elm Street", "Elm St", ((1, row("Elm St")), (2, row("Elm St")))),
        ("Pine Ave 88", "Pine Ave", ((0, row("Pine Ave")), (1, row("Pine Ave")))),
        ("119 Central St", "Central St", ((0, row("Central St")), (1, row("Central St")))),
        ("45 Lincoln Blvd", "Lincoln Blvd", ((0, 0), (0, 1))),
    ],
)
def test_addresses_are_interpolated_on_their_block(
    demo_index: CityIndex, text: str, street: str, between: tuple[tuple[int, int], tuple[int, int]]
) -> None:
    found = demo_index.geocode(parse_address(text))
    assert found.precision is Precision.ADDRESS
    assert found.street == street and found.suggestions == ()
    assert found.lat is not None and found.lon is not None
    start, end = grid(*between[0]), grid(*between[1])
    block = metres(*start, *end)
    # On the block: the two distances to its ends add up to its length.
    assert metres(*start, found.lat, found.lon) + metres(found.lat, found.lon, *end) == pytest.approx(block, abs=1.0)
    assert found.in_city and found.ward and found.neighborhood


def test_house_numbers_go_in_order_along_the_street(demo_index: CityIndex) -> None:
    west, _, east = (
        demo_index.geocode(LocationMention(house_number=n, street="Main St")) for n in ("210", "250", "1890")
    )
    assert west.lon is not None and east.lon is not None and west.lon < east.lon
    assert (west.ward, east.ward) == ("Ward 1", "Ward 3")


def test_intersection_of_two_streets_sharing_a_node(demo_index: CityIndex) -> None:
    found = geocode_text(demo_index, "Main and 5th")
    assert found.precision is Precision.INTERSECTION
    assert (found.street, found.cross_street) == ("Main St", "5th St")
    assert found.lat is not None and found.lon is not None
    assert metres(found.lat, found.lon, *grid(5, row("Main St"))) < 0.05
    assert (found.ward, found.neighborhood, found.in_city) == ("Ward 2", "Downtown", True)


def test_intersection_where_a_street_crosses_mid_segment(demo_index: CityIndex) -> None:
    # Broadway runs diagonally and shares no vertex with Oak St; it crosses it at (1065, 330) m.
    found = demo_index.geocode(LocationMention(street="Broadway", cross_street="oak"))
    assert found.precision is Precision.INTERSECTION and found.cross_street == "Oak St"
    lon, lat = lonlat(1065.0, 330.0)
    assert found.lat is not None and found.lon is not None
    assert metres(found.lat, found.lon, lat, lon) < 0.5


def test_streets_that_never_meet_fall_back_to_the_street(demo_index: CityIndex) -> None:
    found = demo_index.geocode(LocationMention(street="Main St", cross_street="Oak St"))  # parallel
    assert found.precision is Precision.STREET and found.street == "Main St" and found.cross_street is None


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mian st", "Main St"),
        ("Centrl Street", "Central St"),
        ("Mapel Ave", "Maple Ave"),
        ("Washingon St", "Washington St"),
    ],
)
def test_typos_are_corrected_and_the_correction_offered(demo_index: CityIndex, typed: str, meant: str) -> None:
    found = geocode_text(demo_index, typed)
    assert found.precision is Precision.STREET
    assert found.street == meant and found.suggestions[0] == meant
    assert found.lat is not None and found.in_city


def test_typos_in_an_intersection_and_an_address(demo_index: CityIndex) -> None:
    crossing = geocode_text(demo_index, "mian st & fifth")
    assert crossing.precision is Precision.INTERSECTION
    assert (crossing.street, crossing.cross_street) == ("Main St", "5th St")
    assert crossing.suggestions == ("Main St",)
    address = geocode_text(demo_index, "1450 Oak Stret")
    assert address.precision is Precision.ADDRESS and address.street == "Oak St"


def test_a_street_without_a_number_is_a_point_on_that_street(demo_index: CityIndex) -> None:
    found = geocode_text(demo_index, "Central St")
    assert found.precision is Precision.STREET and found.street == "Central St"
    assert found.lat == pytest.approx(grid(0, row("Central St"))[0], abs=1e-6)
    near = demo_index.geocode(LocationMention(street="Central St"), near=grid(9.2, row("Central St") + 0.3))
    assert near.lon == pytest.approx(grid(9.2, 0)[1], abs=1e-6)  # the point of the street nearest the hint


def test_a_number_beyond_every_block_is_the_nearest_end_of_the_street(demo_index: CityIndex) -> None:
    found = geocode_text(demo_index, "99999 Main St")
    assert found.precision is Precision.STREET and found.street == "Main St"
    assert found.lat is not None and found.lon is not None
    assert metres(found.lat, found.lon, *grid(11, row("Main St"))) < 0.05


def test_numbered_streets_in_every_written_form(demo_index: CityIndex) -> None:
    for text in ("5th St", "Fifth Street", "5 St", "fifth", "5th"):
        assert geocode_text(demo_index, text).street == "5th St", text
    assert {geocode_text(demo_index, name).street for name in NORTH_SOUTH} == set(NORTH_SOUTH)


def test_landmarks_are_found_by_their_name(demo_index: CityIndex) -> None:
    library = demo_index.geocode(LocationMention(text="in front of the library", landmark="the library"))
    assert library.precision is Precision.LANDMARK and library.landmark == "Main Library"
    assert library.neighborhood == "Downtown" and library.in_city
    park = geocode_text(demo_index, "central park")
    assert park.precision is Precision.LANDMARK and park.landmark == "Central Park"
    hill = demo_index.geocode(LocationMention(landmark="Maple Hill"))
    assert hill.precision is Precision.LANDMARK and hill.neighborhood == "Maple Hill"


def test_nothing_found_says_so(demo_index: CityIndex) -> None:
    for mention in (
        LocationMention(),
        LocationMention(street="Xylophone Road"),
        LocationMention(landmark="the moon"),
        parse_address(""),
        parse_address("🙂🙂"),
        parse_address("x" * 10_000),
    ):
        found = demo_index.geocode(mention)
        assert found.precision is Precision.NONE and found.lat is None and not found.in_city


def test_reverse_names_the_nearest_crossing(demo_index: CityIndex) -> None:
    lat, lon = grid(5, row("Main St"))
    found = demo_index.reverse(lat + 0.00005, lon - 0.00005)  # about 6 m off the corner
    assert found.precision is Precision.INTERSECTION
    assert {found.street, found.cross_street} == {"Main St", "5th St"}
    assert (found.lat, found.lon) == (lat + 0.00005, lon - 0.00005)  # the pin itself
    assert (found.ward, found.neighborhood, found.in_city) == ("Ward 2", "Downtown", True)


def test_reverse_names_the_house_number_from_the_ranges(demo_index: CityIndex) -> None:
    lat, lon = grid(7.25, row("Oak St"))  # a quarter along the block 1400-1599
    north = demo_index.reverse(lat + 0.0001, lon)
    south = demo_index.reverse(lat - 0.0001, lon)
    assert north.precision is south.precision is Precision.ADDRESS
    assert north.street == south.street == "Oak St"
    assert north.house_number is not None and south.house_number is not None
    # Even numbers on the left of the direction of numbering (east), so on the north side.
    assert int(north.house_number) % 2 == 0 and int(south.house_number) % 2 == 1
    assert 1440 <= int(north.house_number) <= 1460 and 1440 <= int(south.house_number) <= 1460
    again = demo_index.geocode(LocationMention(house_number=north.house_number, street="Oak St"))
    assert again.lat is not None and again.lon is not None and metres(again.lat, again.lon, lat, lon) < 3


def test_reverse_outside_the_city(demo_index: CityIndex) -> None:
    far = demo_index.reverse(42.36, -71.06)
    assert far == far.__class__(lat=42.36, lon=-71.06, precision=Precision.NONE)
    for lat, lon in ((float("nan"), 0.0), (0.0, float("inf")), (91.0, 0.0), (0.0, -181.0)):
        assert demo_index.reverse(lat, lon).precision is Precision.NONE
    lat, lon = grid(-1, row("Oak St"))  # 130 m west of Lincoln Blvd, 70 m beyond the city line
    just_out = demo_index.reverse(lat, lon)
    assert not just_out.in_city and just_out.ward is None
    assert just_out.street == "Lincoln Blvd"  # still worth naming to the resident


@pytest.mark.parametrize(
    ("x", "y", "ward", "neighborhood"),
    [
        (1.5, 0.5, "Ward 1", "Riverside"),
        (5.5, 3.0, "Ward 2", "Downtown"),
        (9.5, 5.5, "Ward 3", "Maple Hill"),
    ],
)
def test_ward_and_neighbourhood_of_a_pin(
    demo_index: CityIndex, x: float, y: float, ward: str, neighborhood: str
) -> None:
    found = demo_index.reverse(*grid(x, y))
    assert (found.ward, found.neighborhood, found.in_city) == (ward, neighborhood, True)


def test_result_json_has_exactly_the_documented_keys(demo_index: CityIndex) -> None:
    shown = geocode_text(demo_index, "119 Central St").to_json()
    assert list(shown) == [
        "lat", "lon", "precision", "street", "cross_street", "ward", "neighborhood", "in_city", "suggestions"
    ]  # fmt: skip
    assert shown["precision"] == "address" and shown["suggestions"] == [] and shown["in_city"] is True
