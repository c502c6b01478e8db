"""The web chat's page, widget and JSON API. The only module here that touches Flask."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template, request, url_for
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import FileStorage

from bot.dialogue.messages import GeoPoint, Photo
from bot.ratelimit import RedisRateLimiter
from bot.runtime import Runtime
from case_store.media import MediaError, MediaStore
from case_store.models import Channel, ChannelIdentity, Message
from case_store.service import do_record_media
from channels.webchat.parse import WebchatInputError, WebchatRequest, parse_message
from channels.webchat.sessions import WebchatSessions
from locales import Catalogs
from locales.languages import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, SUPPORTED, supported

PAGE_SIZE = 100
UI_KEYS = (
    "title intro placeholder send add_photo share_location location_unavailable typing language "
    "connection_error you assistant photo_sent location_sent new_chat"
).split()


def webchat_blueprint(
    runtime: Runtime,
    sessions: sessionmaker[Session],
    chats: WebchatSessions,
    media: MediaStore,
    limiter: RedisRateLimiter,
    catalogs: Catalogs,
    *,
    max_text: int,
    max_photo_bytes: int,
    messages_per_minute: int,
    city_name: str,
    embed_origins: str,
) -> Blueprint:
    bp = Blueprint(
        "webchat", __name__, template_folder="templates", static_folder="static", static_url_path="/webchat/static"
    )

    def refuse(error: WebchatInputError, language: str) -> tuple[Response, int]:
        message = catalogs.render(error.key, language, **error.params)
        return jsonify(error={"code": error.key.rsplit(".", 1)[-1], "message": message}), error.status

    @bp.post("/webchat/api/sessions")
    def create_session() -> tuple[Response, int]:
        body = request.get_json(silent=True)
        wanted = body.get("language") if isinstance(body, dict) else None
        language = supported(wanted if isinstance(wanted, str) else _browser_language())
        return jsonify(session_id=chats.create(language), language=language), 201

    @bp.post("/webchat/api/sessions/<session_id>/messages")
    def post_message(session_id: str) -> tuple[Response, int]:
        language = chats.language(session_id)
        if language is None:
            return refuse(WebchatInputError("error.session_expired", 404), _browser_language())
        if messages_per_minute and not limiter.allow(f"webchat:{session_id}", messages_per_minute, 60):
            return refuse(WebchatInputError("error.too_fast", 429), language)
        try:
            inbound = parse_message(
                _read_request(session_id, sessions, media, max_photo_bytes),
                max_text=max_text,
                language=language,
                now=datetime.now(UTC),
            )
        except WebchatInputError as error:
            return refuse(error, language)
        output = runtime.handle(inbound)
        chats.remember_language(session_id, output.language)
        replies = [
            {"id": r.id, "text": r.text, "quick_replies": [asdict(q) for q in r.quick_replies]} for r in output.replies
        ]
        return jsonify(replies=replies, case_id=output.case_id, language=output.language), 200

    @bp.get("/webchat/api/sessions/<session_id>/messages")
    def list_messages(session_id: str) -> tuple[Response, int]:
        language = chats.language(session_id)
        if language is None:
            return refuse(WebchatInputError("error.session_expired", 404), _browser_language())
        after = request.args.get("after", "0")
        if not after.isdigit() or len(after) > 18:
            return jsonify(error={"code": "bad_after", "message": "after must be a message id"}), 400
        with sessions() as session:
            rows = session.scalars(
                sa.select(Message)
                .join(ChannelIdentity, Message.identity_id == ChannelIdentity.id)
                .where(ChannelIdentity.channel == Channel.WEB, ChannelIdentity.address == session_id)
                .where(Message.id > int(after))
                .order_by(Message.id)
                .limit(PAGE_SIZE)
            ).all()
            messages = [_message_document(row) for row in rows]
        return jsonify(messages=messages, language=language), 200

    @bp.get("/chat")
    def chat_page() -> Response:
        language = supported(request.args.get("lang") or _browser_language())
        ui = {code: {key: catalogs.render(f"ui.{key}", code) for key in UI_KEYS} for code in catalogs.languages}
        names = {code: catalogs.language_name(code) for code in catalogs.languages}
        page = render_template(
            "chat.html",
            language=language,
            direction="rtl" if language in RIGHT_TO_LEFT else "ltr",
            ui=ui,
            names=names,
            rtl=sorted(RIGHT_TO_LEFT),
            city_name=city_name,
            embedded=request.args.get("embed") == "1",
        )
        response = Response(page, mimetype="text/html")
        # The chat may be framed by the city's own site (the widget); nothing else is.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self'; frame-ancestors {embed_origins}"
        )
        return response

    @bp.get("/chat/widget.js")
    def widget() -> Response:
        script = render_template("widget.js", chat_url=url_for("webchat.chat_page", _external=True))
        return Response(script, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=3600"})

    return bp


def _read_request(
    session_id: str, sessions: sessionmaker[Session], media: MediaStore, max_photo_bytes: int
) -> WebchatRequest:
    key = request.headers.get("Idempotency-Key")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("photo")
        photo = _store_photo(upload, sessions, media, max_photo_bytes) if upload and upload.filename else None
        return WebchatRequest(session_id, request.form.get("text"), None, photo, key)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WebchatInputError("conversation.unsupported_content", 415)
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise WebchatInputError("conversation.unsupported_content", 422)
    return WebchatRequest(session_id, text, body.get("location"), None, key)


def _store_photo(upload: FileStorage, sessions: sessionmaker[Session], media: MediaStore, limit: int) -> Photo:
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise WebchatInputError("error.photo_too_big", 413, limit=limit // (1024 * 1024))
    try:
        stored = media.save(data)
    except MediaError as error:
        key = "error.photo_type" if "accepted" in str(error) else "error.photo_unreadable"
        raise WebchatInputError(key, 415 if key == "error.photo_type" else 422) from error
    with sessions.begin() as session:
        do_record_media(session, stored)
    gps = GeoPoint(stored.gps.lat, stored.gps.lon) if stored.gps else None
    return Photo(stored.filename, gps)


def _message_document(row: Message) -> dict[str, Any]:
    extras = row.extras or {}
    return {
        "id": str(row.id),
        "direction": "in" if row.direction.value == "inbound" else "out",
        "text": row.text or "",
        "quick_replies": extras.get("quick_replies", []),
        "photos": [f"/media/{name}" for name in extras.get("photos", [])],
        "location": extras.get("location"),
        "created_at": row.created_at.isoformat(),
        "author": "resident" if row.direction.value == "inbound" else ("bot" if row.author == "bot" else "staff"),
    }


def _browser_language() -> str:
    return request.accept_languages.best_match(SUPPORTED) or DEFAULT_LANGUAGE
