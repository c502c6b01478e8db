"""The staff API: bearer tokens, cases, replies that reach residents, status changes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from bot.app import AppServices, build_runtime
from bot.cli import main
from case_store.models import StaffRole
from case_store.staff import check_new_user, do_create_user, do_issue_token
from tests.bot.transcript import Resident

pytestmark = pytest.mark.usefixtures("demo_city")


@pytest.fixture
def token(services: AppServices) -> str:
    with services.sessions.begin() as session:
        do_create_user(
            session,
            check_new_user(session, "Agent@City.test", "correct horse battery"),
            "correct horse battery",
            StaffRole.AGENT,
        )
        return do_issue_token(session, "agent@city.test")


@pytest.fixture
def filed(services: AppServices, demo_city: None) -> Resident:
    resident = Resident(build_runtime(services), language_hint="es")
    for text in ("hay un bache enorme enfrente del 1450 de Oak St", "no", "sí"):
        resident.hears(text)
    assert resident.last.case_id == "311-000001"
    return resident


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_requests_without_a_valid_token_are_refused(client: FlaskClient, token: str) -> None:
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/cases", headers=auth("stf_forged")).status_code == 401
    response = client.get("/api/v1/cases", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["message"]


@pytest.mark.usefixtures("filed")
def test_list_and_read_a_case_with_its_thread(client: FlaskClient, token: str) -> None:
    listed = client.get("/api/v1/cases?status=routed&service_code=pothole&page=1", headers=auth(token))
    assert listed.status_code == 200 and [c["case_id"] for c in listed.json["cases"]] == ["311-000001"]
    assert client.get("/api/v1/cases?status=closed", headers=auth(token)).json["cases"] == []
    assert client.get("/api/v1/cases?status=bogus", headers=auth(token)).status_code == 422
    one = client.get("/api/v1/cases/311-000001", headers=auth(token)).json
    assert one["case"]["description_language"] == "es"
    assert [e["kind"] for e in one["events"]][:2] == ["created", "status_changed"]
    assert one["thread"][0]["direction"] == "inbound" and "bache" in one["thread"][0]["text"]
    assert client.get("/api/v1/cases/311-999999", headers=auth(token)).status_code == 404


def test_public_reply_reaches_the_resident_and_internal_note_does_not(
    client: FlaskClient, token: str, filed: Resident, services: AppServices
) -> None:
    response = client.post(
        "/api/v1/cases/311-000001/replies",
        json={"text": "We will fill it on Monday.", "internal": False},
        headers=auth(token),
    )
    assert response.status_code == 201 and response.json["messages_queued"] == 1
    internal = client.post(
        "/api/v1/cases/311-000001/replies", json={"text": "crew 4", "internal": True}, headers=auth(token)
    )
    assert internal.status_code == 201 and internal.json["messages_queued"] == 0
    thread = client.get("/api/v1/cases/311-000001", headers=auth(token)).json["thread"]
    assert any("We will fill it on Monday." in (m["text"] or "") for m in thread)
    assert not any("crew 4" in (m["text"] or "") for m in thread)
    assert client.post("/api/v1/cases/311-000001/replies", json={"text": ""}, headers=auth(token)).status_code == 422
    assert client.post("/api/v1/cases/311-000001/replies", json={"txt": "x"}, headers=auth(token)).status_code == 422


@pytest.mark.usefixtures("filed")
def test_status_change_with_reason_and_bad_transitions(client: FlaskClient, token: str) -> None:
    ok = client.post(
        "/api/v1/cases/311-000001/status",
        json={"status": "resolved", "closure_reason": "fixed", "note": "Patched"},
        headers=auth(token),
    )
    assert ok.status_code == 200 and ok.json["case"]["status"] == "resolved"
    again = client.post("/api/v1/cases/311-000001/status", json={"status": "in_queue"}, headers=auth(token))
    assert again.status_code == 422 and again.json["error"]["message"]
    bad = client.post("/api/v1/cases/311-000001/status", json={"status": "exploded"}, headers=auth(token))
    assert bad.status_code == 422
    thread = client.get("/api/v1/cases/311-000001", headers=auth(token)).json["thread"]
    update = [m for m in thread if m["author"] and m["author"].startswith("system:notify")][-1]
    assert update["language"] == "es" and "311-000001" in update["text"] and "Patched" in update["text"]


def test_disabled_account_gets_403(client: FlaskClient, token: str, services: AppServices) -> None:
    import sqlalchemy as sa

    from case_store.models import StaffUser

    with services.sessions.begin() as session:
        session.execute(sa.update(StaffUser).values(active=False))
    assert client.get("/api/v1/cases", headers=auth(token)).status_code == 403


@pytest.mark.usefixtures("services")
def test_cli_creates_a_user_and_prints_a_token_that_works(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, services: AppServices
) -> None:
    monkeypatch.setenv("DATABASE_URL", services.settings.sqlalchemy_url)
    monkeypatch.setenv("REDIS_URL", services.settings.redis_url or "")
    monkeypatch.setenv("INTAKE_DATA_DIR", str(services.settings.intake_data_dir))
    runner = CliRunner()
    created = runner.invoke(
        main,
        ["staff", "create-user", "sup@city.test", "--role", "supervisor"],
        input="a long passphrase\na long passphrase\n",
    )
    assert created.exit_code == 0, created.output
    short = runner.invoke(main, ["staff", "create-user", "x@city.test"], input="short\nshort\n")
    assert short.exit_code != 0 and "12 characters" in short.output
    printed = runner.invoke(main, ["staff", "token", "sup@city.test"])
    assert printed.exit_code == 0
    assert client.get("/api/v1/cases", headers=auth(printed.output.strip())).status_code == 200
