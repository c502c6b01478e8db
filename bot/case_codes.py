"""Check codes: a short code given with a web chat report, so the resident can ask about it
from another device ("status 311-000123 K7Q2XM"). Derived from the case number and the
secret key, so nothing is stored and nobody can compute one without the key."""

from __future__ import annotations

import base64
import hashlib
import hmac

LENGTH = 6


def case_code(secret_key: str, case_id: str) -> str:
    digest = hmac.new(secret_key.encode(), f"case-code:{case_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:LENGTH]


def code_matches(secret_key: str, case_id: str, code: str) -> bool:
    return hmac.compare_digest(case_code(secret_key, case_id), code.strip().upper())
