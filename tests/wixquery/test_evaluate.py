from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.wixquery import (
    And,
    Comparison,
    MatchAll,
    Node,
    Not,
    Or,
    SortKey,
    matches,
    parse_filter,
    sort_key,
    sort_values,
    with_tiebreaker,
)

from .strategies import PROBE_FIELDS, filters, record_lists, records, sorts

T1 = datetime(2024, 1, 1, tzinfo=UTC)

FULL = {"title": "Abc", "meta.rank": 3, "meta.created": T1, "tags": ["a", "b"], "flag": False}
NULLS: dict[str, object] = {"title": None, "meta.rank": None, "tags": None, "flag": None}
MISSING: dict[str, object] = {}
BLANK = {"title": "", "tags": []}


def check(raw: dict[str, Any], record: dict[str, object]) -> bool:
    return matches(parse_filter(raw, PROBE_FIELDS), record)


@pytest.mark.parametrize(
    ("raw", "full", "nulls", "missing"),
    [
        ({"title": "Abc"}, True, False, False),
        ({"title": "abc"}, False, False, False),
        ({"title": None}, False, True, True),
        ({"title": {"$ne": "Abc"}}, False, True, True),
        ({"title": {"$ne": "x"}}, True, True, True),
        ({"title": {"$ne": None}}, True, False, False),
        ({"meta.rank": {"$gt": 2}}, True, False, False),
        ({"meta.rank": {"$gte": 3}}, True, False, False),
        ({"meta.rank": {"$lt": 3}}, False, False, False),
        ({"meta.rank": {"$lte": 3}}, True, False, False),
        ({"meta.created": {"$lt": "2024-06-01T00:00:00Z"}}, True, False, False),
        ({"meta.rank": {"$in": [1, 3]}}, True, False, False),
        ({"meta.rank": {"$nin": [1, 3]}}, False, True, True),
        ({"meta.rank": {"$nin": [1]}}, True, True, True),
        ({"title": {"$startsWith": "aB"}}, True, False, False),
        ({"title": {"$startsWith": "b"}}, False, False, False),
        ({"title": {"$exists": True}}, True, False, False),
        ({"title": {"$exists": False}}, False, True, True),
        ({"title": {"$isEmpty": True}}, False, True, True),
        ({"title": {"$isEmpty": False}}, True, False, False),
        ({"flag": False}, True, False, False),
        ({"flag": {"$ne": True}}, True, True, True),
        ({"tags": "a"}, True, False, False),
        ({"tags": "c"}, False, False, False),
        ({"tags": ["a", "b"]}, True, False, False),
        ({"tags": ["b", "a"]}, False, False, False),
        ({"tags": {"$ne": "a"}}, False, True, True),
        ({"tags": {"$hasSome": ["c", "b"]}}, True, False, False),
        ({"tags": {"$hasAll": ["a", "c"]}}, False, False, False),
        ({"tags": {"$hasAll": ["b", "a"]}}, True, False, False),
        ({"tags": {"$isEmpty": True}}, False, True, True),
        ({"tags": {"$exists": True}}, True, False, False),
    ],
)
def test_operator_semantics(raw: dict[str, Any], full: bool, nulls: bool, missing: bool) -> None:
    assert (check(raw, FULL), check(raw, NULLS), check(raw, MISSING)) == (full, nulls, missing)


def test_empty_string_and_array_are_empty_but_exist() -> None:
    assert check({"title": {"$isEmpty": True}, "tags": {"$isEmpty": True}}, BLANK)
    assert check({"title": {"$exists": True}, "tags": {"$exists": True}}, BLANK)
    assert check({"tags": []}, BLANK)
    assert not check({"tags": {"$hasSome": ["a"]}}, BLANK)


def test_guid_records_may_hold_uuid_objects() -> None:
    value = uuid.uuid4()
    assert check({"id": str(value).upper()}, {"id": value})


def test_logic() -> None:
    yes, no = Comparison("flag", "$eq", False), Comparison("flag", "$eq", True)
    assert matches(MatchAll(), MISSING)
    assert matches(And((yes, Not(no))), FULL)
    assert not matches(And((yes, no)), FULL)
    assert matches(Or((no, yes)), FULL)
    assert not matches(Or((no,)), FULL)
    assert matches(Not(Comparison("meta.rank", "$gt", 5)), NULLS)


def test_tiebreaker_is_appended_once() -> None:
    assert with_tiebreaker(()) == (SortKey("id"),)
    keys = (SortKey("title", True),)
    assert with_tiebreaker(keys) == (SortKey("title", True), SortKey("id"))
    keys = (SortKey("id", True), SortKey("title"))
    assert with_tiebreaker(keys) == keys
    assert with_tiebreaker((), id_field="pk") == (SortKey("pk"),)


def test_tiebreaker_may_follow_the_last_key() -> None:
    assert with_tiebreaker((), follow_last=True) == (SortKey("id"),)
    keys = (SortKey("title", True),)
    assert with_tiebreaker(keys, follow_last=True) == (*keys, SortKey("id", True))
    keys = (SortKey("title", True), SortKey("note"))
    assert with_tiebreaker(keys, follow_last=True) == (*keys, SortKey("id"))
    keys = (SortKey("id"), SortKey("title", True))
    assert with_tiebreaker(keys, follow_last=True) == keys


def test_nulls_sort_first_ascending_and_last_descending() -> None:
    rows = [
        {"id": "3", "meta.rank": 2},
        {"id": "1", "meta.rank": None},
        {"id": "2"},
        {"id": "4", "meta.rank": 1},
    ]
    up = sorted(rows, key=lambda r: sort_key((SortKey("meta.rank"),), r))
    down = sorted(rows, key=lambda r: sort_key((SortKey("meta.rank", True),), r))
    assert [r["id"] for r in up] == ["1", "2", "4", "3"]
    assert [r["id"] for r in down] == ["3", "4", "1", "2"]
    assert sort_values((SortKey("meta.rank"),), rows[0]) == (2, "3")


@given(filters(PROBE_FIELDS, wide=False), records())
def test_not_is_negation(node: Node, record: dict[str, Any]) -> None:
    assert matches(Not(node), record) is not matches(node, record)


@given(sorts(PROBE_FIELDS), record_lists())
def test_reversing_every_key_reverses_the_order(
    keys: tuple[SortKey, ...], rows: list[dict[str, Any]]
) -> None:
    full = with_tiebreaker(keys)
    flipped = tuple(SortKey(key.field, not key.descending) for key in full)
    forward = sorted(rows, key=lambda r: sort_key(full, r))
    backward = sorted(rows, key=lambda r: sort_key(flipped, r))
    assert backward == forward[::-1]


@given(sorts(PROBE_FIELDS), record_lists(), st.randoms(use_true_random=False))
def test_order_is_total(
    keys: tuple[SortKey, ...], rows: list[dict[str, Any]], shuffler: random.Random
) -> None:
    shuffled = list(rows)
    shuffler.shuffle(shuffled)
    by_key = sorted(rows, key=lambda r: sort_key(keys, r))
    assert sorted(shuffled, key=lambda r: sort_key(keys, r)) == by_key
