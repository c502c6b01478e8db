"""Which ward, neighbourhood or landmark a point is in, and whether it is in the city."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import shape

from nlu.city.data import Geometry, NamedArea
from nlu.city.projection import LocalProjection

# A point on a street that runs along a ward line can fall a metre outside both wards.
EDGE_TOLERANCE_M = 25.0
# A street along the city line belongs to the city even where its centerline wanders out.
BOUNDARY_TOLERANCE_M = 15.0


class AreaSet:
    """Named polygons in local metres, prepared for fast point-in-polygon tests."""

    def __init__(self, areas: Sequence[NamedArea], projection: LocalProjection) -> None:
        self.names = [a.name for a in areas]
        geometries = [shapely.make_valid(projection.forward(shape(a.geometry))) for a in areas]
        self._geometries = np.array(geometries, dtype=object)
        shapely.prepare(self._geometries)

    def __len__(self) -> int:
        return len(self.names)

    def find(self, x: float, y: float) -> str | None:
        if not self.names:
            return None
        inside = np.flatnonzero(shapely.contains_xy(self._geometries, x, y))
        if inside.size:
            return self.names[int(inside[0])]
        distances = shapely.distance(self._geometries, shapely.Point(x, y))
        nearest = int(np.argmin(distances))
        return self.names[nearest] if distances[nearest] <= EDGE_TOLERANCE_M else None

    def geometry(self, position: int) -> shapely.Geometry:
        return self._geometries[position]


class Boundary:
    """The city's outline; points within a few metres of it count as inside."""

    def __init__(self, outline: shapely.Geometry | None) -> None:
        self._outline = outline
        if outline is not None:
            shapely.prepare(outline)

    @classmethod
    def build(
        cls,
        polygons: Sequence[Geometry],
        wards: AreaSet,
        streets: shapely.Geometry | None,
        projection: LocalProjection,
    ) -> Boundary:
        # Without a boundary file, the wards cover the city; without wards, the streets do.
        if polygons:
            return cls(shapely.union_all([shapely.make_valid(projection.forward(shape(p))) for p in polygons]))
        if len(wards):
            return cls(shapely.union_all([wards.geometry(i) for i in range(len(wards))]))
        if streets is not None and not streets.is_empty:
            return cls(shapely.convex_hull(streets).buffer(100.0))
        return cls(None)

    def contains(self, x: float, y: float) -> bool:
        if self._outline is None:
            return False
        if shapely.contains_xy(self._outline, x, y):
            return True
        return bool(shapely.distance(self._outline, shapely.Point(x, y)) <= BOUNDARY_TOLERANCE_M)
