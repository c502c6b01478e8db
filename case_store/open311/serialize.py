"""Open311 documents in JSON and XML.

Documents are built once as plain Python values (lists of dicts, datetimes kept as
datetimes), then rendered in either format: XML by the spec's element names, JSON by
the Spark convention the spec uses (the root element becomes a list). Times are
written in W3C format, in UTC, to the second.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from lxml import etree

from case_store.models import CaseEvent
from case_store.service import MAX_DESCRIPTION
from case_store.statuses import CLOSURE_REASON_TEXT, STATUS_TEXT, CaseStatus, ClosureReason

# The element name of one item of each list, as the spec's XML examples show.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Contact details residents sometimes type into descriptions; never published.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6}")  # every _PHONE match has such a run
_PHONE = re.compile(r"(?<![\w/])\+?(?:\d[\s().-]{0,2}){9,14}\d(?!\w)|\b\d{3}[-.\s]\d{4}\b")


_OPEN311_STATUS = {status: str(status.open311) for status in CaseStatus}


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:-6] + "Z"


def redact_contacts(text: str | None) -> str | None:
    if not text:
        return text
    # Cheap tests first: most texts hold no "@" and no run of seven digits.
    if "@" in text:
        text = _EMAIL.sub("[email removed]", text)
    if _SEVEN_DIGITS.search(text):
        text = _PHONE.sub("[phone removed]", text)
    return text


def _within_limit(text: str | None) -> str | None:
    # The spec limits descriptions to 4,000 characters, and the placeholders can be longer
    # than the short emails or numbers they replace.
    if text is None or len(text) <= MAX_DESCRIPTION:
        return text
    return text[: MAX_DESCRIPTION - 1] + "…"


def service_document(row: Any) -> dict[str, Any]:
    return {
        "service_code": row.code,
        "service_name": row.name,
        "description": row.description,
        "metadata": bool(row.attributes),
        "type": row.type,
        "keywords": ", ".join(row.keywords),
        "group": row.group,
    }


def definition_document(service: Any) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": a["variable"],
                "code": a["code"],
                "datatype": a["datatype"],
                "required": a["required"],
                "datatype_description": a.get("datatype_description"),
                "order": a["order"],
                "description": a["description"],
                **({"values": [{"key": v["key"], "name": v["name"]} for v in a["values"]]} if a["values"] else {}),
            }
            for a in sorted(service.attributes, key=lambda a: a["order"])
        ],
    }


def request_document(
    row: Mapping[str, Any],
    *,
    media_url: str | None,
    events: Sequence[CaseEvent] | None = None,
) -> dict[str, Any]:
    """One service request; ``events`` adds the extension fields when given."""
    document: dict[str, Any] = {
        "service_request_id": row["public_id"],
        "status": _OPEN311_STATUS[row["status"]],
        # Staff notes become status_notes; they are redacted like the notes they repeat.
        "status_notes": redact_contacts(row["status_notes"]),
        "service_name": row["service_name"],
        "service_code": row["service_code"],
        "description": _within_limit(redact_contacts(row["description"])),
        "agency_responsible": row["department"],
        "service_notice": None,
        "requested_datetime": row["requested_at"],
        "updated_datetime": row["updated_at"],
        "expected_datetime": row["expected_at"],
        "address": row["address"],
        "address_id": row["address_id"],
        "zipcode": row["zipcode"],
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": media_url or row["external_media_url"],
    }
    if events is not None:
        status = CaseStatus(row["status"])
        reason = ClosureReason(row["closure_reason"]) if row["closure_reason"] else None
        document["detailed_status"] = str(status)
        document["detailed_status_text"] = STATUS_TEXT[status]
        document["closure_reason"] = str(reason) if reason else None
        document["closure_reason_text"] = CLOSURE_REASON_TEXT[reason] if reason else None
        document["notes"] = [note_document(e) for e in events]
    return document


def note_document(event: CaseEvent) -> dict[str, Any]:
    return {
        "datetime": event.created_at,
        "type": str(event.kind),
        "status": str(event.new_status) if event.new_status else None,
        "summary": STATUS_TEXT[event.new_status] if event.new_status else str(event.kind).replace("_", " "),
        "description": redact_contacts(event.note),
    }


def error_document(http_status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": http_status, "description": description}]


_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def render_json(document: Any) -> bytes:
    return orjson.dumps(document, option=_JSON_OPTIONS)


def render_xml(root_tag: str, document: Any) -> bytes:
    root = etree.Element(root_tag)
    _fill(root, root_tag, document)
    # Written by hand to match the spec's examples (lxml would use single quotes).
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="utf-8")


def _fill(element: etree._Element, tag: str, value: Any) -> None:
    # Documents are built from plain dicts and lists, so exact type checks suffice (and
    # are much cheaper than the abstract Mapping check on every one of 18,000 values).
    kind = type(value)
    if kind is str:
        element.text = _NOT_XML.sub("", value)
    elif value is None:
        return
    elif kind is dict:
        for key, child in value.items():
            _fill(etree.SubElement(element, key), key, child)
    elif kind is list or kind is tuple:
        item_tag = ITEM_TAGS[tag]
        for child in value:
            _fill(etree.SubElement(element, item_tag), item_tag, child)
    elif kind is bool:
        element.text = "true" if value else "false"
    elif isinstance(value, datetime):
        element.text = w3c(value)
    else:
        element.text = str(value)
