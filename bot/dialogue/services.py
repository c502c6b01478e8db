"""What the engine knows of the service catalog and the city's settings: plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Question:
    """A required extra question of a service (an Open311 attribute)."""

    code: str
    datatype: str  # string | number | text | datetime | singlevaluelist | multivaluelist
    values: tuple[str, ...] = ()  # answer keys of a list, in order
    description: str = ""  # the catalog's English wording, for cities' own questions

    @property
    def is_list(self) -> bool:
        return self.datatype in ("singlevaluelist", "multivaluelist")


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    code: str
    name: str  # the catalog's English name, for a city's own services without a translation
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a turn may depend on besides the state and the message."""

    services: Mapping[str, ServiceInfo] = field(default_factory=dict)
    emergency_number: str = "911"
    languages: tuple[str, ...] = ("en",)
    # Categories listed when the resident needs to pick from all of them.
    menu: tuple[str, ...] = ()
