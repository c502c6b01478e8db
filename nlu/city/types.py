"""The typed values at the geocoder's boundary: what residents said, and where it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class LocationMention:
    """A place as a resident wrote it, already split into parts by the understanding step."""

    text: str = ""
    house_number: str | None = None
    street: str | None = None
    cross_street: str | None = None
    landmark: str | None = None


class Precision(StrEnum):
    """How exactly a result pins the place; the engine words its confirmation by it."""

    ADDRESS = "address"  # a house number interpolated along its block, or named from one
    INTERSECTION = "intersection"
    STREET = "street"  # somewhere on the street ("near Central St")
    LANDMARK = "landmark"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    lat: float | None
    lon: float | None
    precision: Precision
    street: str | None = None
    cross_street: str | None = None
    ward: str | None = None
    neighborhood: str | None = None
    in_city: bool = False
    # Street names to offer when the name was not found exactly: the one chosen comes first.
    suggestions: tuple[str, ...] = ()
    house_number: str | None = None
    landmark: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The object `intake-bot geocode` prints; other tools rely on exactly these keys."""
        return {
            "lat": self.lat,
            "lon": self.lon,
            "precision": str(self.precision),
            "street": self.street,
            "cross_street": self.cross_street,
            "ward": self.ward,
            "neighborhood": self.neighborhood,
            "in_city": self.in_city,
            "suggestions": list(self.suggestions),
        }


NOT_FOUND = GeocodeResult(lat=None, lon=None, precision=Precision.NONE)
