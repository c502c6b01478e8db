"""Staff accounts: slow password hashes, bearer tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError
from case_store.models import StaffRole, StaffToken, StaffUser

TOKEN_PREFIX = "stf_"
MIN_PASSWORD = 12


def check_new_user(session: Session, email: str, password: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise CaseValidationError("email", "an email address is required")
    if len(password) < MIN_PASSWORD:
        raise CaseValidationError("password", f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise CaseValidationError("email", f"{email} already has an account")
    return email


def do_create_user(session: Session, email: str, password: str, role: StaffRole, name: str | None = None) -> StaffUser:
    """Precondition: ``email`` came from check_new_user in this session."""
    # scrypt (werkzeug's default): slow on purpose, salted per password.
    user = StaffUser(email=email, name=name, role=role, password_hash=generate_password_hash(password), active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active:
        # Hash anyway, so the answer takes as long for an unknown address.
        check_password_hash(generate_password_hash("timing"), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def do_issue_token(session: Session, email: str) -> str:
    """A new bearer token for the user; shown once, kept only as a hash."""
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no staff account for {email}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(StaffToken(user_id=user.id, token_hash=_digest(token), prefix=token[:12]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> StaffUser | None:
    """The active user a token belongs to, or None (unknown, revoked, or user disabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = session.scalar(sa.select(StaffToken).where(StaffToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, _digest(token)):
        return None
    row.last_used_at = utcnow()
    return row.user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
