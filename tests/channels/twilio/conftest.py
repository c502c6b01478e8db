"""Fixtures for the Twilio channel: a fake Twilio API and an adapter pointed at it.

``fake_twilio`` is meant for reuse (the worker's and outbox's tests): see fake_twilio.py
for its API (``.sent``, ``.fail_next(...)``, ``.add_media(...)``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.twilio import TwilioAdapter
from tests.channels.twilio.fake_twilio import FakeTwilio
from tests.channels.twilio.support import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, SMS_NUMBER, WHATSAPP_NUMBER


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A running fake Twilio API for the account ACCOUNT_SID / AUTH_TOKEN (tests' support.py)."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def twilio_adapter(fake_twilio: FakeTwilio) -> TwilioAdapter:
    """The real adapter (and SDK) talking to ``fake_twilio``."""
    return TwilioAdapter(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        phone_number=SMS_NUMBER,
        whatsapp_number=WHATSAPP_NUMBER,
        api_base_url=fake_twilio.url,
        public_base_url=PUBLIC_BASE_URL,
    )
