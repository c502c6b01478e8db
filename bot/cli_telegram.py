"""``intake-bot telegram set-webhook``: tells Telegram where to post the bot's updates.

Registered on the main command group by bot/cli.py.
"""

from __future__ import annotations

import re

import click

from bot.settings import SettingsError, load_settings
from channels.base import PermanentDeliveryError, TemporaryDeliveryError
from channels.telegram.adapter import ALLOWED_UPDATES, WEBHOOK_PATH, TelegramAdapter

# What Telegram accepts as a webhook's secret_token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@click.group()
def telegram() -> None:
    """The Telegram bot (TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET)."""


@telegram.command("set-webhook")
@click.option("--drop-pending-updates", is_flag=True, help="Discard updates Telegram holds for the bot.")
def set_webhook(drop_pending_updates: bool) -> None:
    """Points the bot at PUBLIC_BASE_URL/channels/telegram/webhook, with the webhook secret."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if not settings.telegram_bot_token:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is missing: create a bot with @BotFather and set its token")
    secret = settings.telegram_webhook_secret
    if not secret:
        raise click.ClickException(
            "TELEGRAM_WEBHOOK_SECRET is missing: set a long random value, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    if not _SECRET.fullmatch(secret):
        raise click.ClickException("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1-256 characters)")
    url = settings.public_base_url + WEBHOOK_PATH
    if not url.startswith("https://"):
        click.echo(f"Warning: Telegram only posts to https:// addresses, not {url}", err=True)
    adapter = TelegramAdapter(settings.telegram_bot_token, secret, settings.telegram_api_base_url)
    try:
        adapter.set_webhook(url, drop_pending_updates=drop_pending_updates)
    except (TemporaryDeliveryError, PermanentDeliveryError) as exc:
        raise click.ClickException(f"the webhook was not set: {exc}") from None
    finally:
        adapter.close()
    click.echo(f"Telegram will post {', '.join(ALLOWED_UPDATES)} updates to {url}")
