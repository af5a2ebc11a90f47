from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.staff.query_fields import (
    BUSINESS_LOCATION_IDS,
    BUSINESS_LOCATIONS,
    STAFF_QUERY_FIELDS,
    STAFF_SEARCH_FIELDS,
    STAFF_SEARCHABLE_FIELDS,
)
from rota.wixquery import (
    And,
    Comparison,
    FieldKind,
    FieldSpec,
    FieldTable,
    MatchAll,
    Not,
    Or,
    QueryError,
    SortKey,
    parse_filter,
    parse_sort,
    render_filter,
    render_sort,
    render_timestamp,
)

from .strategies import PROBE_FIELDS, filters, sorts

GUID = "0f000000-0000-4000-8000-000000000001"
USER = "associatedWixIdentity.identificationData.wixUserId"


def parse(raw: object) -> object:
    return parse_filter(raw, PROBE_FIELDS)


def rejected(raw: object, table: FieldTable = PROBE_FIELDS) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_filter(raw, table)
    return caught.value


def sort_rejected(raw: object, table: FieldTable = PROBE_FIELDS, **kw: Any) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_sort(raw, table, **kw)
    return caught.value


# --- filter shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, {}])
def test_empty_filter_matches_all(raw: object) -> None:
    assert parse(raw) == MatchAll()


def test_bare_value_is_implicit_eq() -> None:
    assert parse({"title": "a"}) == Comparison("title", "$eq", "a")


def test_several_operators_on_one_field_are_anded_in_order() -> None:
    assert parse({"meta.rank": {"$gt": 1, "$lte": 5}}) == And(
        (Comparison("meta.rank", "$gt", 1), Comparison("meta.rank", "$lte", 5))
    )


def test_several_fields_are_anded_in_order() -> None:
    assert parse({"title": "a", "flag": True}) == And(
        (Comparison("title", "$eq", "a"), Comparison("flag", "$eq", True))
    )


def test_nested_object_form_equals_dotted_path() -> None:
    nested = parse({"meta": {"rank": {"$gte": 2}, "created": {"$exists": True}}})
    dotted = parse({"meta.rank": {"$gte": 2}, "meta.created": {"$exists": True}})
    assert nested == dotted
    assert nested == And(
        (Comparison("meta.rank", "$gte", 2), Comparison("meta.created", "$exists", True))
    )


def test_nested_object_form_for_staff_identity() -> None:
    raw = {"associatedWixIdentity": {"identificationData": {"wixUserId": GUID}}}
    assert parse_filter(raw, STAFF_QUERY_FIELDS) == Comparison(USER, "$eq", GUID)


def test_logical_operators() -> None:
    node = parse({"$or": [{"title": "a"}, {"$not": {"flag": True}}], "$and": [{"note": None}]})
    assert node == And(
        (
            Or((Comparison("title", "$eq", "a"), Not(Comparison("flag", "$eq", True)))),
            And((Comparison("note", "$eq", None),)),
        )
    )


def test_not_of_empty_filter_matches_nothing() -> None:
    assert parse({"$not": {}}) == Not(MatchAll())


# --- values by kind --------------------------------------------------------------------------


def test_null_means_missing_for_eq_and_ne() -> None:
    assert parse({"note": None}) == Comparison("note", "$eq", None)
    assert parse({"note": {"$ne": None}}) == Comparison("note", "$ne", None)


def test_guid_is_lowercased() -> None:
    assert parse({"id": GUID.upper()}) == Comparison("id", "$eq", GUID)


@pytest.mark.parametrize("value", ["abc", GUID.replace("-", ""), f"{{{GUID}}}", 7])
def test_guid_must_be_canonical(value: object) -> None:
    error = rejected({"id": value})
    assert (error.rule, error.field) == ("INVALID_VALUE", "filter.id")
    assert "'id'" in error.message
    assert "'$eq'" in error.message
    assert "GUID" in error.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-08-28T13:22:32.784Z", datetime(2024, 8, 28, 13, 22, 32, 784000, tzinfo=UTC)),
        ("2024-08-28T15:22:32+02:00", datetime(2024, 8, 28, 13, 22, 32, tzinfo=UTC)),
    ],
)
def test_datetime_parses_to_aware_utc(raw: str, expected: datetime) -> None:
    node = parse({"meta.created": {"$gt": raw}})
    assert node == Comparison("meta.created", "$gt", expected)
    assert isinstance(node, Comparison)
    assert isinstance(node.value, datetime)
    assert node.value.tzinfo is UTC


@pytest.mark.parametrize("value", ["2024-08-28T13:22:32", "yesterday", 1724851352, None])
def test_datetime_needs_iso_string_with_zone(value: object) -> None:
    error = rejected({"meta.created": {"$lt": value}})
    assert (error.rule, error.field) == ("INVALID_VALUE", "filter.meta.created")
    assert "'$lt'" in error.message
    assert "ISO-8601" in error.message


@pytest.mark.parametrize("value", [1, "true", None])
def test_bool_range_and_type(value: object) -> None:
    assert rejected({"flag": {"$in": [value]}}).rule == "INVALID_VALUE"


@pytest.mark.parametrize("value", [True, 1.5, "3", 2**63])
def test_int_must_be_a_64_bit_integer(value: object) -> None:
    assert rejected({"meta.rank": value}).rule == "INVALID_VALUE"


def test_in_and_nin_take_lists_as_tuples() -> None:
    assert parse({"title": {"$in": ["a", "b"]}}) == Comparison("title", "$in", ("a", "b"))
    assert parse({"ref": {"$nin": [GUID.upper()]}}) == Comparison("ref", "$nin", (GUID,))


@pytest.mark.parametrize("value", [[], "a", ["a", None], ["a", 1], ["a"] * 101])
def test_list_operands_are_checked(value: object) -> None:
    error = rejected({"title": {"$in": value}})
    assert error.rule == "INVALID_VALUE"
    assert "non-empty array of at most 100 items" in error.message


def test_list_operands_may_hold_100_items() -> None:
    assert parse({"title": {"$in": ["a"] * 100}}) == Comparison("title", "$in", ("a",) * 100)


@pytest.mark.parametrize("op", ["$exists", "$isEmpty"])
def test_exists_and_is_empty_take_booleans(op: str) -> None:
    assert parse({"title": {op: False}}) == Comparison("title", op, False)
    error = rejected({"title": {op: "yes"}})
    assert error.rule == "INVALID_VALUE"
    assert "true or false" in error.message


def test_starts_with_takes_a_string() -> None:
    assert parse({"title": {"$startsWith": "Ab%"}}) == Comparison("title", "$startsWith", "Ab%")
    assert rejected({"title": {"$startsWith": 1}}).rule == "INVALID_VALUE"


def test_guid_prefix_is_lowercased_and_checked() -> None:
    assert parse({"id": {"$startsWith": "0F000000-00"}}) == Comparison(
        "id", "$startsWith", "0f000000-00"
    )
    for bad in ("0f0000000", "xyz", GUID + "0"):
        assert rejected({"id": {"$startsWith": bad}}).rule == "INVALID_VALUE"


def test_array_scalar_means_contains_and_list_means_exact() -> None:
    assert parse({"tags": "a"}) == Comparison("tags", "$eq", "a")
    assert parse({"tags": ["a", "b"]}) == Comparison("tags", "$eq", ("a", "b"))
    assert parse({"tags": []}) == Comparison("tags", "$eq", ())
    assert parse({"tags": {"$ne": ["a"]}}) == Comparison("tags", "$ne", ("a",))
    assert parse({"tags": {"$hasAll": ["a", "b"]}}) == Comparison("tags", "$hasAll", ("a", "b"))


@pytest.mark.parametrize("op", ["$gt", "$gte", "$lt", "$lte", "$startsWith"])
def test_null_only_for_eq_and_ne(op: str) -> None:
    assert rejected({"title": {op: None}}).rule == "INVALID_VALUE"


# --- filter errors ---------------------------------------------------------------------------


def test_unsupported_operator_names_field_operator_and_allowed() -> None:
    error = rejected({"name": {"$gt": "a"}}, STAFF_QUERY_FIELDS)
    assert error.rule == "UNSUPPORTED_OPERATOR"
    assert error.field == "filter.name"
    assert error.message == (
        "Field 'name' does not support operator '$gt'; allowed: $eq, $exists, $in, $ne, $nin"
    )


def test_unknown_operator_is_unsupported() -> None:
    error = rejected({"title": {"$contains": "a"}})
    assert error.rule == "UNSUPPORTED_OPERATOR"
    assert "'$contains'" in error.message
    assert "$startsWith" in error.message


def test_implicit_eq_on_field_without_eq_is_unsupported() -> None:
    error = rejected({BUSINESS_LOCATION_IDS: "x"}, STAFF_QUERY_FIELDS)
    assert error.rule == "UNSUPPORTED_OPERATOR"
    assert error.message.endswith("allowed: $hasAll, $hasSome")


def test_unknown_field_lists_allowed_fields() -> None:
    error = rejected({"$and": [{"title": "a"}, {"colour": "red"}]})
    assert error.rule == "UNSUPPORTED_FIELD"
    assert error.field == "filter.$and[1].colour"
    assert "'colour'" in error.message
    assert "allowed fields: flag, id, meta.created, meta.rank, note, owner.id" in error.message


def test_unknown_nested_field_names_the_full_path() -> None:
    error = rejected({"meta": {"size": 1}})
    assert (error.rule, error.field) == ("UNSUPPORTED_FIELD", "filter.meta.size")


def test_unknown_logical_operator() -> None:
    error = rejected({"$nor": [{"title": "a"}]})
    assert (error.rule, error.field) == ("UNSUPPORTED_OPERATOR", "filter.$nor")
    assert "$and, $not, $or" in error.message


@pytest.mark.parametrize("value", [[], {}, "x", None])
def test_and_or_need_non_empty_arrays(value: object) -> None:
    for op in ("$and", "$or"):
        error = rejected({op: value})
        assert (error.rule, error.field) == ("INVALID_VALUE", f"filter.{op}")


@pytest.mark.parametrize("raw", [[], "x", 3, {"$and": ["x"]}, {"$not": []}])
def test_filters_must_be_objects(raw: object) -> None:
    assert rejected(raw).rule == "INVALID_VALUE"


@pytest.mark.parametrize("value", [{}, {"$eq": 1, "rank": 2}])
def test_operator_object_must_not_be_empty_or_mixed(value: object) -> None:
    error = rejected({"meta": value})
    assert (error.rule, error.field) == ("INVALID_VALUE", "filter.meta")


# --- sort ------------------------------------------------------------------------------------


def test_sort_parses_in_order_with_asc_default() -> None:
    raw = [{"fieldName": "title", "order": "DESC"}, {"fieldName": "id"}, {"fieldName": "flag"}]
    assert parse_sort(raw, PROBE_FIELDS) == (
        SortKey("title", descending=True),
        SortKey("id"),
        SortKey("flag"),
    )
    assert parse_sort(None, PROBE_FIELDS) == ()
    assert parse_sort([], PROBE_FIELDS) == ()


@pytest.mark.parametrize("order", ["asc", "up", 1, ""])
def test_sort_order_must_be_asc_or_desc(order: object) -> None:
    error = sort_rejected([{"fieldName": "id"}, {"fieldName": "title", "order": order}])
    assert (error.rule, error.field) == ("INVALID_VALUE", "sort[1].order")
    assert "'ASC' or 'DESC'" in error.message


def test_sort_on_unsortable_field() -> None:
    error = sort_rejected([{"fieldName": "id"}, {"fieldName": "name"}], STAFF_QUERY_FIELDS)
    assert (error.rule, error.field) == ("NOT_SORTABLE", "sort[1].fieldName")
    assert "'name'" in error.message
    assert "sortable fields: associatedWixIdentity" in error.message


def test_sort_on_unknown_field() -> None:
    error = sort_rejected([{"fieldName": "colour"}])
    assert (error.rule, error.field) == ("UNSUPPORTED_FIELD", "sort[0].fieldName")
    assert "sortable fields: flag, id, meta.created" in error.message


def test_sort_rejects_duplicates() -> None:
    error = sort_rejected([{"fieldName": "id"}, {"fieldName": "id", "order": "DESC"}])
    assert (error.rule, error.field) == ("DUPLICATE_SORT_KEY", "sort[1].fieldName")


def test_sort_allows_ten_keys_at_most() -> None:
    table = FieldTable(FieldSpec(f"f{i}", FieldKind.INT, frozenset(), True) for i in range(11))
    keys = [{"fieldName": f"f{i}"} for i in range(11)]
    assert len(parse_sort(keys[:10], table)) == 10
    error = sort_rejected(keys, table)
    assert (error.rule, error.field) == ("TOO_MANY_SORT_KEYS", "sort")
    assert "at most 10" in error.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"fieldName": "id"}, "sort"),
        (["id"], "sort[0]"),
        ([{"order": "ASC"}], "sort[0].fieldName"),
        ([{"fieldName": "id", "direction": "ASC"}], "sort[0].direction"),
    ],
)
def test_sort_shape_errors(raw: object, field: str) -> None:
    error = sort_rejected(raw)
    assert (error.rule, error.field) == ("INVALID_VALUE", field)


# --- field tables ----------------------------------------------------------------------------


def test_field_spec_refuses_operators_meaningless_for_its_kind() -> None:
    with pytest.raises(ValueError, match=r"\$gt cannot apply to a BOOL"):
        FieldSpec("flag", FieldKind.BOOL, frozenset({"$gt"}), sortable=True)
    with pytest.raises(ValueError, match="unknown operators"):
        FieldSpec("flag", FieldKind.BOOL, frozenset({"$like"}), sortable=True)
    with pytest.raises(ValueError, match="cannot be sortable"):
        FieldSpec("tags", FieldKind.STRING_ARRAY, frozenset(), sortable=True)
    with pytest.raises(ValueError, match="declared twice"):
        FieldTable([FieldSpec("a", FieldKind.INT, frozenset(), False)] * 2)


def test_staff_query_fields_follow_the_spec() -> None:
    table = STAFF_QUERY_FIELDS
    assert table.sortable_paths == (
        "associatedWixIdentity.identificationData.contactId",
        "associatedWixIdentity.identificationData.identityType",
        USER,
        "createdDate",
        "description",
        "id",
        "resourceId",
        "serviceProvider",
        "updatedDate",
    )
    for path in ("name", "email", "phone", "default"):
        assert table.allowed_operators(path) == "$eq, $exists, $in, $ne, $nin"
    assert table.allowed_operators("id") == (
        "$eq, $exists, $gt, $gte, $in, $lt, $lte, $ne, $nin, $startsWith"
    )
    assert table.allowed_operators("createdDate") == (
        "$eq, $exists, $gt, $gte, $in, $lt, $lte, $ne, $nin"
    )
    assert table.allowed_operators("serviceProvider") == "$eq, $exists, $in, $ne, $nin"
    assert table.allowed_operators("resource.id").endswith("$startsWith")
    assert table.allowed_operators(BUSINESS_LOCATION_IDS) == "$hasAll, $hasSome"
    assert BUSINESS_LOCATIONS not in table


def test_staff_search_fields_add_sorting_and_is_empty() -> None:
    table = STAFF_SEARCH_FIELDS
    assert {"name", "email", "phone"} <= set(table.sortable_paths)
    assert "default" not in table.sortable_paths
    assert parse_sort([{"fieldName": "name"}], table) == (SortKey("name"),)
    assert parse_filter({BUSINESS_LOCATIONS: {"$isEmpty": True}}, table) == Comparison(
        BUSINESS_LOCATIONS, "$isEmpty", True
    )
    assert parse_filter({BUSINESS_LOCATION_IDS: {"$hasSome": ["x"]}}, table) == Comparison(
        BUSINESS_LOCATION_IDS, "$hasSome", ("x",)
    )
    assert STAFF_SEARCHABLE_FIELDS == ("name",)


# --- render ----------------------------------------------------------------------------------


def test_render_is_canonical_wire_json() -> None:
    moment = datetime(2024, 8, 28, 13, 22, 32, 784000, tzinfo=UTC)
    node = And((Comparison("meta.created", "$gte", moment), Not(Comparison("tags", "$eq", ("a",)))))
    assert render_filter(node) == {
        "$and": [
            {"meta.created": {"$gte": "2024-08-28T13:22:32.784Z"}},
            {"$not": {"tags": {"$eq": ["a"]}}},
        ]
    }
    assert render_filter(MatchAll()) == {}
    assert render_sort((SortKey("title", True), SortKey("id"))) == [
        {"fieldName": "title", "order": "DESC"},
        {"fieldName": "id", "order": "ASC"},
    ]


def test_render_timestamp_keeps_microseconds_only_when_present() -> None:
    assert render_timestamp(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05.000Z"
    assert (
        render_timestamp(datetime(1, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "0001-01-02T03:04:05.000006Z"
    )


@given(
    st.sampled_from([PROBE_FIELDS, STAFF_QUERY_FIELDS, STAFF_SEARCH_FIELDS]).flatmap(
        lambda table: st.tuples(st.just(table), filters(table, wide=True), sorts(table))
    )
)
def test_parse_inverts_render(case: tuple[FieldTable, Any, tuple[SortKey, ...]]) -> None:
    table, node, keys = case
    wire = json.loads(json.dumps(render_filter(node)))
    assert parse_filter(wire, table) == node
    assert parse_sort(json.loads(json.dumps(render_sort(keys))), table) == keys


def test_deep_nesting_is_refused_before_the_stack_runs_out() -> None:
    deep: dict[str, Any] = {"title": "a"}
    for _ in range(40):
        deep = {"$not": deep}
    error = rejected(deep)
    assert error.rule == "INVALID_VALUE"
    assert "32 levels" in error.message
    nested: dict[str, Any] = {"x": 1}
    for _ in range(5000):
        nested = {"meta": nested}
    assert rejected(nested).field == "filter.meta.meta"
