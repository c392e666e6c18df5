"""INSERT ... ON CONFLICT for the database at hand (SQLite and PostgreSQL spell it alike, but
SQLAlchemy builds it from each dialect's own ``insert``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

__all__ = ["dialect_insert", "insert_ignore"]


def dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_update``/``_do_nothing``."""
    # imported here: the PostgreSQL dialect costs ~0.1 s of start-up to a service on SQLite
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    raise ValueError(f"the ledger runs on SQLite or PostgreSQL, not {name}")


def insert_ignore(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """INSERT that does nothing when a row with the same ``keys`` exists."""
    return dialect_insert(conn, table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
