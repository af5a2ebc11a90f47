"""What a queryable entity exposes to WQL: its field paths, their kinds, operators and sortability.

Pure data, no I/O. A `FieldTable` is the contract between the wire and the database: the parser
accepts exactly what the table declares, and the repository binds exactly those paths to columns.
A `FieldSpec` refuses, at import time, an operator that makes no sense for its kind (`$gt` on a
boolean, `$startsWith` on a timestamp), so a typo in a table fails loudly instead of producing a
filter that no database can run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    STRING = "STRING"
    GUID = "GUID"
    DATETIME = "DATETIME"
    BOOL = "BOOL"
    INT = "INT"
    STRING_ARRAY = "STRING_ARRAY"


EQ = "$eq"
NE = "$ne"
GT = "$gt"
GTE = "$gte"
LT = "$lt"
LTE = "$lte"
IN = "$in"
NIN = "$nin"
STARTS_WITH = "$startsWith"
EXISTS = "$exists"
IS_EMPTY = "$isEmpty"
HAS_SOME = "$hasSome"
HAS_ALL = "$hasAll"

ALL_OPERATORS = frozenset(
    {EQ, NE, GT, GTE, LT, LTE, IN, NIN, STARTS_WITH, EXISTS, IS_EMPTY, HAS_SOME, HAS_ALL}
)
RANGE_OPERATORS = frozenset({GT, GTE, LT, LTE})
LIST_OPERATORS = frozenset({IN, NIN, HAS_SOME, HAS_ALL})

# The operators that mean something for each kind. A table may offer fewer, never more.
OPERATORS_BY_KIND: dict[FieldKind, frozenset[str]] = {
    FieldKind.STRING: frozenset({EQ, NE, GT, GTE, LT, LTE, IN, NIN, STARTS_WITH, EXISTS, IS_EMPTY}),
    FieldKind.GUID: frozenset({EQ, NE, GT, GTE, LT, LTE, IN, NIN, STARTS_WITH, EXISTS}),
    FieldKind.DATETIME: frozenset({EQ, NE, GT, GTE, LT, LTE, IN, NIN, EXISTS}),
    FieldKind.BOOL: frozenset({EQ, NE, IN, NIN, EXISTS}),
    FieldKind.INT: frozenset({EQ, NE, GT, GTE, LT, LTE, IN, NIN, EXISTS}),
    FieldKind.STRING_ARRAY: frozenset({EQ, NE, HAS_SOME, HAS_ALL, EXISTS, IS_EMPTY}),
}


def describe_operators(operators: Iterable[str]) -> str:
    """The stable, sorted spelling used in every error message (`$eq, $exists, $in`)."""
    return ", ".join(sorted(operators))


@dataclass(frozen=True)
class FieldSpec:
    """One filterable (and maybe sortable) field, named by its dotted wire path."""

    path: str
    kind: FieldKind
    operators: frozenset[str]
    sortable: bool

    def __post_init__(self) -> None:
        unknown = self.operators - ALL_OPERATORS
        if unknown:
            raise ValueError(f"{self.path}: unknown operators {describe_operators(unknown)}")
        meaningless = self.operators - OPERATORS_BY_KIND[self.kind]
        if meaningless:
            raise ValueError(
                f"{self.path}: {describe_operators(meaningless)} cannot apply to a {self.kind}"
            )
        if self.sortable and self.kind is FieldKind.STRING_ARRAY:
            raise ValueError(f"{self.path}: arrays have no order and cannot be sortable")
        if not self.path or self.path.startswith("$") or "" in self.path.split("."):
            raise ValueError(f"invalid field path {self.path!r}")


class FieldTable:
    """The fields of one query surface (e.g. staff Query v1), looked up by wire path."""

    def __init__(self, specs: Iterable[FieldSpec]) -> None:
        by_path: dict[str, FieldSpec] = {}
        for spec in specs:
            if spec.path in by_path:
                raise ValueError(f"field {spec.path!r} declared twice")
            by_path[spec.path] = spec
        self._by_path = by_path

    def get(self, path: str) -> FieldSpec | None:
        return self._by_path.get(path)

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self._by_path.values())

    def __contains__(self, path: object) -> bool:
        return path in self._by_path

    def __len__(self) -> int:
        return len(self._by_path)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_path))

    @property
    def sortable_paths(self) -> tuple[str, ...]:
        return tuple(sorted(path for path, spec in self._by_path.items() if spec.sortable))

    def has_prefix(self, path: str) -> bool:
        """Whether some field lives below `path` (`a.b` for `a.b.c`): nested objects may go on."""
        return any(known.startswith(path + ".") for known in self._by_path)

    def allowed_operators(self, path: str) -> str:
        """The operators of `path`, spelled for an error message; "" for an unknown path."""
        spec = self._by_path.get(path)
        return describe_operators(spec.operators) if spec else ""

    def with_specs(self, *specs: FieldSpec) -> FieldTable:
        """A copy where `specs` add or replace fields by path, for surfaces that differ slightly."""
        merged = dict(self._by_path)
        merged.update((spec.path, spec) for spec in specs)
        return FieldTable(merged.values())
