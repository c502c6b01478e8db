"""Open311 API keys: random, shown once, stored only as a SHA-256 hash.

The keys are 256-bit random tokens, so a fast hash is enough (there is nothing to
brute-force), and lookups stay a single indexed query on every POST.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError
from case_store.models import ApiKey
from case_store.text import clean_line

KEY_PREFIX = "o311_"
_TOUCH_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def do_create_api_key(session: Session, name: str) -> tuple[ApiKey, str]:
    """Creates a key for a named client; returns the row and the key (shown only now)."""
    name = clean_line(name)
    if not name or len(name) > 100:
        raise CaseValidationError("name", "an API key needs a name of 1 to 100 characters")
    if session.scalar(sa.select(ApiKey).where(ApiKey.name == name)) is not None:
        raise CaseValidationError("name", f"an API key named {name!r} already exists")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, key_hash=_hash(key), prefix=key[: len(KEY_PREFIX) + 4])
    session.add(row)
    session.flush()
    return row, key


def find_api_key(session: Session, key: str) -> ApiKey | None:
    """The active key matching ``key``, or None; notes when it was last used."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == _hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now
    return row


def do_revoke_api_key(session: Session, name: str) -> ApiKey:
    row = session.scalar(sa.select(ApiKey).where(ApiKey.name == name))
    if row is None:
        raise NotFoundError(f"no API key named {name!r}")
    row.revoked_at = row.revoked_at or utcnow()
    return row


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(sa.select(ApiKey).order_by(ApiKey.name)))
