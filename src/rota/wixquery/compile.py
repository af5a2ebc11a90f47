"""WQL AST -> SQLAlchemy Core: WHERE clauses, ORDER BY and keyset conditions.

The one wixquery module that imports SQLAlchemy. It must agree with `evaluate` row for row on
SQLite and PostgreSQL, which the property tests check. The rules that make that true:
- Every predicate is two-valued: a column test is guarded with `IS NOT NULL` where SQL would
  return NULL, so `NOT` means what `evaluate` means (`NOT (age > 3)` matches a NULL age).
- Strings order and compare by code point on both databases: text columns are compared with
  `COLLATE "C"` on PostgreSQL (SQLite's default BINARY collation already does this).
- `$startsWith` is `lower(col) LIKE lower(:prefix) || '%'` with `%`, `_` and `\\` escaped. Case
  folding is done by the database: SQLite only folds ASCII letters, PostgreSQL follows its locale.
- NULL is the smallest value: `ASC NULLS FIRST`, `DESC NULLS LAST`, spelled out so both databases
  agree; `forward=False` reverses every key, for walking a result backwards.
- A binding that cannot be NULL (a NOT NULL table column, or one declared so) gets no NULL
  handling at all: no `IS NOT NULL` guards, no NULLS FIRST/LAST. PostgreSQL matches ORDER BY
  against an index only when the NULLS placement agrees, and it does not know that a NOT NULL
  column makes the placement moot; `created DESC, id DESC` walks an index on (created, id)
  backwards, `created DESC NULLS LAST, ...` sorts. (Indexes for nullable sort columns are built
  `NULLS FIRST` to match.)
- Keyset conditions are bounded by their leading key (`k1 <= v AND (k1 < v OR (k1 = v AND ...))`),
  so an index on the leading key gives the range and deep pages cost what the first one does.
- GUID columns may be `sa.Uuid` (32 hex digits on SQLite, native on PostgreSQL) or text holding
  lowercase canonical GUIDs; both order like the canonical lowercase string.
- STRING_ARRAY columns hold JSON arrays of strings (`JSON` on SQLite, `JSONB` on PostgreSQL); SQL
  NULL and JSON `null` both mean "missing". SQLite is queried through `json_each`/`json_extract`,
  PostgreSQL through `@>`, `?|`, `?&`. The dialect is only known when the statement is compiled,
  so those tests are wrapped in `_PerDialect`, which renders one of two prepared expressions.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from rota.wixquery.ast import And, Comparison, MatchAll, Node, Not, Or, SortKey
from rota.wixquery.evaluate import with_tiebreaker
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
    FieldKind,
)

__all__ = ["ColumnBinding", "compile_filter", "keyset_after", "order_by"]


@dataclass(frozen=True)
class ColumnBinding:
    """Where a field path lives in SQL: a column (or any column expression) and its kind.

    `nullable` None means: a table column's own declaration decides, any other expression may be
    NULL. A binding must only be declared not nullable when no row can hold NULL there (a column
    reached through an outer join can, whatever its declaration).
    """

    column: ColumnElement[Any]
    kind: FieldKind
    nullable: bool | None = None

    @property
    def may_be_null(self) -> bool:
        if self.nullable is not None:
            return self.nullable
        return not isinstance(self.column, sa.Column) or bool(self.column.nullable)


def compile_filter(node: Node, columns: Mapping[str, ColumnBinding]) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the rows `evaluate.matches` accepts."""
    match node:
        case MatchAll():
            return sa.true()
        case Comparison(field=field, op=op, value=value):
            return _comparison(_binding(columns, field), op, value)
        case And(items=items):
            parts = [compile_filter(item, columns) for item in items]
            return sa.and_(*parts) if parts else sa.true()
        case Or(items=items):
            parts = [compile_filter(item, columns) for item in items]
            return sa.or_(*parts) if parts else sa.false()
        case Not(item=item):
            return sa.not_(compile_filter(item, columns))
    raise TypeError(f"not a filter node: {node!r}")


def order_by(
    keys: Sequence[SortKey],
    columns: Mapping[str, ColumnBinding],
    *,
    forward: bool = True,
    id_field: str = "id",
) -> list[UnaryExpression[Any]]:
    """ORDER BY terms for `with_tiebreaker(keys)`; `forward=False` is the exact reverse order."""
    terms: list[UnaryExpression[Any]] = []
    for key in with_tiebreaker(keys, id_field):
        binding = _binding(columns, key.field)
        expression = _sortable(binding)
        ascending = key.descending != forward
        if not binding.may_be_null:
            terms.append(expression.asc() if ascending else expression.desc())
        elif ascending:
            terms.append(expression.asc().nulls_first())
        else:
            terms.append(expression.desc().nulls_last())
    return terms


def keyset_after(
    keys: Sequence[SortKey],
    columns: Mapping[str, ColumnBinding],
    values: Sequence[object],
    *,
    forward: bool = True,
    id_field: str = "id",
) -> ColumnElement[bool]:
    """Rows strictly after the row whose sort values are `values`, in the `forward` direction.

    `values` line up with `with_tiebreaker(keys)` (see `evaluate.sort_values`). The condition is
    the usual expansion "k1 after, or k1 equal and k2 after, or ...", with NULL handled as the
    smallest value and NULL-equality spelled `IS NULL`, and with "k1 not before" in front of it:
    implied by the expansion, but a plain range on k1 that an index can seek to, where the
    expansion alone is an OR the databases cannot turn into one.
    """
    full = with_tiebreaker(keys, id_field)
    if len(values) != len(full):
        raise ValueError(f"expected {len(full)} keyset values for {full}, got {len(values)}")
    alternatives: list[ColumnElement[bool]] = []
    equal_prefix: list[ColumnElement[bool]] = []
    for key, value in zip(full, values, strict=True):
        binding = _binding(columns, key.field)
        ascending = key.descending != forward
        alternatives.append(sa.and_(*equal_prefix, _after(binding, value, ascending=ascending)))
        equal_prefix.append(_equal(binding, value))
    if len(full) == 1:
        return alternatives[0]
    lead = _binding(columns, full[0].field)
    ascending = full[0].descending != forward
    return sa.and_(_not_before(lead, values[0], ascending=ascending), sa.or_(*alternatives))


def _binding(columns: Mapping[str, ColumnBinding], field: str) -> ColumnBinding:
    try:
        return columns[field]
    except KeyError:
        raise KeyError(f"no column bound for query field {field!r}") from None


def _after(binding: ColumnBinding, value: object, *, ascending: bool) -> ColumnElement[bool]:
    if ascending:  # NULLs come first, so everything non-NULL is after a NULL.
        if value is None:
            return _present(binding)
        return sa.and_(_present(binding), _sortable(binding) > _bind(binding, value))
    if value is None:  # NULLs come last: nothing is strictly after a NULL on this key.
        return sa.false()
    return sa.or_(_absent(binding), _sortable(binding) < _bind(binding, value))


def _not_before(binding: ColumnBinding, value: object, *, ascending: bool) -> ColumnElement[bool]:
    """`_after` or `_equal`, written as one range."""
    if ascending:
        if value is None:
            return sa.true()
        return sa.and_(_present(binding), _sortable(binding) >= _bind(binding, value))
    if value is None:
        return _absent(binding)
    return sa.or_(_absent(binding), _sortable(binding) <= _bind(binding, value))


def _equal(binding: ColumnBinding, value: object) -> ColumnElement[bool]:
    if value is None:
        return _absent(binding)
    return sa.and_(_present(binding), binding.column == _bind(binding, value))


def _present(binding: ColumnBinding) -> ColumnElement[bool]:
    return binding.column.is_not(None) if binding.may_be_null else sa.true()


def _absent(binding: ColumnBinding) -> ColumnElement[bool]:
    return binding.column.is_(None) if binding.may_be_null else sa.false()


def _comparison(binding: ColumnBinding, op: str, value: object) -> ColumnElement[bool]:
    if binding.kind is FieldKind.STRING_ARRAY:
        return _array_comparison(binding.column, op, value)
    column = binding.column
    present = _present(binding)
    if op == EQ:
        return _absent(binding) if value is None else _equal(binding, value)
    if op == NE:
        return present if value is None else sa.not_(_equal(binding, value))
    if op in (IN, NIN):
        assert isinstance(value, tuple)
        within = sa.and_(present, column.in_([_bind_value(binding, item) for item in value]))
        return within if op == IN else sa.not_(within)
    if op == EXISTS:
        return present if value else _absent(binding)
    if op == IS_EMPTY:
        empty = sa.or_(_absent(binding), column == "")
        return empty if value else sa.not_(empty)
    if op == STARTS_WITH:
        assert isinstance(value, str)
        return _starts_with(binding, value)
    sortable, operand = _sortable(binding), _bind(binding, value)
    if op == GT:
        return sa.and_(present, sortable > operand)
    if op == GTE:
        return sa.and_(present, sortable >= operand)
    if op == LT:
        return sa.and_(present, sortable < operand)
    if op == LTE:
        return sa.and_(present, sortable <= operand)
    raise ValueError(f"unknown operator {op!r}")


def _starts_with(binding: ColumnBinding, prefix: str) -> ColumnElement[bool]:
    column = binding.column
    present = _present(binding)
    if _uuid_type(column) is not None:
        # A GUID prefix can only contain hex digits and hyphens (the parser checks), so no
        # escaping is needed; SQLite stores sa.Uuid as 32 hex digits without hyphens.
        text = sa.func.lower(sa.cast(column, sa.String()))
        return _PerDialect(
            sa.and_(present, text.like(prefix.replace("-", "") + "%")),
            sa.and_(present, text.like(prefix + "%")),
            sa.Boolean(),
        )
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = sa.func.lower(sa.literal(escaped + "%", sa.String()))
    return sa.and_(present, sa.func.lower(column).like(pattern, escape="\\"))


def _array_comparison(column: ColumnElement[Any], op: str, value: object) -> ColumnElement[bool]:
    if op in (EQ, NE):
        if value is None:
            test = _ArrayTests(column).absent()
        elif isinstance(value, tuple):
            test = _ArrayTests(column).equals([str(item) for item in value])
        else:
            test = _ArrayTests(column).has_some([str(value)])
        return test if op == EQ else sa.not_(test)
    tests = _ArrayTests(column)
    if op == EXISTS:
        return sa.not_(tests.absent()) if value else tests.absent()
    if op == IS_EMPTY:
        empty = tests.absent_or_empty()
        return empty if value else sa.not_(empty)
    assert isinstance(value, tuple)
    items = [str(item) for item in value]
    if op == HAS_SOME:
        return tests.has_some(items)
    if op == HAS_ALL:
        return tests.has_all(items)
    raise ValueError(f"operator {op!r} does not apply to arrays")


class _ArrayTests:
    """Two-valued tests on a JSON array-of-strings column, one expression per dialect."""

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.jsonb = sa.cast(column, postgresql.JSONB())  # a no-op on a JSONB column
        self.present = column.is_not(None)

    def absent(self) -> ColumnElement[bool]:
        return _PerDialect(
            sa.or_(self.column.is_(None), sa.func.json_type(self.column) == "null"),
            sa.or_(self.column.is_(None), sa.func.jsonb_typeof(self.jsonb) == "null"),
            sa.Boolean(),
        )

    def absent_or_empty(self) -> ColumnElement[bool]:
        return sa.or_(self.absent(), self.equals([]))

    def equals(self, items: list[str]) -> ColumnElement[bool]:
        sqlite = sa.and_(
            self.present,
            sa.func.json_type(self.column) == "array",
            sa.func.json_array_length(self.column) == len(items),
            *(
                sa.func.json_extract(self.column, f"$[{index}]") == item
                for index, item in enumerate(items)
            ),
        )
        pg = sa.and_(self.present, self.jsonb.bool_op("=")(_jsonb_literal(items)))
        return _PerDialect(sqlite, pg, sa.Boolean())

    def has_some(self, items: list[str]) -> ColumnElement[bool]:
        elements = sa.func.json_each(self.column).table_valued("value")
        sqlite = (
            sa.select(sa.literal(1))
            .select_from(elements)
            .where(elements.c.value.in_(items))
            .exists()
        )
        pg = sa.and_(self.present, self.jsonb.bool_op("?|")(_text_array(items)))
        return _PerDialect(sqlite, pg, sa.Boolean())

    def has_all(self, items: list[str]) -> ColumnElement[bool]:
        elements = sa.func.json_each(self.column).table_valued("value")
        found = (
            sa.select(sa.func.count(sa.distinct(elements.c.value)))
            .select_from(elements)
            .where(elements.c.value.in_(items))
            .scalar_subquery()
        )
        sqlite = found == len(set(items))
        pg = sa.and_(self.present, self.jsonb.bool_op("?&")(_text_array(items)))
        return _PerDialect(sqlite, pg, sa.Boolean())


def _jsonb_literal(items: list[str]) -> ColumnElement[Any]:
    return sa.cast(sa.literal(json.dumps(items), sa.String()), postgresql.JSONB())


def _text_array(items: list[str]) -> ColumnElement[Any]:
    return sa.literal(items, postgresql.ARRAY(sa.Text()))


def _sortable(binding: ColumnBinding) -> ColumnElement[Any]:
    """The column as it must be compared and ordered so both databases order like Python."""
    column = binding.column
    if binding.kind in (FieldKind.STRING, FieldKind.GUID) and _is_text(column.type):
        return _PerDialect(column, column.collate("C"), column.type)
    return column


def _bind(binding: ColumnBinding, value: object) -> ColumnElement[Any]:
    return sa.literal(_bind_value(binding, value), binding.column.type)


def _bind_value(binding: ColumnBinding, value: object) -> object:
    """GUIDs travel as strings in the AST; a `sa.Uuid(as_uuid=True)` column wants `uuid.UUID`."""
    uuid_type = _uuid_type(binding.column)
    if uuid_type is not None and uuid_type.as_uuid and isinstance(value, str):
        return uuid.UUID(value)
    return value


def _impl(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type_.impl_instance if isinstance(type_, sa.TypeDecorator) else type_


def _uuid_type(column: ColumnElement[Any]) -> sa.Uuid[Any] | None:
    impl = _impl(column.type)
    return impl if isinstance(impl, sa.Uuid) else None


def _is_text(type_: TypeEngine[Any]) -> bool:
    impl = _impl(type_)
    return isinstance(impl, sa.String) and not isinstance(impl, sa.Enum)


class _PerDialect(FunctionElement[Any]):
    """Renders `default` on every database except PostgreSQL, which gets `postgresql`.

    Both arguments are ordinary Core expressions, so the element caches like any function call;
    the branch that is not rendered contributes nothing to the statement.
    """

    inherit_cache = True

    def __init__(
        self,
        default: ColumnElement[Any],
        postgresql: ColumnElement[Any],
        type_: TypeEngine[Any],
    ) -> None:
        super().__init__(default, postgresql)
        self.type = type_


@compiles(_PerDialect)
def _compile_default(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    default, _ = element.clauses
    return f"({compiler.process(default, **kw)})"


@compiles(_PerDialect, "postgresql")
def _compile_postgresql(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    _, postgresql_branch = element.clauses
    return f"({compiler.process(postgresql_branch, **kw)})"
