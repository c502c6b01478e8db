"""Turning Open311 request arguments into typed queries and new-case drafts.

Framework-free: views hand over the arguments as ``{name: [values]}`` so these
functions can be tested from plain dictionaries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from case_store.models import Channel
from case_store.open311.errors import Open311Error, bad_request
from case_store.public_ids import is_public_id
from case_store.service import NewCase
from case_store.statuses import CaseStatus, Open311Status, statuses_for
from case_store.text import clean_line

Args = Mapping[str, Sequence[str]]

MAX_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_IDS = 1000
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
# NUL (a %00 or \u0000) cannot be stored or even compared by PostgreSQL, and an unpaired
# surrogate (a JSON \ud800) cannot be encoded as UTF-8: either would end in a 500.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Bounded so int() never sees thousands of digits, ASCII so it never sees "²".
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,9}$")
# Far-off years would overflow the 90-day window arithmetic; no request is that old or new.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def check_characters(args: Args) -> None:
    """Refuses arguments (names or values) holding characters no field may contain."""
    for key, values in args.items():
        if any(_UNSTORABLE.search(text) for text in (key, *values)):
            raise bad_request(f"{key[:80]!r} contains a NUL character or an unpaired surrogate")


def first(args: Args, name: str) -> str | None:
    """The first non-empty value of an argument; the spec treats empty as absent."""
    for value in args.get(name, ()):
        if value.strip():
            return value.strip()
    return None


def comma_list(args: Args, name: str) -> list[str]:
    items: list[str] = []
    for value in args.get(name, ()):
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return list(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class RequestsArgs:
    """GET requests arguments, validated (service codes not yet resolved)."""

    public_ids: tuple[str, ...]
    service_codes: tuple[str, ...]
    statuses: frozenset[CaseStatus] | None
    start: datetime | None
    end: datetime | None
    page: int
    page_size: int
    extensions: bool


def parse_requests_args(args: Args, *, now: datetime) -> RequestsArgs:
    public_ids = comma_list(args, "service_request_id")
    extensions = wants_extensions(args)
    if public_ids:
        # The spec: a list of ids overrides all other arguments, so they are not even read.
        if len(public_ids) > MAX_IDS:
            raise bad_request(f"service_request_id lists more than {MAX_IDS} ids")
        return RequestsArgs(tuple(public_ids), (), None, None, None, 1, MAX_IDS, extensions)
    statuses: set[CaseStatus] | None = None
    for name in comma_list(args, "status"):
        try:
            status = Open311Status(name.lower())
        except ValueError:
            raise bad_request(f"status {name!r} is not valid; use open or closed") from None
        statuses = (statuses or set()) | statuses_for(status)
    start, end = _window(parse_datetime(args, "start_date"), parse_datetime(args, "end_date"), now)
    return RequestsArgs(
        public_ids=(),
        service_codes=tuple(comma_list(args, "service_code")),
        statuses=frozenset(statuses) if statuses is not None else None,
        start=start,
        end=end,
        page=_positive_int(args, "page", default=1, maximum=1_000_000),
        page_size=_positive_int(args, "page_size", default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE),
        extensions=extensions,
    )


def _window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """Applies the spec's rule: at most 90 days, the most recent 90 when unspecified."""
    if start is not None and end is not None:
        if start > end:
            raise bad_request("start_date is after end_date")
        if end - start > MAX_WINDOW:
            raise bad_request("start_date and end_date may not span more than 90 days")
        return start, end
    if start is not None:
        return start, start + MAX_WINDOW
    if end is not None:
        return end - MAX_WINDOW, end
    return now - MAX_WINDOW, now


def wants_extensions(args: Args) -> bool:
    """``extensions=true`` adds detailed status and the update history."""
    return (first(args, "extensions") or "").lower() in ("true", "1", "yes")


def parse_datetime(args: Args, name: str) -> datetime | None:
    raw = first(args, name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+") if "T" in raw else raw)
        # A bare date or a time without an offset is read as UTC.
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise bad_request(f"{name} {raw[:40]!r} is not a W3C date-time such as 2024-01-31T00:00:00Z") from None
    if not _EARLIEST <= value < _LATEST:
        raise bad_request(f"{name} {raw[:40]!r} is not between the years {_EARLIEST.year} and {_LATEST.year}")
    return value


def _positive_int(args: Args, name: str, *, default: int, maximum: int) -> int:
    raw = first(args, name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.match(raw) or not 1 <= int(raw) <= maximum:
        raise bad_request(f"{name} must be a whole number from 1 to {maximum}")
    return int(raw)


@dataclass(frozen=True, slots=True)
class Contact:
    """The private contact details a client may send with a request."""

    name: str | None
    email: str | None
    phone: str | None


def parse_new_request(args: Args, attributes: Mapping[str, Sequence[str]]) -> tuple[NewCase, Contact]:
    service_code = first(args, "service_code")
    if service_code is None:
        raise bad_request("service_code was not provided")
    lat = _coordinate(args, "lat")
    lon = _coordinate(args, "long")
    media_url = first(args, "media_url")
    if media_url is not None:
        _check_url(media_url)
    draft = NewCase(
        service_code=service_code,
        channel=Channel.OPEN311,
        description=first(args, "description"),
        lat=lat,
        lon=lon,
        address=first(args, "address_string"),
        address_id=_bounded(args, "address_id", 100),
        zipcode=_bounded(args, "zipcode", 20),
        attributes=attributes,
        external_media_url=media_url,
        device_id=_bounded(args, "device_id", 200),
        account_id=_bounded(args, "account_id", 200),
    )
    return draft, _contact(args)


def _coordinate(args: Args, name: str) -> float | None:
    raw = first(args, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad_request(f"{name} must be a decimal number of degrees (WGS84)") from None
    if not math.isfinite(value):
        raise bad_request(f"{name} must be a finite number")
    return value


def _bounded(args: Args, name: str, limit: int) -> str | None:
    raw = first(args, name)
    if raw is None:
        return None
    value = clean_line(raw)
    if len(value) > limit:
        raise bad_request(f"{name} is longer than {limit} characters")
    return value or None


def _check_url(url: str) -> None:
    # Stored and shown as given, never fetched: only plain web URLs are accepted.
    parts = urlsplit(url)
    if len(url) > 2048 or parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_request("media_url must be an http or https URL of at most 2048 characters")


def _contact(args: Args) -> Contact:
    names = [n for n in (_bounded(args, "first_name", 100), _bounded(args, "last_name", 100)) if n]
    email = first(args, "email")
    if email is not None and not _EMAIL.match(email):
        raise bad_request("email is not a valid email address")
    phone = first(args, "phone")
    if phone is not None:
        phone = re.sub(r"[\s().\-]", "", phone)
        if not _E164.match(phone):
            # Kept private either way; only E.164 numbers can link to a messaging identity.
            phone = None
    return Contact(name=" ".join(names) or None, email=email.lower() if email else None, phone=phone)


def split_attribute_args(args: Args) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Separates ``attribute[code]`` / ``attribute[code][]`` from the other arguments."""
    plain: dict[str, list[str]] = {}
    attributes: dict[str, list[str]] = {}
    for key, values in args.items():
        if key.startswith("attribute"):
            match = _ATTRIBUTE_KEY.match(key)
            if not match:
                raise bad_request(f"{key[:80]!r} is not of the form attribute[code]")
            attributes.setdefault(match.group(1), []).extend(values)
        else:
            plain[key] = list(values)
    return plain, attributes


def check_public_id(value: str) -> str:
    if not is_public_id(value):
        raise Open311Error(404, f"service_request_id {value[:40]!r} was not found")
    return value
