"""Hypothesis strategies shared by the wixquery tests: a probe field table, filters, sorts, rows.

Two value modes: `wide` draws any value the parser accepts (for round-trip properties); narrow
draws from small pools so that filters and rows collide often (for evaluator-vs-database
properties), and avoids what the databases legitimately disagree on: non-ASCII cased letters
(SQLite folds ASCII only), NUL and surrogates (PostgreSQL text rejects them).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from rota.wixquery import And, Comparison, FieldKind, FieldSpec, FieldTable, MatchAll, Not, Or
from rota.wixquery.ast import Node, SortKey
from rota.wixquery.fields import (
    EXISTS,
    HAS_ALL,
    HAS_SOME,
    IN,
    IS_EMPTY,
    NIN,
    OPERATORS_BY_KIND,
    STARTS_WITH,
)


def _spec(path: str, kind: FieldKind) -> FieldSpec:
    return FieldSpec(
        path, kind, OPERATORS_BY_KIND[kind], sortable=kind is not FieldKind.STRING_ARRAY
    )


# Every kind, every operator it can take, dotted paths included.
PROBE_FIELDS = FieldTable(
    [
        _spec("id", FieldKind.GUID),
        _spec("title", FieldKind.STRING),
        _spec("note", FieldKind.STRING),
        _spec("ref", FieldKind.GUID),
        _spec("owner.id", FieldKind.GUID),
        _spec("meta.created", FieldKind.DATETIME),
        _spec("flag", FieldKind.BOOL),
        _spec("meta.rank", FieldKind.INT),
        _spec("tags", FieldKind.STRING_ARRAY),
    ]
)

STRINGS = ("", "a", "A", "ab", "aB", "abc", "b", "b%", "b_c", "b\\c", "bc", "zeta", "ß", "日本")
PREFIXES = ("", "a", "A", "ab", "b%", "b_", "b\\", "B", "z", "ß", "日", "%", "_")
GUIDS = tuple(
    str(uuid.UUID(int=n))
    for n in (
        0x0F000000_0000_4000_8000_000000000001,
        0x0F000000_0000_4000_8000_000000000002,
        0x0FA00000_0000_4000_8000_000000000000,
        0xFFFFFFFF_0000_4000_8000_000000000000,
    )
)
DATETIMES = (
    datetime(2024, 1, 1, tzinfo=UTC),
    datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2024, 8, 28, 13, 22, 32, 784000, tzinfo=UTC),
)
TAGS = ("a", "b", "c", "A")

# No uppercase non-ASCII letter: lower() of everything here is the same in Python, SQLite and
# PostgreSQL. Multi-byte characters check that byte order and code-point order agree.
_SAFE_TEXT = st.text(alphabet=st.sampled_from("abcABZz%_\\ -.éß日本😀~"), max_size=4)

# Any code point (surrogates and NUL included: parse/render must not care). Built from integers
# because st.text() first builds Hypothesis' Unicode tables, which is slow on a cold cache.
_ANY_TEXT = st.lists(
    st.integers(0, 0x10FFFF).map(chr) | st.sampled_from("aA%_\\$."), max_size=8
).map("".join)


def scalars(kind: FieldKind, *, wide: bool) -> st.SearchStrategy[Any]:
    """A comparison operand for `kind` in its parsed form (GUIDs lowercase, UTC datetimes)."""
    if kind in (FieldKind.STRING, FieldKind.STRING_ARRAY):
        if wide:
            return _ANY_TEXT
        pool = STRINGS if kind is FieldKind.STRING else TAGS
        return st.sampled_from(pool) | _SAFE_TEXT
    if kind is FieldKind.GUID:
        return st.sampled_from(GUIDS) | st.uuids().map(str)
    if kind is FieldKind.DATETIME:
        if wide:
            return st.datetimes(timezones=st.just(UTC))
        return st.sampled_from(DATETIMES) | st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        )
    if kind is FieldKind.BOOL:
        return st.booleans()
    if wide:
        return st.integers(-(2**63), 2**63 - 1)
    return st.integers(-3, 8)


def prefixes(kind: FieldKind, *, wide: bool) -> st.SearchStrategy[str]:
    if kind is FieldKind.GUID:
        return st.tuples(st.sampled_from(GUIDS) | st.uuids().map(str), st.integers(0, 36)).map(
            lambda pair: pair[0][: pair[1]]
        )
    if wide:
        return _ANY_TEXT
    return st.sampled_from(PREFIXES) | _SAFE_TEXT


def operands(spec: FieldSpec, op: str, *, wide: bool) -> st.SearchStrategy[Any]:
    scalar = scalars(spec.kind, wide=wide)
    if op in (EXISTS, IS_EMPTY):
        return st.booleans()
    if op == STARTS_WITH:
        return prefixes(spec.kind, wide=wide)
    if op in (IN, NIN, HAS_SOME, HAS_ALL):
        return st.lists(scalar, min_size=1, max_size=4).map(tuple)
    if op in ("$eq", "$ne"):
        if spec.kind is FieldKind.STRING_ARRAY:
            return scalar | st.lists(scalar, max_size=3).map(tuple) | st.none()
        return scalar | st.none()
    return scalar


@st.composite
def comparisons(draw: st.DrawFn, table: FieldTable, *, wide: bool) -> Comparison:
    spec = draw(st.sampled_from(list(table)))
    op = draw(st.sampled_from(sorted(spec.operators)))
    return Comparison(spec.path, op, draw(operands(spec, op, wide=wide)))


def filters(table: FieldTable, *, wide: bool, max_leaves: int = 6) -> st.SearchStrategy[Node]:
    """Random filter trees; narrow ones leave out `MatchAll`, which tests nothing in SQL."""
    leaves: st.SearchStrategy[Node] = comparisons(table, wide=wide)
    if wide:
        leaves = leaves | st.just(MatchAll())

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        items = st.lists(children, min_size=1, max_size=3).map(tuple)
        return items.map(And) | items.map(Or) | children.map(Not)

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def sorts(table: FieldTable, *, max_size: int = 3) -> st.SearchStrategy[tuple[SortKey, ...]]:
    keys = st.builds(SortKey, st.sampled_from(table.sortable_paths), st.booleans())
    return st.lists(keys, max_size=max_size, unique_by=lambda key: key.field).map(tuple)


def records() -> st.SearchStrategy[dict[str, Any]]:
    """A probe record keyed by field path, in the evaluator's representation."""
    narrow = False
    return st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "title": scalars(FieldKind.STRING, wide=narrow),
            "note": st.none() | scalars(FieldKind.STRING, wide=narrow),
            "ref": st.none() | scalars(FieldKind.GUID, wide=narrow),
            "owner.id": st.none() | scalars(FieldKind.GUID, wide=narrow),
            "meta.created": st.none() | scalars(FieldKind.DATETIME, wide=narrow),
            "flag": st.none() | st.booleans(),
            "meta.rank": st.none() | scalars(FieldKind.INT, wide=narrow),
            "tags": st.none() | st.lists(st.sampled_from(TAGS), max_size=3),
        }
    )


def record_lists(min_size: int = 0, max_size: int = 14) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        records(), min_size=min_size, max_size=max_size, unique_by=lambda record: record["id"]
    )
