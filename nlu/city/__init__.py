"""The city's own streets, wards and neighbourhoods: import, geocoding, reverse geocoding.

Typical use::

    index = city_index(session)            # built once per imported city, then cached
    index.geocode(LocationMention(house_number="119", street="Central St"))
    index.reverse(42.3905, -71.1003)
"""

from nlu.city.address import geocode_text, parse_address
from nlu.city.data import CityData
from nlu.city.geojson import AddressFields, CityDataError, CitySources, read_city
from nlu.city.index import CityIndex, city_index, imported_city_index
from nlu.city.store import ImportSummary, do_import_city, ensure_city_loaded, has_city
from nlu.city.types import GeocodeResult, LocationMention, Precision

__all__ = [
    "AddressFields",
    "CityData",
    "CityDataError",
    "CityIndex",
    "CitySources",
    "GeocodeResult",
    "ImportSummary",
    "LocationMention",
    "Precision",
    "city_index",
    "do_import_city",
    "ensure_city_loaded",
    "geocode_text",
    "has_city",
    "imported_city_index",
    "parse_address",
    "read_city",
]
