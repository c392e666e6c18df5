"""Every ledger test runs on SQLite and on PostgreSQL: ``db_url`` is parametrized over both
(the PostgreSQL side uses the throwaway server of :mod:`tests.pg`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syncdoctor import Host
from syncdoctor.ledger import Database
from syncdoctor.ledger.ledger import Ledger, LedgerConfig
from tests.pg import postgres_server, postgres_url  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def bare_db(db_url: str) -> Iterator[Database]:
    """A database with no tables yet."""
    db = Database(db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def db(bare_db: Database) -> Database:
    """A database migrated to head."""
    bare_db.upgrade()
    return bare_db


@pytest.fixture(scope="session")
def host() -> Host:
    return Host.from_entry_points(names=["quickbooks", "acd"])


@pytest.fixture
def ledger(db: Database, host: Host) -> Ledger:
    # the tests' webhook receivers listen on loopback, which the service refuses by default
    # (ledger/egress.py); test_egress.py tests that refusal
    return Ledger(db, host, LedgerConfig(private_webhooks=True))
