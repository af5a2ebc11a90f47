"""The pull feed reads events in the order their transactions can no longer change.

Positions come from a sequence at insert time, not at commit, so on PostgreSQL a reader could see
position 11 while 10 was still in an open transaction, move its cursor past 11 and never get 10.
Each event now also records its transaction (``txid``: PostgreSQL's ``pg_current_xact_id()``;
on SQLite, whose single writer commits in position order, the position itself). The feed pages
by (txid, position) and hands out only events of transactions older than every transaction
still running, so nothing can later appear behind a cursor. Events recorded before this
migration keep txid 0: they are all committed and come first, in position order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domain_event") as batch_op:
        batch_op.add_column(
            sa.Column("txid", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_index("ix_domain_event_site_position")
        batch_op.create_index(
            "ix_domain_event_site_txid_position", ["site_id", "txid", "position"], unique=False
        )
    with op.batch_alter_table("domain_event") as batch_op:
        batch_op.alter_column("txid", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("domain_event") as batch_op:
        batch_op.drop_index("ix_domain_event_site_txid_position")
        batch_op.create_index(
            "ix_domain_event_site_position", ["site_id", "position"], unique=False
        )
        batch_op.drop_column("txid")
