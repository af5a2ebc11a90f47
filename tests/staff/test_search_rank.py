"""The pure parts of ranked search: term scores, prefix postings and when a merge may stop."""

from __future__ import annotations

import uuid

from rota.staff.search_rank import (
    TYPO,
    TopMatches,
    prefix_postings,
    shortest_starts,
    term_score,
    text_score,
)


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def test_term_score_ranks_whole_words_then_prefixes_then_typos_with_a_start_bonus() -> None:
    assert term_score("maria lopez", "maria") == 5
    assert term_score("maria lopez", "lopez") == 4
    assert term_score("maria lopez", "mar") == 4  # a prefix of the first word
    assert term_score("ana maria", "mar") == 3
    assert term_score("ana maria", "mra", ("maria",)) == TYPO
    assert term_score("ana maria", "mar", ("maria",)) == 3  # the term itself wins
    assert term_score("ana maria", "ria") == 0
    assert term_score("", "a") == 0


def test_text_score_sums_terms_and_requires_all_when_asked() -> None:
    groups = (("ana", ()), ("zoe", ()))
    assert text_score("ana maria", groups, require_all=False) == 5
    assert text_score("ana maria", groups, require_all=True) == 0
    assert text_score("ana zoe", groups, require_all=True) == 9


def test_prefix_postings_hold_every_word_prefix_scored_as_a_term() -> None:
    assert prefix_postings("mar maria") == {"m": 4, "ma": 4, "mar": 5, "mari": 3, "maria": 4}
    assert prefix_postings("") == {}


def test_one_list_completes_once_k_are_found_in_its_order() -> None:
    top = TopMatches(k=2, lists=1, require_all=False)
    fresh = top.read(0, [(5, _id(9)), (4, _id(8))])
    assert fresh == [_id(9), _id(8)]
    top.add(_id(9), 5)
    assert not top.complete()  # one found, and unread entries may still score 4
    top.add(_id(8), 4)
    assert top.complete()  # unread entries at 4 have ids below 8: they rank after it
    assert top.best() == [(5, _id(9)), (4, _id(8))]


def test_a_tie_with_the_kth_needs_every_list_read_past_its_id() -> None:
    top = TopMatches(k=1, lists=2, require_all=False)
    top.read(0, [(3, _id(5))])
    top.add(_id(5), 3)
    top.lower_bound(1, 0)  # the second list is exhausted: threshold 3 == the kth score
    assert top.complete()  # an unread 3 in list 0 has an id below 5
    other = TopMatches(k=1, lists=2, require_all=False)
    other.read(0, [(3, _id(5))])
    other.add(_id(5), 3)
    other.lower_bound(1, TYPO)  # a typo section not read yet: threshold 4 > 3
    assert not other.complete()


def test_a_tie_is_ruled_out_by_any_list_read_below_the_kth_id() -> None:
    top = TopMatches(k=1, lists=2, require_all=False)
    top.read(0, [(3, _id(50))])
    top.read(1, [(3, _id(2))])
    top.add(_id(50), 6)  # both lists name it... after a full score of 3 + 3
    top.lower_bound(0, 3)  # list 0 moved to its typo-free remainder at 3, ids unknown
    assert top.complete()  # an unread 6 is at 3 in list 1 too, so its id is below 2 < 50


def test_and_mode_stops_when_any_list_runs_out() -> None:
    top = TopMatches(k=5, lists=2, require_all=True)
    top.lower_bound(1, 0)
    assert top.complete()
    assert top.best() == []


def test_after_skips_what_earlier_pages_held() -> None:
    top = TopMatches(k=1, lists=1, require_all=False, after=(4, _id(7)))
    top.add(_id(9), 4)  # ranks before the cursor
    top.add(_id(3), 4)
    assert top.best() == [(4, _id(3))]


def test_a_tie_from_two_lists_waits_until_one_is_read_below_the_kth_id() -> None:
    top = TopMatches(k=1, lists=2, require_all=False)
    top.add(*top.read(0, [(5, _id(20))]), 5)
    top.add(*top.read(0, [(4, _id(90))]), 4)
    top.lower_bound(1, TYPO)
    top.add(*top.read(1, [(TYPO, _id(95))]), TYPO)
    # Unread, 4 in the first list and a typo in the second ties the best (5) with any id
    # below 90: 85 would rank first.
    assert not top.complete()
    top.read(0, [(4, _id(10))])
    assert top.complete()
    assert top.best() == [(5, _id(20))]


def test_alternatives_that_extend_another_add_nothing() -> None:
    assert shortest_starts(["gabriela", "gabriel", "gabrielle", "marco"]) == ("gabriel", "marco")
