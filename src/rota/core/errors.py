"""Rota's one error base. Services raise these; the API layer renders them per dialect.

Each subclass has a stable machine-readable ``code`` and an HTTP status. Codes are part of the
public API and never change once released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldViolation:
    """One rejected input field: its path on the wire, the rule it broke and what to do."""

    field: str
    description: str
    rule: str
    data: dict[str, Any] | None = None


class RotaError(Exception):
    code: ClassVar[str] = "ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(RotaError):
    """The request is malformed or breaks a field rule; nothing was changed."""

    code = "INVALID_ARGUMENT"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        violations: list[FieldViolation] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.violations = violations or []


class BusinessRuleViolation(RotaError):
    """A well-formed request that the current state does not allow (application error)."""

    code = "BUSINESS_RULE_VIOLATION"
    http_status = 400


class Unauthenticated(RotaError):
    code = "UNAUTHENTICATED"
    http_status = 401


class PermissionDenied(RotaError):
    code = "PERMISSION_DENIED"
    http_status = 403


class NotFound(RotaError):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(RotaError):
    code = "CONFLICT"
    http_status = 409


class RevisionMismatch(Conflict):
    """Optimistic concurrency: the caller edited an older revision than the stored one."""

    code = "INVALID_REVISION"


class PayloadTooLarge(RotaError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413


class CursorRejected(InvalidInput):
    """A paging cursor that was altered, expired with a schema change, or minted for another
    site or query."""

    code = "INVALID_CURSOR"
