"""Storage of the staff search's prefix postings (`StaffSearchPrefix`): written when a name
changes, read a bounded slice at a time by ranked search (`rota.staff.ranked_search`)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.db import insert_ignoring_duplicates
from rota.staff.models import StaffSearchPrefix as Posting
from rota.staff.search_rank import POSTING_SCORES, Position, prefix_postings

_TABLE = cast(sa.Table, Posting.__table__)
# On the table, not the entity: the ORM runs no executemany DELETE.
_DELETE_ONE = sa.delete(_TABLE).where(
    _TABLE.c.site_id == sa.bindparam("site"),
    _TABLE.c.prefix == sa.bindparam("prefix"),
    _TABLE.c.score == sa.bindparam("score"),
    _TABLE.c.staff_id == sa.bindparam("staff"),
)


async def replace_postings(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_id: uuid.UUID,
    old_text: str,
    new_text: str,
) -> None:
    """Move a staff member's postings from one folded name to another ("" for none). Only the
    postings that differ are touched, each by its whole key."""
    old, new = prefix_postings(old_text), prefix_postings(new_text)
    gone = [(prefix, score) for prefix, score in old.items() if new.get(prefix) != score]
    added = [(prefix, score) for prefix, score in new.items() if old.get(prefix) != score]
    if gone:
        await session.execute(
            _DELETE_ONE,
            [{"site": site_id, "prefix": p, "score": s, "staff": staff_id} for p, s in gone],
        )
    if added:
        rows = [
            {"site_id": site_id, "prefix": p, "score": s, "staff_id": staff_id} for p, s in added
        ]
        dialect = session.get_bind().dialect.name
        await session.execute(insert_ignoring_duplicates(dialect, _TABLE), rows)


def _term_slice(*, after: bool) -> sa.Select[int, uuid.UUID]:
    query = sa.select(Posting.score, Posting.staff_id).where(
        Posting.site_id == sa.bindparam("site"), Posting.prefix == sa.bindparam("term")
    )
    if after:
        position = sa.tuple_(
            sa.bindparam("score", type_=sa.SmallInteger), sa.bindparam("staff", type_=sa.Uuid)
        )
        query = query.where(sa.tuple_(Posting.score, Posting.staff_id) < position)
    return query.order_by(Posting.score.desc(), Posting.staff_id.desc()).limit(
        sa.bindparam("limit")
    )


# Built once: building and cache-keying a statement costs more than running it here.
_TERM_SLICES = {after: _term_slice(after=after) for after in (False, True)}


async def term_entries(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    term: str,
    after: Position | None,
    limit: int,
) -> list[Position]:
    """The next ``limit`` postings of the term in (score, id) descending order, past ``after``:
    one range of the primary key read backwards."""
    parameters: dict[str, object] = {"site": site_id, "term": term, "limit": limit}
    if after is not None:
        parameters.update(score=after[0], staff=after[1])
    rows = await session.execute(_TERM_SLICES[after is not None], parameters)
    return [(int(score), staff_id) for score, staff_id in rows]


@functools.cache
def _word_start_union(words: int, *, below: bool) -> sa.Select[uuid.UUID]:
    """The union of `word_start_ids` for ``words`` words, with bound parameters ``word<n>``."""
    parts = []
    for index in range(words):
        for score in POSTING_SCORES:
            part = sa.select(Posting.staff_id).where(
                Posting.site_id == sa.bindparam("site"),
                Posting.prefix == sa.bindparam(f"word{index}"),
                Posting.score == score,
            )
            if below:
                part = part.where(Posting.staff_id < sa.bindparam("below", type_=sa.Uuid))
            bounded = part.order_by(Posting.staff_id.desc()).limit(sa.bindparam("limit"))
            parts.append(sa.select(bounded.subquery().c.staff_id))
    union = sa.union_all(*parts).subquery()
    return (
        sa.select(union.c.staff_id).order_by(union.c.staff_id.desc()).limit(sa.bindparam("limit"))
    )


async def word_start_ids(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    words: Sequence[str],
    below: uuid.UUID | None,
    limit: int,
) -> list[uuid.UUID]:
    """The next ``limit`` ids, descending and below ``below``, of names with a word starting
    with any of ``words`` (an id may come once per word). Each (word, score) is one key range
    already in id order, so the union stays a bounded read however common the words are."""
    parameters: dict[str, object] = {"site": site_id, "limit": limit, "below": below}
    parameters.update({f"word{index}": word for index, word in enumerate(words)})
    query = _word_start_union(len(words), below=below is not None)
    return list(await session.scalars(query, parameters))
