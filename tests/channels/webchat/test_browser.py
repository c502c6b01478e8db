"""A resident on a phone: Debian's Chromium, headless, driven by Playwright against a
real server (waitress) on the test stores."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from waitress.server import create_server

from bot.app import AppServices, create_app
from case_store.models import Case, CaseMedia

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.usefixtures("demo_city"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def server(services: AppServices) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    httpd = create_server(create_app(services=services), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.close()


def test_resident_reports_a_pothole_with_photo_and_location_on_a_phone(
    server: str, services: AppServices, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "pothole.jpg"
    Image.new("RGB", (64, 48), "dimgray").save(photo, "JPEG")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            locale="en-US",
            geolocation={"latitude": 42.3905, "longitude": -71.1003},
            permissions=["geolocation"],
        )
        page = context.new_page()
        page.goto(f"{server}/chat")
        log = page.locator("#log")

        page.fill("#text", "big pothole here, my tire almost went in")
        page.click("#send")
        expect(log).to_contain_text("Where is it?")

        page.click("#locate")
        expect(log).to_contain_text("photo of it")

        page.set_input_files("#photo", str(photo))
        expect(log).to_contain_text("Please check: Pothole")
        page.get_by_role("button", name="Yes, send it").click()
        expect(log).to_contain_text("Your report number is 311-000001")

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "webchat-pothole-report.png"), full_page=True)

        page.reload()  # the conversation survives a reload
        expect(log).to_contain_text("311-000001")
        browser.close()

    with services.sessions() as session:
        case = session.scalars(sa.select(Case)).unique().one()
        assert case.public_id == "311-000001" and case.service.code == "pothole" and case.lat is not None
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseMedia)) == 1
