"""``intake-bot telegram set-webhook`` against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli_telegram import telegram
from tests.channels.telegram.fake_telegram import FakeTelegram
from tests.channels.telegram.support import WEBHOOK_SECRET


@pytest.fixture
def telegram_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.delenv("INTAKE_ENV", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://311.city.test/")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.url)


def run(*args: str) -> Result:
    return CliRunner().invoke(telegram, list(args))


@pytest.mark.usefixtures("telegram_env")
def test_set_webhook_points_telegram_at_the_webhook(fake_telegram: FakeTelegram) -> None:
    result = run("set-webhook")
    assert result.exit_code == 0, result.output
    assert "https://311.city.test/channels/telegram/webhook" in result.output
    [call] = fake_telegram.calls
    assert call.method == "setWebhook"
    assert call.params["url"] == "https://311.city.test/channels/telegram/webhook"
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert call.params["drop_pending_updates"] == "false"


@pytest.mark.usefixtures("telegram_env")
def test_set_webhook_can_drop_pending_updates(fake_telegram: FakeTelegram) -> None:
    assert run("set-webhook", "--drop-pending-updates").exit_code == 0
    assert fake_telegram.calls[0].params["drop_pending_updates"] == "true"


@pytest.mark.usefixtures("telegram_env")
@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("TELEGRAM_WEBHOOK_SECRET", "", "TELEGRAM_WEBHOOK_SECRET is missing"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces in it", "may hold only"),
        ("TELEGRAM_BOT_TOKEN", "", "TELEGRAM_BOT_TOKEN is missing"),
    ],
)
def test_set_webhook_needs_a_token_and_a_valid_secret(
    monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram, variable: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = run("set-webhook")
    assert result.exit_code == 1 and complaint in result.output
    assert fake_telegram.calls == []


@pytest.mark.usefixtures("telegram_env")
def test_set_webhook_reports_telegram_refusing(fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(400, description="Bad Request: bad webhook: HTTPS url must be provided for webhook")
    result = run("set-webhook")
    assert result.exit_code == 1 and "https url must be provided" in result.output
    assert fake_telegram.token not in result.output
