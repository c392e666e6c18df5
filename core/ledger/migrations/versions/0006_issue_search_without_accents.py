"""The issue list's search text without accents: "piece" finds "pièce".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    # a frozen copy of ledger.where.fold as of this revision (a migration must not change)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def upgrade() -> None:
    issues = sa.table("issues", sa.column("id", sa.String()), sa.column("search", sa.Text()))
    bind = op.get_bind()
    update = issues.update().where(issues.c.id == sa.bindparam("issue_id")).values(search=sa.bindparam("text"))
    last = ""
    while True:  # in pages, by id; only the rows whose text changes are written
        rows = bind.execute(sa.select(issues).where(issues.c.id > last).order_by(issues.c.id).limit(1000)).all()
        if not rows:
            return
        changed = [{"issue_id": row.id, "text": _fold(row.search)} for row in rows if _fold(row.search) != row.search]
        if changed:
            bind.execute(update, changed)
        last = rows[-1].id


def downgrade() -> None:
    pass  # folded text still finds what it found, but for accents typed in the filter
