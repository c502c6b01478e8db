"""A city's geographic data in memory: what the importer reads and the store keeps.

Geometries stay GeoJSON mappings in WGS84 longitude/latitude until the index builds
shapely objects from them, so the same values travel from files to rows and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Geometry = dict[str, Any]  # a GeoJSON geometry object


@dataclass(frozen=True, slots=True)
class AddressRange:
    """House numbers along a segment, from its first vertex to its last (TIGER convention)."""

    from_left: int | None = None
    to_left: int | None = None
    from_right: int | None = None
    to_right: int | None = None

    def sides(self) -> tuple[tuple[int, int], ...]:
        """The usable (from, to) pairs: left first, then right."""
        pairs = ((self.from_left, self.to_left), (self.from_right, self.to_right))
        return tuple((a, b) for a, b in pairs if a is not None and b is not None and (a, b) != (0, 0))


@dataclass(frozen=True, slots=True)
class StreetSegment:
    name: str
    geometry: Geometry  # LineString or MultiLineString
    addresses: AddressRange | None = None


@dataclass(frozen=True, slots=True)
class NamedArea:
    name: str
    geometry: Geometry  # Polygon or MultiPolygon (a landmark may also be a Point)


@dataclass(frozen=True, slots=True)
class CityData:
    streets: tuple[StreetSegment, ...]
    wards: tuple[NamedArea, ...] = ()
    neighborhoods: tuple[NamedArea, ...] = ()
    landmarks: tuple[NamedArea, ...] = ()
    boundary: tuple[Geometry, ...] = ()  # polygons; their union is the city
    skipped_streets: int = field(default=0, compare=False)  # segments without a name
