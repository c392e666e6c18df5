"""The ledger's tables, as SQLAlchemy Core metadata the queries are written against.

The migrations in ``migrations/versions`` create these tables with their own frozen copy of
the definitions (a migration must not change when this module does); a test compares the two
so they cannot drift apart.

Times are stored in UTC: ``timestamptz`` on PostgreSQL; on SQLite, which has no time type,
naive UTC text that sorts correctly (:class:`UTCDateTime` adds the zone back on reading).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# names for constraints, so migrations can refer to them on both databases
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT on PostgreSQL; on SQLite only "INTEGER PRIMARY KEY" is the auto-incrementing rowid
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the ledger stores aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw text from a hand-written SQLite query
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


tenants = Table(
    "tenants",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),  # the public prefix shown in lists and logs
    Column("tenant", String(128), ForeignKey("tenants.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("name", String(200)),
    Column("secret_hash", String(64), nullable=False, unique=True),  # SHA-256 hex of the whole key
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)

issues = Table(
    "issues",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(128), ForeignKey("tenants.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("problem", String(200), nullable=False),
    Column("vendor", String(100), nullable=False),
    Column("client", String(200), nullable=False),
    Column("entity", String(300), nullable=False),  # "<kind>:<id>", "<id>" or "connection"
    Column("category", String(100)),
    Column("severity", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("title", Text),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("regressed", Integer, nullable=False),
    Column("escalated", Boolean, nullable=False),
    # the count at which an occurrence last (re)opened the issue: lets the one upsert statement
    # say "this occurrence reopened it" without a read before the write
    Column("opened_at_count", BigInteger, nullable=False),
    Column("diagnosis", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # what the text filter looks in, lowercased (recording.search_text); a LIKE per word
    Column("search", Text, nullable=False, server_default=""),
    UniqueConstraint("tenant", "fingerprint"),
    # one index per filter of the list, each ending with the cursor's order
    Index("ix_issues_list", "tenant", "last_seen", "id"),
    Index("ix_issues_status", "tenant", "status", "last_seen", "id"),
    Index("ix_issues_vendor", "tenant", "vendor", "last_seen", "id"),
    Index("ix_issues_client", "tenant", "client", "last_seen", "id"),
    Index("ix_issues_problem", "tenant", "problem", "last_seen", "id"),
    # accepted events resolve every open issue of one entity
    Index("ix_issues_entity", "tenant", "client", "vendor", "entity"),
)

occurrences = Table(
    "occurrences",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant", String(128), nullable=False),
    Column("issue_id", String(32), ForeignKey("issues.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("request_id", String(100)),
    Column("report", JSON, nullable=False),  # redacted and capped
    Column("truncated", Boolean, nullable=False),
    Index("ix_occurrences_issue", "issue_id", "at"),
    Index("ix_occurrences_received", "received_at"),  # retention
)

# consecutive failures of one entity, across issues, runs and processes: escalation
entity_failures = Table(
    "entity_failures",
    metadata,
    Column("tenant", String(128), primary_key=True),
    Column("key", String(64), primary_key=True),  # hash of client, vendor and entity
    Column("failures", BigInteger, nullable=False),
    Column("last_failure_at", UTCDateTime(), nullable=False),
)

issue_actions = Table(
    "issue_actions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant", String(128), nullable=False),
    Column("issue_id", String(32), ForeignKey("issues.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(50), nullable=False),
    Column("note", Text),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Index("ix_issue_actions_issue", "issue_id", "id"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(128), ForeignKey("tenants.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    # the signing secret must be readable to sign: it is shown once at creation, never listed
    Column("secret", String(100), nullable=False),
    # ",issue.opened,issue.resolved," so that one INSERT ... SELECT ... LIKE fans an event out
    Column("events", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime()),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # one id per event (what the receiver dedupes by), sent to each subscription once
    Column("event_id", String(40), nullable=False),
    Column("tenant", String(128), nullable=False),
    Column("subscription_id", String(32), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
           nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),  # pending, delivering, delivered, dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("delivered_at", UTCDateTime()),
    Column("last_error", Text),
    UniqueConstraint("subscription_id", "event_id"),
    Index("ix_webhook_outbox_due", "state", "next_attempt_at"),
    Index("ix_webhook_outbox_subscription", "subscription_id", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("outbox_id", BigInteger, ForeignKey("webhook_outbox.id", ondelete="CASCADE"), nullable=False),
    Column("tenant", String(128), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_webhook_deliveries_outbox", "outbox_id", "attempt"),
)

# Console sessions signed out before they expire. A session is a signed cookie, which the
# server cannot take back: its nonce is listed here until the cookie would have expired
# anyway, and the console refuses a listed session (console/pages.py). Not tenant data.
console_signouts = Table(
    "console_signouts",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("key_id", String(32), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)
