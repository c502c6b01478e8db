"""Open311 API keys: shown once, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.app import AppServices
from case_store.apikeys import (
    KEY_PREFIX,
    do_create_api_key,
    do_revoke_api_key,
    find_api_key,
    list_api_keys,
)
from case_store.db import utcnow
from case_store.errors import CaseValidationError, NotFoundError
from case_store.models import ApiKey


def create(services: AppServices, name: str = "Pothole app") -> tuple[int, str]:
    with services.sessions.begin() as session:
        row, key = do_create_api_key(session, name)
        return row.id, key


def find(services: AppServices, key: str) -> ApiKey | None:
    with services.sessions.begin() as session:
        return find_api_key(session, key)


def revoke(services: AppServices, name: str) -> ApiKey:
    with services.sessions.begin() as session:
        return do_revoke_api_key(session, name)


def stored_row(services: AppServices, key_id: int) -> dict[str, object]:
    """Every column of the key's row, as the database returns it."""
    with services.engine.connect() as connection:
        table = ApiKey.__table__
        row = connection.execute(sa.select(table).where(table.c.id == key_id)).mappings().one()
    return dict(row)


def test_created_key_is_random_and_only_its_hash_is_stored(services: AppServices) -> None:
    key_id, key = create(services)
    _, other = create(services, "Another client")

    assert key.startswith(KEY_PREFIX) and len(key) >= len(KEY_PREFIX) + 40
    assert key != other
    row = stored_row(services, key_id)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[: len(KEY_PREFIX) + 4]  # enough to recognise it, not to use it
    secret = key[len(KEY_PREFIX) :]
    for column, value in row.items():
        assert secret not in str(value), column
    assert (row["name"], row["revoked_at"], row["last_used_at"]) == ("Pothole app", None, None)


def test_key_is_found_and_its_use_is_noted(services: AppServices) -> None:
    key_id, key = create(services)
    before = utcnow()

    found = find(services, key)

    assert found is not None and found.id == key_id and found.name == "Pothole app"
    with services.sessions() as session:
        last_used = session.get_one(ApiKey, key_id).last_used_at
    assert last_used is not None and last_used.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= last_used <= utcnow() + timedelta(seconds=1)


def test_recent_use_is_not_rewritten_on_every_request(services: AppServices) -> None:
    key_id, key = create(services)
    earlier = utcnow() - timedelta(seconds=20)
    with services.sessions.begin() as session:
        session.get_one(ApiKey, key_id).last_used_at = earlier
    assert find(services, key) is not None
    with services.sessions() as session:
        assert session.get_one(ApiKey, key_id).last_used_at == earlier

    long_ago = utcnow() - timedelta(hours=2)
    with services.sessions.begin() as session:
        session.get_one(ApiKey, key_id).last_used_at = long_ago
    assert find(services, key) is not None
    with services.sessions() as session:
        refreshed = session.get_one(ApiKey, key_id).last_used_at
    assert refreshed is not None and refreshed > long_ago + timedelta(hours=1)


@pytest.mark.parametrize(
    "wrong",
    ["", "o311_", "o311_not-a-real-key", "no-prefix-at-all", "o311_" + "x" * 200],
)
def test_unknown_keys_are_not_found(services: AppServices, wrong: str) -> None:
    create(services)
    assert find(services, wrong) is None


def test_key_differing_by_one_character_is_not_found(services: AppServices) -> None:
    _, key = create(services)
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert find(services, tampered) is None
    assert find(services, key + " ") is None


def test_revoked_key_is_no_longer_found(services: AppServices) -> None:
    key_id, key = create(services)
    _, other = create(services, "Another client")

    row = revoke(services, "Pothole app")

    assert row.revoked_at is not None
    assert find(services, key) is None
    still = find(services, other)
    assert still is not None and still.name == "Another client"
    revoked_at = stored_row(services, key_id)["revoked_at"]
    assert revoked_at is not None
    assert revoke(services, "Pothole app").revoked_at == row.revoked_at  # revoking twice keeps the first time


def test_revoking_an_unknown_key_fails(services: AppServices) -> None:
    with pytest.raises(NotFoundError, match="no API key named 'nobody'"):
        revoke(services, "nobody")


@pytest.mark.parametrize("again", ["Pothole app", "  Pothole\tapp \r\n", "Pothole\napp"])
def test_duplicate_name_is_refused(services: AppServices, again: str) -> None:
    create(services, "Pothole app")
    with pytest.raises(CaseValidationError, match="already exists") as caught:
        create(services, again)
    assert caught.value.field == "name"
    with services.sessions() as session:
        assert [k.name for k in list_api_keys(session)] == ["Pothole app"]


@pytest.mark.parametrize("name", ["", "   ", "\x00\x01", "x" * 101])
def test_name_must_be_given_and_short(services: AppServices, name: str) -> None:
    with pytest.raises(CaseValidationError, match="1 to 100 characters"):
        create(services, name)


def test_keys_are_listed_by_name(services: AppServices) -> None:
    for name in ("zeta", "alpha client", "beta"):
        create(services, name)
    with services.sessions() as session:
        assert [k.name for k in list_api_keys(session)] == ["alpha client", "beta", "zeta"]
