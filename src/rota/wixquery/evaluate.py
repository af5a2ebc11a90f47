"""The reference meaning of a WQL filter and sort, evaluated in Python over one record.

Pure: no I/O. This is the oracle the SQL compiler is tested against and the place where the
semantics are written down; nothing on a hot path calls it. A record maps a field path to its
value: `str` (GUIDs as lowercase strings), `bool`, `int`, aware `datetime`, `list[str]`, or
`None`/missing, and "missing" and `None` mean the same thing everywhere.

Filter semantics:
- `$eq v`: equal. `$eq null` matches missing/None. On an array a scalar means "contains" and a
  list means "is exactly this array" (same items, same order).
- `$ne v`: not `$eq v`, so it also matches missing/None (`$ne null` = present).
- `$gt $gte $lt $lte`: never match missing/None. Strings compare by code point (case-sensitive).
- `$in`: equal to one of the items (never None). `$nin`: not `$in`, so matches missing/None.
- `$startsWith p`: a string that starts with `p`, ignoring case.
- `$exists true`: present and not None; `$exists false`: missing or None.
- `$isEmpty true`: missing, None, `""` or `[]`; `$isEmpty false`: the opposite.
- `$hasSome`/`$hasAll`: an array containing at least one / every item; never missing/None.
- `And`, `Or`, `Not`, `MatchAll`: as in logic; `Not` is plain negation (two-valued, no NULLs).

Sort semantics: keys apply in order; a missing/None value sorts before every value (ASC puts
nulls first, DESC puts them last) and `id` ascending is appended as the final tie-breaker, so
the order is total and keyset paging is exact. A caller may append the id itself instead
(`with_tiebreaker(keys, follow_last=True)`), in the direction of the last key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rota.wixquery.ast import And, Comparison, MatchAll, Node, Not, Or, SortKey
from rota.wixquery.fields import (
    EQ,
    EXISTS,
    GT,
    GTE,
    HAS_ALL,
    HAS_SOME,
    IN,
    IS_EMPTY,
    LT,
    LTE,
    NE,
    NIN,
    STARTS_WITH,
)


def matches(node: Node, record: Mapping[str, object]) -> bool:
    match node:
        case MatchAll():
            return True
        case Comparison():
            return _compare(node, _get(record, node.field))
        case And(items=items):
            return all(matches(item, record) for item in items)
        case Or(items=items):
            return any(matches(item, record) for item in items)
        case Not(item=item):
            return not matches(item, record)
    raise TypeError(f"not a filter node: {node!r}")


def with_tiebreaker(
    keys: Sequence[SortKey], id_field: str = "id", *, follow_last: bool = False
) -> tuple[SortKey, ...]:
    """`keys` plus `id` unless already present: a total order for keyset paging.

    The id is ascending, or with `follow_last` in the direction of the last key: then
    `created DESC, id DESC` is one index on (created, id) read backwards, where
    `created DESC, id ASC` needs a sort. The result already holds the id, so every function here
    takes it as it is; the cursor values (`sort_values`) are the same either way.
    """
    keys = tuple(keys)
    if any(key.field == id_field for key in keys):
        return keys
    descending = follow_last and bool(keys) and keys[-1].descending
    return (*keys, SortKey(id_field, descending=descending))


def sort_values(
    keys: Sequence[SortKey], record: Mapping[str, object], *, id_field: str = "id"
) -> tuple[object, ...]:
    """The record's values for `with_tiebreaker(keys)`: what a cursor stores as `after`."""
    return tuple(_get(record, key.field) for key in with_tiebreaker(keys, id_field))


def sort_key(
    keys: Sequence[SortKey], record: Mapping[str, object], *, id_field: str = "id"
) -> tuple[Any, ...]:
    """A `sorted()` key giving the documented order, nulls smallest, id as tie-breaker."""
    parts: list[Any] = []
    for key in with_tiebreaker(keys, id_field):
        value = _get(record, key.field)
        part = (0,) if value is None else (1, value)
        parts.append(_Reversed(part) if key.descending else part)
    return tuple(parts)


class _Reversed:
    """Inverts the order of a sort component, for DESC keys of any comparable type."""

    __slots__ = ("inner",)

    def __init__(self, inner: tuple[Any, ...]) -> None:
        self.inner = inner

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.inner == other.inner

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.inner < self.inner)

    __hash__ = None  # type: ignore[assignment]


def _get(record: Mapping[str, object], path: str) -> object:
    value = record.get(path)
    return str(value) if isinstance(value, uuid.UUID) else value


def _compare(node: Comparison, actual: object) -> bool:
    op, expected = node.op, node.value
    if op == EQ:
        return _equals(actual, expected)
    if op == NE:
        return not _equals(actual, expected)
    if op == IN:
        return _is_in(actual, expected)
    if op == NIN:
        return not _is_in(actual, expected)
    if op == EXISTS:
        return (actual is not None) == expected
    if op == IS_EMPTY:
        return (actual is None or actual == "" or actual == []) == expected
    if op == STARTS_WITH:
        assert isinstance(expected, str)
        return isinstance(actual, str) and actual.lower().startswith(expected.lower())
    if op in (HAS_SOME, HAS_ALL):
        assert isinstance(expected, tuple)
        if not isinstance(actual, list):
            return False
        test = any if op == HAS_SOME else all
        return test(item in actual for item in expected)
    if actual is None:
        return False
    left: Any = actual
    if op == GT:
        return bool(left > expected)
    if op == GTE:
        return bool(left >= expected)
    if op == LT:
        return bool(left < expected)
    if op == LTE:
        return bool(left <= expected)
    raise ValueError(f"unknown operator {op!r}")


def _equals(actual: object, expected: object) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(actual, list):
        if isinstance(expected, tuple):
            return actual == list(expected)
        return expected in actual
    return actual == expected


def _is_in(actual: object, expected: object) -> bool:
    assert isinstance(expected, tuple)
    return actual is not None and actual in expected
