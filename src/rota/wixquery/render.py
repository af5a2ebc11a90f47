"""AST -> canonical wire JSON, the inverse of `parse`: `parse_filter(render_filter(n)) == n`.

Pure: no I/O. Cursors store rendered filters, so the rendering is canonical and lossless: every
comparison is spelled `{"field": {"$op": value}}`, every conjunction `{"$and": [...]}`, and
timestamps as UTC ISO-8601 with a `Z` (milliseconds, or microseconds when they carry any).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rota.wixquery.ast import And, Comparison, MatchAll, Node, Not, Or, SortKey


def render_filter(node: Node) -> dict[str, Any]:
    match node:
        case MatchAll():
            return {}
        case Comparison(field=field, op=op, value=value):
            return {field: {op: render_value(value)}}
        case And(items=items):
            return {"$and": [render_filter(item) for item in items]}
        case Or(items=items):
            return {"$or": [render_filter(item) for item in items]}
        case Not(item=item):
            return {"$not": render_filter(item)}
    raise TypeError(f"not a filter node: {node!r}")


def render_sort(keys: Sequence[SortKey]) -> list[dict[str, str]]:
    return [{"fieldName": key.field, "order": "DESC" if key.descending else "ASC"} for key in keys]


def render_value(value: object) -> object:
    """A comparison operand as JSON: tuples become arrays, datetimes Wix timestamps."""
    if isinstance(value, tuple):
        return [render_value(item) for item in value]
    if isinstance(value, datetime):
        return render_timestamp(value)
    return value


def render_timestamp(moment: datetime) -> str:
    """`2024-08-28T13:22:32.784Z`; microseconds are kept only when the value has them."""
    moment = moment.astimezone(UTC)
    fraction = (
        f"{moment.microsecond // 1000:03d}"
        if moment.microsecond % 1000 == 0
        else f"{moment.microsecond:06d}"
    )
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{fraction}Z"
    )
