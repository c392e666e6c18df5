"""A throwaway PostgreSQL server for tests: a pytest plugin any test package can use.

Use it from a ``conftest.py``::

    from tests.pg import postgres_server, postgres_url  # noqa: F401  (fixtures)

``postgres_server`` (session scope) starts one server for the whole run with the Debian
package's own tools (``/usr/lib/postgresql/<version>/bin/initdb`` and ``pg_ctl``), as the
``postgres`` user when the tests run as root (PostgreSQL refuses to run as root), with its data
directory and its unix socket in a temporary directory, on a free loopback port, with trust
authentication on loopback only, and stops it (immediate mode) at the end of the session.
``postgres_url`` (function scope) creates a fresh empty database on it for one test and drops it
afterwards, and gives its ``postgresql+psycopg://`` URL.

Where no server can be started (no binaries, no ``postgres`` user), Postgres tests are skipped
with the reason, unless ``SYNCDOCTOR_REQUIRE_POSTGRES=1`` (CI sets it): then it is a failure.
``SYNCDOCTOR_TEST_POSTGRES_URL=postgresql+psycopg://user@host:port/db`` uses an existing server
instead (the tests create and drop their own databases on it).

The server runs with ``fsync=off``: a test database need not survive a power cut, and it makes
the suite several times faster. The benchmarks start their own server with durable settings
(:func:`start_server` with ``durable=True``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE = "SYNCDOCTOR_REQUIRE_POSTGRES"
EXISTING = "SYNCDOCTOR_TEST_POSTGRES_URL"


class NoPostgres(RuntimeError):
    """No PostgreSQL server could be started here (the message says why)."""


@dataclass
class PostgresServer:
    """A running server: where it listens and how to stop it."""

    host: str
    port: int
    user: str
    admin_db: str = "postgres"
    directory: Path | None = None  # owned by us: removed at stop
    bindir: Path | None = None
    as_postgres: bool = False

    def url(self, database: str | None = None) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database or self.admin_db}"

    def _admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=self.admin_db,
                               autocommit=True)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its URL."""
        name = name or "sd_" + uuid.uuid4().hex[:16]
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.directory is None or self.bindir is None:
            return
        _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate",
                    "-w", "stop"], check=False)
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None


def find_bindir() -> Path:
    """The newest installed server's bin directory (``SYNCDOCTOR_PG_BIN`` overrides)."""
    if os.environ.get("SYNCDOCTOR_PG_BIN"):
        return Path(os.environ["SYNCDOCTOR_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise NoPostgres("no PostgreSQL server binaries (apt-get install -y postgresql)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(server: PostgresServer, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if server.as_postgres:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise NoPostgres(f"{Path(argv[-1]).name if argv else ''} failed: {' '.join(argv)}\n"
                         f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def start_server(*, durable: bool = False) -> PostgresServer:
    """Initialise and start a server in a new temporary directory (raises NoPostgres)."""
    bindir = find_bindir()
    as_postgres = os.geteuid() == 0
    if as_postgres:
        try:
            import pwd

            owner = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise NoPostgres("running as root and there is no postgres user to run the server") from exc
    directory = Path(tempfile.mkdtemp(prefix="syncdoctor-pg-"))
    if as_postgres:
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    directory.chmod(0o700)
    user = "postgres"
    server = PostgresServer("127.0.0.1", _free_port(), user, directory=directory, bindir=bindir,
                            as_postgres=as_postgres)
    data = directory / "data"
    try:
        _run(server, [str(bindir / "initdb"), "-D", str(data), "--auth=trust", f"--username={user}",
                      "--encoding=UTF8", "--locale=C", "--no-sync"])
        options = [
            f"-p {server.port}",
            f"-k {directory}",  # the unix socket stays in our directory, not /var/run/postgresql
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=200",
            "-c shared_buffers=128MB",
        ]
        if not durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        _run(server, [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
                      "-o", " ".join(options), "-w", "-t", "60", "start"])
    except (NoPostgres, OSError, subprocess.TimeoutExpired) as exc:
        log = directory / "server.log"
        detail = log.read_text()[-2000:] if log.exists() else ""
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
        raise NoPostgres(f"{exc}\n{detail}") from exc
    return server


def _existing() -> PostgresServer | None:
    url = os.environ.get(EXISTING)
    if not url:
        return None
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return PostgresServer(parsed.host or "127.0.0.1", parsed.port or 5432, parsed.username or "postgres",
                          admin_db=parsed.database or "postgres")


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE, "") not in ("", "0"):
        pytest.fail(f"PostgreSQL is required ({REQUIRE}=1) but could not be started: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason.splitlines()[0]}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (see the module doc)."""
    existing = _existing()
    if existing is not None:
        yield existing
        return
    try:
        server = start_server()
    except NoPostgres as exc:
        _unavailable(str(exc))
        raise AssertionError("unreachable") from exc
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh empty database on the session's server, dropped after the test."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)
