"""The composition root: builds the stores and clients once and wires the blueprints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import redis
import sqlalchemy as sa
from flask import Blueprint, Flask, Request, Response, jsonify, make_response, render_template, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from bot.conversations import ConversationStore
from bot.notify import Notifier
from bot.ratelimit import RedisRateLimiter
from bot.redis_connection import connect_redis
from bot.render import Renderer
from bot.runtime import LazyUnderstanding, Runtime
from bot.settings import Settings, load_settings
from bot.staff_api import staff_api_blueprint
from bot.worker import SEND_THREADS, Worker
from case_store.db import make_engine, make_session_factory
from case_store.media import MediaStore
from case_store.media_views import media_blueprint
from case_store.open311.views import (
    Open311Config,
    is_open311_path,
    open311_blueprint,
    open311_error_for_path,
)
from channels.base import ChannelAdapter
from channels.webchat.sessions import WebchatSessions
from channels.webchat.views import webchat_blueprint
from locales import DEFAULT_LANGUAGE, SUPPORTED, catalogs
from nlu.translate import Translator, translation_dir
from nlu.understand import Understanding
from staff import staff_blueprint

MAX_UPLOAD_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AppServices:
    """Everything the app's parts share; built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    media: MediaStore
    # The understanding models, loaded when the first message needs them.
    understanding: Callable[[], Understanding]
    # Machine translation of free text; models load on first use, a missing one is not an error.
    translator: Translator


def build_services(settings: Settings) -> AppServices:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    return AppServices(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        redis=connect_redis(settings),
        media=MediaStore(settings.media_dir),
        understanding=LazyUnderstanding(lambda: Understanding.load_or_train(settings.models_dir)),
        translator=Translator(translation_dir(settings.data_dir)),
    )


def create_app(settings: Settings | None = None, services: AppServices | None = None) -> Flask:
    settings = settings or (services.settings if services else load_settings())
    settings.check()
    services = services or build_services(settings)
    logging.basicConfig(level=settings.log_level)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        JSON_SORT_KEYS=False,
    )
    app.extensions["intake"] = services

    app.register_blueprint(
        open311_blueprint(
            services.sessions,
            Open311Config(
                public_base_url=settings.public_base_url,
                jurisdiction_id=settings.open311_jurisdiction_id,
                contact=settings.open311_contact,
                key_service=settings.open311_key_service,
                posts_per_minute=settings.open311_rate_limit_per_minute,
            ),
            RedisRateLimiter(services.redis),
        )
    )
    app.register_blueprint(media_blueprint(services.media))
    app.register_blueprint(_webchat(services))
    app.register_blueprint(staff_api_blueprint(services.sessions, build_notifier(services), services.translator))
    app.register_blueprint(
        staff_blueprint(
            services.sessions,
            services.redis,
            services.media,
            build_notifier(services),
            services.translator,
            public_base_url=settings.public_base_url,
            timezone=settings.city_timezone,
            login_attempts=settings.staff_login_attempts,
        )
    )
    _register_provider_webhooks(app, services)

    @app.get("/")
    def home() -> str:
        return render_template("home.html", city_name=settings.city_name)

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        checks = {"database": _check_database(services.engine), "redis": _check_redis(services.redis)}
        healthy = all(v == "ok" for v in checks.values())
        return jsonify(status="ok" if healthy else "unavailable", checks=checks), 200 if healthy else 503

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        # Open311 clients get the spec's envelope even for unknown URLs and wrong methods.
        if is_open311_path(request.path):
            response = open311_error_for_path(request.path, error.code or 400, _describe(error))
            # Only the body becomes the envelope: a 405 must still list the allowed methods.
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        if request.path.startswith("/webchat/api/") and error.code == 413:
            # An upload larger than any photo: refused in words the resident can read.
            limit = settings.webchat_max_photo_mb
            message = catalogs().render("error.photo_too_big", _chat_language(request), limit=limit)
            return make_response(jsonify(error={"code": "photo_too_big", "message": message}), 413)
        return error

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # A page that names who may frame it (the chat, for the widget) is not overridden.
        if "frame-ancestors" not in response.headers.get("Content-Security-Policy", ""):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


def build_runtime(services: AppServices) -> Runtime:
    settings = services.settings
    return Runtime(
        services.sessions,
        ConversationStore(services.redis, ttl_seconds=settings.conversation_ttl_seconds),
        services.understanding,
        Renderer(catalogs(), settings.city_timezone),
        emergency_number=settings.emergency_number,
        city_name=settings.city_name,
        secret_key=settings.secret_key,
    )


def build_notifier(services: AppServices) -> Notifier:
    settings = services.settings
    return Notifier(Renderer(catalogs(), settings.city_timezone), settings.public_base_url, services.translator)


def build_adapters(settings: Settings) -> dict[str, ChannelAdapter]:
    """The provider channels that have credentials; a channel without them is off."""
    adapters: dict[str, ChannelAdapter] = {}
    for adapter in (_twilio_adapter(settings), _telegram_adapter(settings)):
        if adapter is not None:
            adapters.update(dict.fromkeys(adapter.channels, adapter))
    return adapters


def build_worker(services: AppServices, adapters: dict[str, ChannelAdapter] | None = None) -> Worker:
    settings = services.settings
    return Worker(
        services.sessions,
        build_runtime(services),
        build_adapters(settings) if adapters is None else adapters,
        services.media,
        RedisRateLimiter(services.redis),
        whatsapp_template_sid=settings.twilio_whatsapp_template_sid,
        status_callback_url=f"{settings.public_base_url}/channels/twilio/status" if settings.twilio_enabled else None,
        # SQLite takes one writer at a time: the embedded defaults send one message at a time.
        send_threads=1 if services.engine.dialect.name == "sqlite" else SEND_THREADS,
    )


def _twilio_adapter(settings: Settings) -> ChannelAdapter | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    from channels.twilio import TwilioAdapter

    return TwilioAdapter(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        phone_number=settings.twilio_phone_number,
        whatsapp_number=settings.twilio_whatsapp_number,
        api_base_url=settings.twilio_api_base_url,
        public_base_url=settings.public_base_url,
    )


def _telegram_adapter(settings: Settings) -> ChannelAdapter | None:
    if not settings.telegram_bot_token:
        return None
    from channels.telegram import TelegramAdapter

    return TelegramAdapter(
        settings.telegram_bot_token, settings.telegram_webhook_secret, settings.telegram_api_base_url
    )


def _register_provider_webhooks(app: Flask, services: AppServices) -> None:
    """Webhooks of the channels that have credentials; they only verify, record and answer."""
    adapters = build_adapters(services.settings)
    telegram = adapters.get("telegram")
    if telegram is not None:
        from channels.telegram.views import telegram_blueprint

        app.register_blueprint(telegram_blueprint(telegram, services.sessions))
    twilio = adapters.get("sms")
    if twilio is not None:
        from channels.twilio.views import twilio_blueprint

        app.register_blueprint(
            twilio_blueprint(twilio, services.sessions, public_base_url=services.settings.public_base_url)
        )


def _webchat(services: AppServices) -> Blueprint:
    settings = services.settings
    return webchat_blueprint(
        build_runtime(services),
        services.sessions,
        WebchatSessions(services.redis),
        services.media,
        RedisRateLimiter(services.redis),
        catalogs(),
        max_text=settings.webchat_max_text,
        max_photo_bytes=settings.webchat_max_photo_mb * 1024 * 1024,
        messages_per_minute=settings.webchat_messages_per_minute,
        city_name=settings.city_name,
        embed_origins=settings.webchat_embed_origins,
    )


def _chat_language(request: Request) -> str:
    return request.accept_languages.best_match(SUPPORTED) or DEFAULT_LANGUAGE


def _describe(error: HTTPException) -> str:
    if error.code == 404:
        return "no such Open311 resource; see /open311/v2/discovery.json (or .xml)"
    if error.code == 405:
        return f"method {request.method} is not allowed here"
    if error.code == 413:
        return "the request body is too large"
    return error.description or error.name


def _check_database(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_redis(client: redis.Redis) -> str:
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
