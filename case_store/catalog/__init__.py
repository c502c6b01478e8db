"""The service catalog: the categories a city accepts, read from a file the city edits.

The file is YAML (see ``default.yaml`` beside this module for the shipped catalog).
It is validated completely before anything is written, so a typo in a city's file
never leaves the store half-updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CATALOG_PATH = Path(__file__).with_name("default.yaml")

# Open311 service codes appear in URLs (/services/{code}.json), so keep them URL-safe.
SERVICE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


class CatalogError(ValueError):
    """The catalog file cannot be read or does not describe a valid catalog."""


class AttributeDatatype(StrEnum):
    """Open311 service-definition datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"

    @property
    def is_list(self) -> bool:
        return self in (AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST)


class ServiceType(StrEnum):
    REALTIME = "realtime"
    BATCH = "batch"
    BLACKBOX = "blackbox"


_Text = Annotated[str, Field(min_length=1, max_length=4000)]
_Short = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AttributeValue(_Strict):
    key: Annotated[str, Field(min_length=1, max_length=100)]
    name: _Short

    @field_validator("key", mode="before")
    @classmethod
    def _key_as_text(cls, value: Any) -> Any:
        # YAML reads `key: yes` as a boolean and `key: 1` as a number; Open311 keys are
        # strings on the wire. A boolean is refused, because "True" is never what was meant.
        if isinstance(value, bool):
            raise ValueError('put yes/no/on/off keys in quotes, e.g. key: "yes"')
        return str(value) if isinstance(value, int | float) else value


class AttributeDefinition(_Strict):
    """One Open311 service-definition attribute (an extra question)."""

    code: Annotated[str, Field(pattern=SERVICE_CODE_PATTERN)]
    datatype: AttributeDatatype
    description: _Text
    required: bool = False
    variable: bool = True
    order: Annotated[int, Field(ge=1)]
    datatype_description: str | None = None
    values: tuple[AttributeValue, ...] = ()

    @model_validator(mode="after")
    def _values_match_datatype(self) -> AttributeDefinition:
        if self.datatype.is_list and not self.values:
            raise ValueError(f"attribute {self.code!r} is a {self.datatype} and needs values")
        if not self.datatype.is_list and self.values:
            raise ValueError(f"attribute {self.code!r} is a {self.datatype} and must not list values")
        keys = [v.key for v in self.values]
        if len(keys) != len(set(keys)):
            raise ValueError(f"attribute {self.code!r} repeats a value key")
        return self


class ServiceDefinition(_Strict):
    """One category of the catalog."""

    code: Annotated[str, Field(pattern=SERVICE_CODE_PATTERN)]
    name: _Short
    description: _Text
    group: _Short
    keywords: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = ()
    department: _Short
    sla_hours: Annotated[int, Field(ge=1, le=24 * 365)]
    type: ServiceType = ServiceType.REALTIME
    attributes: tuple[AttributeDefinition, ...] = ()

    @model_validator(mode="after")
    def _attributes_unique(self) -> ServiceDefinition:
        codes = [a.code for a in self.attributes]
        if len(codes) != len(set(codes)):
            raise ValueError(f"service {self.code!r} repeats an attribute code")
        orders = [a.order for a in self.attributes]
        if len(orders) != len(set(orders)):
            raise ValueError(f"service {self.code!r} repeats an attribute order")
        return self


class Catalog(_Strict):
    # Not Field(min_length=1): pydantic counts only the entries that validated, so when
    # every entry has a mistake it also reports "at least 1 item ... not 0", as if the
    # file listed no services. The emptiness check is in the validator below instead.
    services: tuple[ServiceDefinition, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> Catalog:
        if not self.services:
            raise ValueError("the catalog lists no services")
        seen: set[str] = set()
        for service in self.services:
            if service.code in seen:
                raise ValueError(f"service code {service.code!r} appears twice")
            seen.add(service.code)
        return self

    def codes(self) -> Sequence[str]:
        return [s.code for s in self.services]


def parse_catalog(text: str, *, source: str = "catalog") -> Catalog:
    """Parses and validates catalog YAML; raises CatalogError with every problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: not valid YAML: {exc}") from exc
    if data is None:
        # An empty (or comments-only) file reads as None; say so instead of pydantic's
        # "Input should be a valid dictionary".
        raise CatalogError(f"{source}: the file is empty; it needs a `services:` list")
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors())
        raise CatalogError(f"{source}: {problems}") from exc


def read_catalog(path: Path) -> Catalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc.strerror}") from exc
    return parse_catalog(text, source=str(path))


def read_default_catalog() -> Catalog:
    return read_catalog(DEFAULT_CATALOG_PATH)
