"""The city's data in the case store: replacing it, reading it back, the demo default."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.city_models import AreaKind, CityArea, CityImport, CityStreet
from nlu.city.data import AddressRange, CityData, NamedArea, StreetSegment


@dataclass(frozen=True, slots=True)
class ImportSummary:
    streets: int
    street_names: int
    skipped_streets: int
    wards: int
    neighborhoods: int
    landmarks: int
    boundary: bool

    def __str__(self) -> str:
        parts = [
            f"{self.streets} street segments ({self.street_names} streets)",
            f"{self.wards} wards",
            f"{self.neighborhoods} neighbourhoods",
        ]
        if self.landmarks:
            parts.append(f"{self.landmarks} landmarks")
        parts.append("a boundary" if self.boundary else "no boundary")
        text = ", ".join(parts)
        if self.skipped_streets:
            text += f"; {self.skipped_streets} segments without a name skipped"
        return text


def do_import_city(session: Session, city: CityData, *, source: str, demo: bool = False) -> ImportSummary:
    """Replaces the stored city with ``city`` in the caller's transaction."""
    session.execute(sa.delete(CityStreet))
    session.execute(sa.delete(CityArea))
    session.execute(
        sa.insert(CityStreet),
        [{"name": s.name, "geometry": s.geometry, **_range_columns(s.addresses)} for s in city.streets],
    )
    areas = [
        *((AreaKind.WARD, a) for a in city.wards),
        *((AreaKind.NEIGHBORHOOD, a) for a in city.neighborhoods),
        *((AreaKind.LANDMARK, a) for a in city.landmarks),
    ]
    rows: list[dict[str, object]] = [{"kind": kind, "name": a.name, "geometry": a.geometry} for kind, a in areas]
    rows += [{"kind": AreaKind.BOUNDARY, "name": None, "geometry": g} for g in city.boundary]
    if rows:
        session.execute(sa.insert(CityArea), rows)
    session.add(CityImport(token=uuid.uuid4().hex, source=source[:1000], demo=demo, street_count=len(city.streets)))
    session.flush()
    return ImportSummary(
        streets=len(city.streets),
        street_names=len({s.name for s in city.streets}),
        skipped_streets=city.skipped_streets,
        wards=len(city.wards),
        neighborhoods=len(city.neighborhoods),
        landmarks=len(city.landmarks),
        boundary=bool(city.boundary),
    )


def current_city_token(session: Session) -> str | None:
    """Changes with every import; None when no city was ever imported."""
    return session.scalar(sa.select(CityImport.token).order_by(CityImport.id.desc()).limit(1))


def has_city(session: Session) -> bool:
    return current_city_token(session) is not None


def ensure_city_loaded(session: Session) -> ImportSummary | None:
    """Loads the shipped demo city when no city was ever imported; returns what it loaded."""
    if has_city(session):
        return None
    from nlu.city.demo import demo_city  # the demo files are read only when needed

    return do_import_city(session, demo_city(), source="demo city (nlu/city/demo)", demo=True)


def read_stored_city(session: Session) -> CityData:
    streets = tuple(
        StreetSegment(row.name, row.geometry, _range(row))
        for row in session.scalars(sa.select(CityStreet).order_by(CityStreet.id))
    )
    by_kind: dict[AreaKind, list[CityArea]] = {kind: [] for kind in AreaKind}
    for area in session.scalars(sa.select(CityArea).order_by(CityArea.id)):
        by_kind[area.kind].append(area)

    def named(kind: AreaKind) -> tuple[NamedArea, ...]:
        return tuple(NamedArea(a.name or "", a.geometry) for a in by_kind[kind])

    return CityData(
        streets=streets,
        wards=named(AreaKind.WARD),
        neighborhoods=named(AreaKind.NEIGHBORHOOD),
        landmarks=named(AreaKind.LANDMARK),
        boundary=tuple(a.geometry for a in by_kind[AreaKind.BOUNDARY]),
    )


def _range_columns(addresses: AddressRange | None) -> dict[str, int | None]:
    a = addresses or AddressRange()
    return {"from_left": a.from_left, "to_left": a.to_left, "from_right": a.from_right, "to_right": a.to_right}


def _range(row: CityStreet) -> AddressRange | None:
    found = AddressRange(row.from_left, row.to_left, row.from_right, row.to_right)
    return found if found.sides() else None
