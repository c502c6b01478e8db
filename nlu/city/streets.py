"""The street network in local metres: streets by name, their crossings, house numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

from nlu.city.data import AddressRange, StreetSegment
from nlu.city.names import display_name, street_key
from nlu.city.projection import LocalProjection

Point = tuple[float, float]
NodeKey = tuple[int, int]
# Centerlines drawn separately may miss each other by a little where streets meet.
NEAR_MISS_M = 15.0


def _node_key(x: float, y: float) -> NodeKey:
    return round(x * 20), round(y * 20)  # 5 cm: shared vertices of a city's centerlines coincide


@dataclass(frozen=True, slots=True)
class Street:
    """All segments sharing one normalised name."""

    name: str
    segments: tuple[int, ...]
    geometry: shapely.Geometry  # MultiLineString in metres
    length: float
    middle: Point  # halfway along its longest connected stretch
    nodes: frozenset[NodeKey]


@dataclass(frozen=True, slots=True)
class AddressHit:
    point: Point
    exact: bool  # the number lies within a range of the street; otherwise the nearest block


class StreetNetwork:
    def __init__(self, segments: Sequence[StreetSegment], projection: LocalProjection) -> None:
        self.lines = np.array([projection.forward(shape(s.geometry)) for s in segments], dtype=object)
        self.addresses: list[AddressRange | None] = [s.addresses for s in segments]
        self.tree = shapely.STRtree(self.lines)
        groups: dict[str, list[int]] = defaultdict(list)
        for i, segment in enumerate(segments):
            groups[street_key(segment.name).full].append(i)
        self.node_points: dict[NodeKey, Point] = {}
        self.streets = [self._street(segments[ids[0]].name, ids) for ids in groups.values()]
        self.segment_street = np.empty(len(segments), dtype=np.int64)
        for street_id, street in enumerate(self.streets):
            self.segment_street[list(street.segments)] = street_id
        self.node_streets: dict[NodeKey, set[int]] = defaultdict(set)
        for street_id, street in enumerate(self.streets):
            for key in street.nodes:
                self.node_streets[key].add(street_id)
        self.crossings = [key for key, ids in self.node_streets.items() if len(ids) > 1]
        self.crossing_tree = shapely.STRtree([shapely.Point(self.node_points[k]) for k in self.crossings])
        self.all_lines = shapely.multilinestrings(list(shapely.get_parts(self.lines))) if len(segments) else None

    def _street(self, raw_name: str, ids: list[int]) -> Street:
        parts = shapely.get_parts(self.lines[ids])
        geometry = shapely.multilinestrings(list(parts))
        nodes: set[NodeKey] = set()
        for x, y in shapely.get_coordinates(geometry):
            key = _node_key(x, y)
            nodes.add(key)
            self.node_points.setdefault(key, (float(x), float(y)))
        merged = shapely.line_merge(geometry)
        longest = max(shapely.get_parts(merged), key=lambda line: line.length)
        middle = longest.interpolate(0.5, normalized=True)
        return Street(
            display_name(raw_name), tuple(ids), geometry, geometry.length, (middle.x, middle.y), frozenset(nodes)
        )

    def crossing(self, a: int, b: int, near: Point | None = None) -> Point | None:
        """Where two streets meet: a shared vertex, a crossing, or their closest approach."""
        shared = self.streets[a].nodes & self.streets[b].nodes
        if shared:
            return _closest((self.node_points[k] for k in sorted(shared)), near)
        first, second = self.streets[a].geometry, self.streets[b].geometry
        met = shapely.intersection(first, second)
        if not met.is_empty:
            return _closest((tuple(c) for c in shapely.get_coordinates(met)), near)
        if shapely.distance(first, second) <= NEAR_MISS_M:
            line = shapely.shortest_line(first, second)
            middle = line.interpolate(0.5, normalized=True)
            return middle.x, middle.y
        return None

    def point_on(self, street_id: int, near: Point | None = None) -> Point:
        street = self.streets[street_id]
        if near is None:
            return street.middle
        nearest = shapely.line_interpolate_point(street.geometry, street.geometry.project(shapely.Point(near)))
        return nearest.x, nearest.y

    def address(self, street_id: int, number: int) -> AddressHit | None:
        """Interpolates a house number along the block that holds it (same parity first)."""
        best: tuple[tuple[int, int], int, float] | None = None  # (rank, segment, fraction)
        for segment in self.streets[street_id].segments:
            ranges = self.addresses[segment]
            if ranges is None:
                continue
            for start, end in ranges.sides():
                low, high = min(start, end), max(start, end)
                fraction = 0.5 if start == end else (number - start) / (end - start)
                inside = low <= number <= high
                rank = (0 if inside else 1, 0 if start % 2 == number % 2 else 1)
                if not inside:  # the nearest end of the nearest block, ranked by how far off it is
                    rank = (1, min(abs(number - low), abs(number - high)))
                    fraction = min(max(fraction, 0.0), 1.0)
                if best is None or rank < best[0]:
                    best = (rank, segment, fraction)
        if best is None:
            return None
        point = self.lines[best[1]].interpolate(best[2], normalized=True)
        return AddressHit((point.x, point.y), exact=best[0][0] == 0)

    def house_number_at(self, segment: int, x: float, y: float) -> int | None:
        """The house number a point on a segment would have, on the side it lies."""
        ranges = self.addresses[segment]
        if ranges is None:
            return None
        line = self.lines[segment]
        if line.geom_type != "LineString":
            return None
        fraction = line.project(shapely.Point(x, y), normalized=True)
        left = _is_left(line, fraction, x, y)
        pairs = [(ranges.from_left, ranges.to_left), (ranges.from_right, ranges.to_right)]
        ordered = pairs if left else pairs[::-1]
        for start, end in ordered:
            if start is None or end is None or (start, end) == (0, 0):
                continue
            number = round(start + fraction * (end - start))
            if number % 2 != start % 2:  # stay on the side's parity
                number += 1 if end >= start else -1
            return min(max(number, min(start, end)), max(start, end))
        return None

    def nearest_segment(self, x: float, y: float) -> tuple[int, float] | None:
        if not len(self.lines):
            return None
        found, distance = self.tree.query_nearest(shapely.Point(x, y), return_distance=True, all_matches=False)
        return int(found[0]), float(distance[0])

    def nearest_crossing(self, x: float, y: float) -> tuple[NodeKey, float] | None:
        if not self.crossings:
            return None
        found, distance = self.crossing_tree.query_nearest(shapely.Point(x, y), return_distance=True, all_matches=False)
        return self.crossings[int(found[0])], float(distance[0])


def _closest(points: Iterable[Point], near: Point | None) -> Point:
    options = [(float(p[0]), float(p[1])) for p in points]
    if near is None:
        return options[0]
    return min(options, key=lambda p: (p[0] - near[0]) ** 2 + (p[1] - near[1]) ** 2)


def _is_left(line: shapely.LineString, fraction: float, x: float, y: float) -> bool:
    # The side of travel from the segment's first vertex, as address ranges define it.
    length = line.length
    here = line.interpolate(max(fraction * length - 0.5, 0.0))
    ahead = line.interpolate(min(fraction * length + 0.5, length))
    cross = (ahead.x - here.x) * (y - here.y) - (ahead.y - here.y) * (x - here.x)
    return cross > 0
