"""Staff query language, search and bulk jobs: integer staff numbers, folded search text, the
search dictionary, keyset-paging indexes, full-text indexes, and the bulk job table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rota.core.orm import JsonDocument, UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, columns) of the indexes keyset paging and equality filters use; all skip trashed rows.
_QUERY_INDEXES = [
    ("ix_staff_member_live_created", ["site_id", "created_at", "id"]),
    ("ix_staff_member_live_updated", ["site_id", "updated_at", "id"]),
    ("ix_staff_member_live_description", ["site_id", "description", "id"]),
    ("ix_staff_member_live_identity_type", ["site_id", "identity_type", "id"]),
    ("ix_staff_member_live_resource", ["site_id", "resource_id"]),
    ("ix_staff_member_live_user", ["site_id", "wix_user_id"]),
    ("ix_staff_member_live_contact", ["site_id", "contact_id"]),
    ("ix_staff_member_live_name", ["site_id", "name"]),
    ("ix_staff_member_live_email", ["site_id", "email"]),
    ("ix_staff_member_live_phone", ["site_id", "phone"]),
]
# Text columns PostgreSQL must index in the "C" collation, the order the query language sorts in.
_TEXT_SORT_COLUMNS = {"description", "identity_type"}

_FTS_ROW = "new.number, 's' || new.site_id || ' ' || new.search_text"


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    postgres = _is_postgresql()
    with op.batch_alter_table("staff_member") as batch:
        batch.add_column(sa.Column("number", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.String(80), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("business_location_ids", JsonDocument, nullable=False, server_default="[]")
        )
    if postgres:
        op.execute("CREATE SEQUENCE staff_member_number_seq")
        op.execute("UPDATE staff_member SET number = nextval('staff_member_number_seq')")
    else:
        op.execute("UPDATE staff_member SET number = rowid")
    op.execute("UPDATE staff_member SET search_text = lower(name)")
    with op.batch_alter_table("staff_member") as batch:
        batch.alter_column("number", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_staff_member_number", ["number"])

    for name, columns in _QUERY_INDEXES:
        if postgres:
            parts = [f'{c} COLLATE "C"' if c in _TEXT_SORT_COLUMNS else c for c in columns]
            op.execute(
                f"CREATE INDEX {name} ON staff_member ({', '.join(parts)}) WHERE deleted_at IS NULL"
            )
        else:
            op.create_index(
                name, "staff_member", columns, sqlite_where=sa.text("deleted_at IS NULL")
            )

    if postgres:
        op.execute(
            "CREATE INDEX ix_staff_member_search ON staff_member "
            "USING gin (to_tsvector('simple', search_text))"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE staff_member_fts USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER staff_member_fts_insert AFTER INSERT ON staff_member BEGIN "
            f"INSERT INTO staff_member_fts(rowid, body) VALUES ({_FTS_ROW}); END"
        )
        op.execute(
            "CREATE TRIGGER staff_member_fts_update "
            "AFTER UPDATE OF search_text, site_id, number ON staff_member BEGIN "
            "DELETE FROM staff_member_fts WHERE rowid = old.number; "
            f"INSERT INTO staff_member_fts(rowid, body) VALUES ({_FTS_ROW}); END"
        )
        op.execute(
            "CREATE TRIGGER staff_member_fts_delete AFTER DELETE ON staff_member BEGIN "
            "DELETE FROM staff_member_fts WHERE rowid = old.number; END"
        )
        op.execute(
            "INSERT INTO staff_member_fts(rowid, body) "
            "SELECT number, 's' || site_id || ' ' || search_text FROM staff_member"
        )

    op.create_table(
        "staff_search_term",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_staff_search_term_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "term", name=op.f("pk_staff_search_term")),
    )
    op.create_table(
        "bulk_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("params", JsonDocument, nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", JsonDocument, nullable=False),
        sa.Column("position", sa.Uuid(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_bulk_job_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_job")),
    )
    op.create_index("ix_bulk_job_state", "bulk_job", ["state", "created_at"])


def downgrade() -> None:
    postgres = _is_postgresql()
    op.drop_index("ix_bulk_job_state", table_name="bulk_job")
    op.drop_table("bulk_job")
    op.drop_table("staff_search_term")
    if postgres:
        op.execute("DROP INDEX ix_staff_member_search")
    else:
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER staff_member_fts_{trigger}")
        op.execute("DROP TABLE staff_member_fts")
    for name, _columns in _QUERY_INDEXES:
        op.drop_index(name, table_name="staff_member")
    with op.batch_alter_table("staff_member") as batch:
        batch.drop_constraint("uq_staff_member_number", type_="unique")
        batch.drop_column("business_location_ids")
        batch.drop_column("search_text")
        batch.drop_column("number")
    if postgres:
        op.execute("DROP SEQUENCE staff_member_number_seq")
