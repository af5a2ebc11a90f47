"""Per-site staff counts.

An unfiltered count (the v1 count of service providers, the v2 count of everyone) used to count
the site's index entries, so it grew with the site. ``staff_count`` keeps both numbers per site;
the staff service moves them in the transaction of every change that affects them. Existing
sites are counted here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_count",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("live", sa.BigInteger(), nullable=False),
        sa.Column("providers", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.execute(
        "INSERT INTO staff_count (site_id, live, providers) "
        "SELECT site_id, count(*), sum(CASE WHEN service_provider THEN 1 ELSE 0 END) "
        "FROM staff_member WHERE deleted_at IS NULL GROUP BY site_id"
    )


def downgrade() -> None:
    op.drop_table("staff_count")
