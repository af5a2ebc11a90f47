"""Calendar: idempotency keys, replaced occurrences, series ends and filter columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rota.core.orm import JsonDocument, UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=36), nullable=True))
        batch_op.create_index(
            "ix_schedule_site_idempotency", ["site_id", "idempotency_key"], unique=True
        )

    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("all_day", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("original_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_end_utc", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("location_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("location_id", sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column("conferencing_type", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("resource_ids", JsonDocument, nullable=False, server_default="[]")
        )
        batch_op.create_index("ix_calendar_event_site_start", ["site_id", "start_utc"])
        batch_op.create_index(
            "ix_calendar_event_site_idempotency", ["site_id", "idempotency_key"], unique=True
        )
        batch_op.create_index(
            "ix_calendar_event_occurrence", ["recurring_event_id", "original_date"], unique=True
        )
    op.create_index(
        "ix_calendar_event_resource_ids", "calendar_event", ["resource_ids"], postgresql_using="gin"
    )
    # Single events end when they end; existing MASTERs (the business hours) never do.
    op.execute("UPDATE calendar_event SET last_end_utc = end_utc WHERE recurrence_type <> 'MASTER'")


def downgrade() -> None:
    op.drop_index("ix_calendar_event_resource_ids", table_name="calendar_event")
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_event_occurrence")
        batch_op.drop_index("ix_calendar_event_site_idempotency")
        batch_op.drop_index("ix_calendar_event_site_start")
        batch_op.drop_column("resource_ids")
        batch_op.drop_column("conferencing_type")
        batch_op.drop_column("location_id")
        batch_op.drop_column("location_type")
        batch_op.drop_column("last_end_utc")
        batch_op.drop_column("original_date")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("all_day")

    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_site_idempotency")
        batch_op.drop_column("idempotency_key")
