"""Reading a city's published GeoJSON files into CityData, validating everything first.

Cities publish these files from many GIS tools; the checks catch what goes wrong in
practice (a projected CRS, the wrong property name, an empty export) and name the file
and the feature, so whoever runs the import can fix it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.city.data import AddressRange, CityData, Geometry, NamedArea, StreetSegment

_LINES = {"LineString", "MultiLineString"}
_POLYGONS = {"Polygon", "MultiPolygon"}
_WGS84_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"}


class CityDataError(ValueError):
    """A city file cannot be imported; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class AddressFields:
    """Property names of a street file's house-number ranges (all optional)."""

    from_left: str | None = None
    to_left: str | None = None
    from_right: str | None = None
    to_right: str | None = None

    def any(self) -> bool:
        return any((self.from_left, self.to_left, self.from_right, self.to_right))


@dataclass(frozen=True, slots=True)
class CitySources:
    streets: Path
    street_name_field: str = "name"
    address_fields: AddressFields = AddressFields()
    wards: Path | None = None
    ward_field: str = "name"
    neighborhoods: Path | None = None
    neighborhood_field: str = "name"
    landmarks: Path | None = None
    landmark_field: str = "name"
    boundary: Path | None = None


def read_city(sources: CitySources) -> CityData:
    """Reads and checks every file; raises CityDataError before anything is written."""
    streets, skipped = _read_streets(sources)
    return CityData(
        streets=streets,
        wards=_read_areas(sources.wards, sources.ward_field, _POLYGONS),
        neighborhoods=_read_areas(sources.neighborhoods, sources.neighborhood_field, _POLYGONS),
        landmarks=_read_areas(sources.landmarks, sources.landmark_field, _POLYGONS | {"Point", "MultiPoint"}),
        boundary=_read_boundary(sources.boundary),
        skipped_streets=skipped,
    )


def _read_streets(sources: CitySources) -> tuple[tuple[StreetSegment, ...], int]:
    path, field = sources.streets, sources.street_name_field
    features = read_features(path)
    _require_property(path, features, field)
    for option in (f for f in _fields(sources.address_fields) if f):
        _require_property(path, features, option)
    segments: list[StreetSegment] = []
    skipped = 0
    for number, feature in enumerate(features, 1):
        geometry = feature.get("geometry")
        name = _text(feature["properties"].get(field))
        if geometry is None or not name:
            skipped += 1  # unnamed paths and empty geometries cannot be asked for by name
            continue
        _check_geometry(path, number, geometry, _LINES)
        addresses = _addresses(path, number, feature["properties"], sources.address_fields)
        segments.append(StreetSegment(name, _clean(geometry), addresses))
    if not segments:
        raise CityDataError(f"{path.name}: no street has both a geometry and a '{field}' value")
    return tuple(segments), skipped


def _read_areas(path: Path | None, field: str, kinds: set[str]) -> tuple[NamedArea, ...]:
    if path is None:
        return ()
    features = read_features(path)
    _require_property(path, features, field)
    areas: list[NamedArea] = []
    for number, feature in enumerate(features, 1):
        name = _text(feature["properties"].get(field))
        if not name:
            raise CityDataError(f"{path.name}: feature {number} has no '{field}' value")
        geometry = feature.get("geometry")
        if geometry is None:
            raise CityDataError(f"{path.name}: feature {number} ({name}) has no geometry")
        _check_geometry(path, number, geometry, kinds)
        areas.append(NamedArea(name, _clean(geometry)))
    return tuple(areas)


def _read_boundary(path: Path | None) -> tuple[Geometry, ...]:
    if path is None:
        return ()
    polygons: list[Geometry] = []
    for number, feature in enumerate(read_features(path), 1):
        geometry = feature.get("geometry")
        if geometry is None:
            continue
        _check_geometry(path, number, geometry, _POLYGONS)
        polygons.append(_clean(geometry))
    if not polygons:
        raise CityDataError(f"{path.name}: the boundary file has no polygon")
    return tuple(polygons)


def read_features(path: Path) -> list[dict[str, Any]]:
    """The features of a FeatureCollection or a single Feature, each with a properties dict."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CityDataError(f"{path.name} is not a readable GeoJSON file: {exc}") from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        raise CityDataError(f"{path.name} is not GeoJSON: expected a FeatureCollection or a Feature")
    crs_member = document.get("crs")
    crs = crs_member.get("properties", {}).get("name") if isinstance(crs_member, dict) else None
    if crs and crs not in _WGS84_CRS:
        raise CityDataError(f"{path.name} uses the coordinate system {crs}; export it as WGS84 (EPSG:4326)")
    features = document.get("features") if document["type"] == "FeatureCollection" else [document]
    if not isinstance(features, list) or not features:
        raise CityDataError(f"{path.name} has no features")
    for number, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise CityDataError(f"{path.name}: item {number} is not a GeoJSON Feature")
        if feature.get("properties") is None:
            feature["properties"] = {}
        if not isinstance(feature["properties"], dict):
            raise CityDataError(f"{path.name}: feature {number} has properties that are not an object")
    return features


def _require_property(path: Path, features: list[dict[str, Any]], field: str) -> None:
    if any(field in f["properties"] for f in features):
        return
    seen = sorted({k for f in features[:50] for k in f["properties"]})
    raise CityDataError(
        f"{path.name}: no feature has the property '{field}'; properties found: {', '.join(seen) or 'none'}"
    )


def _check_geometry(path: Path, number: int, geometry: Any, kinds: set[str]) -> None:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in kinds:
        expected = " or ".join(sorted(kinds))
        raise CityDataError(f"{path.name}: feature {number} is a {kind or 'invalid geometry'}, expected {expected}")
    positions = list(_positions(geometry.get("coordinates")))
    if not positions:
        raise CityDataError(f"{path.name}: feature {number} has no coordinates")
    for position in positions:
        if not (
            isinstance(position, list)
            and len(position) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in position[:2])
        ):
            raise CityDataError(f"{path.name}: feature {number} has a malformed coordinate {position!r}")
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise CityDataError(
                f"{path.name}: feature {number} has the coordinate {lon}, {lat}, which is not longitude/latitude; "
                "export the file in WGS84 (EPSG:4326)"
            )


def _positions(coordinates: Any) -> Iterator[Any]:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
    elif isinstance(coordinates, list):
        for item in coordinates:
            yield from _positions(item)
    else:
        yield coordinates


def _clean(geometry: Geometry) -> Geometry:
    # Drops heights and foreign members; 7 decimals is about a centimetre.
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _round(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(float(coordinates[0]), 7), round(float(coordinates[1]), 7)]
    return [_round(c) for c in coordinates]


def _fields(fields: AddressFields) -> tuple[str | None, ...]:
    return (fields.from_left, fields.to_left, fields.from_right, fields.to_right)


def _addresses(path: Path, number: int, properties: dict[str, Any], fields: AddressFields) -> AddressRange | None:
    if not fields.any():
        return None
    values = [_house_number(path, number, name, properties.get(name)) if name else None for name in _fields(fields)]
    found = AddressRange(*values)
    return found if found.sides() else None


def _house_number(path: Path, number: int, field: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CityDataError(f"{path.name}: feature {number} has {field} = {value!r}, expected a house number")
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        raise CityDataError(f"{path.name}: feature {number} has {field} = {value!r}, expected a house number") from None
    if not parsed.is_integer() or parsed < 0:
        raise CityDataError(f"{path.name}: feature {number} has {field} = {value!r}, expected a house number")
    return int(parsed)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""
