"""The staff console's pure parts: form parsing, safe redirects, token comparison."""

from __future__ import annotations

import pytest

from case_store.statuses import CaseStatus, ClosureReason
from staff.csrf import new_token, token_matches
from staff.forms import FormError, parse_filters, parse_reply, parse_status, safe_next


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/staff/cases/311-000001", "/staff/cases/311-000001"),
        ("/staff/cases?status=routed&page=2", "/staff/cases?status=routed&page=2"),
        ("https://evil.example/staff/cases", "/staff/cases"),
        ("//evil.example/staff/cases", "/staff/cases"),
        ("/\\evil.example/staff/", "/staff/cases"),
        ("/staff\n/cases", "/staff/cases"),
        ("/api/v1/cases", "/staff/cases"),
        ("javascript:alert(1)", "/staff/cases"),
        ("", "/staff/cases"),
        (None, "/staff/cases"),
    ],
)
def test_safe_next_stays_inside_the_console(value: str | None, expected: str) -> None:
    assert safe_next(value, "/staff/cases") == expected


def test_parse_status_types_every_field() -> None:
    form = parse_status({"status": "resolved", "closure_reason": "fixed", "note": "  done  ", "seen_status": "routed"})
    assert form.status is CaseStatus.RESOLVED and form.closure_reason is ClosureReason.FIXED
    assert form.note == "done" and form.seen_status is CaseStatus.ROUTED
    loose = parse_status({"status": "in_queue", "closure_reason": "", "note": " ", "seen_status": "bogus"})
    assert loose.closure_reason is None and loose.note is None and loose.seen_status is None
    with pytest.raises(FormError) as error:
        parse_status({"status": "resolved", "note": "x" * 4001})
    assert error.value.field == "note"


def test_parse_reply_needs_a_kind_and_text() -> None:
    assert parse_reply({"text": " hi ", "kind": "internal"}).internal is True
    assert parse_reply({"text": "hi", "kind": "public"}).text == "hi"
    for form in ({"text": "hi"}, {"text": "", "kind": "public"}, {"text": "x" * 5001, "kind": "public"}):
        with pytest.raises(FormError):
            parse_reply(form)


def test_parse_filters_drops_what_it_cannot_use() -> None:
    assert parse_filters({}).page == 1
    filters = parse_filters({"status": "nope", "service_code": " pothole ", "page": "0"})
    assert filters.status is None and filters.service_code == "pothole" and filters.page == 1 and filters.problems
    assert parse_filters({"page": "99999"}).page == 1 and parse_filters({"page": "3"}).page == 3


def test_tokens_compare_only_equal_non_empty_strings() -> None:
    token = new_token()
    assert token_matches(token, token) and token != new_token()
    assert not token_matches(token, token + "x")
    assert not token_matches(None, None) and not token_matches("", "") and not token_matches(token, None)
    assert not token_matches(123, 123)
