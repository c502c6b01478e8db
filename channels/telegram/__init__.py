"""The Telegram channel: a webhook for Bot API updates and a sender over python-telegram-bot.

``views.py`` (the blueprint) is imported by the app only, so this package's import needs no Flask.
"""

from channels.telegram.adapter import TelegramAdapter
from channels.telegram.parse import parse_update

__all__ = ["TelegramAdapter", "parse_update"]
