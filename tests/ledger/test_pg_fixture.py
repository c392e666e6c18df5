"""tests/pg.py: where no server can start, PostgreSQL tests skip with the reason — or fail when
SYNCDOCTOR_REQUIRE_POSTGRES=1 (CI)."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests import pg


def test_no_binaries_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNCDOCTOR_PG_BIN", str(tmp_path / "nowhere"))
    with pytest.raises(pg.NoPostgres):
        pg.start_server()
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_unavailable_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pg.REQUIRE, raising=False)
    with pytest.raises(Skipped, match="PostgreSQL not available: no binaries"):
        pg._unavailable("no binaries\ndetails")
    monkeypatch.setenv(pg.REQUIRE, "1")
    with pytest.raises(Failed, match="SYNCDOCTOR_REQUIRE_POSTGRES=1"):
        pg._unavailable("no binaries")


def test_the_server_listens_on_loopback_with_its_socket_in_its_own_directory(postgres_server: pg.PostgresServer) -> None:
    import psycopg

    assert postgres_server.host == "127.0.0.1"
    if postgres_server.directory is not None:  # started by the fixture, not an existing server
        assert list(postgres_server.directory.glob(".s.PGSQL.*"))
    url = postgres_server.create_database()
    try:
        with psycopg.connect(host="127.0.0.1", port=postgres_server.port, user=postgres_server.user,
                             dbname=url.rsplit("/", 1)[1]) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    finally:
        postgres_server.drop_database(url)
