"""The city in memory: geocoding mentions and reverse geocoding pins in microseconds.

Built once from the store (``city_index``) and rebuilt only when a new city is imported;
everything it holds is read-only, so threads share one instance.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import replace

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import shape
from sqlalchemy.orm import Session

from nlu.city.areas import AreaSet, Boundary
from nlu.city.data import CityData
from nlu.city.matching import NameMatch, StreetMatcher
from nlu.city.names import tokens
from nlu.city.projection import LocalProjection
from nlu.city.store import current_city_token, read_stored_city
from nlu.city.streets import Point, StreetNetwork
from nlu.city.types import NOT_FOUND, GeocodeResult, LocationMention, Precision

# A pin this close to a crossing is described by it ("Main St & 5th St").
CROSSING_RADIUS_M = 25.0
# Farther than this from any street, a pin is not described by a street at all.
STREET_RADIUS_M = 250.0
_LANDMARK_STOPWORDS = {"the", "a", "an", "of", "in", "front", "near", "by", "at", "behind", "across", "from"}
_HOUSE_NUMBER = re.compile(r"\d+")


class CityIndex:
    def __init__(self, city: CityData) -> None:
        self.projection = _projection_for(city)
        self.network = StreetNetwork(city.streets, self.projection)
        streets = self.network.streets
        self.matcher = StreetMatcher([s.name for s in streets], [s.length for s in streets])
        self.wards = AreaSet(city.wards, self.projection)
        self.neighborhoods = AreaSet(city.neighborhoods, self.projection)
        self.boundary = Boundary.build(city.boundary, self.wards, self.network.all_lines, self.projection)
        # Neighbourhoods double as landmarks ("in Davis Square"); the city's own landmarks first.
        self._landmarks = [*city.landmarks, *city.neighborhoods]
        self._landmark_points = [self._anchor(shape(a.geometry)) for a in self._landmarks]
        self._landmark_keys = [_landmark_text(a.name) for a in self._landmarks]

    @classmethod
    def from_store(cls, session: Session) -> CityIndex:
        return cls(read_stored_city(session))

    @property
    def street_names(self) -> list[str]:
        return [s.name for s in self.network.streets]

    def geocode(self, mention: LocationMention, *, near: tuple[float, float] | None = None) -> GeocodeResult:
        """A point for what the resident wrote; ``near`` (lat, lon) picks among far-apart candidates."""
        near_xy = self.projection.to_xy(near[1], near[0]) if near else None
        street_text = mention.street or mention.cross_street
        cross_text = mention.cross_street if mention.street else None
        if street_text:
            found = self._geocode_street(street_text, cross_text, mention.house_number, near_xy)
            if found.precision is not Precision.NONE or not mention.landmark:
                return found
        if mention.landmark:
            found = self.geocode_landmark(mention.landmark)
            if found.precision is Precision.NONE and self.matcher.match(mention.landmark).exact:
                # Squares and parks are often streets in the city's data ("Union Square").
                return self._geocode_street(mention.landmark, None, None, near_xy)
            return found
        return NOT_FOUND

    def reverse(self, lat: float, lon: float) -> GeocodeResult:
        """The nearest crossing, address or street of a pin, with its ward and neighbourhood."""
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            return NOT_FOUND
        x, y = self.projection.to_xy(lon, lat)
        base = self._describe(x, y, Precision.NONE, lat=lat, lon=lon)
        nearest = self.network.nearest_segment(x, y)
        if nearest is None or nearest[1] > STREET_RADIUS_M:
            return base
        segment, _ = nearest
        street_id = int(self.network.segment_street[segment])
        street = self.network.streets[street_id].name
        crossing = self.network.nearest_crossing(x, y)
        if crossing is not None and crossing[1] <= CROSSING_RADIUS_M:
            ids = self.network.node_streets[crossing[0]]
            names = sorted(
                ids, key=lambda i: (i != street_id, -self.network.streets[i].length, self.network.streets[i].name)
            )
            other = [self.network.streets[i].name for i in names]
            return replace(base, precision=Precision.INTERSECTION, street=other[0], cross_street=other[1])
        number = self.network.house_number_at(segment, x, y)
        if number is not None:
            return replace(base, precision=Precision.ADDRESS, street=street, house_number=str(number))
        return replace(base, precision=Precision.STREET, street=street)

    def _geocode_street(
        self, street_text: str, cross_text: str | None, house_number: str | None, near: Point | None
    ) -> GeocodeResult:
        match = self.matcher.match(street_text)
        if not match.streets:
            return replace(NOT_FOUND, suggestions=match.suggestions)
        if cross_text:
            cross = self.matcher.match(cross_text)
            for a in match.streets[:4]:
                for b in cross.streets[:4]:
                    if a == b:
                        continue
                    point = self.network.crossing(a, b, near)
                    if point is not None:
                        return self._describe(
                            *point,
                            Precision.INTERSECTION,
                            street=self.network.streets[a].name,
                            cross_street=self.network.streets[b].name,
                            suggestions=_merge(match, cross),
                        )
        number = _house_number(house_number)
        if number is not None and not cross_text:
            for street_id in match.streets[:3]:
                hit = self.network.address(street_id, number)
                if hit is not None and hit.exact:
                    return self._describe(
                        *hit.point,
                        Precision.ADDRESS,
                        street=self.network.streets[street_id].name,
                        house_number=house_number,
                        suggestions=match.suggestions,
                    )
            # Numbered blocks exist but none holds this number: the nearest block, as a street.
            hit = self.network.address(match.streets[0], number)
            if hit is not None:
                return self._describe(
                    *hit.point,
                    Precision.STREET,
                    street=self.network.streets[match.streets[0]].name,
                    suggestions=match.suggestions,
                )
        street_id = match.streets[0]
        return self._describe(
            *self.network.point_on(street_id, near),
            Precision.STREET,
            street=self.network.streets[street_id].name,
            suggestions=match.suggestions,
        )

    def geocode_landmark(self, text: str, *, whole_name: bool = False) -> GeocodeResult:
        """A landmark or neighbourhood by name; ``whole_name`` demands the name, not a word of it."""
        key = _landmark_text(text)
        if not key or not self._landmarks:
            return NOT_FOUND
        scorer = fuzz.ratio if whole_name else fuzz.token_set_ratio
        found = process.extractOne(key, self._landmark_keys, scorer=scorer, score_cutoff=90 if whole_name else 85)
        if found is None:
            return NOT_FOUND
        position = found[2]
        return self._describe(
            *self._landmark_points[position], Precision.LANDMARK, landmark=self._landmarks[position].name
        )

    def _describe(
        self,
        x: float,
        y: float,
        precision: Precision,
        *,
        lat: float | None = None,
        lon: float | None = None,
        street: str | None = None,
        cross_street: str | None = None,
        house_number: str | None = None,
        landmark: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> GeocodeResult:
        if lat is None or lon is None:
            lon, lat = self.projection.to_lonlat(x, y)
        return GeocodeResult(
            lat=round(lat, 7),
            lon=round(lon, 7),
            precision=precision,
            street=street,
            cross_street=cross_street,
            ward=self.wards.find(x, y),
            neighborhood=self.neighborhoods.find(x, y),
            in_city=self.boundary.contains(x, y),
            suggestions=suggestions,
            house_number=house_number,
            landmark=landmark,
        )

    def _anchor(self, geometry: shapely.Geometry) -> Point:
        point = self.projection.forward(geometry).representative_point()
        return point.x, point.y


_cache: dict[str, tuple[str | None, CityIndex]] = {}
_cache_lock = threading.Lock()


def imported_city_index(session: Session) -> CityIndex | None:
    """The index of the store's current city, or None when no city was ever imported."""
    token = current_city_token(session)
    return None if token is None else _index_for(session, token)


def city_index(session: Session) -> CityIndex:
    """The index of the store's current city, rebuilt only after another import."""
    return _index_for(session, current_city_token(session))


def _index_for(session: Session, token: str | None) -> CityIndex:
    database = str(session.get_bind().engine.url)
    cached = _cache.get(database)
    if cached is not None and cached[0] == token:
        return cached[1]
    with _cache_lock:
        cached = _cache.get(database)
        if cached is None or cached[0] != token:
            cached = (token, CityIndex.from_store(session))
            _cache[database] = cached
    return cached[1]


def _projection_for(city: CityData) -> LocalProjection:
    coordinates = [shapely.get_coordinates(shape(s.geometry)) for s in city.streets]
    coordinates += [shapely.get_coordinates(shape(g)) for g in city.boundary]
    if not coordinates:
        return LocalProjection.around(0.0, 0.0)
    every = np.concatenate(coordinates)
    low, high = every.min(axis=0), every.max(axis=0)
    return LocalProjection.around(float(low[0] + high[0]) / 2, float(low[1] + high[1]) / 2)


def _house_number(text: str | None) -> int | None:
    found = _HOUSE_NUMBER.search(text or "")
    return int(found.group()) if found else None


def _landmark_text(text: str) -> str:
    return " ".join(w for w in tokens(text) if w not in _LANDMARK_STOPWORDS)


def _merge(first: NameMatch, second: NameMatch) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first.suggestions, *second.suggestions]))
