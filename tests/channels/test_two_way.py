"""Two-way, end to end through the real channel paths: a Spanish-speaking resident texts a
report, staff reply in English through the staff API, resolve it with a photo, and the
resident asks for the status on WhatsApp. Twilio is the fake provider; the SDK is real."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from PIL import Image

from bot.app import AppServices, build_notifier
from bot.staff_actions import change_status, find_case
from bot.worker import Worker
from case_store.models import StaffRole
from case_store.service import do_record_media
from case_store.staff import check_new_user, do_create_user, do_issue_token
from case_store.statuses import CaseStatus, ClosureReason
from tests.channels.test_end_to_end import RESIDENT, Phone, work
from tests.channels.test_end_to_end import channels as channels  # noqa: F401  (fixture)
from tests.channels.twilio.fake_twilio import FakeTwilio

pytestmark = pytest.mark.usefixtures("demo_city")


def test_spanish_sms_report_staff_reply_resolution_with_photo_and_status_on_whatsapp(
    channels: tuple[FlaskClient, Worker],  # noqa: F811
    fake_twilio: FakeTwilio,
    services: AppServices,
) -> None:
    client, worker = channels
    sms, whatsapp = Phone(client), Phone(client, whatsapp=True)
    for text in ("hay un bache enorme enfrente del 1450 de Oak St", "no", "sí"):
        sms.sends(text)
        work(worker, services)
    assert "311-000001" in (fake_twilio.sent[-1].body or "")

    with services.sessions.begin() as session:
        email = check_new_user(session, "agent@city.test", "correct horse battery")
        do_create_user(session, email, "correct horse battery", StaffRole.AGENT)
        auth = {"Authorization": f"Bearer {do_issue_token(session, email)}"}
    reply = client.post("/api/v1/cases/311-000001/replies", json={"text": "We will fix it Monday."}, headers=auth)
    assert reply.status_code == 201
    work(worker, services)
    staff_message = fake_twilio.sent[-1]
    assert staff_message.to == RESIDENT and "We will fix it Monday." in (staff_message.body or "")  # no model here

    out = io.BytesIO()
    Image.new("RGB", (24, 24), "black").save(out, "JPEG")
    with services.sessions.begin() as session:
        photo = do_record_media(session, services.media.save(out.getvalue()))
        change_status(
            session,
            build_notifier(services),
            find_case(session, "311-000001"),
            CaseStatus.RESOLVED,
            actor="crew-7",
            closure_reason=ClosureReason.FIXED,
            evidence=photo,
        )
    work(worker, services)
    resolved = fake_twilio.sent[-1]
    assert "311-000001" in (resolved.body or "") and "Bache" in (resolved.body or "")  # in Spanish
    assert resolved.media_url and resolved.media_url[0].endswith(".jpg")

    whatsapp.sends("¿cómo va mi reporte?")
    work(worker, services)
    answer = fake_twilio.sent[-1]
    assert answer.to == f"whatsapp:{RESIDENT}" and "311-000001" in (answer.body or "")
    assert "Resuelto" in (answer.body or "") or "resuelto" in (answer.body or "")
