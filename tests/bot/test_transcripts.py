"""Conversations end to end through the runtime: real understanding models, the demo
city's streets, the case store and Redis. Each test reads as a transcript."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image
from PIL.ExifTags import GPS, IFD

from bot.app import AppServices, build_runtime
from bot.dialogue.messages import GeoPoint, Photo
from case_store.models import Case, CaseMedia, Message, Subscription
from case_store.service import do_record_media
from tests.bot.transcript import Resident

pytestmark = pytest.mark.usefixtures("demo_city")


@pytest.fixture
def resident(services: AppServices) -> Resident:
    return Resident(build_runtime(services))


def photo(services: AppServices, *, gps: tuple[float, float] | None = None, color: str = "gray") -> Photo:
    """A phone photo as the channels store it (optionally with the camera's GPS position)."""
    exif = Image.Exif()
    if gps:
        exif[IFD.GPSInfo] = {
            GPS.GPSLatitudeRef: "N",
            GPS.GPSLatitude: _dms(gps[0]),
            GPS.GPSLongitudeRef: "W",
            GPS.GPSLongitude: _dms(-gps[1]),
        }
    out = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(out, "JPEG", exif=exif)
    stored = services.media.save(out.getvalue())
    with services.sessions.begin() as session:
        do_record_media(session, stored)
    return Photo(stored.filename, GeoPoint(stored.gps.lat, stored.gps.lon) if stored.gps else None)


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))


def cases(services: AppServices) -> list[Case]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(Case).order_by(Case.id)).unique())


def test_one_shot_report_with_photo_is_filed_after_one_confirmation(services: AppServices, resident: Resident) -> None:
    assert resident.hears("huge pothole in front of 1450 Oak St", photo=photo(services)) == ["conversation.confirm"]
    assert "Pothole at 1450 Oak St, with 1 photo" in resident.last.replies[0].text
    assert resident.hears("yes") == ["conversation.case_filed", "conversation.case_code"]
    filed = resident.last.case_id
    assert filed == "311-000001" and filed in resident.last.replies[0].text
    [case] = cases(services)
    assert (case.public_id, case.service.code, case.address) == (filed, "pothole", "1450 Oak St")
    assert case.description == "huge pothole in front of 1450 Oak St"
    with services.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseMedia)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1
        thread = session.scalars(sa.select(Message.text).where(Message.case_id == case.id).order_by(Message.id)).all()
    assert thread[0] == "huge pothole in front of 1450 Oak St" and "yes" in thread


def test_piece_by_piece_asks_one_question_per_missing_piece(services: AppServices, resident: Resident) -> None:
    assert resident.hears("hi") == ["conversation.greeting"]
    assert resident.hears("the streetlight outside is broken") == ["conversation.ask_location"]
    assert resident.hears("230 Elm St") == ["conversation.ask_photo"]
    assert resident.hears("no photo") == ["question.streetlight.problem.text"]
    labels = [q.label for q in resident.last.replies[0].quick_replies]
    assert labels[:2] == ["It's out", "It flickers"]
    assert resident.hears("1") == ["conversation.confirm_no_photo"]
    assert resident.hears("yes") == ["conversation.case_filed", "conversation.case_code"]
    [case] = cases(services)
    assert case.service.code == "streetlight" and case.attributes == {"problem": "out"}


def test_photo_first_takes_the_place_from_its_gps(services: AppServices, resident: Resident) -> None:
    assert resident.hears(photo=photo(services, gps=(42.3905, -71.1003))) == [
        "conversation.location_photo",
        "conversation.ask_problem",
    ]
    assert resident.hears("graffiti all over the wall") == ["conversation.confirm"]
    assert resident.hears("yes") == ["conversation.case_filed", "conversation.case_code"]
    [case] = cases(services)
    assert case.service.code == "graffiti" and case.lat == pytest.approx(42.3905, abs=1e-3)


def test_location_pin_answers_where(resident: Resident) -> None:
    assert resident.hears("someone dumped a couch and a mattress in the alley") == ["conversation.ask_location"]
    assert resident.hears(pin=(42.3905, -71.1003)) == ["conversation.ask_photo"]


def test_corrections_at_the_summary_change_only_that_part(services: AppServices, resident: Resident) -> None:
    resident.hears("there is graffiti on the mailbox at 1450 Oak St")
    assert resident.hears("no photo") == ["question.graffiti.surface.text"] or resident.last.replies
    while resident.last.replies[-1].key != "conversation.confirm_no_photo":
        resident.hears("1")
    assert resident.hears("no, it's 230 Elm St") == ["conversation.confirm_no_photo"]
    assert "230 Elm St" in resident.last.replies[0].text
    assert resident.hears("yes") == ["conversation.case_filed", "conversation.case_code"]
    assert cases(services)[0].address == "230 Elm St"


def test_change_something_offers_the_parts(resident: Resident) -> None:
    resident.hears("pothole at 1450 Oak St")
    resident.hears("no")
    assert resident.hears("2") == ["conversation.ask_what_to_change"]
    assert resident.hears("2") == ["conversation.ask_location"]
    assert resident.hears("230 Elm St") == ["conversation.confirm_no_photo"]


def test_cancel_and_start_over(services: AppServices, resident: Resident) -> None:
    resident.hears("pothole at 1450 Oak St")
    assert resident.hears("cancel") == ["conversation.cancelled"]
    assert resident.hears("cancel") == ["conversation.nothing_to_cancel"]
    resident.hears("streetlight out at 230 Elm St")
    assert resident.hears("start over") == ["conversation.restarted"]
    assert cases(services) == []


def test_language_switch_midway_keeps_the_report(resident: Resident) -> None:
    assert resident.hears("pothole at 1450 Oak St") == ["conversation.ask_photo"]
    assert resident.hears("español") == ["conversation.language_changed", "conversation.ask_photo"]
    assert resident.last.language == "es"
    assert "foto" in resident.last.replies[1].text.lower()
    assert resident.hears("no") == ["conversation.confirm_no_photo"]
    assert "Bache" in resident.last.replies[0].text


def test_nonsense_never_loops_without_a_way_forward(resident: Resident) -> None:
    for text in ("asdfgh qwerty", "zzzz", "blorp"):
        resident.hears(text)
        assert "conversation.confirm_no_photo" not in [r.key for r in resident.last.replies]
    options = [q.label for q in resident.last.replies[-1].quick_replies]
    assert "Talk to a person" in options
    assert "Pothole" in options  # the whole list of problems to pick from


def test_emoji_only_and_very_long_text_get_answers(resident: Resident) -> None:
    assert resident.hears("👍👍") != []
    long = "there is a big pothole on Oak St " * 300
    assert resident.hears(long[:2000]) != []


def test_emergency_interrupts_and_files_nothing(services: AppServices, resident: Resident) -> None:
    resident.hears("pothole at 1450 Oak St")
    assert resident.hears("I smell gas in my building, it's really strong") == ["conversation.emergency"]
    assert "911" in resident.last.replies[0].text
    assert resident.hears("yes") != ["conversation.case_filed"]
    assert cases(services) == []


def test_talk_to_a_person_hands_over_what_was_collected(services: AppServices, resident: Resident) -> None:
    resident.hears("the tree in front of 1450 Oak St is leaning")
    assert resident.hears("I want to talk to a person") == ["conversation.handoff"]
    assert resident.hears("it's leaning over the sidewalk") == ["conversation.handoff_waiting"]
    [case] = cases(services)
    assert case.address == "1450 Oak St"
    with services.sessions() as session:
        texts = session.scalars(sa.select(Message.text).where(Message.case_id == case.id)).all()
    assert "it's leaning over the sidewalk" in texts


def test_status_question_lists_the_residents_own_cases(resident: Resident, services: AppServices) -> None:
    assert resident.hears("what's the status of my request?") == ["status_answer.none"]
    resident.hears("pothole at 1450 Oak St")
    resident.hears("no")
    resident.hears("yes")
    assert resident.hears("any update on my report?") == ["status_answer.intro", "status_answer.case_due"]
    assert "311-000001" in resident.last.replies[1].text
    stranger = Resident(resident.runtime, sender="another-session-123456")
    assert stranger.hears("status of my request") == ["status_answer.none"]


def test_the_same_message_twice_is_handled_once(services: AppServices, resident: Resident) -> None:
    from datetime import UTC, datetime

    from bot.dialogue.messages import InboundMessage

    message = InboundMessage("web", resident.sender, "retry-1", datetime.now(UTC), text="pothole at 1450 Oak St")
    first = resident.runtime.handle(message)
    second = resident.runtime.handle(message)
    assert first == second
    with services.sessions() as session:
        inbound = sa.select(sa.func.count()).select_from(Message).where(Message.direction == "inbound")
        assert session.scalar(inbound) == 1


@pytest.mark.parametrize(
    ("language", "report", "yes"),
    [
        ("en", "huge pothole in front of 1450 Oak St", "yes"),
        ("es", "hay un bache enorme enfrente del 1450 de Oak St", "sí"),
        ("zh", "Oak St 1450号门口路面有个大坑", "是"),
        ("vi", "có một ổ gà rất lớn trước số 1450 Oak St", "có"),
        ("fr", "il y a un gros nid-de-poule devant le 1450 Oak St", "oui"),
        ("ht", "gen yon gwo twou nan lari a devan 1450 Oak St", "wi"),
        ("ar", "في حفرة كبيرة في الشارع أمام 1450 Oak St", "نعم"),
        ("tl", "may malaking lubak sa kalsada sa harap ng 1450 Oak St", "oo"),
        ("ru", "огромная яма на дороге возле дома 1450 Oak St", "да"),
        ("ko", "Oak St 1450번지 앞 도로에 큰 포트홀이 있어요", "네"),
        ("pt", "tem um buraco enorme na rua em frente ao 1450 Oak St", "sim"),
    ],
)
def test_each_language_end_to_end(
    services: AppServices, resident: Resident, language: str, report: str, yes: str
) -> None:
    assert resident.hears(report, photo=photo(services)) == ["conversation.confirm"]
    assert resident.last.language == language
    assert resident.hears(yes) == ["conversation.case_filed", "conversation.case_code"]
    [case] = cases(services)
    assert case.service.code == "pothole" and case.address == "1450 Oak St"
    assert case.description_language == language


def test_status_by_case_number_only_for_the_residents_own_case(resident: Resident, services: AppServices) -> None:
    for text in ("pothole at 1450 Oak St", "no", "yes"):
        resident.hears(text)
    assert resident.hears("status 311-000001") == ["status_answer.intro", "status_answer.case_due"]
    assert "Expected by" in resident.last.replies[1].text
    stranger = Resident(resident.runtime, sender="another-session-654321")
    not_theirs = stranger.hears("status 311-000001")
    unknown = stranger.hears("status 311-000999")
    assert not_theirs == unknown == ["status_answer.not_found"]
    assert "311-000001" in stranger.history[-2].replies[0].text


def test_status_shows_the_latest_public_note(resident: Resident, services: AppServices) -> None:
    from bot.app import build_notifier
    from bot.staff_actions import change_status, find_case
    from case_store.statuses import CaseStatus

    for text in ("graffiti at 230 Elm St", "no", "yes"):
        resident.hears(text)
    with services.sessions.begin() as session:
        case = find_case(session, "311-000001")
        change_status(
            session, build_notifier(services), case, CaseStatus.IN_QUEUE, actor="x", note="Crew booked"
        )
    keys = resident.hears("any update on my report?")
    assert keys[-1] == "status_answer.latest_note" and "Crew booked" in resident.last.replies[-1].text


def test_web_resident_checks_a_report_from_another_device_with_its_code(resident: Resident) -> None:
    for text in ("pothole at 1450 Oak St", "no", "yes"):
        resident.hears(text)
    code_reply = resident.last.replies[-1].text
    code = code_reply.split("311-000001 ")[-1][:6]
    other_device = Resident(resident.runtime, sender="vietnamese-laptop-000001", language_hint="vi")
    assert other_device.hears(f"tình trạng 311-000001 {code}") == ["status_answer.intro", "status_answer.case_due"]
    assert other_device.hears("tình trạng 311-000001 AAAAAA") == ["status_answer.not_found"]
    assert other_device.hears("tình trạng 311-000001") == ["status_answer.not_found"]
