"""Alembic's entry point when ``Database.upgrade`` (or the ``alembic`` tool) runs migrations.

``Database`` passes its open connection in ``config.attributes["connection"]``, inside a
transaction it already holds (and, on PostgreSQL, an advisory lock), so replicas that start
together migrate once. Run by hand, ``sqlalchemy.url`` (or ``SYNCDOCTOR_DB``) names the database.
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import create_engine

from syncdoctor.ledger.schema import metadata

config = context.config


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("SYNCDOCTOR_DB", "sqlite:///syncdoctor.db")
    with create_engine(url).begin() as conn:
        _run(conn)
