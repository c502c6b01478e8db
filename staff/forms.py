"""The staff forms' fields turned into typed values, or a FormError naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from case_store.service import MAX_NOTE
from case_store.statuses import CaseStatus, ClosureReason

MAX_REPLY = 5000  # as the staff API
_STATUS_VALUES = frozenset(status.value for status in CaseStatus)


class FormError(ValueError):
    """A field the staff member has to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class LoginForm:
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class ReplyForm:
    text: str
    internal: bool


@dataclass(frozen=True, slots=True)
class StatusForm:
    status: CaseStatus
    closure_reason: ClosureReason | None
    note: str | None
    # The status the page showed; a different one now means someone else moved the case.
    seen_status: CaseStatus | None


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: CaseStatus | None
    service_code: str | None
    page: int
    problems: tuple[str, ...] = ()


def parse_login(form: Mapping[str, str]) -> LoginForm:
    email = form.get("email", "").strip()
    password = form.get("password", "")
    if not email or not password or len(email) > 320 or len(password) > 1024:
        raise FormError("email", "email or password is wrong")
    return LoginForm(email, password)


def parse_reply(form: Mapping[str, str]) -> ReplyForm:
    kind = form.get("kind", "")
    if kind not in ("public", "internal"):
        raise FormError("kind", "choose whether to send a reply or save an internal note")
    text = form.get("text", "").strip()
    if not text:
        raise FormError("text", "write the reply or note first")
    if len(text) > MAX_REPLY:
        raise FormError("text", f"the text is longer than {MAX_REPLY} characters")
    return ReplyForm(text, internal=kind == "internal")


def parse_status(form: Mapping[str, str]) -> StatusForm:
    try:
        status = CaseStatus(form.get("status", ""))
    except ValueError:
        raise FormError("status", "choose the new status") from None
    reason_value = form.get("closure_reason", "")
    try:
        reason = ClosureReason(reason_value) if reason_value else None
    except ValueError:
        raise FormError("closure_reason", "choose a closure reason from the list") from None
    note = form.get("note", "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise FormError("note", f"the note is longer than {MAX_NOTE} characters")
    seen_value = form.get("seen_status", "")
    seen = CaseStatus(seen_value) if seen_value in _STATUS_VALUES else None
    return StatusForm(status, reason, note, seen)


def parse_filters(args: Mapping[str, str]) -> CaseFilters:
    """The case list's filters; unusable values are dropped and reported, never an error page."""
    problems = []
    status: CaseStatus | None = None
    if status_value := args.get("status", ""):
        try:
            status = CaseStatus(status_value)
        except ValueError:
            problems.append(f"unknown status {status_value!r}: showing every status")
    code = args.get("service_code", "").strip()[:64] or None
    page_value = args.get("page", "1")
    page = int(page_value) if page_value.isdigit() and 1 <= int(page_value) <= 10_000 else 1
    return CaseFilters(status, code, page, tuple(problems))


def safe_next(value: str | None, default: str) -> str:
    """Where to go after signing in: only a path inside the staff console (no open redirect)."""
    if not value or "\\" in value or any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or value.startswith("//"):
        return default
    return value
