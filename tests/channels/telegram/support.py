"""Shared by the Telegram tests: the fixture files and the test secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
WEBHOOK_SECRET = "test-webhook-secret_0123456789"


def read_update(name: str) -> Any:
    """A fixture Update, decoded: ``read_update("message_text")``."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
