"""The fake account, the fixtures' forms, and signing like Twilio does."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from twilio.request_validator import RequestValidator

FIXTURES = Path(__file__).parent / "fixtures"

ACCOUNT_SID = "ACfa4e0000000000000000000000000001"
AUTH_TOKEN = "fake-auth-token-0000000000000000"
RESIDENT = "+15555550100"
SMS_NUMBER = "+15555550199"
WHATSAPP_NUMBER = "+15555550198"
PUBLIC_BASE_URL = "https://city.test"


def fixture_body(name: str) -> str:
    """A fixture exactly as Twilio posts it: one urlencoded line."""
    return (FIXTURES / name).read_text(encoding="utf-8").strip()


def load_form(name: str) -> dict[str, str]:
    return dict(parse_qsl(fixture_body(name), keep_blank_values=True, strict_parsing=True))


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a form posted to ``url``."""
    return RequestValidator(token).compute_signature(url, form)


def encode(form: dict[str, str]) -> str:
    return urlencode(form)
