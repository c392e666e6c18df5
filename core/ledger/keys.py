"""API keys: one tenant and one role each, stored as SHA-256 hashes only.

A key reads ``sdk_<id>_<secret>``: ``id`` is a short public prefix (shown by ``keys list``,
safe in logs, used to find the row), ``secret`` 256 random bits. Only the SHA-256 of the whole
key is stored. A fast hash is enough here: the secret is random and long, so there is nothing
to brute-force that a slow password hash would protect (decision recorded in docs/ledger.md).
The plain key is returned once, by :meth:`KeyStore.create`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from .database import Database
from .dialect import insert_ignore
from .schema import api_keys, console_signouts, tenants

__all__ = ["ROLES", "ApiKey", "KeyStore", "Role", "role_allows"]

Role = Literal["read", "write", "admin"]
ROLES: tuple[str, ...] = ("read", "write", "admin")
_PREFIX = "sdk"
_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o/1/l: ids get read aloud


def role_allows(granted: str, required: str) -> bool:
    """Whether a key of role ``granted`` may do what needs ``required`` (admin > write > read)."""
    return ROLES.index(granted) >= ROLES.index(required)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """A key's public facts; the secret is never part of it."""

    id: str
    tenant: str
    role: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tenant": self.tenant,
            "role": self.role,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def ensure_tenant(conn: Connection, tenant: str, now: datetime | None = None) -> None:
    """Create the tenant row if it is new (a no-op, race-free, when it exists)."""
    conn.execute(insert_ignore(conn, tenants, {"id": tenant, "created_at": now or datetime.now(UTC)}, ["id"]))


class KeyStore:
    """Create, authenticate, list and revoke API keys."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __repr__(self) -> str:
        return f"KeyStore({self.db!r})"

    def create(self, tenant: str, role: str, name: str | None = None) -> tuple[ApiKey, str]:
        """A new key for ``tenant``: its public facts and the plain key, which is shown once."""
        if role not in ROLES:
            raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not tenant or len(tenant) > 128:
            raise ValueError("a tenant is a non-empty id of at most 128 characters")
        key_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))
        plain = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        with self.db.connect() as conn:
            ensure_tenant(conn, tenant, now)
            conn.execute(api_keys.insert().values(
                id=key_id, tenant=tenant, role=role, name=name, secret_hash=_hash(plain), created_at=now,
            ))
        return ApiKey(key_id, tenant, role, name, now), plain

    def authenticate(self, secret: str) -> ApiKey | None:
        """The active key this secret is, else None (unknown, malformed or revoked)."""
        parts = secret.split("_") if secret else []
        if len(parts) < 3 or parts[0] != _PREFIX:
            return None
        key_id = parts[1]
        with self.db.connect(readonly=True) as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None or row.revoked_at is not None:
            return None
        # compare in constant time: the id is public, the hash comparison must not leak
        if not hmac.compare_digest(row.secret_hash, _hash(secret)):
            return None
        return ApiKey(row.id, row.tenant, row.role, row.name, row.created_at, row.revoked_at)

    def list(self, tenant: str | None = None) -> list[ApiKey]:
        """Every key (of one tenant), revoked ones included, oldest first."""
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        if tenant is not None:
            query = query.where(api_keys.c.tenant == tenant)
        with self.db.connect(readonly=True) as conn:
            rows = conn.execute(query).all()
        return [ApiKey(r.id, r.tenant, r.role, r.name, r.created_at, r.revoked_at) for r in rows]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key by its public id; False when no active key has that id."""
        with self.db.connect() as conn:
            result = conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        return result.rowcount == 1

    # ------------------------------------------------------------------ console sessions

    def end_session(self, nonce: str, key_id: str, expires_at: datetime) -> None:
        """Remember a console session signed out before ``expires_at``, when its cookie would
        have expired anyway (and forget those past theirs)."""
        now = datetime.now(UTC)
        with self.db.connect() as conn:
            conn.execute(delete(console_signouts).where(console_signouts.c.expires_at < now))
            conn.execute(insert_ignore(conn, console_signouts, {"nonce": nonce, "key_id": key_id,
                                                                 "expires_at": expires_at}, ["nonce"]))

    def session_ended(self, nonce: str) -> bool:
        """Whether the console session with this nonce was signed out."""
        with self.db.connect(readonly=True) as conn:
            found = conn.execute(select(console_signouts.c.nonce).where(console_signouts.c.nonce == nonce)).first()
        return found is not None
