"""Request bodies other than the spec's form encoding: JSON objects and flat XML documents.

Framework-free, so each format's quirks are tested from bytes. Every value becomes a
list of strings, exactly as form fields arrive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from case_store.open311.errors import bad_request

JSON_TYPES = frozenset({"application/json"})
XML_TYPES = frozenset({"text/xml", "application/xml"})
STRUCTURED_BODY_TYPES = JSON_TYPES | XML_TYPES


def body_arguments(mimetype: str, body: bytes) -> dict[str, list[str]]:
    if mimetype in JSON_TYPES:
        return _json_arguments(body)
    return _xml_arguments(body)


def _json_arguments(body: bytes) -> dict[str, list[str]]:
    try:
        data = json.loads(body)
    # RecursionError: thousands of nested brackets are refused like any other bad JSON.
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_request("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("the JSON body must be an object of request fields")
    args: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "attribute" and isinstance(value, Mapping):
            for code, answer in value.items():
                args[f"attribute[{code}]"] = _strings(f"attribute[{code}]", answer)
        else:
            args[key] = _strings(key, value)
    return args


def _strings(key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if any(isinstance(v, dict | list) for v in items):
        raise bad_request(f"{key[:80]!r} must be a string, a number or a list of them")
    return ["" if v is None else ("true" if v is True else "false" if v is False else str(v)) for v in items]


def _xml_arguments(body: bytes) -> dict[str, list[str]]:
    """``<request><service_code>…</service_code><attribute><code>…</code></attribute></request>``."""
    try:
        root = SafeET.fromstring(body)
    except DefusedXmlException:
        raise bad_request("XML entities and DTDs are not accepted in request bodies") from None
    except (SafeET.ParseError, ValueError):
        raise bad_request("the request body is not valid XML") from None
    args: dict[str, list[str]] = {}
    for child in root:
        if child.tag == "attribute":
            for answer in child:
                args.setdefault(f"attribute[{answer.tag}]", []).append(answer.text or "")
        elif len(child):
            raise bad_request(f"XML element <{str(child.tag)[:40]}> must hold text, not elements")
        else:
            args.setdefault(str(child.tag), []).append(child.text or "")
    return args
