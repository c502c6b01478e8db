"""A fake Telegram Bot API server for tests: a real HTTP server on 127.0.0.1, in a thread.

Pass ``fake.url`` as the adapter's ``api_base_url``; the real python-telegram-bot then talks
to it as it would to api.telegram.org (``{url}/bot{token}/{method}`` and file downloads from
``{url}/file/bot{token}/{path}``).

- ``fake.sent``: the messages sent (sendMessage, sendPhoto), in order, with their keyboards.
- ``fake.calls``: every Bot API call, as ``ApiCall(method, params)``.
- ``fake.fail_next(status, count=1, retry_after=..., description=...)``: the next ``count``
  Bot API calls fail: 429 (with ``parameters.retry_after``), 500, 403 ("bot was blocked by
  the user"), 400 ("chat not found") or any status with your description.
- ``fake.add_file(content, content_type) -> file_id``: a file getFile and the download serve;
  ``file_size=`` makes getFile report another size, ``None`` reports none.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

FAKE_TOKEN = "123456789:TEST-fake-token_for-tests"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "City 311", "username": "city311_test_bot"}

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_UNSET = object()


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class SentMessage:
    method: str  # sendMessage | sendPhoto
    chat_id: int
    message_id: int
    text: str | None = None  # the caption for a photo
    photo: str | None = None
    reply_markup: dict[str, Any] | None = None

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """The inline keyboard as rows of (label, callback_data)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


@dataclass(frozen=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None


@dataclass
class _File:
    content: bytes
    content_type: str
    path: str
    file_size: int | None


@dataclass
class FakeTelegram:
    token: str = FAKE_TOKEN
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    _failures: deque[_Failure] = field(default_factory=deque)
    _files: dict[str, _File] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeTelegram:
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-telegram", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def fail_next(
        self, status: int, count: int = 1, *, retry_after: int | None = None, description: str | None = None
    ) -> None:
        """The next ``count`` Bot API calls answer ``status`` (429 carries ``retry_after``, 1 by default)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        with self._lock:
            for _ in range(count):
                self._failures.append(_Failure(status, text.format(retry_after=retry_after), retry_after))

    def add_file(self, content: bytes, content_type: str = "image/jpeg", *, file_size: Any = _UNSET) -> str:
        """Stores a file; returns its file_id. ``file_size`` overrides what getFile reports."""
        with self._lock:
            number = next(self._ids)
        file_id = f"FILE-{number}"
        size = len(content) if file_size is _UNSET else file_size
        self._files[file_id] = _File(content, content_type, f"photos/file_{number}.jpg", size)
        return file_id

    def _app(self) -> Flask:
        app = Flask("fake_telegram")

        @app.route("/bot<token>/<method>", methods=["GET", "POST"])
        def bot_api(token: str, method: str) -> tuple[Response, int]:
            if token != self.token:
                return _error(401, "Unauthorized")
            params = _params()
            with self._lock:
                self.calls.append(ApiCall(method, params))
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                return _error(failure.status, failure.description, failure.retry_after)
            handler = {
                "getMe": lambda: _ok(BOT_USER),
                "sendMessage": lambda: self._send("sendMessage", params),
                "sendPhoto": lambda: self._send("sendPhoto", params),
                "getFile": lambda: self._get_file(params),
                "setWebhook": lambda: _ok(True),
            }.get(method)
            return handler() if handler else _error(404, "Not Found")

        @app.get("/file/bot<token>/<path:file_path>")
        def download(token: str, file_path: str) -> Response | tuple[Response, int]:
            stored = next((f for f in self._files.values() if f.path == file_path), None)
            if token != self.token or stored is None:
                return _error(404, "Not Found")

            def chunks() -> Iterator[bytes]:
                for start in range(0, len(stored.content), 256 * 1024):
                    yield stored.content[start : start + 256 * 1024]

            # Streamed without Content-Length, as a proxy might: the client must bound it itself.
            return Response(chunks(), content_type=stored.content_type)

        return app

    def _send(self, method: str, params: dict[str, Any]) -> tuple[Response, int]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            return _error(400, "Bad Request: chat not found")
        text = params.get("caption") if method == "sendPhoto" else params.get("text")
        if method == "sendMessage" and not text:
            return _error(400, "Bad Request: message text is empty")
        if text and len(text) > (1024 if method == "sendPhoto" else 4096):
            return _error(400, "Bad Request: message is too long")
        with self._lock:
            message_id = next(self._ids)
            sent = SentMessage(method, chat_id, message_id, text, params.get("photo"), params.get("reply_markup"))
            self.sent.append(sent)
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
        }
        if method == "sendPhoto":
            result["photo"] = [
                {"file_id": f"SENT-{message_id}", "file_unique_id": f"U{message_id}", "width": 1, "height": 1}
            ]
            if text:
                result["caption"] = text
        else:
            result["text"] = text
        return _ok(result)

    def _get_file(self, params: dict[str, Any]) -> tuple[Response, int]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            return _error(400, "Bad Request: invalid file_id")
        result: dict[str, Any] = {"file_id": params["file_id"], "file_unique_id": "U" + params["file_id"]}
        if stored.file_size is not None:
            result["file_size"] = stored.file_size
        result["file_path"] = stored.path
        return _ok(result)


def _params() -> dict[str, Any]:
    """The call's parameters, however sent (query, form, multipart or JSON); JSON-encoded
    values (reply_markup, allowed_updates) decoded."""
    params: dict[str, Any] = dict(request.values.items())
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        params.update(body)
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def _ok(result: Any) -> tuple[Response, int]:
    return jsonify(ok=True, result=result), 200


def _error(status: int, description: str, retry_after: int | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return jsonify(body), status


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass
