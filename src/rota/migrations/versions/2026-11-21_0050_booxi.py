"""Booxi dialect: merchants, head-office groups, modules, Booxi-only staff fields, module links,
user access, password recovery and staff work schedules.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 00:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rota.core.orm import JsonDocument, UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booxi_group",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("head_office_site_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["head_office_site_id"],
            ["site.id"],
            name=op.f("fk_booxi_group_head_office_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booxi_group")),
        sa.UniqueConstraint("head_office_site_id", name=op.f("uq_booxi_group_head_office_site_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "booxi_module",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_booxi_module_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", "module_id", name=op.f("pk_booxi_module")),
    )
    op.create_table(
        "booxi_merchant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("idp_name", sa.String(length=100), nullable=True),
        sa.Column("idp_domains", JsonDocument, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["booxi_group.id"],
            name=op.f("fk_booxi_merchant_group_id_booxi_group"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_booxi_merchant_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booxi_merchant")),
        sa.UniqueConstraint("site_id", name=op.f("uq_booxi_merchant_site_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("booxi_merchant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booxi_merchant_group_id"), ["group_id"], unique=False)

    op.create_table(
        "booxi_module_link",
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.String(length=100), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("metadata", JsonDocument, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_booxi_module_link_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_module_link_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_member_id", "module_id", name=op.f("pk_booxi_module_link")),
    )
    with op.batch_alter_table("booxi_module_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booxi_module_link_lookup", ["module_id", "external_id", "site_id"], unique=False
        )

    op.create_table(
        "booxi_password_recovery",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("login_email", sa.String(length=320), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_password_recovery_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_booxi_password_recovery_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booxi_password_recovery")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("booxi_password_recovery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booxi_password_recovery_staff_member_id"),
            ["staff_member_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_booxi_password_recovery_user", ["user_id", "requested_at"], unique=False
        )

    op.create_table(
        "booxi_staff",
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=40), nullable=False),
        sa.Column("last_name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=100), nullable=True),
        sa.Column("work_phone", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("personnel_type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("time_selection_mode", sa.String(length=30), nullable=False),
        sa.Column("is_template", sa.Boolean(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_staff_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_staff_template_id_staff_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("staff_member_id", name=op.f("pk_booxi_staff")),
    )
    op.create_table(
        "booxi_staff_schedule",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("weekly_hours", JsonDocument, nullable=False),
        sa.Column("event_ids", JsonDocument, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_staff_schedule_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booxi_staff_schedule")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("booxi_staff_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booxi_staff_schedule_staff_member_id"), ["staff_member_id"], unique=False
        )

    op.create_table(
        "booxi_user_access",
        sa.Column("staff_member_id", sa.Uuid(), nullable=False),
        sa.Column("login_email", sa.String(length=320), nullable=False),
        sa.Column("user_role", sa.String(length=30), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("can_login", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_member.id"],
            name=op.f("fk_booxi_user_access_staff_member_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_member_id", name=op.f("pk_booxi_user_access")),
    )
    with op.batch_alter_table("booxi_user_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booxi_user_access_login_email"), ["login_email"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("booxi_user_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booxi_user_access_login_email"))

    op.drop_table("booxi_user_access")
    with op.batch_alter_table("booxi_staff_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booxi_staff_schedule_staff_member_id"))

    op.drop_table("booxi_staff_schedule")
    op.drop_table("booxi_staff")
    with op.batch_alter_table("booxi_password_recovery", schema=None) as batch_op:
        batch_op.drop_index("ix_booxi_password_recovery_user")
        batch_op.drop_index(batch_op.f("ix_booxi_password_recovery_staff_member_id"))

    op.drop_table("booxi_password_recovery")
    with op.batch_alter_table("booxi_module_link", schema=None) as batch_op:
        batch_op.drop_index("ix_booxi_module_link_lookup")

    op.drop_table("booxi_module_link")
    with op.batch_alter_table("booxi_merchant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booxi_merchant_group_id"))

    op.drop_table("booxi_merchant")
    op.drop_table("booxi_module")
    op.drop_table("booxi_group")
