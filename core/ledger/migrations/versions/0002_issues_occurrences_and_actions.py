"""The issue ledger: issues (one per fingerprint), their occurrences, their actions, and the
per-entity failure streaks that escalate the third failure.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.String(200), nullable=False),
        sa.Column("vendor", sa.String(100), nullable=False),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("entity", sa.String(300), nullable=False),
        sa.Column("category", sa.String(100)),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("first_seen", TIME, nullable=False),
        sa.Column("last_seen", TIME, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("regressed", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("opened_at_count", sa.BigInteger(), nullable=False),
        sa.Column("diagnosis", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.id"], name="fk_issues_tenant_tenants"),
        sa.UniqueConstraint("tenant", "fingerprint", name="uq_issues_tenant_fingerprint"),
    )
    for name, columns in (
        ("ix_issues_list", ["tenant", "last_seen", "id"]),
        ("ix_issues_status", ["tenant", "status", "last_seen", "id"]),
        ("ix_issues_vendor", ["tenant", "vendor", "last_seen", "id"]),
        ("ix_issues_client", ["tenant", "client", "last_seen", "id"]),
        ("ix_issues_problem", ["tenant", "problem", "last_seen", "id"]),
        ("ix_issues_entity", ["tenant", "client", "vendor", "entity"]),
    ):
        op.create_index(name, "issues", columns)

    op.create_table(
        "occurrences",
        sa.Column("id", BIG_ID, nullable=False, autoincrement=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("issue_id", sa.String(32), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("request_id", sa.String(100)),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_occurrences"),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], name="fk_occurrences_issue_id_issues",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_occurrences_issue", "occurrences", ["issue_id", "at"])
    op.create_index("ix_occurrences_received", "occurrences", ["received_at"])

    op.create_table(
        "entity_failures",
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.BigInteger(), nullable=False),
        sa.Column("last_failure_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "key", name="pk_entity_failures"),
    )

    op.create_table(
        "issue_actions",
        sa.Column("id", BIG_ID, nullable=False, autoincrement=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("issue_id", sa.String(32), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issue_actions"),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], name="fk_issue_actions_issue_id_issues",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_issue_actions_issue", "issue_actions", ["issue_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_issue_actions_issue", table_name="issue_actions")
    op.drop_table("issue_actions")
    op.drop_table("entity_failures")
    op.drop_index("ix_occurrences_received", table_name="occurrences")
    op.drop_index("ix_occurrences_issue", table_name="occurrences")
    op.drop_table("occurrences")
    for name in ("ix_issues_entity", "ix_issues_problem", "ix_issues_client", "ix_issues_vendor",
                 "ix_issues_status", "ix_issues_list"):
        op.drop_index(name, table_name="issues")
    op.drop_table("issues")
