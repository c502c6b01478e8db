"""Validation of the answers to a service's extra questions (Open311 attributes)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from case_store.catalog import AttributeDatatype, AttributeDefinition
from case_store.errors import CaseValidationError
from case_store.text import clean_line, clean_text

MAX_STRING = 500
MAX_TEXT = 4000
MAX_VALUES = 50

AttributeValue = str | float | list[str]


def check_attribute_answers(
    service_code: str,
    definitions: Sequence[AttributeDefinition],
    answers: Mapping[str, Sequence[str]],
) -> dict[str, AttributeValue]:
    """Returns the answers in their typed form, or raises with what is wrong.

    ``answers`` maps an attribute code to the raw strings sent for it (several only
    for multi-value lists).
    """
    by_code = {d.code: d for d in definitions if d.variable}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise CaseValidationError(
            f"attribute[{unknown[0]}]",
            f"service {service_code!r} has no attribute {unknown[0]!r}"
            + (f"; its attributes are: {', '.join(sorted(by_code))}" if by_code else ""),
        )
    result: dict[str, AttributeValue] = {}
    for definition in sorted(by_code.values(), key=lambda d: d.order):
        raw = [v for v in answers.get(definition.code, ()) if v.strip()]
        if not raw:
            if definition.required:
                raise CaseValidationError(
                    f"attribute[{definition.code}]",
                    f"attribute[{definition.code}] is required for {service_code!r}: {definition.description}",
                )
            continue
        result[definition.code] = _typed_value(definition, raw)
    return result


def _typed_value(definition: AttributeDefinition, raw: list[str]) -> AttributeValue:
    field = f"attribute[{definition.code}]"
    datatype = definition.datatype
    if datatype is AttributeDatatype.MULTIVALUELIST:
        if len(raw) > MAX_VALUES:
            raise CaseValidationError(field, f"{field} has more than {MAX_VALUES} values")
        keys = {v.key for v in definition.values}
        chosen = list(dict.fromkeys(v.strip() for v in raw))
        bad = [v for v in chosen if v not in keys]
        if bad:
            raise CaseValidationError(field, _not_in_list(field, bad[0], definition))
        return chosen
    if len(raw) > 1:
        raise CaseValidationError(field, f"{field} takes a single value")
    value = raw[0]
    if datatype is AttributeDatatype.SINGLEVALUELIST:
        value = value.strip()
        if value not in {v.key for v in definition.values}:
            raise CaseValidationError(field, _not_in_list(field, value, definition))
        return value
    if datatype is AttributeDatatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise CaseValidationError(field, f"{field} must be a number") from None
        if not math.isfinite(number):
            raise CaseValidationError(field, f"{field} must be a finite number")
        return number
    if datatype is AttributeDatatype.DATETIME:
        try:
            return datetime.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise CaseValidationError(field, f"{field} must be an ISO 8601 date and time") from None
    if datatype is AttributeDatatype.STRING:
        text = clean_line(value)
        limit = MAX_STRING
    else:
        text = clean_text(value)
        limit = MAX_TEXT
    if len(text) > limit:
        raise CaseValidationError(field, f"{field} is longer than {limit} characters")
    return text


def _not_in_list(field: str, value: str, definition: AttributeDefinition) -> str:
    allowed = ", ".join(v.key for v in definition.values)
    shown = value if len(value) <= 40 else value[:40] + "…"
    return f"{field} does not accept {shown!r}; choose from: {allowed}"


def definitions_of(raw: Sequence[Mapping[str, Any]]) -> list[AttributeDefinition]:
    """Turns the JSON stored on a Service back into typed definitions."""
    return [AttributeDefinition.model_validate(item) for item in raw]
