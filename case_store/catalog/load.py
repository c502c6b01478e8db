"""Writing a validated catalog into the store."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.catalog import Catalog
from case_store.models import Service


@dataclass(frozen=True, slots=True)
class LoadSummary:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...]

    def __str__(self) -> str:
        return f"{len(self.added)} added, {len(self.updated)} updated, {len(self.retired)} retired"


def do_load_catalog(session: Session, catalog: Catalog) -> LoadSummary:
    """Adds and updates the catalog's services; retires services the file no longer lists.

    Retired services keep their cases but are no longer offered to residents or clients.
    """
    existing = {s.code: s for s in session.scalars(sa.select(Service))}
    added: list[str] = []
    updated: list[str] = []
    for position, definition in enumerate(catalog.services):
        values = {
            "name": definition.name,
            "description": definition.description,
            "group": definition.group,
            "keywords": list(definition.keywords),
            "department": definition.department,
            "sla_hours": definition.sla_hours,
            "type": str(definition.type),
            "attributes": [a.model_dump(mode="json") for a in definition.attributes],
            "active": True,
            "position": position,
        }
        service = existing.get(definition.code)
        if service is None:
            session.add(Service(code=definition.code, **values))
            added.append(definition.code)
        elif any(getattr(service, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(service, key, value)
            updated.append(definition.code)
    listed = set(catalog.codes())
    retired = [code for code, s in existing.items() if s.active and code not in listed]
    for code in retired:
        existing[code].active = False
    session.flush()
    return LoadSummary(tuple(added), tuple(updated), tuple(sorted(retired)))


def has_services(session: Session) -> bool:
    return session.scalar(sa.select(sa.exists().select_from(Service))) or False
