"""`syncdoctor db upgrade|current`: the ledger's database schema.

The migrations ship inside the package (``syncdoctor/ledger/migrations``); no ``alembic.ini``
is needed. Upgrading is safe while replicas run the same command: one migrates, the others
find the schema current.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .command import add_command, missing_extra

__all__ = ["register", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    p = add_command(subparsers, "db", "upgrade the ledger's database schema",
                    ("syncdoctor db upgrade", "syncdoctor db current --db sqlite:///syncdoctor.db"),
                    "The database of the ledger and the API keys (SQLite or PostgreSQL).", common=False)
    sub = p.add_subparsers(dest="db_command", metavar="upgrade|current")
    upgrade = add_command(sub, "upgrade", "apply the shipped migrations up to the newest",
                          ("syncdoctor db upgrade",
                           "SYNCDOCTOR_DB=sqlite:///ledger.db syncdoctor db upgrade"),
                          "Apply the shipped migrations up to the newest; safe while other replicas run it "
                          "too (one migrates, the others find the schema current).", common=False)
    current = add_command(sub, "current", "the migration the database is at, and the newest; exit 1 if behind",
                          ("syncdoctor db current", "syncdoctor db current --db sqlite:///syncdoctor.db"),
                          common=False)
    for q in (upgrade, current):
        q.add_argument("--db", metavar="URL",
                       help="database URL (default $SYNCDOCTOR_DB, else sqlite:///syncdoctor.db; "
                       "postgresql+psycopg://user@host/db for PostgreSQL) "
                       "(e.g. --db postgresql+psycopg://sd@db.internal/sd)")
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "db_command", None)
    if not command:
        sys.stderr.write("syncdoctor: db: use `db upgrade` or `db current`\n")
        return EXIT_USAGE
    try:
        from syncdoctor.ledger import Database
    except ImportError as exc:
        raise missing_extra("db", exc) from None
    try:
        db = Database(args.db)
        before, head = db.current(), db.head()
        if command == "upgrade":
            db.upgrade()
            after = db.current()
            said = "already at" if before == after else f"upgraded from {before or 'an empty database'} to"
            sys.stderr.write(f"{db!r}: {said} migration {after}\n")
            return EXIT_OK
        sys.stdout.write(f"current {before or 'none'}\nhead {head}\n")
        return EXIT_OK if before == head else EXIT_FAILED
    except ValueError as exc:
        sys.stderr.write(f"syncdoctor: {exc}\n")
        return EXIT_USAGE
    except Exception as exc:  # unreachable server, refused login: say what, no traceback
        sys.stderr.write(f"syncdoctor: db {command}: {type(exc).__name__}: {exc}\n")
        return EXIT_USAGE

