"""The parsed form of a WQL filter and sort: small immutable values, compared by value.

Pure: no I/O. Values inside a `Comparison` are already checked and normalised by the parser:
`str` (GUIDs in lowercase), `bool`, `int`, aware UTC `datetime`, `None` (only for `$eq`/`$ne`)
and `tuple` for list operands, so two filters that mean the same thing compare equal and hash.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: object


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class MatchAll:
    """The empty filter: every record."""


Node = Comparison | And | Or | Not | MatchAll


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


def mentions(node: Node, field: str) -> bool:
    """Whether the filter tests ``field`` anywhere (also under ``$not``)."""
    match node:
        case Comparison(field=name):
            return name == field
        case And(items=items) | Or(items=items):
            return any(mentions(item, field) for item in items)
        case Not(item=item):
            return mentions(item, field)
    return False
