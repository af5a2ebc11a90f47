"""Staff query speed: site-bound search tokens, sort indexes that match the query language's
sorts, and indexes for the trash bin, counts and the Booxi staff list.

- ``search_tokens`` holds each folded name word behind the site's 32 hex digits
  (``rota.staff.search_text.site_tokens``), and both full-text indexes now index it: a word
  prefix lookup then only meets the site's own rows, with no site_id test beside it. Existing
  rows are backfilled here; the staff service writes it with ``search_text`` from now on.
- PostgreSQL: the GIN index covers live rows, over ``array_to_tsvector`` of the tokens (verbatim
  lexemes: the text search parser would split a site term such as ``1e5...`` into a number and a
  word). The "C"-collation sort indexes on nullable columns become NULLS FIRST, the order the
  query language sorts them in, so an index scan can return them in order.
- SQLite: ``ix_staff_member_site_deleted`` goes: its statistics count each NULL ``deleted_at`` as
  a distinct value, so the planner took it for the most selective index of every live-staff
  query. The trash bin gets a partial index instead.
- ``ix_staff_member_live_provider`` lets a count of (non-)service providers read the index only.
- ``ix_staff_member_live_number`` serves the Booxi staff list (a merchant's live staff by number):
  without it PostgreSQL walks the whole number index for a small merchant, and so does SQLite
  once ``ix_staff_member_site_deleted`` is gone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL's "C"-collation sort indexes on nullable text columns (built in migration 0002).
_NULLABLE_SORT_INDEXES = {
    "ix_staff_member_live_description": "description",
    "ix_staff_member_live_identity_type": "identity_type",
}
_FTS_TRIGGERS = ("insert", "update", "delete")
# New indexes over live rows: counts by service provider read only the index; the Booxi staff
# list pages a site by number.
_LIVE_INDEXES = {
    "ix_staff_member_live_provider": ["site_id", "service_provider"],
    "ix_staff_member_live_number": ["site_id", "number"],
}


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    postgres = _is_postgresql()
    if postgres:
        op.execute("DROP INDEX ix_staff_member_search")
    else:
        _drop_fts()
    op.drop_index("ix_staff_member_site_deleted", table_name="staff_member")

    op.add_column(
        "staff_member",
        sa.Column("search_tokens", sa.Text(), nullable=False, server_default=""),
    )
    # search_text is single-spaced folded words, so prefixing the first word and every word
    # after a space gives site_tokens(); Uuid is 32 hex digits on SQLite, native on PostgreSQL.
    site_hex = "replace(CAST(site_id AS TEXT), '-', '')" if postgres else "site_id"
    op.execute(
        f"UPDATE staff_member SET search_tokens = "
        f"{site_hex} || replace(search_text, ' ', ' ' || {site_hex}) WHERE search_text <> ''"
    )

    if postgres:
        op.execute(
            "CREATE INDEX ix_staff_member_search ON staff_member "
            "USING gin (array_to_tsvector(string_to_array(search_tokens, ' '))) "
            "WHERE deleted_at IS NULL"
        )
        for name, column in _NULLABLE_SORT_INDEXES.items():
            _create_sort_index(name, column, nulls="NULLS FIRST")
    else:
        _create_fts("{row}search_tokens", reads="search_tokens")

    op.create_index(
        "ix_staff_member_trash",
        "staff_member",
        ["site_id", "id"],
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    )
    for name, columns in _LIVE_INDEXES.items():
        op.create_index(
            name,
            "staff_member",
            columns,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    postgres = _is_postgresql()
    for name in _LIVE_INDEXES:
        op.drop_index(name, table_name="staff_member")
    op.drop_index("ix_staff_member_trash", table_name="staff_member")
    if postgres:
        for name, column in _NULLABLE_SORT_INDEXES.items():
            _create_sort_index(name, column, nulls="")
        op.execute("DROP INDEX ix_staff_member_search")
    else:
        _drop_fts()
    # Native DROP COLUMN (SQLite 3.35+): a batch copy would rebuild the partial indexes from
    # reflection.
    op.drop_column("staff_member", "search_tokens")
    if postgres:
        op.execute(
            "CREATE INDEX ix_staff_member_search ON staff_member "
            "USING gin (to_tsvector('simple', search_text))"
        )
    else:
        _create_fts("'s' || {row}site_id || ' ' || {row}search_text", reads="search_text, site_id")
    op.create_index("ix_staff_member_site_deleted", "staff_member", ["site_id", "deleted_at"])


def _create_sort_index(name: str, column: str, *, nulls: str) -> None:
    op.execute(f"DROP INDEX {name}")
    op.execute(
        f'CREATE INDEX {name} ON staff_member (site_id, {column} COLLATE "C" {nulls}, id) '
        "WHERE deleted_at IS NULL"
    )


def _drop_fts() -> None:
    for trigger in _FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER staff_member_fts_{trigger}")
    op.execute("DROP TABLE staff_member_fts")


def _create_fts(body: str, *, reads: str) -> None:
    """SQLite's FTS5 index of staff_member, keyed by number. ``body`` is the indexed text, with
    ``{row}`` where the trigger's ``new.`` goes; ``reads`` are the columns it reads."""
    op.execute(
        "CREATE VIRTUAL TABLE staff_member_fts USING fts5("
        "body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO staff_member_fts(rowid, body) "
        f"SELECT number, {body.format(row='')} FROM staff_member"
    )
    new_row = f"new.number, {body.format(row='new.')}"
    op.execute(
        "CREATE TRIGGER staff_member_fts_insert AFTER INSERT ON staff_member BEGIN "
        f"INSERT INTO staff_member_fts(rowid, body) VALUES ({new_row}); END"
    )
    op.execute(
        f"CREATE TRIGGER staff_member_fts_update AFTER UPDATE OF {reads}, number ON staff_member "
        "BEGIN DELETE FROM staff_member_fts WHERE rowid = old.number; "
        f"INSERT INTO staff_member_fts(rowid, body) VALUES ({new_row}); END"
    )
    op.execute(
        "CREATE TRIGGER staff_member_fts_delete AFTER DELETE ON staff_member BEGIN "
        "DELETE FROM staff_member_fts WHERE rowid = old.number; END"
    )
