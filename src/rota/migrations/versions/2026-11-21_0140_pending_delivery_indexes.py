"""The relay's claim reads indexes of pending deliveries only.

The claim takes due pending deliveries in position order and skips each one that waits behind
an earlier pending delivery of its entity. With indexes over every delivery, a backlog (a
receiver down for a while, many changes of one entity) made PostgreSQL hash all pending rows
against each other: 1.26 s per claim with 58,000 pending, measured. And each check for an earlier
pending delivery walked the entity's whole delivered history. Indexes of pending rows alone
(``WHERE state = 'PENDING'``) make the same claim a nested loop of short index probes: 0.12 s
there, and a handful of rows when nothing is backed up. Deleting a subscription's deliveries
gets an index of its own.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-21 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rows of pending deliveries, on either database.
_PENDING_ROWS: dict[str, Any] = {
    "postgresql_where": sa.text("state = 'PENDING'"),
    "sqlite_where": sa.text("state = 'PENDING'"),
}


def upgrade() -> None:
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_order", table_name="webhook_delivery")
    op.create_index(
        "ix_webhook_delivery_pending",
        "webhook_delivery",
        ["position"],
        **_PENDING_ROWS,
    )
    op.create_index(
        "ix_webhook_delivery_pending_order",
        "webhook_delivery",
        ["subscription_id", "ordering_key", "position"],
        **_PENDING_ROWS,
    )
    op.create_index("ix_webhook_delivery_subscription", "webhook_delivery", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_subscription", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_pending_order", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_pending", table_name="webhook_delivery")
    op.create_index(
        "ix_webhook_delivery_order",
        "webhook_delivery",
        ["subscription_id", "ordering_key", "position"],
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["state", "next_attempt_at"])
