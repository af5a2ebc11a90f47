"""Errors of the query language, worded so the caller knows what to change.

Pure: no I/O. `QueryError` carries the same three facts as a Wix `fieldViolation` (where, which
rule, what to do), so the API layer can render it without parsing the message.
"""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    """Stable rule names; part of the API (they reach clients as `violatedRule`)."""

    UNSUPPORTED_FIELD = "UNSUPPORTED_FIELD"
    UNSUPPORTED_OPERATOR = "UNSUPPORTED_OPERATOR"
    INVALID_VALUE = "INVALID_VALUE"
    NOT_SORTABLE = "NOT_SORTABLE"
    DUPLICATE_SORT_KEY = "DUPLICATE_SORT_KEY"
    TOO_MANY_SORT_KEYS = "TOO_MANY_SORT_KEYS"


class QueryError(Exception):
    """A filter or sort the caller must fix.

    `field` locates the problem inside the query (`filter.name`, `filter.$or[1].createdDate`,
    `sort[1].fieldName`); the API layer prefixes it with the request part (`query.`).
    """

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message

    def __repr__(self) -> str:
        return f"QueryError(field={self.field!r}, rule={self.rule!r}, message={self.message!r})"


class InvalidCursor(Exception):
    """A paging cursor that was not issued by us for this query, or was altered on the way."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CursorTooLarge(ValueError):
    """The query is too large to fit in a cursor of the size Wix clients accept (16000 chars)."""
