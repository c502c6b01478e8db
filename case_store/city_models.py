"""The city's own geographic data, used to geocode what residents write.

An import replaces all streets and areas at once; ``city_imports`` keeps one row per
import, and the newest row's token tells every process when to rebuild its in-memory
index. Geometries are GeoJSON in WGS84, the form cities publish them in.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from case_store.db import Base, UTCDateTime, utcnow


class AreaKind(StrEnum):
    WARD = "ward"
    NEIGHBORHOOD = "neighborhood"
    LANDMARK = "landmark"
    BOUNDARY = "boundary"


class CityImport(Base):
    __tablename__ = "city_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    source: Mapped[str] = mapped_column(sa.String(1000))
    demo: Mapped[bool] = mapped_column(default=False)
    street_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CityStreet(Base):
    """One street centerline segment, with its house-number ranges when the city has them."""

    __tablename__ = "city_streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    from_left: Mapped[int | None]
    to_left: Mapped[int | None]
    from_right: Mapped[int | None]
    to_right: Mapped[int | None]


class CityArea(Base):
    """A ward, neighbourhood, landmark or part of the city boundary."""

    __tablename__ = "city_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AreaKind] = mapped_column(
        sa.Enum(AreaKind, native_enum=False, length=16, values_callable=lambda m: [k.value for k in m])
    )
    name: Mapped[str | None] = mapped_column(sa.String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
