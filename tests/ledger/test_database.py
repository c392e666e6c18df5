"""Database: engines tuned per dialect, migrations up and down, health checks."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from syncdoctor.ledger import Database, DatabaseNotCurrent
from syncdoctor.ledger.database import default_url
from syncdoctor.ledger.schema import metadata

TABLES = {"tenants", "api_keys", "console_signouts", "issues", "occurrences", "entity_failures", "issue_actions",
          "webhook_subscriptions", "webhook_outbox", "webhook_deliveries"}


def test_upgrade_creates_every_table_and_is_current(bare_db: Database) -> None:
    assert not bare_db.is_current()
    with pytest.raises(DatabaseNotCurrent, match="syncdoctor db upgrade"):
        bare_db.require_current()
    bare_db.upgrade()
    assert bare_db.is_current()
    bare_db.require_current()
    assert TABLES <= set(inspect(bare_db.engine).get_table_names())


def test_upgrade_twice_is_a_no_op(db: Database) -> None:
    db.upgrade()
    assert db.current() == db.head()


def test_migrations_match_the_tables_the_code_queries(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_every_migration_goes_down_and_up_again(bare_db: Database) -> None:
    from alembic.script import ScriptDirectory

    bare_db.upgrade()
    with bare_db.engine.connect() as conn:
        script = ScriptDirectory.from_config(bare_db._alembic_config(conn))
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    assert len(revisions) >= 3
    for revision in revisions[1:] + ["base"]:
        bare_db.downgrade(revision)
        assert bare_db.current() == (None if revision == "base" else revision)
    assert not (TABLES & set(inspect(bare_db.engine).get_table_names()))
    bare_db.upgrade()
    assert bare_db.is_current()


def test_ping(db: Database) -> None:
    assert db.ping()


def test_ping_is_false_when_the_database_cannot_be_reached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path}/missing-dir/x.db")
    assert not db.ping()
    assert not db.is_current()


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path}/x.db", busy_timeout_ms=1234)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    db = Database("postgresql://u:hunter2@127.0.0.1:1/x")
    assert db.engine.dialect.driver == "psycopg"
    assert "hunter2" not in repr(db)


def test_default_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCDOCTOR_DB", raising=False)
    assert default_url() == "sqlite:///syncdoctor.db"
    monkeypatch.setenv("SYNCDOCTOR_DB", "sqlite:////tmp/elsewhere.db")
    assert default_url() == "sqlite:////tmp/elsewhere.db"


def test_unsupported_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="sqlite:///PATH or postgresql"):
        Database("mysql://root@localhost/x")


def test_a_session_commits_at_the_end_and_rolls_back_on_error(db: Database) -> None:
    from datetime import UTC, datetime

    from syncdoctor.ledger.schema import tenants

    with db.session() as session:
        session.execute(tenants.insert().values(id="t1", created_at=datetime.now(UTC)))
    with pytest.raises(RuntimeError), db.session() as session:
        session.execute(tenants.insert().values(id="t2", created_at=datetime.now(UTC)))
        raise RuntimeError("boom")
    with db.session(readonly=True) as session:
        assert session.execute(text("SELECT id FROM tenants ORDER BY id")).scalars().all() == ["t1"]


def test_in_memory_databases_are_shared_by_their_connections_and_private_to_their_instance() -> None:
    from sqlalchemy import inspect

    first, second = Database("sqlite:///:memory:"), Database("sqlite:///:memory:")
    first.upgrade()
    with first.connect() as a, first.connect(readonly=True) as b:
        assert "issues" in inspect(a).get_table_names() and "issues" in inspect(b).get_table_names()
    assert not second.is_current()


def test_issues_made_before_the_search_column_are_searchable_after_it(bare_db: Database) -> None:
    from datetime import UTC, datetime

    from syncdoctor.ledger.schema import issues, tenants

    bare_db.upgrade("0004")
    now = datetime.now(UTC)
    with bare_db.connect() as conn:
        conn.execute(tenants.insert().values(id="t1", created_at=now))
        conn.execute(issues.insert().values(
            id="iss_old", tenant="t1", fingerprint="f" * 64, status="open", problem="qonto.invalid_request",
            vendor="qonto", client="Société", entity="tx-1", category=None, severity="error",
            params={"field": "IBAN"}, title="Champ refusé", first_seen=now, last_seen=now, count=1, regressed=0,
            escalated=False, opened_at_count=1, diagnosis={}, updated_at=now))
    bare_db.upgrade()
    with bare_db.connect(readonly=True) as conn:
        search = conn.execute(issues.select().with_only_columns(issues.c.search)).scalar_one()
    # 0005 fills it, 0006 takes the accents off ("societe" finds "Société")
    assert search.split("\n") == ["champ refuse", "qonto.invalid_request", "societe", "tx-1", "qonto", "iban"]
