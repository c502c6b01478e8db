"""Helpers shared by the Open311 conformance tests: the spec's examples, its JSON Schemas,
the error envelope, row counts and cases created directly in the store.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT7
from sqlalchemy.engine import Engine
from werkzeug.test import TestResponse

from bot.app import AppServices
from case_store.models import Case, Channel
from case_store.service import NewCase, check_create_case, do_create_case
from tests.conftest import shared_data

FIXTURES = Path(__file__).with_name("fixtures")
API = "/open311/v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
FORMATS = ("json", "xml")
ERROR_SHAPE = frozenset({"errors", "errors/error", "errors/error/code", "errors/error/description"})
# The spec's W3C date-time as this server writes it: UTC, whole seconds, "Z".
W3C_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Tables a refused request must leave untouched.
COUNTED_TABLES = ("cases", "case_events", "residents", "case_media", "media")


# --- the spec's examples --------------------------------------------------------------


def spec_xml_example(anchor: str) -> bytes:
    """The XML example that follows ``{: .tab-pane .active #<anchor>}`` in the spec page."""
    path = shared_data("open311", "open311-org-spec", "GeoReport_v2_index.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"{{: .tab-pane .active #{anchor}}}")
    opening = next(i for i in range(start, len(lines)) if lines[i].startswith("~~~~"))
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].startswith("~~~~"))
    text = "\n".join(lines[opening + 1 : closing])
    # The errors example starts with the HTTP status line.
    return text[text.index("<?xml") :].encode("utf-8")


def tag_paths(xml: bytes) -> set[str]:
    """Every element of a document as a slash-joined path of tags: its shape, not its content."""
    paths: set[str] = set()

    def walk(element: ET.Element, prefix: str) -> None:
        path = f"{prefix}/{element.tag}" if prefix else element.tag
        paths.add(path)
        for child in element:
            walk(child, path)

    walk(ET.fromstring(xml), "")
    return paths


def xml_items(xml: bytes) -> list[dict[str, str | None]]:
    """The flat children of each item under the root, as {tag: text}."""
    return [{child.tag: child.text for child in item} for item in ET.fromstring(xml)]


# --- the JSON Schemas -----------------------------------------------------------------

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_w3c_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value):
        return False
    datetime.fromisoformat(value)  # raises on 2024-02-31 and the like
    return True


@_FORMATS.checks("uri")
def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


@cache
def _schema_registry() -> Registry:
    folder = shared_data("open311", "schema-validation", "georeport-v2")
    resources = [
        (path.name, DRAFT7.create_resource(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(folder.glob("*.json"))
        if path.name != "swagger.json"
    ]
    return Registry().with_resources(resources)


def schema_errors(schema: str, document: Any) -> list[str]:
    """What is wrong with ``document`` by the named schema of the schema-validation project."""
    validator = Draft7Validator({"$ref": schema}, registry=_schema_registry(), format_checker=_FORMATS)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


# --- responses ------------------------------------------------------------------------


def errors_in(response: TestResponse, fmt: str) -> list[tuple[int, str]]:
    """The (code, description) pairs of a spec error envelope; fails on anything else."""
    assert response.content_type == CONTENT_TYPES[fmt], response.data[:300]
    if fmt == "json":
        body = response.get_json()
        assert isinstance(body, list) and body, body
        assert all(isinstance(e, dict) and set(e) == {"code", "description"} for e in body), body
        return [(e["code"], e["description"]) for e in body]
    assert response.data.startswith(b"<?xml"), response.data[:100]
    assert tag_paths(response.data) == ERROR_SHAPE, response.data
    return [(int(e.findtext("code") or "0"), e.findtext("description") or "") for e in ET.fromstring(response.data)]


def assert_error(response: TestResponse, fmt: str, status: int, *fragments: str) -> str:
    """Checks the status, the envelope and that the one description names the problem."""
    assert response.status_code == status, (response.status_code, response.data[:500])
    errors = errors_in(response, fmt)
    assert len(errors) == 1, errors
    code, description = errors[0]
    assert code == status
    for fragment in fragments:
        assert fragment in description, (fragment, description)
    return description


def json_of(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.data[:500]
    assert response.content_type == CONTENT_TYPES["json"]
    return response.get_json()


def xml_of(response: TestResponse, status: int = 200) -> bytes:
    assert response.status_code == status, response.data[:500]
    assert response.content_type == CONTENT_TYPES["xml"]
    # UTF-8 and a declaration naming it come first, as the spec requires.
    assert re.match(rb"<\?xml version=['\"]1\.0['\"] encoding=['\"]utf-8['\"]\?>", response.data, re.I)
    return response.data


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
            for name in COUNTED_TABLES
        }


# --- cases made directly in the store -------------------------------------------------


def create_case(
    services: AppServices,
    service_code: str = "pothole",
    *,
    now: datetime | None = None,
    description: str | None = None,
    lat: float | None = 42.3876,
    lon: float | None = -71.0995,
    address: str | None = None,
    attributes: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Creates a case through the store's own check/do functions; returns its public id."""
    with services.sessions.begin() as session:
        checked = check_create_case(
            session,
            NewCase(
                service_code=service_code,
                channel=Channel.SMS,
                description=description,
                lat=lat,
                lon=lon,
                address=address,
                attributes=attributes or {},
            ),
        )
        case = do_create_case(session, checked, actor="test", now=now)
        assert case.public_id is not None
        return case.public_id


def case_by_public_id(services: AppServices, public_id: str) -> Case:
    with services.sessions() as session:
        case = session.scalar(sa.select(Case).where(Case.public_id == public_id))
        assert case is not None
        return case


def away_from_minute_boundary(margin: float = 3.0) -> None:
    """Waits out the end of a fixed one-minute rate-limit window, so a test stays in one."""
    into = time.time() % 60
    if into > 60 - margin:
        time.sleep(60 - into + 0.05)
