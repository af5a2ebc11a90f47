"""Interval algebra: each operation agrees with plain sets of integer points, and the set laws."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from rota.availability.intervals import clip, intersect, normalize, subtract, union

raw_intervals = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12)
normal = raw_intervals.map(normalize)
PROPERTY = settings(max_examples=200, deadline=None)


def points(intervals: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> set[int]:
    return {p for start, end in intervals for p in range(start, end)}


def is_normal(intervals: tuple[tuple[int, int], ...]) -> bool:
    return all(s < e for s, e in intervals) and all(
        a[1] < b[0] for a, b in itertools.pairwise(intervals)
    )


@PROPERTY
@given(raw_intervals)
def test_normalize_keeps_the_points_in_normal_form(raw: list[tuple[int, int]]) -> None:
    result = normalize(raw)
    assert is_normal(result)
    assert points(result) == points(raw)
    assert normalize(result) == result


@PROPERTY
@given(normal, normal)
def test_operations_match_sets_of_points(
    a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]
) -> None:
    for result, expected in (
        (union(a, b), points(a) | points(b)),
        (intersect(a, b), points(a) & points(b)),
        (subtract(a, b), points(a) - points(b)),
    ):
        assert is_normal(result)
        assert points(result) == expected


@PROPERTY
@given(normal, normal, normal)
def test_set_laws(
    a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...], c: tuple[tuple[int, int], ...]
) -> None:
    assert union(a, b) == union(b, a)
    assert intersect(a, b) == intersect(b, a)
    assert union(union(a, b), c) == union(a, union(b, c))
    assert intersect(a, union(b, c)) == union(intersect(a, b), intersect(a, c))
    assert subtract(a, union(b, c)) == subtract(subtract(a, b), c)
    assert union(subtract(a, b), intersect(a, b)) == a
    assert intersect(subtract(a, b), b) == ()
    assert subtract(a, a) == ()
    assert union(a, ()) == a
    assert intersect(a, ()) == ()


def test_touching_intervals_merge_and_clip_cuts_at_both_ends() -> None:
    assert normalize([(2, 3), (1, 2), (5, 5), (7, 6)]) == ((1, 3),)
    assert clip(((0, 10), (20, 30)), 5, 25) == ((5, 10), (20, 25))
    assert clip(((0, 10),), 5, 5) == ()
