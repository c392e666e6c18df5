"""INSERT ... ON CONFLICT for the database at hand (SQLite and PostgreSQL spell it alike, but
SQLAlchemy builds it from each dialect's own ``insert``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

__all__ = ["dialect_insert", "insert_ignore"]


def dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_update``/``_do_nothing``."""
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"the ledger runs on SQLite or PostgreSQL, not {name}")


def insert_ignore(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """INSERT that does nothing when a row with the same ``keys`` exists."""
    return dialect_insert(conn, table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
