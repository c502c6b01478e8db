"""A local equirectangular projection: metres around the city's centre, good to a few
centimetres across a city, so no projection library is needed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8
G = TypeVar("G", bound=shapely.Geometry)


@dataclass(frozen=True, slots=True)
class LocalProjection:
    lon0: float
    lat0: float
    metres_per_degree_lon: float
    metres_per_degree_lat: float

    @classmethod
    def around(cls, lon0: float, lat0: float) -> LocalProjection:
        per_degree = EARTH_RADIUS_M * math.pi / 180
        return cls(lon0, lat0, per_degree * math.cos(math.radians(lat0)), per_degree)

    def to_xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.metres_per_degree_lon, (lat - self.lat0) * self.metres_per_degree_lat

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.lon0 + x / self.metres_per_degree_lon, self.lat0 + y / self.metres_per_degree_lat

    def forward(self, geometry: G) -> G:
        """A lon/lat geometry in local metres."""
        return shapely.transform(geometry, self._forward_coords)

    def _forward_coords(self, coords: NDArray[np.float64]) -> NDArray[np.float64]:
        origin = np.array([self.lon0, self.lat0])
        scale = np.array([self.metres_per_degree_lon, self.metres_per_degree_lat])
        return (coords - origin) * scale
