"""A stand-in for Twilio's REST API: a small Flask app served from a thread on 127.0.0.1.

Point the real SDK at it (``TwilioAdapter(api_base_url=fake.url, ...)``) and it behaves like
Twilio where the bot depends on it. Use the ``fake_twilio`` fixture (tests/channels/twilio/
conftest.py), or ``with FakeTwilio(account_sid, auth_token) as fake:``.

API:
    ``.url``: the base URL, ``http://127.0.0.1:<port>``.
    ``.sent``: a ``SentMessage`` for each message accepted by
        ``POST /2010-04-01/Accounts/{sid}/Messages.json``, in order. The answer is a
        Twilio-shaped Message resource with a fresh ``sid`` and ``status`` "queued".
    ``.fail_next(status, times=1, retry_after=None, code=None, *, after=0)``: the next
        ``times`` requests of any kind (messages or media), after ``after`` ordinary ones,
        answer ``status`` with Twilio's error JSON (``code`` defaults to the status, e.g.
        21610 for an unsubscribed recipient) and a ``Retry-After`` header when
        ``retry_after`` (seconds, or an HTTP date as text) is given.
    ``.add_media(content, content_type, *, redirect_to=None, declare_length=True) -> url``:
        a MediaUrl on the fake API. Without the account's HTTP basic auth it answers 401;
        with it, a 307 to a pre-signed "CDN" path on the same server that serves the bytes
        (or to ``redirect_to``). ``declare_length=False`` streams them without a
        Content-Length.
    ``.media_requests``: a ``MediaRequest`` for each media GET (API or CDN path), in order.

Like Twilio it refuses: wrong credentials (401, code 20003), no To (400, 21604), nothing to
send (400, 21602), a Body over 1,600 characters (400, 21617).
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Any

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Response as WerkzeugResponse

API_VERSION = "2010-04-01"


@dataclass(frozen=True, slots=True)
class SentMessage:
    sid: str
    to: str
    from_: str
    body: str | None
    media_url: tuple[str, ...]
    status_callback: str | None
    content_sid: str | None
    content_variables: str | None


@dataclass(frozen=True, slots=True)
class MediaRequest:
    path: str
    authenticated: bool  # whether it carried an Authorization header


@dataclass(frozen=True, slots=True)
class _Failure:
    status: int
    code: int
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class _Media:
    content: bytes
    content_type: str
    redirect_to: str | None
    declare_length: bool


_ERROR_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21602: "Message body is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    63016: "Failed to send freeform message because you are outside the allowed window.",
}


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[SentMessage] = []
        self.media_requests: list[MediaRequest] = []
        self._failures: deque[_Failure | None] = deque()  # None: an ordinary request
        self._media: dict[str, _Media] = {}
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Twilio is not running")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeTwilio:
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        # A short poll keeps shutdown (each test's teardown) fast.
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.01), name="fake-twilio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: float | str | None = None,
        code: int | None = None,
        *,
        after: int = 0,
    ) -> None:
        header = retry_after if isinstance(retry_after, str) or retry_after is None else f"{retry_after:g}"
        failure = _Failure(status, code or status, header)
        with self._lock:
            self._failures.extend([None] * after + [failure] * times)

    def add_media(
        self, content: bytes, content_type: str, *, redirect_to: str | None = None, declare_length: bool = True
    ) -> str:
        media_sid = f"ME{uuid.uuid4().hex}"
        message_sid = f"MM{uuid.uuid4().hex}"
        with self._lock:
            self._media[media_sid] = _Media(content, content_type, redirect_to, declare_length)
        return f"{self.url}/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message_sid}/Media/{media_sid}"

    # The app

    def _app(self) -> Flask:
        app = Flask("fake_twilio")

        @app.before_request
        def scheduled_failure() -> Response | None:
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
            if failure is None:
                return None
            response = _error(failure.status, failure.code)
            if failure.retry_after is not None:
                response.headers["Retry-After"] = failure.retry_after
            return response

        @app.post(f"/{API_VERSION}/Accounts/<account_sid>/Messages.json")
        def create_message(account_sid: str) -> Response:
            if not self._authenticated() or account_sid != self.account_sid:
                return _error(401, 20003)
            form = request.form
            if not form.get("To"):
                return _error(400, 21604)
            body = form.get("Body")
            media = tuple(form.getlist("MediaUrl"))
            if not body and not media and not form.get("ContentSid"):
                return _error(400, 21602)
            if body is not None and len(body.encode("utf-16-le")) // 2 > 1600:
                return _error(400, 21617)
            sid = f"SM{uuid.uuid4().hex}"
            sent = SentMessage(
                sid=sid,
                to=form["To"],
                from_=form.get("From", ""),
                body=body,
                media_url=media,
                status_callback=form.get("StatusCallback"),
                content_sid=form.get("ContentSid"),
                content_variables=form.get("ContentVariables"),
            )
            with self._lock:
                self.sent.append(sent)
            response = jsonify(self._resource(sent))
            response.status_code = 201
            return response

        @app.get(f"/{API_VERSION}/Accounts/<account_sid>/Messages/<message_sid>/Media/<media_sid>")
        def media(account_sid: str, message_sid: str, media_sid: str) -> Response | WerkzeugResponse:
            self._record_media_request()
            if not self._authenticated() or account_sid != self.account_sid:
                return _error(401, 20003)
            with self._lock:
                stored = self._media.get(media_sid)
            if stored is None:
                return _error(404, 20404)
            target = stored.redirect_to or f"{self.url}/cdn/{media_sid}?Expires=1700000000&Signature=fake"
            return redirect(target, code=307)

        @app.get("/cdn/<media_sid>")
        def cdn(media_sid: str) -> Response:
            self._record_media_request()
            with self._lock:
                stored = self._media.get(media_sid)
            if stored is None:
                return Response("NoSuchKey", 404, mimetype="application/xml")
            if stored.declare_length:
                return Response(stored.content, 200, content_type=stored.content_type)
            return Response(_chunks(stored.content), 200, content_type=stored.content_type)

        return app

    def _authenticated(self) -> bool:
        auth = request.authorization
        return auth is not None and (auth.username, auth.password) == (self.account_sid, self.auth_token)

    def _record_media_request(self) -> None:
        with self._lock:
            self.media_requests.append(MediaRequest(request.path, "Authorization" in request.headers))

    def _resource(self, sent: SentMessage) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC), usegmt=True)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sent.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": sent.body or "",
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sent.from_,
            "messaging_service_sid": None,
            "num_media": str(len(sent.media_url)),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sent.sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": sent.to,
            "uri": uri,
        }


def _error(status: int, code: int) -> Response:
    response = jsonify(
        code=code,
        message=_ERROR_MESSAGES.get(code, "Error"),
        more_info=f"https://www.twilio.com/docs/errors/{code}",
        status=status,
    )
    response.status_code = status
    return response


def _chunks(content: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]
