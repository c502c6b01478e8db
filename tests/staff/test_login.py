"""Signing in and out of the staff console: generic refusals, disabled accounts, session
rotation, cookie flags, and the failed-login limit."""

from __future__ import annotations

from flask.testing import FlaskClient

from bot.app import AppServices
from tests.staff.conftest import AGENT, PASSWORD, create_staff, csrf_token, set_active, sign_in, staff_app


def session_of(client: FlaskClient) -> dict[str, object]:
    with client.session_transaction() as session:
        return dict(session)


def test_staff_pages_redirect_to_login_when_signed_out(client: FlaskClient) -> None:
    for path in ("/staff/cases", "/staff/cases/311-000001", "/staff/"):
        response = client.get(path)
        assert response.status_code in (302, 303)
        assert response.headers["Location"].startswith("/staff/login")
    assert client.get("/staff/cases?status=routed").headers["Location"] == (
        "/staff/login?next=/staff/cases?status%3Drouted"
    )
    page = client.get("/staff/login")
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    # The stylesheet loads on the sign-in page too.
    assert client.get("/staff/static/staff.css").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_refusal(client: FlaskClient, agent: str) -> None:
    for email, password in ((AGENT, "not the password"), ("nobody@city.test", PASSWORD), (AGENT, "")):
        response = client.post(
            "/staff/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 401
        assert "email or password is wrong" in response.get_data(as_text=True)
    assert client.get("/staff/cases").status_code == 303


def test_disabled_account_cannot_sign_in(client: FlaskClient, services: AppServices) -> None:
    create_staff(services, "retired@city.test", active=False)
    status, _ = sign_in(client, "retired@city.test")
    assert status == 401
    assert client.get("/staff/cases").status_code == 303


def test_disabling_an_account_ends_its_login_at_once(signed_in: FlaskClient, services: AppServices) -> None:
    assert signed_in.get("/staff/cases").status_code == 200
    set_active(services, AGENT, False)
    assert signed_in.get("/staff/cases").status_code == 303
    set_active(services, AGENT, True)
    assert signed_in.get("/staff/cases").status_code == 303  # the login is gone, not just paused


def test_login_rotates_the_session_and_sets_safe_cookie_flags(client: FlaskClient, agent: str) -> None:
    token = csrf_token(client)
    before = session_of(client)
    assert before.get("csrf") == token and "login" not in before
    response = client.post(
        "/staff/login", data={"email": "  Agent@City.TEST ", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/staff/cases"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # http in tests
    after = session_of(client)
    assert after["login"] and after["csrf"] != token  # new login id, new form token
    page = client.get("/staff/cases")
    assert page.status_code == 200 and AGENT in page.get_data(as_text=True)
    # A second sign-in gets a different login again.
    client.post("/staff/logout", data={"csrf_token": after["csrf"]})
    sign_in(client)
    assert session_of(client)["login"] != after["login"]


def test_cookie_is_secure_when_the_public_url_is_https(services: AppServices, agent: str) -> None:
    client = staff_app(services, public_base_url="https://city.test").test_client()
    response = client.get("/staff/login", base_url="https://city.test")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_logout_ends_the_login_even_for_a_copied_cookie(signed_in: FlaskClient) -> None:
    copied = signed_in.get_cookie("session")
    assert copied is not None
    token = csrf_token(signed_in, "/staff/cases")
    response = signed_in.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    assert signed_in.get("/staff/cases").status_code == 303
    signed_in.set_cookie("session", copied.value)
    assert signed_in.get("/staff/cases").status_code == 303


def test_sign_in_returns_to_the_asked_page_but_never_off_the_console(client: FlaskClient, agent: str) -> None:
    assert sign_in(client, next="/staff/cases?status=routed")[1] == "/staff/cases?status=routed"
    for outside in ("https://evil.example/staff/", "//evil.example/staff/", "/\\evil.example", "/open311/v2/x"):
        client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/cases")})
        assert sign_in(client, next=outside)[1] == "/staff/cases"


def test_failed_logins_are_limited_per_email_and_address(services: AppServices, agent: str) -> None:
    client = staff_app(services, staff_login_attempts=3).test_client()
    for _ in range(3):
        assert sign_in(client, password="wrong password!")[0] == 401
    assert sign_in(client, password="wrong password!")[0] == 429
    # Locked: even the right password is not checked from this address for this account.
    response = client.post(
        "/staff/login", data={"email": AGENT, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert client.get("/staff/cases").status_code == 303
    # Another address, or another account from this address, is not locked out.
    elsewhere = staff_app(services, staff_login_attempts=3).test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert sign_in(elsewhere)[0] == 303
    create_staff(services, "other@city.test")
    assert sign_in(client, "other@city.test")[0] == 303
