"""Prefix postings for ranked staff search.

A relevance-ranked search page used to score every name that matched and sort them, so its cost
grew with the number of matches. ``staff_search_prefix`` holds, for every prefix of every word
of a staff name, the score that name gets for that prefix as a search term, keyed in the order a
ranked search reads them (site, prefix, score, staff id): a term's best matches come first, and
a page reads a bounded number of entries (``rota.staff.search_rank``). Existing staff members
are indexed here, from their ``search_text``, with the same function the service uses.

``staff_search_term.term`` widens from 40 to 80 characters, the length of ``search_text``:
folding can lengthen a word ("ß" becomes "ss"), and a 40-letter name of such letters failed to
save.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rota.staff.search_rank import prefix_postings

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000


def upgrade() -> None:
    table = op.create_table(
        "staff_search_prefix",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=80), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "prefix", "score", "staff_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("staff_search_term") as batch_op:
        batch_op.alter_column("term", existing_type=sa.String(40), type_=sa.String(80))
    staff = sa.table(
        "staff_member",
        sa.column("id", sa.Uuid()),
        sa.column("site_id", sa.Uuid()),
        sa.column("search_text", sa.String()),
    )
    connection = op.get_bind()
    after = None
    while True:
        query = sa.select(staff.c.id, staff.c.site_id, staff.c.search_text).order_by(staff.c.id)
        if after is not None:
            query = query.where(staff.c.id > after)
        batch = connection.execute(query.limit(_BATCH)).all()
        if not batch:
            return
        rows = [
            {"site_id": site_id, "prefix": prefix, "score": score, "staff_id": staff_id}
            for staff_id, site_id, search_text in batch
            for prefix, score in prefix_postings(search_text or "").items()
        ]
        if rows:
            connection.execute(table.insert(), rows)
        after = batch[-1][0]


def downgrade() -> None:
    op.drop_table("staff_search_prefix")
    with op.batch_alter_table("staff_search_term") as batch_op:
        batch_op.alter_column("term", existing_type=sa.String(80), type_=sa.String(40))
