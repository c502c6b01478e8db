"""Every staff form post carries the session's token; without it nothing happens.
The token is the staff console's alone: webhooks and JSON APIs do not need it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.app import AppServices, build_runtime
from case_store.models import Case, CaseEvent, Message
from case_store.statuses import CaseStatus
from tests.bot.transcript import Resident
from tests.staff.conftest import AGENT, PASSWORD, csrf_token, sign_in, staff_app

pytestmark = pytest.mark.usefixtures("demo_city")
CASE = "/staff/cases/311-000001"


@pytest.fixture
def filed(services: AppServices, demo_city: None) -> None:
    resident = Resident(build_runtime(services))
    for text in ("huge pothole in front of 1450 Oak St", "no", "yes"):
        resident.hears(text)
    assert resident.last.case_id == "311-000001"


def state(services: AppServices) -> tuple[CaseStatus | None, int, int]:
    with services.sessions() as session:
        return (
            session.scalar(sa.select(Case.status).where(Case.public_id == "311-000001")),
            session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) or 0,
            session.scalar(sa.select(sa.func.count()).select_from(Message)) or 0,
        )


@pytest.mark.usefixtures("filed")
@pytest.mark.parametrize(
    ("path", "fields"),
    [
        (f"{CASE}/replies", {"text": "Forged reply", "kind": "public"}),
        (f"{CASE}/replies", {"text": "Forged note", "kind": "internal"}),
        (f"{CASE}/status", {"status": "resolved", "closure_reason": "fixed", "seen_status": "routed"}),
        ("/staff/logout", {}),
    ],
)
def test_posts_without_the_right_token_are_refused_and_change_nothing(
    signed_in: FlaskClient, services: AppServices, path: str, fields: dict[str, str]
) -> None:
    before = state(services)
    # No token, an empty or made-up one, or another browser session's: all refused.
    for token in (None, "", "forged-token", _token_of_another_session(services)):
        data = dict(fields) if token is None else {**fields, "csrf_token": token}
        response = signed_in.post(path, data=data)
        assert response.status_code == 400, (path, token)
        assert "did not come from the staff console" in response.get_data(as_text=True)
    assert state(services) == before
    assert signed_in.get("/staff/cases").status_code == 200  # logout did not happen either
    # With the token the same post works.
    data = {**fields, "csrf_token": csrf_token(signed_in, CASE)}
    assert signed_in.post(path, data=data).status_code == 303


def _token_of_another_session(services: AppServices) -> str:
    return csrf_token(staff_app(services).test_client())


def test_login_without_the_token_is_refused(client: FlaskClient, agent: str) -> None:
    response = client.post("/staff/login", data={"email": AGENT, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/cases").status_code == 303
    assert sign_in(client)[0] == 303


def test_other_parts_of_the_app_do_not_ask_for_the_token(client: FlaskClient) -> None:
    created = client.post("/webchat/api/sessions", json={"language": "en"})
    assert created.status_code == 201
    assert client.post("/api/v1/cases/311-000001/replies", json={"text": "x"}).status_code == 401  # its own auth
