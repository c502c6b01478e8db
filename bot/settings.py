"""All configuration, from environment variables (and a ``.env`` file if present).

Every variable is listed in the README's configuration table. With nothing set the
product runs on embedded defaults: SQLite and an embedded Redis in ``INTAKE_DATA_DIR``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only good enough for a laptop; production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message names the variable to fix."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    intake_env: Environment = Environment.DEVELOPMENT
    secret_key: str = DEVELOPMENT_SECRET_KEY
    intake_data_dir: Path = Path("instance")
    database_url: str | None = None
    redis_url: str | None = None
    public_base_url: str = "http://127.0.0.1:8311"

    city_name: str = "Demo City"
    open311_jurisdiction_id: str | None = None
    open311_contact: str = "311@example.org"
    open311_key_service: str | None = None
    # Posts per minute for each Open311 API key; 0 turns the limit off.
    open311_rate_limit_per_minute: Annotated[int, Field(ge=0)] = 600
    log_level: str = "INFO"

    # The conversation
    emergency_number: Annotated[str, Field(min_length=1, max_length=20)] = "911"
    city_timezone: str = "America/New_York"  # dates residents read ("by Friday, November 27")
    # A conversation left this long starts afresh (the resident's language is remembered).
    conversation_ttl_seconds: Annotated[int, Field(ge=60)] = 24 * 3600
    # Web chat limits: characters per message and messages per minute per chat.
    webchat_max_text: Annotated[int, Field(ge=1, le=10000)] = 2000
    webchat_messages_per_minute: Annotated[int, Field(ge=0)] = 30
    webchat_max_photo_mb: Annotated[int, Field(ge=1, le=25)] = 10
    # Sites allowed to frame the chat (the widget), as a CSP frame-ancestors list.
    webchat_embed_origins: str = "'self'"

    # Failed staff logins allowed per email and address in 15 minutes.
    staff_login_attempts: Annotated[int, Field(ge=1, le=1000)] = 10

    # Twilio (SMS, MMS, WhatsApp); the channel is off without an account and a token.
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_phone_number: str | None = None  # E.164, e.g. +14155550100
    twilio_whatsapp_number: str | None = None  # E.164; "whatsapp:" is added where Twilio needs it
    twilio_api_base_url: str = "https://api.twilio.com"
    # An approved WhatsApp template (Content SID) for updates outside the 24-hour window.
    twilio_whatsapp_template_sid: str | None = None
    # Telegram; off without a bot token.
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"

    @field_validator("city_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/New_York)") from error
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.intake_env is Environment.PRODUCTION

    @property
    def data_dir(self) -> Path:
        return self.intake_data_dir.resolve()

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'intake.sqlite3'}"

    @property
    def uses_embedded_redis(self) -> bool:
        return not self.redis_url

    def check(self) -> None:
        """Raises SettingsError when this configuration must not be started."""
        if not self.is_production:
            return
        if not self.secret_key or self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise SettingsError(
                "SECRET_KEY is missing: production (INTAKE_ENV=production) needs a long random "
                "SECRET_KEY, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY is too short: use at least 32 random characters")
        # Several web and worker processes must share one database and one Redis.
        if not self.database_url:
            raise SettingsError("DATABASE_URL is missing: production needs a PostgreSQL database")
        if not self.redis_url:
            raise SettingsError("REDIS_URL is missing: production needs a Redis server")
        if not self.public_base_url.startswith("https://"):
            raise SettingsError("PUBLIC_BASE_URL must be the https:// address residents and providers reach")
        if self.telegram_bot_token and not self.telegram_webhook_secret:
            # Without the secret every webhook call would be refused (or, worse, trusted).
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET is missing: set a random secret for the Telegram webhook")


def normalise_database_url(url: str) -> str:
    """Accepts the ``postgres://`` URLs hosting platforms hand out; uses psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings() -> Settings:
    settings = Settings()
    settings.check()
    return settings
