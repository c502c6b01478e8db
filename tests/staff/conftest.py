"""Fixtures of the staff console: the app with its blueprint, staff accounts, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bot.app import AppServices, create_app
from case_store.models import Channel, StaffRole, StaffUser
from case_store.service import NewCase, check_create_case, do_create_case
from case_store.staff import check_new_user, do_create_user

PASSWORD = "correct horse battery"
AGENT = "agent@city.test"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff_app(services: AppServices, **settings: object) -> Flask:
    """The app as create_app builds it (the staff console included), with settings changed:
    ``public_base_url="https://..."``, ``staff_login_attempts=3``."""
    if settings:
        services = replace(services, settings=services.settings.model_copy(update=settings))
    return create_app(services=services)


@pytest.fixture
def app(services: AppServices) -> Flask:
    return staff_app(services)


def create_staff(services: AppServices, email: str, *, active: bool = True) -> None:
    with services.sessions.begin() as session:
        user = do_create_user(session, check_new_user(session, email, PASSWORD), PASSWORD, StaffRole.AGENT)
        user.active = active


def set_active(services: AppServices, email: str, active: bool) -> None:
    with services.sessions.begin() as session:
        session.execute(sa.update(StaffUser).where(StaffUser.email == email).values(active=active))


@pytest.fixture
def agent(services: AppServices) -> str:
    create_staff(services, AGENT)
    return AGENT


def csrf_token(client: FlaskClient, path: str = "/staff/login") -> str:
    """The form token, read from a page the way a browser gets it."""
    page = client.get(path)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no csrf token on {path} ({page.status_code})"
    return match.group(1)


def sign_in(client: FlaskClient, email: str = AGENT, password: str = PASSWORD, **extra: str) -> tuple[int, str]:
    response = client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client), **extra},
    )
    return response.status_code, response.headers.get("Location", "")


@pytest.fixture
def signed_in(client: FlaskClient, agent: str) -> FlaskClient:
    status, location = sign_in(client)
    assert status == 303 and location.endswith("/staff/cases")
    return client


@pytest.fixture
def make_case(services: AppServices, catalog: None) -> Callable[..., str]:
    """Creates a case straight in the store; returns its public id."""
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    count = 0

    def make(service_code: str = "pothole", *, address: str = "1450 Oak St", description: str | None = None) -> str:
        nonlocal count
        count += 1
        with services.sessions.begin() as session:
            checked = check_create_case(
                session,
                NewCase(
                    service_code=service_code,
                    channel=Channel.SMS,
                    description=description,
                    lat=42.3876,
                    lon=-71.0995,
                    address=address,
                ),
            )
            case = do_create_case(session, checked, actor="test", now=start + timedelta(minutes=count))
            assert case.public_id is not None
            return case.public_id

    return make
