"""Status changes reach every subscribed resident, in their language, on their channel."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from PIL import Image

from bot.app import AppServices, build_notifier, build_runtime, build_worker
from bot.dialogue.messages import InboundMessage
from bot.inbox import do_record_inbound
from bot.staff_actions import change_status, find_case
from case_store.models import DeliveryStatus, Message, OutboxItem, Subscription
from case_store.service import do_record_media
from case_store.statuses import CaseStatus, ClosureReason
from channels.base import ParsedMessage
from tests.bot.test_worker import MemoryAdapter
from tests.bot.transcript import Resident

pytestmark = pytest.mark.usefixtures("demo_city")
PHONE = "+15555550177"


def sms(services: AppServices, text: str, number: int) -> None:
    message = InboundMessage("sms", PHONE, f"SMnotify{number:026d}", datetime.now(UTC), text=text)
    with services.sessions.begin() as session:
        do_record_inbound(session, ParsedMessage(message))


def test_spanish_sms_resident_hears_the_resolution_in_spanish_with_the_photo(services: AppServices) -> None:
    adapter = MemoryAdapter()
    worker = build_worker(services, {"sms": adapter})
    for number, text in enumerate(("hay un bache enorme enfrente del 1450 de Oak St", "no", "sí"), start=1):
        sms(services, text, number)
        while worker.process_inbox() or worker.deliver_outbox():
            pass
    assert "311-000001" in adapter.sent[-1].text
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "black").save(out, "JPEG")
    with services.sessions.begin() as session:
        evidence = do_record_media(session, services.media.save(out.getvalue()))
        case = find_case(session, "311-000001")
        change_status(
            session,
            build_notifier(services),
            case,
            CaseStatus.RESOLVED,
            actor="crew-12",
            closure_reason=ClosureReason.FIXED,
            note="Bache rellenado",
            evidence=evidence,
        )
    worker.deliver_outbox()
    update = adapter.sent[-1]
    assert "311-000001" in update.text and "Bache" in update.text
    assert "Bache rellenado" in update.text  # the staff note, as written
    assert update.photo_url and update.photo_url.startswith("http://city.test/media/")


def test_no_problem_found_invites_a_reply_that_reopens_the_case(services: AppServices) -> None:
    resident = Resident(build_runtime(services))
    resident.hears("streetlight out at 230 Elm St")
    resident.hears("no")
    resident.hears("1")
    resident.hears("yes")
    with services.sessions.begin() as session:
        case = find_case(session, "311-000001")
        change_status(
            session,
            build_notifier(services),
            case,
            CaseStatus.CLOSED,
            actor="crew-3",
            closure_reason=ClosureReason.NO_PROBLEM_FOUND,
        )
    with services.sessions() as session:
        invitation = session.scalars(sa.select(Message).where(Message.author == "system:notify")).one()
        assert "could not find the problem at 230 Elm St" in (invitation.text or "")
        assert invitation.delivery_status is DeliveryStatus.SENT  # the web chat fetches it
    assert resident.hears("it is still out, the whole corner is dark") == ["conversation.added_to_case"]
    with services.sessions() as session:
        assert find_case(session, "311-000001").status is CaseStatus.REOPENED


def test_muted_and_opted_out_subscribers_get_nothing(services: AppServices) -> None:
    adapter = MemoryAdapter()
    worker = build_worker(services, {"sms": adapter})
    for number, text in enumerate(("pothole at 1450 Oak St", "no", "yes", "STOP"), start=1):
        sms(services, text, number)
        while worker.process_inbox() or worker.deliver_outbox():
            pass
    sent = len(adapter.sent)
    with services.sessions.begin() as session:
        change_status(
            session, build_notifier(services), find_case(session, "311-000001"), CaseStatus.IN_QUEUE, actor="x"
        )
    worker.deliver_outbox()
    assert len(adapter.sent) == sent
    with services.sessions() as session:
        update = session.scalars(sa.select(Message).where(Message.author == "system:notify")).one()
        assert update.delivery_status is DeliveryStatus.UNDELIVERABLE
        assert session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxItem)) >= 1


def test_muting_one_report_stops_its_updates_only(services: AppServices) -> None:
    resident = Resident(build_runtime(services))
    for text in ("pothole at 1450 Oak St", "no", "yes", "streetlight out at 230 Elm St", "no", "1", "yes"):
        resident.hears(text)
    assert resident.hears("MUTE 311-000001") == ["conversation.muted"]
    assert resident.hears("mute") == ["conversation.mute_which"]  # two reports: which one?
    notifier = build_notifier(services)
    with services.sessions.begin() as session:
        for case_id in ("311-000001", "311-000002"):
            change_status(session, notifier, find_case(session, case_id), CaseStatus.IN_QUEUE, actor="crew")
    with services.sessions() as session:
        updates = session.scalars(sa.select(Message.case_id).where(Message.author == "system:notify")).all()
        assert updates == [find_case(session, "311-000002").id]


def test_a_reply_days_later_still_reopens_the_case(services: AppServices) -> None:
    resident = Resident(build_runtime(services))
    for text in ("pothole at 1450 Oak St", "no", "yes"):
        resident.hears(text)
    with services.sessions.begin() as session:
        change_status(
            session,
            build_notifier(services),
            find_case(session, "311-000001"),
            CaseStatus.CLOSED,
            actor="crew",
            closure_reason=ClosureReason.NO_PROBLEM_FOUND,
        )
    services.redis.delete(f"conv:web:{resident.sender}")  # what a quiet day does
    assert resident.hears("it is still there, even bigger now") == ["conversation.added_to_case"]
    with services.sessions() as session:
        assert find_case(session, "311-000001").status is CaseStatus.REOPENED
