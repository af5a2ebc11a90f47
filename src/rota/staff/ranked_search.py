"""A relevance-ranked search page read from the prefix postings (`search_rank`), so that its
cost depends on the page, not on how many staff members match.

Each search term is a list: its postings best first, then (with fuzzy search) the names its typo
stand-ins start a word of. Slices of the lists are read in rounds, each new id is scored in full
from its row (which also applies the filter and skips trashed staff members), and the rounds
stop when `TopMatches` proves the page complete. With one term the list is the ranking itself,
so a page reads about its own size, and a later page starts where the cursor left off. With
several terms the merge is exact too, but it can only stop once a list's top scores are spent:
for common words (a full name) that is thousands of entries, which SQL ranks faster, so the
service sends several-term searches there (`runs_ranked`). A search whose list would have to be
read far (a filter few matches pass) gives up after `MAX_ENTRIES` and returns None: the caller
then ranks every match in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from rota.staff import repository, search_repository
from rota.staff.models import StaffMember
from rota.staff.repository import TextMatch
from rota.staff.search_rank import TYPO, Position, TopMatches, shortest_starts, text_score
from rota.wixquery import Node

# Entries read before the search is left to SQL (a filter few matches pass, say).
MAX_ENTRIES = 1_000


def first_read(limit: int) -> int:
    """Entries read from each list in the first round: the page, and a margin for trashed and
    filtered-out staff members, so that one round usually completes a single-term page."""
    return limit + limit // 4 + 1


@dataclass
class _TermList:
    """How far one term's list has been read."""

    term: str
    alternatives: tuple[str, ...]
    in_typos: bool = False
    after: Position | None = None
    below: uuid.UUID | None = None
    exhausted: bool = False

    def start_at(self, position: Position) -> None:
        if position[0] > TYPO:
            self.after = position
        else:
            self.in_typos, self.below = True, position[1]

    async def read(
        self, session: AsyncSession, site_id: uuid.UUID, limit: int
    ) -> tuple[list[Position], bool]:
        """The next entries, and whether the current section ended with them."""
        if self.in_typos:
            ids = await search_repository.word_start_ids(
                session, site_id=site_id, words=self.alternatives, below=self.below, limit=limit
            )
            self.below = ids[-1] if ids else self.below
            return [(TYPO, entry_id) for entry_id in ids], len(ids) < limit
        entries = await search_repository.term_entries(
            session, site_id=site_id, term=self.term, after=self.after, limit=limit
        )
        self.after = entries[-1] if entries else self.after
        return entries, len(entries) < limit


def runs_ranked(match: TextMatch) -> bool:
    """Whether `ranked_page` is the fast way to this search's page: one term."""
    return len(match.groups) == 1


async def ranked_page(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    match: TextMatch,
    after: Position | None,
    limit: int,
) -> Sequence[tuple[StaffMember, int | None]] | None:
    """Up to ``limit`` live staff members matching the filter and the text, best first, from
    just past ``after``; None when that would read more than `MAX_ENTRIES` postings."""
    lists = [_TermList(term, shortest_starts(alternatives)) for term, alternatives in match.groups]
    top = TopMatches(k=limit, lists=len(lists), require_all=match.require_all, after=after)
    if after is not None and len(lists) == 1:
        lists[0].start_at(after)
        top.start_at(0, after)
    batch, read = first_read(limit), 0
    while not top.complete():
        if read > MAX_ENTRIES:
            return None
        fresh: list[uuid.UUID] = []
        for index, term_list in enumerate(lists):
            if term_list.exhausted:
                continue
            entries, ended = await term_list.read(session, site_id, batch)
            read += len(entries)
            fresh += top.read(index, entries)
            if ended and term_list.alternatives and not term_list.in_typos:
                term_list.in_typos = True
                top.lower_bound(index, TYPO)
            elif ended:
                term_list.exhausted = True
                top.lower_bound(index, 0)
        if fresh:
            found = await repository.live_matching_texts(
                session, site_id=site_id, ids=fresh, filter_node=filter_node
            )
            for staff_id, text in found:
                top.add(staff_id, text_score(text, match.groups, require_all=match.require_all))
            batch *= 2
    best = top.best()
    rows = await repository.get_many_live(
        session, site_id=site_id, staff_ids=[staff_id for _, staff_id in best]
    )
    # One trashed by another transaction since it was scored is left out.
    return [(rows[staff_id], score) for score, staff_id in best if staff_id in rows]
