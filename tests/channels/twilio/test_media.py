"""Fetching residents' photos from Twilio: only from Twilio, only images, within size."""

from __future__ import annotations

import pytest
import requests

from channels.base import MediaFetchError, MediaRef
from channels.twilio import TwilioAdapter
from channels.twilio.media import is_twilio_api_url, is_twilio_media_url
from tests.channels.twilio.fake_twilio import FakeTwilio
from tests.channels.twilio.support import ACCOUNT_SID, PUBLIC_BASE_URL, SMS_NUMBER, WHATSAPP_NUMBER

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048
MB = 1024 * 1024
API = "https://api.twilio.com"


def test_fetch_follows_the_redirect_to_the_cdn(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    assert twilio_adapter.fetch_media(MediaRef(url, "image/jpeg"), channel="sms") == JPEG
    api, cdn = fake_twilio.media_requests
    assert api.authenticated and api.path.startswith("/2010-04-01/")
    # The pre-signed CDN URL gets no credentials.
    assert cdn.path.startswith("/cdn/") and not cdn.authenticated


def test_media_needs_the_accounts_credentials(fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    assert requests.get(url, timeout=5).status_code == 401
    adapter = TwilioAdapter(
        account_sid=ACCOUNT_SID,
        auth_token="wrong",
        phone_number=SMS_NUMBER,
        whatsapp_number=WHATSAPP_NUMBER,
        api_base_url=fake_twilio.url,
        public_base_url=PUBLIC_BASE_URL,
    )
    with pytest.raises(MediaFetchError, match="401"):
        adapter.fetch_media(MediaRef(url), channel="sms")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "https://api.twilio.com.evil.example/Media/ME1",
        "https://api.twilio.com@evil.example/Media/ME1",
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "file:///etc/passwd",
        "http://127.0.0.1:1/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    ],
)
def test_media_from_a_foreign_host_is_refused(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio, url: str) -> None:
    with pytest.raises(MediaFetchError, match="refused"):
        twilio_adapter.fetch_media(MediaRef(url), channel="sms")
    assert fake_twilio.media_requests == []


def test_redirect_off_twilio_is_refused(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG, "image/jpeg", redirect_to="https://evil.example/steal.jpg")
    with pytest.raises(MediaFetchError, match="redirected off Twilio"):
        twilio_adapter.fetch_media(MediaRef(url), channel="whatsapp")


def test_too_large_mms_is_refused(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(b"\xff" * (5 * MB + 1), "image/jpeg")
    with pytest.raises(MediaFetchError, match="larger than"):
        twilio_adapter.fetch_media(MediaRef(url), channel="sms")


def test_whatsapp_allows_up_to_16_mb(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    content = b"\xff" * (5 * MB + 1)
    url = fake_twilio.add_media(content, "image/jpeg")
    assert twilio_adapter.fetch_media(MediaRef(url), channel="whatsapp") == content
    too_big = fake_twilio.add_media(b"\xff" * (16 * MB + 1), "image/jpeg")
    with pytest.raises(MediaFetchError, match="larger than"):
        twilio_adapter.fetch_media(MediaRef(too_big), channel="whatsapp")


def test_too_large_is_stopped_while_streaming(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(b"\xff" * (6 * MB), "image/jpeg", declare_length=False)
    with pytest.raises(MediaFetchError, match="larger than"):
        twilio_adapter.fetch_media(MediaRef(url), channel="sms")


def test_not_an_image_is_refused(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(b"OggS", "audio/ogg")
    with pytest.raises(MediaFetchError, match="not an image"):
        twilio_adapter.fetch_media(MediaRef(url), channel="whatsapp")


def test_provider_error_is_a_fetch_error(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    fake_twilio.fail_next(500)
    with pytest.raises(MediaFetchError, match="500"):
        twilio_adapter.fetch_media(MediaRef(url), channel="sms")


def test_unknown_channel_is_refused(twilio_adapter: TwilioAdapter, fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    with pytest.raises(MediaFetchError):
        twilio_adapter.fetch_media(MediaRef(url), channel="telegram")


@pytest.mark.parametrize(
    ("url", "credentials", "redirect"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True, True),
        ("https://api.us1.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True, True),
        ("https://mms.twiliocdn.com/AC1/abc?Expires=1", False, True),
        ("https://media.twiliocdn.com/AC1/abc", False, True),
        ("https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc", False, True),
        ("https://s3-external-1.amazonaws.com/someone-elses-bucket/abc", False, False),
        ("http://mms.twiliocdn.com/AC1/abc", False, False),
        ("https://twiliocdn.com.evil.example/abc", False, False),
        ("https://evil.example/?u=https://api.twilio.com", False, False),
        ("https://api.twilio.com:bad/x", False, False),
    ],
)
def test_host_rules(url: str, credentials: bool, redirect: bool) -> None:
    assert is_twilio_api_url(url, API) is credentials
    assert is_twilio_media_url(url, API) is redirect
