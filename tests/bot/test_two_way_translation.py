"""A Spanish-speaking resident and English-writing staff, through the real stores and a
tiny real translation model (random weights: the words are nonsense, the path is real)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.app import AppServices, build_runtime, create_app
from case_store.models import Message, StaffRole
from case_store.staff import check_new_user, do_create_user, do_issue_token
from nlu.translate import Translator, install_package
from tests.bot.transcript import Resident
from tests.nlu.translate.tiny_model import build_model_files, make_archive

pytestmark = pytest.mark.usefixtures("demo_city")


@pytest.fixture(scope="module")
def spanish_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = build_model_files(tmp_path_factory.mktemp("model"))
    root = tmp_path_factory.mktemp("translation")
    for source, target in (("es", "en"), ("en", "es")):
        install_package(make_archive(files, root.parent / f"{source}_{target}.argosmodel", source, target), root)
    return root


def staff_client(services: AppServices) -> tuple[FlaskClient, dict[str, str]]:
    with services.sessions.begin() as session:
        email = check_new_user(session, "agent@city.test", "correct horse battery")
        do_create_user(session, email, "correct horse battery", StaffRole.AGENT)
        token = do_issue_token(session, email)
    return create_app(services=services).test_client(), {"Authorization": f"Bearer {token}"}


def file_in_spanish(services: AppServices) -> None:
    resident = Resident(build_runtime(services), language_hint="es")
    for text in ("hay un bache enorme enfrente del 1450 de Oak St", "no", "sí"):
        resident.hears(text)
    assert resident.last.case_id == "311-000001"


def test_staff_reply_is_translated_and_the_residents_words_are_translated_for_staff(
    services: AppServices, spanish_models: Path
) -> None:
    services = replace(services, translator=Translator(spanish_models))
    file_in_spanish(services)
    client, auth = staff_client(services)
    sent = client.post("/api/v1/cases/311-000001/replies", json={"text": "We will fix it on Monday."}, headers=auth)
    assert sent.status_code == 201
    thread = client.get("/api/v1/cases/311-000001", headers=auth).json["thread"]
    report = thread[0]
    assert report["language"] == "es" and "bache" in report["text"]  # the original is kept
    assert report["translation_language"] == "en" and report["translation"]
    with services.sessions() as session:
        reply = session.scalars(sa.select(Message).where(Message.author == "staff:agent@city.test")).one()
        assert reply.language == "es" and reply.extras and reply.extras["translated"] is True
        assert reply.extras["original"] == "We will fix it on Monday."
        assert "We will fix it on Monday." not in (reply.text or "")  # what was sent is the translation


def test_without_a_model_the_reply_goes_as_written_and_is_marked(services: AppServices) -> None:
    file_in_spanish(services)
    client, auth = staff_client(services)
    client.post("/api/v1/cases/311-000001/replies", json={"text": "We will fix it on Monday."}, headers=auth)
    thread = client.get("/api/v1/cases/311-000001", headers=auth).json["thread"]
    assert thread[0]["translation"] is None
    with services.sessions() as session:
        reply = session.scalars(sa.select(Message).where(Message.author == "staff:agent@city.test")).one()
        assert "We will fix it on Monday." in (reply.text or "") and reply.extras["translated"] is False
