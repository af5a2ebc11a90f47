"""Property: search finds exactly the live staff members of the site that have a name word
starting with any query word (every query word in AND mode), ignoring case and accents, ranks
them by score and then id in the same direction, and never looks into another site, whatever
the site ids look like."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.identity.models import Site
from rota.staff import repository
from rota.staff.repository import RELEVANCE, TextMatch
from rota.staff.search_text import fold, search_terms
from rota.wixquery import MatchAll, SortKey
from tests.builders import staff_row

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Site ids whose hex digits a text search parser would not keep whole ("1e5..." reads as a
# number), next to ordinary ones.
_SITES = (
    uuid.UUID("1e500000-0000-4000-8000-000000000001"),
    uuid.UUID("00000000-0000-4000-8000-0000000000e1"),
    uuid.UUID("fa11ba11-0000-4000-8000-00000000000a"),
)
_WORDS = ("Ana", "ÁNGEL", "anna", "Mar", "María", "marco", "O'Brien", "Zoë", "zoe", "1e5", "e5")
_NAMES = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join)
_QUERIES = st.lists(
    st.sampled_from(("a", "an", "ANG", "mar", "MARI", "o", "brien", "zoë", "1", "1e", "e5", "x")),
    min_size=1,
    max_size=3,
).map(" ".join)


def _found(name: str, terms: list[str], require_all: bool) -> bool:
    words = fold(name).split()
    hits = [any(word.startswith(term) for word in words) for term in terms]
    return all(hits) if require_all else any(hits)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    site_index=st.integers(0, len(_SITES) - 1),
    rows=st.lists(st.tuples(_NAMES, st.booleans()), max_size=10),
    expression=_QUERIES,
    require_all=st.booleans(),
)
async def test_search_agrees_with_word_prefix_reference(
    sessionmaker: async_sessionmaker[AsyncSession],
    site_index: int,
    rows: list[tuple[str, bool]],
    expression: str,
    require_all: bool,
) -> None:
    mine, theirs = _SITES[site_index], _SITES[(site_index + 1) % len(_SITES)]
    terms = search_terms(expression)
    async with sessionmaker() as session:
        transaction = await session.begin()
        try:
            for site_id in (mine, theirs):
                session.add(
                    Site(id=site_id, name="s", time_zone="UTC", created_at=_NOW, updated_at=_NOW)
                )
            # Every name exists in the other site too, so a leak across sites shows.
            staff = [staff_row(mine, name, trashed=trashed) for name, trashed in rows]
            session.add_all(staff)
            session.add_all(staff_row(theirs, name, trashed=False) for name, _ in rows)
            await session.flush()
            found = await repository.query_page(
                session,
                site_id=mine,
                filter_node=MatchAll(),
                sort=(SortKey(RELEVANCE, descending=True),),
                after=None,
                forward=True,
                limit=100,
                text=TextMatch(groups=tuple((t, ()) for t in terms), require_all=require_all),
            )
            expected = {
                s.id for s in staff if s.deleted_at is None and _found(s.name, terms, require_all)
            }
            assert {s.id for s, _ in found} == expected
            ranking = [(score, str(s.id)) for s, score in found]
            assert ranking == sorted(ranking, reverse=True)
        finally:
            await transaction.rollback()
