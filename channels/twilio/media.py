"""Downloading a resident's photo from Twilio, and only from Twilio.

A MediaUrl names Twilio's API (``https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/
MM…/Media/ME…``), which answers with a redirect to a short-lived, pre-signed URL on its CDN
(``mms.twiliocdn.com``; media from before HTTP auth was enforced sits in Twilio's bucket on
``s3-external-1.amazonaws.com/media.twiliocdn.com/…``). The account's credentials go to the
first URL only, and only when it is Twilio's; every redirect must stay on Twilio's hosts.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urljoin, urlsplit

import requests

from channels.base import MediaFetchError

MAX_REDIRECTS = 3
TIMEOUT = (5.0, 30.0)  # seconds to connect, seconds between bytes
CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LEGACY_BUCKET_HOST = "s3-external-1.amazonaws.com"
_LEGACY_BUCKET_PATH = "/media.twiliocdn.com/"


def is_twilio_api_url(url: str, api_base_url: str) -> bool:
    """May this URL get the account's credentials? https on twilio.com, or the configured API."""
    parts = _split(url)
    if parts is None or parts.username is not None or parts.password is not None:
        return False
    host = parts.hostname or ""
    if parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com")):
        return True
    return _origin(parts) == _origin(_split(api_base_url))


def is_twilio_media_url(url: str, api_base_url: str) -> bool:
    """May a redirect lead here? Twilio's API hosts, its media CDN, its legacy media bucket."""
    if is_twilio_api_url(url, api_base_url):
        return True
    parts = _split(url)
    if parts is None or parts.scheme != "https" or parts.username is not None or parts.password is not None:
        return False
    host = parts.hostname or ""
    if host == "twiliocdn.com" or host.endswith(".twiliocdn.com"):
        return True
    return host == _LEGACY_BUCKET_HOST and parts.path.startswith(_LEGACY_BUCKET_PATH)


def fetch_twilio_media(url: str, *, auth: tuple[str, str], api_base_url: str, max_bytes: int) -> bytes:
    """The image's bytes, streamed and cut off past ``max_bytes``.

    Raises:
        MediaFetchError: a URL or redirect off Twilio's hosts, an error status, a body that is
            not an image or is larger than ``max_bytes``, a connection failure or timeout.
    """
    if not is_twilio_api_url(url, api_base_url):
        raise MediaFetchError("not a Twilio media URL: refused")
    credentials: tuple[str, str] | None = auth
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = requests.get(url, auth=credentials, stream=True, allow_redirects=False, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise MediaFetchError(f"could not reach Twilio's media: {type(error).__name__}") from error
        with response:
            if response.status_code in _REDIRECTS:
                target = urljoin(url, response.headers.get("Location", ""))
                if not is_twilio_media_url(target, api_base_url):
                    raise MediaFetchError("media redirected off Twilio's hosts: refused")
                # The CDN URL is pre-signed: the credentials stay with the first request.
                url, credentials = target, None
                continue
            return _read_image(response, max_bytes)
    raise MediaFetchError(f"more than {MAX_REDIRECTS} redirects")


def _read_image(response: requests.Response, max_bytes: int) -> bytes:
    if response.status_code != 200:
        raise MediaFetchError(f"Twilio's media answered {response.status_code}")
    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if not content_type.startswith("image/"):
        raise MediaFetchError(f"not an image: {content_type[:60] or 'no content type'}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise MediaFetchError(f"larger than {max_bytes} bytes")
    data = bytearray()
    try:
        for chunk in response.iter_content(CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise MediaFetchError(f"larger than {max_bytes} bytes")
    except requests.RequestException as error:
        raise MediaFetchError(f"media download broke off: {type(error).__name__}") from error
    return bytes(data)


def _split(url: str | None) -> SplitResult | None:
    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts


def _origin(parts: SplitResult | None) -> tuple[str, str, int] | None:
    if parts is None or parts.hostname is None:
        return None
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
