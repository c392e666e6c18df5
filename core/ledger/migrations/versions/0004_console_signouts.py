"""Console sign-outs: sessions ended before their expiry, kept until they would have expired.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_signouts",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_console_signouts"),
    )
    op.create_index("ix_console_signouts_expires_at", "console_signouts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_console_signouts_expires_at", table_name="console_signouts")
    op.drop_table("console_signouts")
