"""Pure: how well a folded staff name matches a search term, and the prefix postings that list a
term's matches in rank order.

Relevance is per term: 4 when a word of the name is the term, 3 when a word starts with it, 1
when a word starts with one of its typo stand-ins, plus 1 when the name starts with the term;
a name's score is the sum over the terms (the repository's SQL `relevance` is the same rule).

A posting is (prefix, score) for every prefix of every word of a name, scored as if that prefix
were the search term. Read in (score, id) descending order, a term's postings are its matches in
rank order (ties go to the larger id, as the keyset-paged SQL ranks them); the names its typo
stand-ins start a word of follow, all at 1, in id descending order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

WHOLE_WORD = 4
WORD_PREFIX = 3
TYPO = 1
NAME_START = 1
# The scores a posting can have: its prefix is at least the start of a word.
POSTING_SCORES = (WHOLE_WORD + NAME_START, WHOLE_WORD, WORD_PREFIX)

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
