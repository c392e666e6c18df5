"""The text the issue list's text filter looks in, kept with each issue (lowercased).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _search(row: Any) -> str:
    # a frozen copy of recording.search_text as of this revision (a migration must not change)
    params = row.params if isinstance(row.params, dict) else {}
    parts = [row.title, row.problem, row.client, row.entity, row.vendor, row.category, *params.values()]
    return "\n".join(str(v) for v in parts if v is not None).lower()


def upgrade() -> None:
    op.add_column("issues", sa.Column("search", sa.Text(), nullable=False, server_default=""))
    issues = sa.table("issues", sa.column("id", sa.String()), sa.column("title", sa.Text()),
                      sa.column("problem", sa.String()), sa.column("client", sa.String()),
                      sa.column("entity", sa.String()), sa.column("vendor", sa.String()),
                      sa.column("category", sa.String()), sa.column("params", sa.JSON()),
                      sa.column("search", sa.Text()))
    bind = op.get_bind()
    update = issues.update().where(issues.c.id == sa.bindparam("issue_id")).values(search=sa.bindparam("text"))
    last = ""
    while True:  # in pages, by id: a large ledger is not read into memory at once
        rows = bind.execute(sa.select(issues).where(issues.c.id > last).order_by(issues.c.id).limit(1000)).all()
        if not rows:
            return
        bind.execute(update, [{"issue_id": row.id, "text": _search(row)} for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    op.drop_column("issues", "search")
