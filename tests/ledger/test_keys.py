"""API keys: random, hashed at rest, one tenant and role each, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from syncdoctor.ledger import Database, KeyStore, role_allows
from syncdoctor.ledger.schema import api_keys


def test_a_created_key_authenticates_as_its_tenant_and_role(db: Database) -> None:
    store = KeyStore(db)
    key, secret = store.create("firm-1", "write", name="sync job")
    found = store.authenticate(secret)
    assert found == key
    assert (found.tenant, found.role, found.name) == ("firm-1", "write", "sync job")
    assert secret.startswith(f"sdk_{key.id}_")


def test_only_a_hash_of_the_key_is_stored(db: Database) -> None:
    _, secret = KeyStore(db).create("firm-1", "read")
    with db.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(api_keys))]
    assert secret not in repr(rows)
    assert secret.split("_", 2)[2] not in repr(rows)
    assert rows[0]["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def test_keys_are_random_and_long(db: Database) -> None:
    store = KeyStore(db)
    secrets_ = {store.create("t", "read")[1] for _ in range(20)}
    assert len(secrets_) == 20
    assert all(len(s.split("_", 2)[2]) >= 43 for s in secrets_)  # 256 bits, url-safe base64


@pytest.mark.parametrize("wrong", ["", "sdk", "sdk__", "Bearer x", "sdk_nosuchid_abc"])
def test_unknown_or_malformed_keys_do_not_authenticate(db: Database, wrong: str) -> None:
    KeyStore(db).create("t", "read")
    assert KeyStore(db).authenticate(wrong) is None


def test_a_key_with_a_right_id_and_a_wrong_secret_is_refused(db: Database) -> None:
    store = KeyStore(db)
    key, secret = store.create("t", "admin")
    assert store.authenticate(f"sdk_{key.id}_" + "A" * 43) is None
    assert store.authenticate(secret[:-1]) is None


def test_revoked_keys_stop_working(db: Database) -> None:
    store = KeyStore(db)
    key, secret = store.create("t", "write")
    assert store.revoke(key.id)
    assert store.authenticate(secret) is None
    assert not store.revoke(key.id)  # already revoked
    assert not store.revoke("nosuchkey")
    (listed,) = store.list("t")
    assert listed.revoked_at is not None and not listed.active


def test_list_is_per_tenant_and_never_shows_secrets(db: Database) -> None:
    store = KeyStore(db)
    a, secret_a = store.create("a", "read")
    b, _ = store.create("b", "admin")
    assert [k.id for k in store.list("a")] == [a.id]
    assert {k.id for k in store.list()} == {a.id, b.id}
    assert secret_a not in repr(store.list()) + repr(a) + str(a.to_json())


def test_roles_are_checked_when_created_and_ordered() -> None:
    assert role_allows("admin", "write") and role_allows("write", "read") and role_allows("read", "read")
    assert not role_allows("read", "write") and not role_allows("write", "admin")


def test_an_unknown_role_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="read, write, admin"):
        KeyStore(db).create("t", "owner")


def test_ended_console_sessions_are_kept_until_they_would_have_expired(db: Database) -> None:
    from datetime import UTC, datetime, timedelta

    from syncdoctor.ledger.schema import console_signouts

    store = KeyStore(db)
    now = datetime.now(UTC)
    store.end_session("n-old", "k1", now - timedelta(seconds=1))  # already past its expiry
    store.end_session("n-live", "k1", now + timedelta(hours=12))
    store.end_session("n-live", "k1", now + timedelta(hours=12))  # twice (a double click): once
    assert store.session_ended("n-live") and not store.session_ended("n-never")
    store.end_session("n-next", "k2", now + timedelta(hours=1))  # each sign-out forgets the expired ones
    with db.connect(readonly=True) as conn:
        kept = sorted(conn.execute(console_signouts.select().with_only_columns(console_signouts.c.nonce)).scalars())
    assert kept == ["n-live", "n-next"]
