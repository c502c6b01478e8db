"""The case thread page: the case, its photos, the conversation with translations and
delivery status, the history; public replies, internal notes and status changes."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image

from bot.app import AppServices, build_runtime
from case_store.db import Base
from case_store.models import (
    Case,
    CaseEvent,
    CaseMedia,
    ChannelIdentity,
    DeliveryStatus,
    Direction,
    EventKind,
    MediaRole,
    Message,
    OutboxItem,
    OutboxStatus,
)
from case_store.statuses import CaseStatus, ClosureReason
from nlu.translate import Translator, install_package
from tests.bot.transcript import Resident
from tests.nlu.translate.tiny_model import build_model_files, make_archive
from tests.staff.conftest import AGENT, create_staff, csrf_token, sign_in, staff_app

pytestmark = pytest.mark.usefixtures("demo_city")

CASE = "/staff/cases/311-000001"
PHONE = "+15555550123"
XSS = "<script>alert(1)</script>"
STAFF_ACTOR = f"staff:{AGENT}"


def file_case(services: AppServices, first: str, *, channel: str = "web", language: str | None = None) -> None:
    sender = PHONE if channel == "sms" else "session-0001-abcdefgh"
    resident = Resident(build_runtime(services), sender=sender, channel=channel, language_hint=language)
    for text in (first, "no", "sí" if language == "es" else "yes"):
        resident.hears(text)
    assert resident.last.case_id == "311-000001"


@pytest.fixture
def sms_case(services: AppServices, demo_city: None) -> None:
    file_case(services, "huge pothole in front of 1450 Oak St", channel="sms")


def section(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


@dataclass(frozen=True)
class Snapshot:
    status: CaseStatus
    events: int
    photos: int
    messages: int
    outbox: int


def snapshot(services: AppServices) -> Snapshot:
    with services.sessions() as session:

        def count(model: type[Base]) -> int:
            return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

        status = session.scalar(sa.select(Case.status).where(Case.public_id == "311-000001"))
        assert status is not None
        return Snapshot(status, count(CaseEvent), count(CaseMedia), count(Message), count(OutboxItem))


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), "darkgreen").save(out, "JPEG")
    return out.getvalue()


def test_thread_page_shows_the_case_and_escapes_what_the_resident_wrote(
    signed_in: FlaskClient, services: AppServices
) -> None:
    file_case(services, f"huge pothole {XSS} in front of 1450 Oak St")
    response = signed_in.get(CASE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html and "<script" not in html.lower()  # the page runs no script at all
    header = html[: html.index('id="description-title"')]
    for fact in ("Case 311-000001", "Pothole", "1450 Oak St", "Routed to the responsible team", "Public Works"):
        assert fact in header
    assert re.search(r"42\.\d{6}, -71\.\d{6}", header)
    assert 'href="https://www.openstreetmap.org/?mlat=42.' in header and "&amp;mlon=-71." in header
    conversation = section(html, "conversation", "reply")
    assert conversation.index("Resident wrote") < conversation.index("Sent to resident")
    assert 'class="message inbound"' in conversation and 'class="message outbound"' in conversation
    # Nothing is loaded from elsewhere, and the page is not cached or framed.
    assert all(src.startswith("/") for src in re.findall(r'src="([^"]+)"', html))
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    # Accessibility basics: every visible input has a label.
    for field in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html):
        assert f'<label for="{field}">' in html, field


def test_residents_words_show_their_translation_or_are_marked_untranslated(
    signed_in: FlaskClient, services: AppServices
) -> None:
    file_case(services, "hay un bache enorme enfrente del 1450 de Oak St", language="es")
    html = signed_in.get(CASE).get_data(as_text=True)
    first = section(html, "conversation", "reply").split('class="message ')[1]
    assert "bache enorme" in first and 'lang="es"' in first and "not translated" in first
    with services.sessions.begin() as session:
        session.execute(
            sa.update(Message)
            .where(Message.direction == Direction.INBOUND, Message.text.like("%bache%"))
            .values(translation="there is a <b>huge</b> pothole", translation_language="en")
        )
    first = section(signed_in.get(CASE).get_data(as_text=True), "conversation", "reply").split('class="message ')[1]
    assert "bache enorme" in first and "English translation" in first
    assert "there is a &lt;b&gt;huge&lt;/b&gt; pothole" in first and "not translated" not in first


@pytest.fixture(scope="module")
def spanish_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = build_model_files(tmp_path_factory.mktemp("model"))
    root = tmp_path_factory.mktemp("translation")
    for source, target in (("es", "en"), ("en", "es")):
        install_package(make_archive(files, root.parent / f"{source}_{target}.argosmodel", source, target), root)
    return root


def test_with_a_model_the_page_translates_for_staff_and_shows_the_reply_as_written(
    services: AppServices, spanish_models: Path
) -> None:
    services = replace(services, translator=Translator(spanish_models))
    file_case(services, "hay un bache enorme enfrente del 1450 de Oak St", language="es")
    client = staff_app(services).test_client()
    create_staff(services, AGENT)
    sign_in(client)
    token = csrf_token(client, CASE)
    client.post(f"{CASE}/replies", data={"text": "We fix it on Monday.", "kind": "public", "csrf_token": token})
    with services.sessions() as session:
        report = session.scalars(sa.select(Message).where(Message.text.like("%bache%"))).first()
        assert report is not None and report.translation and report.translation_language == "en"  # kept
    conversation = section(client.get(CASE).get_data(as_text=True), "conversation", "reply")
    assert "English translation" in conversation
    reply = conversation.split('class="message ')[-1]
    assert "Written by staff (en), machine-translated" in reply and "We fix it on Monday." in reply


def test_public_reply_reaches_the_resident_and_an_internal_note_does_not(
    signed_in: FlaskClient, services: AppServices, sms_case: None
) -> None:
    token = csrf_token(signed_in, CASE)
    sent = signed_in.post(
        f"{CASE}/replies", data={"text": "We will fill it on Monday.", "kind": "public", "csrf_token": token}
    )
    assert sent.status_code == 303 and sent.headers["Location"] == f"{CASE}#conversation"
    with services.sessions() as session:
        reply = session.scalars(sa.select(Message).where(Message.author == STAFF_ACTOR)).one()
        assert reply.direction is Direction.OUTBOUND and "We will fill it on Monday." in (reply.text or "")
        identity = session.get(ChannelIdentity, reply.identity_id)
        assert identity is not None and identity.address == PHONE
        queued = session.scalars(sa.select(OutboxItem).where(OutboxItem.message_id == reply.id)).one()
        assert queued.status is OutboxStatus.PENDING
        note = session.scalars(sa.select(CaseEvent).where(CaseEvent.actor == STAFF_ACTOR)).one()
        assert note.kind is EventKind.NOTE and note.note == "We will fill it on Monday." and not note.public
    page = signed_in.get(CASE).get_data(as_text=True)
    assert "Reply queued for 1 subscribed resident." in page
    conversation = section(page, "conversation", "reply")
    assert "We will fill it on Monday." in conversation.split('class="message ')[-1]
    assert 'Delivery: <span class="delivery-queued">queued</span>' in conversation

    before = snapshot(services)
    noted = signed_in.post(
        f"{CASE}/replies", data={"text": "crew 4 <tomorrow>", "kind": "internal", "csrf_token": token}
    )
    assert noted.status_code == 303
    after = snapshot(services)
    assert after.messages == before.messages and after.outbox == before.outbox and after.events == before.events + 1
    page = signed_in.get(CASE).get_data(as_text=True)
    assert "Internal note saved" in page
    assert "crew 4" not in section(page, "conversation", "reply")
    last_event = page[page.index('id="history"') :].split('<li class="event')[-1]
    assert "crew 4 &lt;tomorrow&gt;" in last_event and "internal" in last_event


def test_reply_needs_text_and_a_kind(signed_in: FlaskClient, services: AppServices, sms_case: None) -> None:
    token = csrf_token(signed_in, CASE)
    before = snapshot(services)
    empty = signed_in.post(f"{CASE}/replies", data={"text": "   ", "kind": "public", "csrf_token": token})
    assert empty.status_code == 422 and "write the reply or note first" in empty.get_data(as_text=True)
    kindless = signed_in.post(f"{CASE}/replies", data={"text": "Keep this text", "csrf_token": token})
    assert kindless.status_code == 422 and ">Keep this text</textarea>" in kindless.get_data(as_text=True)
    assert snapshot(services) == before
    assert (
        signed_in.post(
            "/staff/cases/311-999999/replies", data={"text": "x", "kind": "public", "csrf_token": token}
        ).status_code
        == 404
    )
    assert signed_in.get("/staff/cases/311-999999").status_code == 404


def test_failed_deliveries_are_visible_with_their_error(
    signed_in: FlaskClient, services: AppServices, sms_case: None
) -> None:
    with services.sessions.begin() as session:
        last = session.scalars(
            sa.select(Message).where(Message.direction == Direction.OUTBOUND).order_by(Message.id.desc())
        ).first()
        assert last is not None
        last.delivery_status = DeliveryStatus.FAILED
        last.delivery_error = "Twilio 21610: the number <unsubscribed>"
    conversation = section(signed_in.get(CASE).get_data(as_text=True), "conversation", "reply")
    failed = conversation.split('class="message ')[-1]
    assert failed.startswith("outbound not-delivered")
    assert 'class="delivery-failed">failed' in failed and "Twilio 21610: the number &lt;unsubscribed&gt;" in failed


def test_status_change_with_reason_and_evidence_photo_tells_the_resident(
    signed_in: FlaskClient, services: AppServices, sms_case: None
) -> None:
    token = csrf_token(signed_in, CASE)
    response = signed_in.post(
        f"{CASE}/status",
        data={
            "status": "resolved",
            "closure_reason": "fixed",
            "note": "Patched the hole",
            "seen_status": "routed",
            "csrf_token": token,
            "evidence": (io.BytesIO(jpeg()), "fixed.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and response.headers["Location"] == f"{CASE}#history"
    with services.sessions() as session:
        case = session.scalars(sa.select(Case).where(Case.public_id == "311-000001")).one()
        assert case.status is CaseStatus.RESOLVED and case.closure_reason is ClosureReason.FIXED
        evidence = session.scalars(sa.select(CaseMedia).where(CaseMedia.case_id == case.id)).one()
        assert evidence.role is MediaRole.EVIDENCE
        photo = f"{evidence.media.sha256}.jpg"
        news = session.scalars(
            sa.select(OutboxItem)
            .join(Message, OutboxItem.message_id == Message.id)
            .where(Message.author == "system:notify")
        ).all()
        assert len(news) == 1 and news[0].status is OutboxStatus.PENDING
        assert news[0].payload["photo_url"] == f"http://city.test/media/{photo}"
        assert "311-000001" in news[0].payload["text"] and "Patched the hole" in news[0].payload["text"]
        event = session.scalars(
            sa.select(CaseEvent).where(CaseEvent.kind == EventKind.STATUS_CHANGED).order_by(CaseEvent.id.desc())
        ).first()
        assert event is not None and event.actor == STAFF_ACTOR and event.note == "Patched the hole"
    page = signed_in.get(CASE).get_data(as_text=True)
    assert "Status changed to Resolved" in page
    photos = section(page, "photos-title", "conversation")
    assert f'src="/media/{photo}"' in photos and "Evidence" in photos
    assert signed_in.get(f"/media/{photo}").headers["Content-Type"] == "image/jpeg"
    history = page[page.index('id="history"') :]
    assert "Routed to the responsible team → Resolved" in history and "The problem was fixed." in history
    # From Resolved only reopening is offered.
    status_form = section(page, "status", "history")
    assert re.findall(r'<option value="(\w+)"', status_form)[:1] == ["reopened"]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"status": "reopened"}, 422, "cannot become reopened"),
        ({"status": "resolved"}, 422, "needs a closure_reason"),
        ({"status": "in_queue", "closure_reason": "fixed"}, 422, "only a closing status takes a closure_reason"),
        ({"status": "exploded"}, 422, "choose the new status"),
        ({"status": "resolved", "closure_reason": "melted"}, 422, "choose a closure reason"),
        ({"status": "resolved", "closure_reason": "fixed", "photo": b"not a photo"}, 422, "The evidence photo"),
        ({"status": "in_queue", "seen_status": "in_queue"}, 409, "while you were looking at it"),
    ],
)
def test_refused_status_changes_show_why_and_change_nothing(
    signed_in: FlaskClient, services: AppServices, sms_case: None, fields: dict[str, object], status: int, message: str
) -> None:
    before = snapshot(services)
    data: dict[str, object] = {
        "seen_status": "routed",
        "note": "kept <note>",
        "csrf_token": csrf_token(signed_in, CASE),
    }
    data.update({k: v for k, v in fields.items() if k != "photo"})
    if "photo" in fields:
        data["evidence"] = (io.BytesIO(fields["photo"]), "x.jpg", "image/jpeg")  # type: ignore[arg-type]
    response = signed_in.post(f"{CASE}/status", data=data, content_type="multipart/form-data")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    error = section(html, "status", "history")
    assert message in error and 'role="alert"' in error
    assert ">kept &lt;note&gt;</textarea>" in error  # what was typed is kept
    assert snapshot(services) == before
    assert not list(services.settings.media_dir.rglob("*.jpg"))


def test_an_upload_beyond_the_limit_gets_a_page_not_a_crash(
    signed_in: FlaskClient, services: AppServices, sms_case: None
) -> None:
    before = snapshot(services)
    data = {
        "status": "resolved",
        "closure_reason": "fixed",
        "csrf_token": csrf_token(signed_in, CASE),
        "evidence": (io.BytesIO(b"\xff" * (31 * 1024 * 1024)), "huge.jpg", "image/jpeg"),
    }
    response = signed_in.post(f"{CASE}/status", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)
    assert snapshot(services) == before
