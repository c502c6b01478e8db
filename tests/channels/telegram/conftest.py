"""Telegram fixtures: a fake Bot API server (reusable by any test that sends on Telegram)
and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.telegram import TelegramAdapter
from tests.channels.telegram.fake_telegram import FakeTelegram
from tests.channels.telegram.support import WEBHOOK_SECRET


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A running fake Bot API: ``.url``, ``.token``, ``.sent``, ``.calls``, ``.fail_next(...)``,
    ``.add_file(content, content_type) -> file_id`` (see fake_telegram.py)."""
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram_adapter(fake_telegram: FakeTelegram) -> Iterator[TelegramAdapter]:
    """The real adapter (real python-telegram-bot) talking to the fake."""
    adapter = TelegramAdapter(fake_telegram.token, WEBHOOK_SECRET, fake_telegram.url, timeout=15.0)
    yield adapter
    adapter.close()
