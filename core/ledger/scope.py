"""Tenant scoping, in one place: every ledger read and write goes through :class:`TenantScope`.

A scope is a connection bound to one tenant. It builds the statements for the tables that hold
tenant data and adds ``tenant = :tenant`` to every SELECT, UPDATE and DELETE, and the tenant's
id to every INSERT. Ledger code never writes ``.where(table.c.tenant == ...)`` itself: an issue
of another tenant is then not "forbidden" but simply absent, by construction (a test asserts
that the ledger modules build no statement on these tables outside this module).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Delete, Select, String, Table, Update, and_, bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection, CursorResult, Row

from .dialect import dialect_insert
from .schema import (
    entity_failures,
    issue_actions,
    issues,
    occurrences,
    webhook_deliveries,
    webhook_outbox,
    webhook_subscriptions,
)

__all__ = ["TENANT_TABLES", "TenantScope", "any_due_outbox", "claim_due_outbox"]

TENANT_TABLES: frozenset[Table] = frozenset({
    issues, occurrences, issue_actions, entity_failures, webhook_subscriptions, webhook_outbox,
    webhook_deliveries,
})


TENANT = "scope_tenant"  # the bind parameter every scoped statement filters or stamps with


def _tenant() -> Any:
    return bindparam(TENANT, type_=String())


class TenantScope:
    """One tenant's view of the ledger tables on one connection (inside one transaction).

    Statements filter on (or stamp rows with) the bind parameter ``scope_tenant``, which
    :meth:`execute` always supplies from the scope: a statement can then be built once and
    reused for every tenant (:meth:`cached`), and it cannot run without a tenant.
    """

    __slots__ = ("conn", "tenant")

    def __init__(self, conn: Connection, tenant: str) -> None:
        if not isinstance(tenant, str) or not tenant:
            raise ValueError("a tenant id is a non-empty string")
        self.conn = conn
        self.tenant = tenant

    @staticmethod
    def _check(table: Table) -> None:
        if table not in TENANT_TABLES:
            raise ValueError(f"table {table.name} holds no tenant data")

    def select(self, table: Table, *columns: Any) -> Select[Any]:
        """SELECT from ``table`` (all columns, or ``columns``) limited to the tenant."""
        self._check(table)
        query = select(*columns) if columns else select(table)
        return query.where(table.c.tenant == _tenant())

    def update(self, table: Table) -> Update:
        self._check(table)
        return update(table).where(table.c.tenant == _tenant())

    def delete(self, table: Table) -> Delete:
        self._check(table)
        return delete(table).where(table.c.tenant == _tenant())

    def insert(self, table: Table, values: Mapping[str, Any]) -> Any:
        """The dialect's INSERT (with ``on_conflict_*``) of a row stamped with the tenant."""
        self._check(table)
        return dialect_insert(self.conn, table).values({**values, "tenant": _tenant()})

    def insert_from_select(self, table: Table, columns: Sequence[str], rows: Select[Any]) -> Any:
        """INSERT INTO ``table`` (columns..., tenant) from ``rows``, a query of this scope."""
        self._check(table)
        return table.insert().from_select([*columns, "tenant"], rows.add_columns(_tenant()))

    def cached(self, name: str, build: Callable[[TenantScope], Any]) -> Any:
        """The statement ``build(scope)`` makes, built once per dialect and kept: building a
        SQLAlchemy statement costs more than running it, on the intake's hot path."""
        key = (self.conn.dialect.name, name)
        statement = _STATEMENTS.get(key)
        if statement is None:
            statement = _STATEMENTS[key] = build(self)
        return statement

    def execute(self, statement: Any, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        return self.conn.execute(statement, {**(params or {}), TENANT: self.tenant})

    def execute_many(self, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement for many rows (an executemany), each stamped with the tenant."""
        self.conn.execute(statement, [{**row, TENANT: self.tenant} for row in rows])


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _due(now: datetime) -> Any:
    o = webhook_outbox.c
    return or_(and_(o.state == "pending", o.next_attempt_at <= now),
               and_(o.state == "delivering", o.claimed_until < now))


def any_due_outbox(conn: Connection, now: datetime) -> bool:
    """Whether a claim would find anything (a read: idle workers poll without taking SQLite's
    write lock from the intake)."""
    return conn.execute(select(webhook_outbox.c.id).where(_due(now)).limit(1)).first() is not None


def claim_due_outbox(conn: Connection, limit: int, now: datetime, lease: timedelta) -> list[Row[Any]]:
    """The one statement across tenants: the delivery worker claims due outbox rows of every
    tenant (it answers no tenant's request; what it then does to a row goes through the row's
    own scope). ``FOR UPDATE SKIP LOCKED`` lets replicas claim side by side on PostgreSQL; on
    SQLite the write transaction (``BEGIN IMMEDIATE``) makes the UPDATE atomic."""
    o = webhook_outbox.c
    due = (
        select(o.id)
        .where(_due(now))
        .order_by(o.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(webhook_outbox)
        .where(o.id.in_(due))
        .values(state="delivering", claimed_until=now + lease, attempts=o.attempts + 1)
        .returning(*webhook_outbox.c)
    )
    return list(conn.execute(claim).all())
