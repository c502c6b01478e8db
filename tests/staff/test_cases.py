"""The case list: newest first, filtered by status and category, 50 to a page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from bot.app import AppServices, build_notifier
from bot.staff_actions import change_status, find_case
from case_store.statuses import CaseStatus, ClosureReason


def listed(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/staff/cases{query}")
    assert response.status_code == 200
    return re.findall(r'<a href="/staff/cases/([^"]+)">', response.get_data(as_text=True))


def test_list_filters_by_status_and_category_newest_first(
    signed_in: FlaskClient, make_case: Callable[..., str], services: AppServices
) -> None:
    first = make_case("pothole", address="1450 Oak St")
    second = make_case("sidewalk", address="230 Elm St")
    third = make_case("pothole", address="12 Main St")
    with services.sessions.begin() as session:
        change_status(
            session,
            build_notifier(services),
            find_case(session, first),
            CaseStatus.RESOLVED,
            actor="test",
            closure_reason=ClosureReason.FIXED,
        )
    assert listed(signed_in) == [third, second, first]
    assert listed(signed_in, "?status=resolved") == [first]
    assert listed(signed_in, "?service_code=pothole") == [third, first]
    assert listed(signed_in, "?status=routed&service_code=pothole") == [third]
    assert listed(signed_in, "?status=closed") == []
    page = signed_in.get("/staff/cases?service_code=sidewalk").get_data(as_text=True)
    row = page[page.index(f"/staff/cases/{second}") :]
    assert "230 Elm St" in row and "Broken sidewalk" in row and "Routed to the responsible team" in row
    assert re.search(r"<time datetime=\"2025-03-01T09:02:00\+00:00\">2025-03-01 0[45]:02</time>", row)
    # The chosen filters stay selected.
    assert '<option value="sidewalk" selected>' in page


def test_unknown_filters_are_reported_not_fatal(signed_in: FlaskClient, make_case: Callable[..., str]) -> None:
    case_id = make_case()
    response = signed_in.get("/staff/cases?status=exploded&page=abc")
    assert response.status_code == 200
    assert "unknown status" in response.get_data(as_text=True)
    assert listed(signed_in, "?status=exploded") == [case_id]


def test_list_is_paginated_by_fifty(signed_in: FlaskClient, make_case: Callable[..., str]) -> None:
    ids = [make_case() for _ in range(51)]
    first_page = signed_in.get("/staff/cases").get_data(as_text=True)
    assert listed(signed_in) == ids[::-1][:50]
    assert 'rel="next" href="/staff/cases?page=2"' in first_page and 'rel="prev"' not in first_page
    assert listed(signed_in, "?page=2") == [ids[0]]
    second_page = signed_in.get("/staff/cases?page=2").get_data(as_text=True)
    assert 'rel="prev" href="/staff/cases?page=1"' in second_page and 'rel="next"' not in second_page
    filtered = signed_in.get("/staff/cases?service_code=pothole").get_data(as_text=True)
    assert 'href="/staff/cases?service_code=pothole&amp;page=2"' in filtered
