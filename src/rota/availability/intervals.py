"""Pure: set algebra on half-open intervals ``[start, end)``.

No I/O. A set of instants is represented by its *normal form*: a tuple of non-empty intervals
sorted by start, pairwise disjoint and not touching (``[1, 2)`` and ``[2, 3)`` merge into
``[1, 3)``). Every function returns the normal form, so two representations of the same set
compare equal and the usual set laws hold with ``==``. Each operation is one sorted sweep:
O(n log n) for ``normalize``, O(n + m) for the others on normal-form inputs.

Works for any totally ordered endpoint type; Rota uses aware UTC datetimes, the tests use ints.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

T = TypeVar("T", int, datetime)


def normalize(intervals: Iterable[tuple[T, T]]) -> tuple[tuple[T, T], ...]:
    """The union of ``intervals`` in normal form; empty and inverted intervals are dropped."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def union(a: Iterable[tuple[T, T]], b: Iterable[tuple[T, T]]) -> tuple[tuple[T, T], ...]:
    combined: list[tuple[T, T]] = list(a)
    combined.extend(b)
    return normalize(combined)


def intersect(a: tuple[tuple[T, T], ...], b: tuple[tuple[T, T], ...]) -> tuple[tuple[T, T], ...]:
    """``a ∩ b`` for normal-form inputs."""
    result: list[tuple[T, T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


def subtract(a: tuple[tuple[T, T], ...], b: tuple[tuple[T, T], ...]) -> tuple[tuple[T, T], ...]:
    """``a - b`` for normal-form inputs: the parts of ``a`` no interval of ``b`` covers."""
    result: list[tuple[T, T]] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                result.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return tuple(result)


def clip(a: tuple[tuple[T, T], ...], start: T, end: T) -> tuple[tuple[T, T], ...]:
    """``a ∩ [start, end)``."""
    return intersect(a, ((start, end),)) if start < end else ()
