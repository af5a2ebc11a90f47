"""Pure: how well a folded staff name matches search terms, the prefix postings that list a
term's best matches first, and the top-k merge that ranks a search from those lists without
scoring every match.

Relevance is per term: 4 when a word of the name is the term, 3 when a word starts with it, 1
when a word starts with one of its typo stand-ins, plus 1 when the name starts with the term;
a name's score is the sum over the terms (the repository's SQL `relevance` is the same rule).

A posting is (prefix, score) for every prefix of every word of a name, scored as if that prefix
were the one search term. Read in (score, id) descending order, a term's postings are its
matches best first; its typo stand-ins' postings follow, all at 1, in id descending order.

`TopMatches` merges such lists as Fagin's threshold algorithm does: every id read is scored in
full, and the merge is complete once no unread name can rank among the best k, because even with
the highest score still unread in every list it would fall short of the k-th, or tie with it and
have a smaller id. Ranking ties go to the larger id, as the keyset-paged SQL ranks them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WHOLE_WORD = 4
WORD_PREFIX = 3
TYPO = 1
NAME_START = 1
BEST_TERM_SCORE = WHOLE_WORD + NAME_START
# The scores a posting can have: its prefix is at least the start of a word.
POSTING_SCORES = (WHOLE_WORD + NAME_START, WHOLE_WORD, WORD_PREFIX)

# A term and the dictionary words a typo of it may stand for.
Group = tuple[str, tuple[str, ...]]
# Where a page starts: the (score, id) of the last name of the page before it.
Position = tuple[int, uuid.UUID]


def term_score(search_text: str, term: str, alternatives: Iterable[str] = ()) -> int:
    words = search_text.split()
    if term in words:
        score = WHOLE_WORD
    elif any(word.startswith(term) for word in words):
        score = WORD_PREFIX
    elif any(word.startswith(other) for other in alternatives for word in words):
        return TYPO
    else:
        return 0
    return score + (NAME_START if search_text.startswith(term) else 0)


def text_score(search_text: str, groups: Sequence[Group], *, require_all: bool) -> int:
    """The name's relevance, or 0 when it does not match (with ``require_all``, when any term
    misses)."""
    scores = [term_score(search_text, term, alternatives) for term, alternatives in groups]
    if require_all and not all(scores):
        return 0
    return sum(scores)


def prefix_postings(search_text: str) -> dict[str, int]:
    """Every prefix of every word of the name, with the name's score for it as a search term."""
    postings: dict[str, int] = {}
    for word in search_text.split():
        for end in range(1, len(word) + 1):
            prefix = word[:end]
            if prefix not in postings:
                postings[prefix] = term_score(search_text, prefix)
    return postings


def shortest_starts(words: Iterable[str]) -> tuple[str, ...]:
    """The words that no other of them starts: a word starting with "gabriela" starts with
    "gabriel" too, so the longer adds no match."""
    unique = sorted(set(words))
    return tuple(w for w in unique if not any(w != o and w.startswith(o) for o in unique))


@dataclass
class _ListState:
    # The highest score an unread entry of the list can have (0: nothing left to read).
    bound: int = BEST_TERM_SCORE
    # The id of the last entry read at `bound`; unread entries at `bound` have smaller ids.
    # None: none read at `bound` yet, so an unread one may have any id.
    last_id: uuid.UUID | None = None


@dataclass
class TopMatches:
    """The best ``k`` matches after ``after``, merged from one sorted list per search term."""

    k: int
    lists: int
    require_all: bool
    after: Position | None = None
    _states: list[_ListState] = field(init=False)
    _seen: set[uuid.UUID] = field(init=False, default_factory=set)
    _found: list[Position] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._states = [_ListState() for _ in range(self.lists)]

    def start_at(self, index: int, position: Position) -> None:
        """The list is read from just past ``position`` (its entries are in rank order)."""
        self._states[index] = _ListState(*position)

    def read(self, index: int, entries: Sequence[Position]) -> list[uuid.UUID]:
        """Note entries read from a list, in its order; returns the ids not seen before, which
        the caller scores and passes to `add`."""
        if entries:
            self._states[index] = _ListState(*entries[-1])
        fresh = [entry_id for _, entry_id in entries if entry_id not in self._seen]
        self._seen.update(fresh)
        return list(dict.fromkeys(fresh))

    def lower_bound(self, index: int, bound: int) -> None:
        """The list's remaining entries score at most ``bound``, in id order from the top (the
        start of its typo section), or 0 when it is exhausted."""
        self._states[index] = _ListState(bound)

    def add(self, entry_id: uuid.UUID, score: int) -> None:
        position = (score, entry_id)
        if score > 0 and (self.after is None or position < self.after):
            self._found.append(position)

    def complete(self) -> bool:
        bounds = [state.bound for state in self._states]
        if self.require_all and 0 in bounds:
            return True  # an unread name would miss that list's term
        threshold = sum(bounds)
        best = self.best()
        if len(best) < self.k:
            return threshold == 0
        kth_score, kth_id = best[-1]
        if threshold != kth_score:
            return threshold < kth_score
        # A tie must be unread in every list at its bound, so below each list's last id there.
        last_ids = [state.last_id for state in self._states if state.bound > 0]
        return any(last is not None and last <= kth_id for last in last_ids)

    def best(self) -> list[Position]:
        self._found = sorted(self._found, reverse=True)[: self.k]
        return self._found
