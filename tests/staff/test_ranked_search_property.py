"""Property: a one-word search page ranked from the prefix postings is exactly the page SQL ranks
over every match (same rows, scores and order), with typo stand-ins, a filter, trashed staff
members and pages after a cursor; and the pure score is the SQL score."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.identity.models import Site
from rota.staff import ranked_search, repository, search_repository
from rota.staff.models import StaffMember
from rota.staff.query_fields import STAFF_QUERY_FIELDS
from rota.staff.repository import RELEVANCE, TextMatch
from rota.staff.search_rank import term_score
from rota.staff.search_text import fold
from rota.wixquery import MatchAll, Node, SortKey, parse_filter
from tests.builders import staff_row

_SITE = uuid.UUID("00000000-0000-4000-8000-00000000a11a")
_NOW = datetime(2026, 1, 1, tzinfo=UTC)
_OTHER = uuid.UUID("00000000-0000-4000-8000-00000000b22b")
_WORDS = ("Ana", "anna", "Mar", "María", "marco", "Maria", "Zoë", "zoey", "Lopez", "lo")
_NAMES = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join)
_TERMS = st.sampled_from(("a", "an", "ana", "m", "mar", "maria", "zo", "lop", "x"))
_ALTERNATIVES = st.lists(st.sampled_from(("anna", "marco", "zoey", "lo", "mari")), max_size=3)
_FILTERS: tuple[object, ...] = ({}, {"serviceProvider": True})
_RANKING = (SortKey(RELEVANCE, descending=True),)


async def _sql_ranking(
    session: AsyncSession, match: TextMatch, filter_node: Node
) -> list[tuple[StaffMember, int | None]]:
    return await repository.query_page(
        session,
        site_id=_SITE,
        filter_node=filter_node,
        sort=_RANKING,
        after=None,
        forward=True,
        limit=1_000,
        text=match,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(_NAMES, st.booleans(), st.booleans()), max_size=14),
    term=_TERMS,
    alternatives=_ALTERNATIVES,
    filter_index=st.integers(0, len(_FILTERS) - 1),
    page_size=st.integers(1, 5),
    first_read=st.integers(1, 3),
)
async def test_ranked_pages_equal_the_sql_ranking(
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: list[tuple[str, bool, bool]],
    term: str,
    alternatives: list[str],
    filter_index: int,
    page_size: int,
    first_read: int,
) -> None:
    """Small first reads make the pages come from several rounds and cross from the postings
    into the typo section mid-read."""
    match = TextMatch(groups=((term, tuple(alternatives)),), require_all=False)
    filter_node = parse_filter(_FILTERS[filter_index], STAFF_QUERY_FIELDS)
    async with sessionmaker() as session:
        transaction = await session.begin()
        try:
            for site_id in (_SITE, _OTHER):
                session.add(
                    Site(id=site_id, name="s", time_zone="UTC", created_at=_NOW, updated_at=_NOW)
                )
            staff = []
            for site_id in (_SITE, _OTHER):
                for name, trashed, provider in rows:
                    member = staff_row(site_id, name, trashed=trashed and site_id == _SITE)
                    member.service_provider = provider
                    staff.append(member)
                    await search_repository.replace_postings(
                        session,
                        site_id=site_id,
                        staff_id=member.id,
                        old_text="",
                        new_text=fold(name),
                    )
            session.add_all(staff)
            await session.flush()

            expected = await _sql_ranking(session, match, filter_node)
            for member, score in expected:
                assert score == term_score(member.search_text, term, alternatives)

            walked: list[tuple[StaffMember, int]] = []
            after = None
            while True:
                with mock.patch.object(ranked_search, "first_read", return_value=first_read):
                    page = await ranked_search.ranked_page(
                        session,
                        site_id=_SITE,
                        filter_node=filter_node,
                        match=match,
                        after=after,
                        limit=page_size,
                    )
                assert page is not None  # a handful of rows never exhausts the budget
                walked += page
                if len(page) < page_size:
                    break
                after = (page[-1][1], page[-1][0].id)
            assert [(s.id, score) for s, score in walked] == [(s.id, n) for s, n in expected]
        finally:
            await transaction.rollback()


async def test_renames_and_removal_keep_postings_exact(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        await session.begin()
        session.add(Site(id=_SITE, name="s", time_zone="UTC", created_at=_NOW, updated_at=_NOW))
        member = staff_row(_SITE, "Ana Mar", trashed=False)
        session.add(member)
        move = search_repository.replace_postings
        await move(session, site_id=_SITE, staff_id=member.id, old_text="", new_text="ana mar")
        await move(session, site_id=_SITE, staff_id=member.id, old_text="ana mar", new_text="mar")
        member.name, member.search_text = "Mar", "mar"
        await session.flush()
        match = TextMatch(groups=(("mar", ()),), require_all=False)
        page = await ranked_search.ranked_page(
            session, site_id=_SITE, filter_node=MatchAll(), match=match, after=None, limit=5
        )
        assert page == [(member, 5)]  # now the whole first word
        gone = TextMatch(groups=(("ana", ()),), require_all=False)
        assert (
            await search_repository.term_entries(
                session, site_id=_SITE, term="ana", after=None, limit=5
            )
            == []
        )
        assert (
            await ranked_search.ranked_page(
                session, site_id=_SITE, filter_node=MatchAll(), match=gone, after=None, limit=5
            )
            == []
        )
        await move(session, site_id=_SITE, staff_id=member.id, old_text="mar", new_text="")
        for prefix in ("m", "ma", "mar"):
            assert (
                await search_repository.term_entries(
                    session, site_id=_SITE, term=prefix, after=None, limit=5
                )
                == []
            )
