"""Pure: how names are folded for search, how a search expression becomes terms, and which
dictionary words a mistyped term may have meant.

Folding is done here, once, at write time, so both databases index the same text: lower case,
accents removed (NFKD without combining marks), anything but letters and digits a word break.
The full-text indexes hold each folded word behind its site's 32 hex digits (`site_term`), so a
word-prefix lookup only ever meets the rows of one site, however many sites share the table.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable

MAX_TERMS = 10
MIN_FUZZY_LENGTH = 4


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def site_term(site_id: uuid.UUID, word: str) -> str:
    """A folded word (or word prefix) as the full-text indexes hold it for the site."""
    return site_id.hex + word


def site_tokens(site_id: uuid.UUID, search_text: str) -> str:
    """What the full-text indexes index for a folded name: its words as site terms, space
    separated (the `search_tokens` column)."""
    return " ".join(site_term(site_id, word) for word in search_text.split())


def search_terms(expression: str) -> list[str]:
    """The distinct folded words of a search expression, at most MAX_TERMS, in order."""
    return list(dict.fromkeys(fold(expression).split()))[:MAX_TERMS]


def allowed_typos(term: str) -> int:
    """Edits tolerated for a term: none below 4 letters (too many false friends), then one,
    and two from 8 letters on."""
    if len(term) < MIN_FUZZY_LENGTH:
        return 0
    return 1 if len(term) < 8 else 2


def edit_distance(left: str, right: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), cut off
    at ``limit + 1`` so hopeless pairs stop early."""
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                best = min(best, previous_previous[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def typo_candidates(term: str, dictionary: Iterable[str]) -> list[str]:
    """Dictionary words the term may be a mistyped prefix of (distance measured against the
    word's start of similar length), excluding words the term already prefixes."""
    limit = allowed_typos(term)
    if limit == 0:
        return []
    found = []
    for word in dictionary:
        if word.startswith(term):
            continue
        heads = {word[: len(term) + delta] for delta in range(-limit, limit + 1)}
        if any(edit_distance(term, head, limit) <= limit for head in heads if head):
            found.append(word)
    return sorted(found)


def dictionary_prefixes(term: str) -> list[str]:
    """Starts a candidate word must have: a typo rarely hits both of the first two letters, so
    words starting with either (the second covers a dropped or swapped first letter) suffice."""
    return sorted({term[0], term[1]}) if len(term) >= 2 else [term]
