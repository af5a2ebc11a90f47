"""The Wix API Query Language (WQL): parse, check, render, evaluate and page.

Pure package: nothing here imports SQLAlchemy or FastAPI except `rota.wixquery.compile`, the one
bridge from the AST to SQL, which callers import explicitly.
"""

from rota.wixquery.ast import And, Comparison, MatchAll, Node, Not, Or, SortKey, mentions
from rota.wixquery.cursor import MAX_TOKEN_CHARS, CursorCodec, CursorState
from rota.wixquery.errors import CursorTooLarge, InvalidCursor, QueryError, Rule
from rota.wixquery.evaluate import matches, sort_key, sort_values, with_tiebreaker
from rota.wixquery.fields import FieldKind, FieldSpec, FieldTable, describe_operators
from rota.wixquery.parse import MAX_LIST_ITEMS, MAX_SORT_KEYS, parse_filter, parse_sort
from rota.wixquery.render import render_filter, render_sort, render_timestamp

__all__ = [
    "MAX_LIST_ITEMS",
    "MAX_SORT_KEYS",
    "MAX_TOKEN_CHARS",
    "And",
    "Comparison",
    "CursorCodec",
    "CursorState",
    "CursorTooLarge",
    "FieldKind",
    "FieldSpec",
    "FieldTable",
    "InvalidCursor",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "Rule",
    "SortKey",
    "describe_operators",
    "matches",
    "mentions",
    "parse_filter",
    "parse_sort",
    "render_filter",
    "render_sort",
    "render_timestamp",
    "sort_key",
    "sort_values",
    "with_tiebreaker",
]
