"""Synchronizer tokens against cross-site form posts.

The token lives in the Flask session, which is signed with ``SECRET_KEY``, so it is
bound to one browser session; every staff form carries it back in a hidden field.
"""

from __future__ import annotations

import hmac
import secrets

FIELD = "csrf_token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_matches(expected: object, given: object) -> bool:
    """True when both are non-empty strings and equal (compared in constant time)."""
    if not isinstance(expected, str) or not isinstance(given, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
