"""One database for the ledger and the API keys: SQLite (embedded default) or PostgreSQL.

``Database(url)`` owns a SQLAlchemy engine tuned for each:

* **SQLite** in WAL mode (readers never wait for the writer), ``busy_timeout`` (a writer waits
  for another process's write instead of failing at once), foreign keys on, and every write
  transaction opened with ``BEGIN IMMEDIATE``: pysqlite's default deferred ``BEGIN`` takes the
  write lock only at the first write, and two processes that both read first then deadlock
  with SQLITE_BUSY, which no timeout cures.
* **PostgreSQL** through psycopg 3 (``postgresql+psycopg://``; a plain ``postgresql://`` URL
  is taken to mean that driver), a pool pre-pinged so a restarted server costs one retry.

Migrations are Alembic scripts shipped inside the package (``migrations/``); :meth:`upgrade`
runs them without any ``alembic.ini``, holding a lock so several replicas starting at once
migrate once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from ..errors import DatabaseNotCurrent

__all__ = ["DEFAULT_URL", "ENV_DB", "Database", "default_url"]

ENV_DB = "SYNCDOCTOR_DB"
DEFAULT_URL = "sqlite:///syncdoctor.db"
MIGRATIONS = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock key: "syncdoctor" in a 64-bit signed int, taken while migrating
_MIGRATION_LOCK = 0x73796E63646F63


def default_url() -> str:
    """The URL from ``SYNCDOCTOR_DB``, else an SQLite file in the working directory."""
    return os.environ.get(ENV_DB) or DEFAULT_URL


def _normalize(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    """The ledger's database: an engine, sessions, migrations and health checks.

    >>> db = Database("sqlite:///:memory:")   # doctest: +SKIP
    >>> db.upgrade(); db.is_current()         # doctest: +SKIP
    True
    """

    def __init__(self, url: str | URL | None = None, *, busy_timeout_ms: int = 30_000, echo: bool = False,
                 pool_size: int = 10) -> None:
        self.url = _normalize(url if url is not None else default_url())
        self.dialect = self.url.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": True}  # no payload in logs
        if self.dialect == "sqlite":
            if self.url.database in (None, "", ":memory:"):
                # one shared in-memory database for every connection of this engine
                # (for tests and trials: shared-cache tables lock each other; use a file for real work)
                self.url = make_url(f"sqlite:///file:syncdoctor-mem-{id(self)}?mode=memory&cache=shared&uri=true")
                kwargs["poolclass"] = QueuePool  # not one connection per thread: a thread may hold two
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        elif self.dialect == "postgresql":
            kwargs.update(pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)
        else:
            raise ValueError(
                f"unsupported database URL {self.url.render_as_string(hide_password=True)}: "
                "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
            )
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            self._tune_sqlite(busy_timeout_ms)

    def __repr__(self) -> str:
        # never show a password from the URL
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------------ engine set-up

    def _tune_sqlite(self, busy_timeout_ms: int) -> None:
        memory = "mode=memory" in str(self.url)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # let SQLAlchemy's "begin" event decide how transactions start (see module doc)
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe in WAL
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Connection) -> None:
            readonly = conn.get_execution_options().get("syncdoctor_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    # ------------------------------------------------------------------ sessions

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error.

        ``readonly=True`` (SQLite) starts a deferred transaction that does not queue behind
        writers; use it for reads only.
        """
        bind = self.engine.execution_options(syncdoctor_readonly=True) if readonly else self.engine
        with Session(bind=bind, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def connect(self, *, readonly: bool = False) -> Iterator[Connection]:
        """A Core connection in one transaction (what the ledger's queries use)."""
        engine = self.engine.execution_options(syncdoctor_readonly=True) if readonly else self.engine
        with engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ migrations

    def _alembic_config(self, connection: Connection) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def head(self) -> str:
        """The newest migration shipped with the code."""
        from alembic.script import ScriptDirectory

        with self.engine.connect() as conn:
            head = ScriptDirectory.from_config(self._alembic_config(conn)).get_current_head()
        assert head is not None
        return head

    def current(self) -> str | None:
        """The migration the database is at (None before the first upgrade)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, revision: str = "head") -> None:
        """Run the shipped migrations up to ``revision``, once even if replicas race."""
        self._migrate("upgrade", revision)

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (``"base"`` drops every ledger table)."""
        self._migrate("downgrade", revision)

    def _migrate(self, direction: str, revision: str) -> None:
        from alembic import command

        with self.engine.begin() as conn:
            # SQLite: BEGIN IMMEDIATE already serializes writers; PostgreSQL: an advisory lock
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            getattr(command, direction)(self._alembic_config(conn), revision)

    def is_current(self) -> bool:
        """Whether the schema is at the code's head migration."""
        try:
            return self.current() == self.head()
        except SQLAlchemyError:
            return False

    def require_current(self) -> None:
        """Raise :class:`DatabaseNotCurrent` unless the schema is at head."""
        current, head = self.current(), self.head()
        if current != head:
            raise DatabaseNotCurrent(current, head)

    # ------------------------------------------------------------------ health

    def ping(self) -> bool:
        """Whether the database answers a trivial query (for ``/readyz``)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

