"""The web chat's JSON API, as integrators and the page use it."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from PIL import Image

pytestmark = pytest.mark.usefixtures("demo_city")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 18), "gray").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def session_id(client: FlaskClient) -> str:
    response = client.post("/webchat/api/sessions", json={"language": "es"})
    assert response.status_code == 201
    return str(response.json["session_id"])


def post(client: FlaskClient, session_id: str, **body: object) -> tuple[int, dict]:
    response = client.post(f"/webchat/api/sessions/{session_id}/messages", json=body)
    return response.status_code, response.json


def test_report_with_photo_by_form_then_confirm(client: FlaskClient, session_id: str) -> None:
    response = client.post(
        f"/webchat/api/sessions/{session_id}/messages",
        data={"text": "hay un bache enorme enfrente del 1450 de Oak St", "photo": (io.BytesIO(jpeg()), "IMG_1.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    [reply] = response.json["replies"]
    assert "Bache" in reply["text"] and reply["quick_replies"][0]["value"] == "1"
    assert response.json["case_id"] is None
    status, body = post(client, session_id, text=reply["quick_replies"][0]["value"])
    assert status == 200 and body["case_id"] == "311-000001"
    assert "311-000001" in body["replies"][0]["text"]

    history = client.get(f"/webchat/api/sessions/{session_id}/messages?after=0").json["messages"]
    assert [m["direction"] for m in history] == ["in", "out", "in", "out", "out"]  # the last: the check code
    assert history[0]["photos"][0].startswith("/media/") and history[1]["quick_replies"]
    later = client.get(f"/webchat/api/sessions/{session_id}/messages?after={history[-1]['id']}").json["messages"]
    assert later == []


def test_location_message(client: FlaskClient, session_id: str) -> None:
    post(client, session_id, text="someone dumped a mattress in the alley")
    status, body = post(client, session_id, location={"lat": 42.3905, "lon": -71.1003})
    assert status == 200 and body["replies"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "x" * 2001}, 413, "too_long"),
        ({"location": {"lat": "north", "lon": 1}}, 422, "unsupported_content"),
        ({"location": {"lat": 95, "lon": 1}}, 422, "unsupported_content"),
        ({}, 422, "unsupported_content"),
        ({"text": 5}, 422, "unsupported_content"),
    ],
)
def test_bad_input_is_refused_in_the_residents_language(
    client: FlaskClient, session_id: str, body: dict, status: int, code: str
) -> None:
    got, answer = post(client, session_id, **body)
    assert (got, answer["error"]["code"]) == (status, code)
    assert answer["error"]["message"]  # localized text, Spanish here
    assert "characters" not in answer["error"]["message"]


def test_a_file_that_is_not_a_photo_is_refused(client: FlaskClient, session_id: str) -> None:
    response = client.post(
        f"/webchat/api/sessions/{session_id}/messages",
        data={"photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "doc.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (415, 422) and response.json["error"]["message"]


def test_unknown_session_is_404(client: FlaskClient) -> None:
    status, body = post(client, "no-such-session-0000000000", text="hi")
    assert status == 404 and body["error"]["code"] == "session_expired"


def test_too_many_messages_are_slowed_down(client: FlaskClient, session_id: str, services: object) -> None:
    codes = [post(client, session_id, text="hola")[0] for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_chat_page_escapes_and_serves_its_own_assets(client: FlaskClient) -> None:
    page = client.get("/chat?lang=ar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'dir="rtl"' in html and "http://" not in html.split("<body")[1].replace("http://city.test", "")
    assert "frame-ancestors" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers  # frame-ancestors decides who may embed the chat
    assert client.get("/healthz").headers["X-Frame-Options"] == "DENY"
    assert client.get("/webchat/static/chat.js").status_code == 200
    widget = client.get("/chat/widget.js")
    assert widget.status_code == 200 and "iframe" in widget.get_data(as_text=True)


def test_an_upload_beyond_any_photo_size_gets_a_localized_json_refusal(client: FlaskClient, session_id: str) -> None:
    response = client.post(
        f"/webchat/api/sessions/{session_id}/messages",
        data={"photo": (io.BytesIO(b"\xff" * (31 * 1024 * 1024)), "huge.jpg")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "photo_too_big" and "MB" in response.json["error"]["message"]


def test_a_photo_over_the_chat_limit_is_refused(client: FlaskClient, session_id: str) -> None:
    response = client.post(
        f"/webchat/api/sessions/{session_id}/messages",
        data={"photo": (io.BytesIO(b"\xff" * (11 * 1024 * 1024)), "big.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and response.json["error"]["code"] == "photo_too_big"
