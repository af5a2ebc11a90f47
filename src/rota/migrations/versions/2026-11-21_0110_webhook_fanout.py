"""Deliveries are made by the relay, not by the write that records the event.

A write used to insert one delivery per wanting subscription next to its event: a wide row with
four indexes each, a tenth of a millisecond per subscription on every staff update, and more the
more subscriptions a site has. Now a write that records an event some subscription wants queues
the event's position and id (``webhook_fanout``: one narrow row, one index, whatever the number
of subscriptions), and the relay turns queued events into deliveries, in position order, one
relay at a time. Events recorded before this migration already have their deliveries.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-21 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_fanout",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_webhook_fanout")),
    )


def downgrade() -> None:
    op.drop_table("webhook_fanout")
