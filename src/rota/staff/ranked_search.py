"""A relevance-ranked page of a one-word search, read from the prefix postings (`search_rank`),
so that its cost depends on the page, not on how many staff members match.

The word's list is its postings best first, then (with fuzzy search) the names its typo
stand-ins start a word of: the ranking itself. Slices of it are read in growing rounds and each
new id is scored from its folded name, by the query that also applies the filter and skips
trashed staff members, until the page is full or the list ends; a later page starts where the
cursor left off. A search whose filter few matches pass gives up after `MAX_ENTRIES` and
returns None: the caller then ranks every match in SQL. So do several-word searches: their
lists would have to be merged, and for common words (a full name) the merge reads past every
top-scored match of one of them, which SQL ranks faster.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from rota.staff import repository, search_repository
from rota.staff.models import StaffMember
from rota.staff.repository import TextMatch
from rota.staff.search_rank import TYPO, Position, shortest_starts, term_score
from rota.wixquery import Node

# Entries read before the search is left to SQL (a filter few matches pass, say).
MAX_ENTRIES = 1_000


def first_read(limit: int) -> int:
    """Entries read in the first round: the page, and a margin for trashed and filtered-out
    staff members, so that one round usually fills it."""
    return limit + limit // 4 + 1


def runs_ranked(match: TextMatch) -> bool:
    """Whether `ranked_page` can answer this search: one word."""
    return len(match.groups) == 1


@dataclass
class _TermList:
    """How far the word's list has been read."""

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

    async def read(self, session: AsyncSession, site_id: uuid.UUID, limit: int) -> list[uuid.UUID]:
        """The next ids, in rank order; at the end of the postings, the typo section follows."""
        if self.in_typos:
            ids = await search_repository.word_start_ids(
                session, site_id=site_id, words=self.alternatives, below=self.below, limit=limit
            )
            self.below = ids[-1] if ids else self.below
            self.exhausted = len(ids) < limit
            return ids
        entries = await search_repository.term_entries(
            session, site_id=site_id, term=self.term, after=self.after, limit=limit
        )
        self.after = entries[-1] if entries else self.after
        if len(entries) < limit:
            self.in_typos = bool(self.alternatives)
            self.exhausted = not self.alternatives
        return [staff_id for _, staff_id in entries]


async def ranked_page(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    match: TextMatch,
    after: Position | None,
    limit: int,
) -> Sequence[tuple[StaffMember, int | None]] | None:
    """Up to ``limit`` live staff members matching the filter and the one-word ``match``, best
    first, from just past ``after``; None when that would read more than `MAX_ENTRIES`
    postings."""
    ((term, alternatives),) = match.groups
    word_list = _TermList(term, shortest_starts(alternatives))
    if after is not None:
        word_list.start_at(after)
    found: list[tuple[uuid.UUID, int]] = []
    seen: set[uuid.UUID] = set()
    batch, read = first_read(limit), 0
    while len(found) < limit and not word_list.exhausted:
        if read > MAX_ENTRIES:
            return None
        ids = await word_list.read(session, site_id, batch)
        read += len(ids)
        # A name with a word starting with two stand-ins (or the word too) comes more than once.
        fresh = [staff_id for staff_id in dict.fromkeys(ids) if staff_id not in seen]
        seen.update(fresh)
        if fresh:
            texts = dict(
                await repository.live_matching_texts(
                    session, site_id=site_id, ids=fresh, filter_node=filter_node
                )
            )
            scored = ((i, term_score(texts[i], term, alternatives)) for i in fresh if i in texts)
            # A name in the typo section that has the word itself ranked in the postings, on an
            # earlier page when this one started past them.
            found += [
                (staff_id, score)
                for staff_id, score in scored
                if score and (after is None or (score, staff_id) < after)
            ]
            batch *= 2
    page = found[:limit]
    rows = await repository.get_many_live(
        session, site_id=site_id, staff_ids=[staff_id for staff_id, _ in page]
    )
    # One trashed by another transaction since it was scored is left out.
    return [(rows[staff_id], score) for staff_id, score in page if staff_id in rows]
