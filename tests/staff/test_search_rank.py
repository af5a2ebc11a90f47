"""The pure parts of ranked search: term scores, prefix postings, typo stand-ins."""

from __future__ import annotations

from rota.staff.search_rank import TYPO, prefix_postings, shortest_starts, term_score


def test_term_score_ranks_whole_words_then_prefixes_then_typos_with_a_start_bonus() -> None:
    assert term_score("maria lopez", "maria") == 5
    assert term_score("maria lopez", "lopez") == 4
    assert term_score("maria lopez", "mar") == 4  # a prefix of the first word
    assert term_score("ana maria", "mar") == 3
    assert term_score("ana maria", "mra", ("maria",)) == TYPO
    assert term_score("ana maria", "mar", ("maria",)) == 3  # the term itself wins
    assert term_score("ana maria", "ria") == 0
    assert term_score("", "a") == 0


def test_prefix_postings_hold_every_word_prefix_scored_as_a_term() -> None:
    assert prefix_postings("mar maria") == {"m": 4, "ma": 4, "mar": 5, "mari": 3, "maria": 4}
    assert prefix_postings("") == {}


def test_alternatives_that_extend_another_add_nothing() -> None:
    assert shortest_starts(["gabriela", "gabriel", "gabrielle", "marco"]) == ("gabriel", "marco")
