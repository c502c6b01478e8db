"""The demo city shipped with the product, so a fresh install can geocode something.

A made-up grid of our own (no real map data): Lincoln Blvd and 1st-10th St run north,
Washington St, Elm St, Main St, Oak St, Central St, Maple Ave and Pine Ave run east,
Broadway cuts across; three wards, three neighbourhoods, a few landmarks. The files are
written by ``python -m nlu.city.demo.generate``.
"""

from __future__ import annotations

from pathlib import Path

from nlu.city.data import CityData
from nlu.city.geojson import AddressFields, CitySources, read_city

DEMO_DIR = Path(__file__).resolve().parent
DEMO_ADDRESS_FIELDS = AddressFields("from_left", "to_left", "from_right", "to_right")
DEMO_SOURCES = CitySources(
    streets=DEMO_DIR / "streets.geojson",
    street_name_field="name",
    address_fields=DEMO_ADDRESS_FIELDS,
    wards=DEMO_DIR / "wards.geojson",
    ward_field="name",
    neighborhoods=DEMO_DIR / "neighborhoods.geojson",
    neighborhood_field="name",
    landmarks=DEMO_DIR / "landmarks.geojson",
    landmark_field="name",
    boundary=DEMO_DIR / "boundary.geojson",
)


def demo_city() -> CityData:
    return read_city(DEMO_SOURCES)
