"""Initial schema: sites, API keys, staff members, schedules, calendar events, images.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 00:04:21.955554
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rota.core.orm import JsonDocument, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", JsonDocument, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=150), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.create_table(
        "api_key_site",
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_key.id"],
            name=op.f("fk_api_key_site_api_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_api_key_site_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("api_key_id", "site_id", name=op.f("pk_api_key_site")),
    )
    op.create_table(
        "image",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_image_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image")),
    )
    with op.batch_alter_table("image", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_image_site_id"), ["site_id"], unique=False)

    op.create_table(
        "schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=250), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("time_zone", sa.String(length=150), nullable=False),
        sa.Column("business_time_zone_enabled", sa.Boolean(), nullable=False),
        sa.Column("default_title", sa.String(length=200), nullable=True),
        sa.Column("default_location", JsonDocument, nullable=True),
        sa.Column("default_capacity", sa.Integer(), nullable=True),
        sa.Column("default_conferencing_details", JsonDocument, nullable=True),
        sa.Column("app_id", sa.String(length=36), nullable=True),
        sa.Column("permissions", JsonDocument, nullable=False),
        sa.Column("extended_fields", JsonDocument, nullable=True),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_schedule_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_site_external", ["site_id", "external_id"], unique=False)

    op.create_table(
        "staff_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("main_media", JsonDocument, nullable=True),
        sa.Column("tags", JsonDocument, nullable=True),
        sa.Column("extended_fields", JsonDocument, nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("service_provider", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("resource_revision", sa.BigInteger(), nullable=False),
        sa.Column("events_schedule_id", sa.Uuid(), nullable=False),
        sa.Column("working_hours_schedule_id", sa.Uuid(), nullable=False),
        sa.Column("uses_default_working_hours", sa.Boolean(), nullable=False),
        sa.Column("location_options", JsonDocument, nullable=True),
        sa.Column("ranking", sa.Integer(), nullable=False),
        sa.Column("wix_user_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("identity_type", sa.String(length=30), nullable=True),
        sa.Column("connection_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_staff_member_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        sa.UniqueConstraint("resource_id", name=op.f("uq_staff_member_resource_id")),
    )
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_member_site_deleted", ["site_id", "deleted_at"], unique=False
        )
        batch_op.create_index("ix_staff_member_site_id_id", ["site_id", "id"], unique=False)

    op.create_table(
        "calendar_event",
        sa.Column("id", sa.String(length=250), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("start_local", sa.String(length=19), nullable=False),
        sa.Column("end_local", sa.String(length=19), nullable=False),
        sa.Column("time_zone", sa.String(length=150), nullable=False),
        sa.Column("start_utc", UtcDateTime(), nullable=False),
        sa.Column("end_utc", UtcDateTime(), nullable=False),
        sa.Column("recurrence_type", sa.String(length=20), nullable=False),
        sa.Column("recurrence_rule", JsonDocument, nullable=True),
        sa.Column("recurring_event_id", sa.String(length=250), nullable=True),
        sa.Column("transparency", sa.String(length=20), nullable=False),
        sa.Column("location", JsonDocument, nullable=True),
        sa.Column("resources", JsonDocument, nullable=False),
        sa.Column("total_capacity", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("conferencing_details", JsonDocument, nullable=True),
        sa.Column("inherited_fields", JsonDocument, nullable=False),
        sa.Column("app_id", sa.String(length=36), nullable=True),
        sa.Column("extended_fields", JsonDocument, nullable=True),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_calendar_event_schedule_id_schedule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_calendar_event_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_event")),
    )
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_event_recurring_event_id"), ["recurring_event_id"], unique=False
        )
        batch_op.create_index(
            "ix_calendar_event_schedule_start", ["schedule_id", "start_utc"], unique=False
        )
        batch_op.create_index("ix_calendar_event_site_type", ["site_id", "type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_event_site_type")
        batch_op.drop_index("ix_calendar_event_schedule_start")
        batch_op.drop_index(batch_op.f("ix_calendar_event_recurring_event_id"))

    op.drop_table("calendar_event")
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_member_site_id_id")
        batch_op.drop_index("ix_staff_member_site_deleted")

    op.drop_table("staff_member")
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_site_external")

    op.drop_table("schedule")
    with op.batch_alter_table("image", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_image_site_id"))

    op.drop_table("image")
    op.drop_table("api_key_site")
    op.drop_table("site")
    op.drop_table("api_key")
