"""Wire JSON -> AST for WQL filters and sorts, rejecting anything the field table does not allow.

Pure: no I/O. Everything the caller may send is checked here, once, so the evaluator and the SQL
compiler can trust the AST: every field exists, every operator is allowed for it, and every value
has the field's type (GUIDs lowercased, timestamps as aware UTC datetimes, lists as tuples).

Filter forms accepted (Wix "API Query Language"):
- `{}` or `null`: every record.
- `{"f": v}`: `$eq` (`{"f": null}` = missing or null). On an array field a scalar `v` means
  "contains v" and a list means "is exactly this array".
- `{"f": {"$op": v, "$op2": w}}`: both conditions (AND), in the order given.
- `{"a.b.c": ...}` and the nested form `{"a": {"b": {"c": ...}}}`: an object whose keys are not
  operators continues the path.
- Several keys in one object: AND. `$and`/`$or`: non-empty arrays of filters. `$not`: a filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from rota.wixquery.ast import And, Comparison, MatchAll, Node, Not, Or, SortKey
from rota.wixquery.errors import QueryError, Rule
from rota.wixquery.fields import (
    EQ,
    EXISTS,
    IS_EMPTY,
    LIST_OPERATORS,
    NE,
    STARTS_WITH,
    FieldKind,
    FieldSpec,
    FieldTable,
)

MAX_LIST_ITEMS = 100
MAX_SORT_KEYS = 10
# Deep enough for any real filter; shallow enough that a hostile one cannot exhaust the stack.
MAX_DEPTH = 32
LOGICAL_OPERATORS = ("$and", "$not", "$or")

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_GUID_HYPHENS = frozenset({8, 13, 18, 23})
_HEX = frozenset("0123456789abcdefABCDEF")
_INT64 = (-(2**63), 2**63 - 1)

# Builds the INVALID_VALUE error for the comparison being parsed, given what was expected.
_InvalidFactory = Callable[[str], QueryError]

_EXPECTED: dict[FieldKind, str] = {
    FieldKind.STRING: "a string",
    FieldKind.GUID: "a GUID string like 'a1b2c3d4-0000-4000-8000-000000000000'",
    FieldKind.DATETIME: "an ISO-8601 timestamp with a time zone, like '2024-08-28T13:22:32.784Z'",
    FieldKind.BOOL: "true or false",
    FieldKind.INT: "a whole number",
    FieldKind.STRING_ARRAY: "a string",
}


def parse_filter(raw: object, table: FieldTable) -> Node:
    """Parse a WQL `filter` object; raises `QueryError` naming the first problem found."""
    if raw is None:
        return MatchAll()
    return _parse_object(raw, table, "filter", depth=0)


def parse_sort(
    raw: object, table: FieldTable, *, max_keys: int = MAX_SORT_KEYS
) -> tuple[SortKey, ...]:
    """Parse a WQL `sort` array (`[{"fieldName": "x", "order": "ASC"|"DESC"}]`, order optional)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise QueryError(
            "sort",
            Rule.INVALID_VALUE,
            'sort must be an array of {"fieldName": ..., "order": "ASC"|"DESC"} objects',
        )
    if len(raw) > max_keys:
        raise QueryError(
            "sort",
            Rule.TOO_MANY_SORT_KEYS,
            f"sort has {len(raw)} keys; at most {max_keys} are allowed",
        )
    keys: list[SortKey] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"sort[{index}]"
        if not isinstance(item, dict):
            raise QueryError(
                where,
                Rule.INVALID_VALUE,
                f'{where} must be an object like {{"fieldName": "id", "order": "ASC"}}',
            )
        for name in item:
            if name not in ("fieldName", "order"):
                raise QueryError(
                    f"{where}.{name}",
                    Rule.INVALID_VALUE,
                    f"{where} has unknown key {name!r}; allowed keys: fieldName, order",
                )
        path = item.get("fieldName")
        if not isinstance(path, str):
            raise QueryError(
                f"{where}.fieldName",
                Rule.INVALID_VALUE,
                f"{where}.fieldName must be a field name string; sortable fields: "
                + ", ".join(table.sortable_paths),
            )
        spec = table.get(path)
        if spec is None or not spec.sortable:
            raise QueryError(
                f"{where}.fieldName",
                Rule.UNSUPPORTED_FIELD if spec is None else Rule.NOT_SORTABLE,
                f"Field {path!r} "
                + ("does not exist" if spec is None else "cannot be sorted on")
                + "; sortable fields: "
                + ", ".join(table.sortable_paths),
            )
        if path in seen:
            raise QueryError(
                f"{where}.fieldName",
                Rule.DUPLICATE_SORT_KEY,
                f"Field {path!r} appears more than once in sort; list each field once",
            )
        seen.add(path)
        order = item.get("order")
        if order not in (None, "ASC", "DESC"):
            raise QueryError(
                f"{where}.order",
                Rule.INVALID_VALUE,
                f"{where}.order must be 'ASC' or 'DESC' (or omitted for ASC); got {_show(order)}",
            )
        keys.append(SortKey(path, descending=order == "DESC"))
    return tuple(keys)


def _parse_object(raw: object, table: FieldTable, where: str, *, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise QueryError(
            where, Rule.INVALID_VALUE, f"the filter nests more than {MAX_DEPTH} levels deep"
        )
    if not isinstance(raw, dict):
        raise QueryError(
            where, Rule.INVALID_VALUE, f"{where} must be a filter object; got {_show(raw)}"
        )
    nodes: list[Node] = []
    for key, value in raw.items():
        if not isinstance(key, str):
            raise QueryError(where, Rule.INVALID_VALUE, f"{where} has a non-string key {key!r}")
        if key.startswith("$"):
            nodes.append(_parse_logical(key, value, table, where, depth=depth))
        else:
            nodes.extend(_parse_field(key, value, table, where))
    if not nodes:
        return MatchAll()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _parse_logical(op: str, value: object, table: FieldTable, where: str, *, depth: int) -> Node:
    here = f"{where}.{op}"
    if op == "$not":
        return Not(_parse_object(value, table, here, depth=depth + 1))
    if op in ("$and", "$or"):
        if not isinstance(value, list) or not value:
            raise QueryError(
                here, Rule.INVALID_VALUE, f"{op} takes a non-empty array of filter objects"
            )
        items = tuple(
            _parse_object(item, table, f"{here}[{i}]", depth=depth + 1)
            for i, item in enumerate(value)
        )
        return And(items) if op == "$and" else Or(items)
    raise QueryError(
        here,
        Rule.UNSUPPORTED_OPERATOR,
        f"Unknown logical operator {op!r}; allowed: {', '.join(LOGICAL_OPERATORS)} "
        '(comparison operators go inside a field: {"field": {"$eq": value}})',
    )


def _parse_field(path: str, value: object, table: FieldTable, where: str) -> list[Node]:
    if isinstance(value, dict):
        operators = [key for key in value if key.startswith("$")]
        if operators and len(operators) == len(value):
            spec = _spec(path, table, where)
            return [_comparison(spec, op, operand, where) for op, operand in value.items()]
        if not operators and value:
            nodes: list[Node] = []
            for segment, inner in value.items():
                child = f"{path}.{segment}"
                if child not in table and not table.has_prefix(child):
                    _spec(child, table, where)  # raises UNSUPPORTED_FIELD before recursing on
                nodes.extend(_parse_field(child, inner, table, where))
            return nodes
        raise QueryError(
            f"{where}.{path}",
            Rule.INVALID_VALUE,
            f"Field {path!r} needs a value or an object of operators like "
            '{"$eq": value}; an empty object or one mixing operators and field names '
            "is not a filter",
        )
    return [_comparison(_spec(path, table, where), EQ, value, where)]


def _spec(path: str, table: FieldTable, where: str) -> FieldSpec:
    spec = table.get(path)
    if spec is None:
        raise QueryError(
            f"{where}.{path}",
            Rule.UNSUPPORTED_FIELD,
            f"Field {path!r} cannot be filtered on; allowed fields: {', '.join(table.paths)}",
        )
    return spec


def _comparison(spec: FieldSpec, op: str, raw: object, where: str) -> Comparison:
    here = f"{where}.{spec.path}"
    if op not in spec.operators:
        raise QueryError(
            here,
            Rule.UNSUPPORTED_OPERATOR,
            f"Field {spec.path!r} does not support operator {op!r}; "
            f"allowed: {', '.join(sorted(spec.operators))}",
        )

    def invalid(expected: str) -> QueryError:
        return QueryError(
            here,
            Rule.INVALID_VALUE,
            f"Field {spec.path!r} operator {op!r} expects {expected}; got {_show(raw)}",
        )

    if op in (EXISTS, IS_EMPTY):
        if not isinstance(raw, bool):
            raise invalid("true or false")
        return Comparison(spec.path, op, raw)
    if op == STARTS_WITH:
        return Comparison(spec.path, op, _prefix(spec, raw, invalid))
    if op in LIST_OPERATORS:
        element = (
            f"a non-empty array of at most {MAX_LIST_ITEMS} items, each {_EXPECTED[spec.kind]}"
        )
        return Comparison(
            spec.path, op, _scalar_list(spec, raw, invalid, element, allow_empty=False)
        )
    if raw is None:
        if op not in (EQ, NE):
            raise invalid(_EXPECTED[spec.kind])
        return Comparison(spec.path, op, None)
    if spec.kind is FieldKind.STRING_ARRAY and isinstance(raw, list):
        element = f"a string or an array of at most {MAX_LIST_ITEMS} strings"
        return Comparison(
            spec.path, op, _scalar_list(spec, raw, invalid, element, allow_empty=True)
        )
    return Comparison(spec.path, op, _scalar(spec.kind, raw, invalid))


def _scalar(kind: FieldKind, raw: object, invalid: _InvalidFactory) -> object:
    expected = _EXPECTED[kind]
    if kind in (FieldKind.STRING, FieldKind.STRING_ARRAY):
        if isinstance(raw, str):
            return raw
    elif kind is FieldKind.GUID:
        if isinstance(raw, str) and _GUID.fullmatch(raw):
            return raw.lower()
    elif kind is FieldKind.DATETIME:
        if isinstance(raw, str):
            try:
                moment = datetime.fromisoformat(raw)
            except ValueError:
                raise invalid(expected) from None
            if moment.tzinfo is not None:
                return moment.astimezone(UTC)
    elif kind is FieldKind.BOOL:
        if isinstance(raw, bool):
            return raw
    elif isinstance(raw, int) and not isinstance(raw, bool) and _INT64[0] <= raw <= _INT64[1]:
        return raw
    raise invalid(expected)


def _scalar_list(
    spec: FieldSpec, raw: object, invalid: _InvalidFactory, expected: str, *, allow_empty: bool
) -> tuple[object, ...]:
    if not isinstance(raw, list) or len(raw) > MAX_LIST_ITEMS or not (raw or allow_empty):
        raise invalid(expected)
    items: list[object] = []
    for item in raw:
        if item is None:
            raise invalid(expected)
        items.append(_scalar(spec.kind, item, lambda _expected: invalid(expected)))
    return tuple(items)


def _prefix(spec: FieldSpec, raw: object, invalid: _InvalidFactory) -> str:
    if not isinstance(raw, str):
        raise invalid("a string prefix")
    if spec.kind is FieldKind.GUID:
        # Only a prefix of the canonical GUID spelling can ever match, so anything else is a
        # mistake worth reporting rather than a filter that silently matches nothing.
        canonical = len(raw) <= 36 and all(
            (char == "-") if index in _GUID_HYPHENS else (char in _HEX)
            for index, char in enumerate(raw)
        )
        if not canonical:
            raise invalid("the beginning of a GUID, like 'a1b2c3d4-00'")
        return raw.lower()
    return raw


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
