"""Writes the demo city's GeoJSON files: ``python -m nlu.city.demo.generate``.

Everything is laid out in metres on a grid and placed around 42.39 N, 71.10 W. Blocks
are 130 m east-west and 110 m north-south. House numbers: east-west streets count 200 a
block from Lincoln Blvd (1450 Oak St is between 7th and 8th St), north-south streets 100
a block from Washington St; even numbers on the left of the direction of numbering.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlu.city.names import ordinal
from nlu.city.projection import LocalProjection

CENTRE_LON, CENTRE_LAT = -71.10, 42.39
BLOCK_X, BLOCK_Y = 130.0, 110.0
EAST_WEST = ["Washington St", "Elm St", "Main St", "Oak St", "Central St", "Maple Ave", "Pine Ave"]
NORTH_SOUTH = ["Lincoln Blvd", *[f"{ordinal(n)} St" for n in range(1, 11)]]
EAST_END_X = 11 * BLOCK_X  # one block beyond 10th St
NORTH_END_Y = 6 * BLOCK_Y  # Pine Ave
BROADWAY = [(700.0, -80.0), (1065.0, 330.0), (1430.0, 740.0)]
WEST, SOUTH, EAST, NORTH = -60.0, -100.0, EAST_END_X + 60.0, NORTH_END_Y + 100.0
WARD_LINES = [WEST, 455.0, 975.0, EAST]  # mid-block, so no street runs along a ward line
NEIGHBORHOOD_LINES = [(SOUTH, "Riverside"), (165.0, "Downtown"), (495.0, "Maple Hill"), (NORTH, "")]

PROJECTION = LocalProjection.around(CENTRE_LON, CENTRE_LAT)


def lonlat(x: float, y: float) -> list[float]:
    lon, lat = PROJECTION.to_lonlat(x - EAST_END_X / 2, y - NORTH_END_Y / 2)
    return [round(lon, 7), round(lat, 7)]


def feature(properties: dict[str, Any], kind: str, coordinates: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": {"type": kind, "coordinates": coordinates}}


def ranges(start: int, end_exclusive: int) -> dict[str, int]:
    return {"from_left": start, "to_left": end_exclusive - 2, "from_right": start + 1, "to_right": end_exclusive - 1}


def streets() -> list[dict[str, Any]]:
    found = []
    for row, name in enumerate(EAST_WEST):
        y = row * BLOCK_Y
        for first, last in ((0, 3), (3, 6), (6, 9), (9, 11)):  # blocks per segment
            line = [lonlat(block * BLOCK_X, y) for block in range(first, last + 1)]
            found.append(feature({"name": name, **ranges(first * 200, last * 200)}, "LineString", line))
    for column, name in enumerate(NORTH_SOUTH):
        x = column * BLOCK_X
        for first, last in ((0, 3), (3, 6)):
            line = [lonlat(x, block * BLOCK_Y) for block in range(first, last + 1)]
            found.append(feature({"name": name, **ranges(first * 100, last * 100)}, "LineString", line))
    for part, (start, end) in enumerate(zip(BROADWAY, BROADWAY[1:], strict=False)):
        line = [lonlat(*start), lonlat(*end)]
        found.append(feature({"name": "Broadway", **ranges(part * 600, (part + 1) * 600)}, "LineString", line))
    return found


def box(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return [[lonlat(x, y) for x, y in corners]]


def landmarks() -> list[dict[str, Any]]:
    return [
        feature({"name": "City Hall"}, "Point", lonlat(5 * BLOCK_X + 40, 2 * BLOCK_Y + 25)),
        feature({"name": "Main Library"}, "Point", lonlat(2 * BLOCK_X + 60, 4 * BLOCK_Y + 20)),
        feature({"name": "Lincoln Elementary School"}, "Point", lonlat(45.0, 3 * BLOCK_Y + 50)),
        feature(
            {"name": "Central Park"},
            "Polygon",
            box(2 * BLOCK_X + 10, 4 * BLOCK_Y + 35, 3 * BLOCK_X - 10, 5 * BLOCK_Y - 10),
        ),
    ]


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    wards = [
        feature({"name": f"Ward {i + 1}"}, "Polygon", box(west, SOUTH, east, NORTH))
        for i, (west, east) in enumerate(zip(WARD_LINES, WARD_LINES[1:], strict=False))
    ]
    neighborhoods = [
        feature({"name": name}, "Polygon", box(WEST, south, EAST, north))
        for (south, name), (north, _) in zip(NEIGHBORHOOD_LINES, NEIGHBORHOOD_LINES[1:], strict=False)
    ]
    files = {
        "streets.geojson": collection(streets()),
        "wards.geojson": collection(wards),
        "neighborhoods.geojson": collection(neighborhoods),
        "landmarks.geojson": collection(landmarks()),
        "boundary.geojson": feature({"name": "Demo City"}, "Polygon", box(WEST, SOUTH, EAST, NORTH)),
    }
    here = Path(__file__).resolve().parent
    for name, document in files.items():
        text = json.dumps(document, separators=(",", ":"))
        # One feature per line keeps diffs of the shipped files readable.
        text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
        (here / name).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
