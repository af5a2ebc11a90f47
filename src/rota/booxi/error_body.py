"""Pure: the Booxi error body. No I/O.

Booxi answers ``{"message", "code"}`` and adds an ``error`` name to conflicts
(``ScheduleOverlap``, ``InvalidExternalId``). Rota gives every error all three: ``code`` is the
HTTP status, ``error`` is the stable Rota code in PascalCase, and ``parameter`` names the request
parameter at fault when there is one; other facts (the overlapping schedule, a limit) go in
``data``.
"""

from __future__ import annotations

from typing import Any

from rota.core.errors import InvalidInput, RotaError

# Requests under this prefix are Booxi's; their errors use this body.
BOOXI_PREFIX = "/booking/v1/"

_STATUS_ERRORS = {
    401: "Unauthenticated",
    403: "PermissionDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    500: "InternalError",
}


def error_name(code: str) -> str:
    """``STAFF_NOT_FOUND`` -> ``StaffNotFound``."""
    return "".join(part.capitalize() for part in code.split("_"))


def booxi_error_body(exc: RotaError) -> dict[str, Any]:
    data = dict(exc.details)
    parameter = data.pop("parameter", None)
    message = exc.message
    if isinstance(exc, InvalidInput) and exc.violations:
        first = exc.violations[0]
        parameter = parameter or first.field or None
        if first.description not in message:
            message = f"{message} ({first.field or 'body'}: {first.description})"
    body: dict[str, Any] = {
        "code": exc.http_status,
        "message": message,
        "error": error_name(exc.code),
    }
    if parameter:
        body["parameter"] = parameter
    if data:
        body["data"] = data
    return body


def booxi_status_body(status: int, message: str) -> dict[str, Any]:
    """The body for failures that are not Rota errors (an unknown path, a 500)."""
    return {"code": status, "message": message, "error": _STATUS_ERRORS.get(status, "Error")}
