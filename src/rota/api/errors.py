"""Turns every failure into the error body of the dialect the request spoke, with the right
status: Booxi's under ``/booking/v1/``, Wix's (spec §0.1) everywhere else.

Expected failures are ``RotaError``s raised by services; request-shape problems come from
FastAPI's validation; anything else is a 500 that is logged with a reference and leaks nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from rota.booxi.error_body import BOOXI_PREFIX, booxi_error_body, booxi_status_body
from rota.core.errors import FieldViolation, InvalidInput, RevisionMismatch, RotaError

logger = logging.getLogger("rota.api")

_RULES = {
    "missing": "REQUIRED_FIELD",
    "string_too_short": "MIN_LENGTH",
    "string_too_long": "MAX_LENGTH",
    "too_short": "MIN_SIZE",
    "too_long": "MAX_SIZE",
    "greater_than_equal": "MIN",
    "greater_than": "MIN",
    "less_than_equal": "MAX",
    "less_than": "MAX",
}
_THRESHOLD_KEYS = ("min_length", "max_length", "ge", "gt", "le", "lt")
_TYPE_TAGS = {"str", "int", "bool", "float", "dict", "list", "none"}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in str(part) or str(part) in _TYPE_TAGS:
            continue  # pydantic's union-member tags, not part of the caller's field path
        else:
            path += ("." if path else "") + str(part)
    return path


def _violation(error: dict[str, Any]) -> FieldViolation:
    kind = str(error.get("type", ""))
    path = _field_path(tuple(error.get("loc", ())))
    context = error.get("ctx") or {}
    threshold = next((context[k] for k in _THRESHOLD_KEYS if k in context), None)
    data = {"threshold": threshold} if threshold is not None else None
    if kind == "json_invalid":
        return FieldViolation(
            "", f"The request body is not valid JSON: {error.get('msg')}", "FORMAT"
        )
    message = str(error.get("msg", "Invalid value"))
    if kind == "missing":
        message = "Required field is missing" if path else "A JSON request body is required"
    return FieldViolation(path, message, _RULES.get(kind, "FORMAT"), data)


def _application_error(code: str, message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "message": message,
        "details": {"applicationError": {"code": code, "description": message, "data": data}},
    }


def wix_error_body(exc: RotaError) -> dict[str, Any]:
    if isinstance(exc, InvalidInput) and exc.violations:
        violations = [
            {
                "field": v.field,
                "description": v.description,
                "violatedRule": v.rule,
                **({"data": v.data} if v.data else {}),
            }
            for v in exc.violations
        ]
        return {
            "message": exc.message,
            "details": {"validationError": {"fieldViolations": violations}},
        }
    return _application_error(exc.code, exc.message, exc.details)


def _is_booxi(request: Request) -> bool:
    return request.url.path.startswith(BOOXI_PREFIX)


def _render(request: Request, exc: RotaError) -> Response:
    body = booxi_error_body(exc) if _is_booxi(request) else wix_error_body(exc)
    return JSONResponse(body, status_code=exc.http_status)


async def _on_rota_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RotaError)
    return _render(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    violations = [_violation(dict(e)) for e in exc.errors()]
    fields = ", ".join(v.field or "body" for v in violations[:5])
    return _render(request, InvalidInput(f"Invalid request: check {fields}", violations=violations))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    body = (
        booxi_status_body(exc.status_code, str(exc.detail))
        if _is_booxi(request)
        else _application_error(codes.get(exc.status_code, "HTTP_ERROR"), str(exc.detail), {})
    )
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _on_integrity_error(request: Request, exc: Exception) -> Response:
    logger.warning("integrity error: %s", exc)
    message = "The change conflicts with stored data; nothing was changed"
    body = (
        booxi_status_body(409, message)
        if _is_booxi(request)
        else _application_error("CONFLICT", message, {})
    )
    return JSONResponse(body, status_code=409)


async def _on_stale_write(request: Request, exc: Exception) -> Response:
    # A revision-guarded row changed under a flush no service wrapped (services that know the
    # record name it in their own RevisionMismatch): the same 409, never a 500.
    logger.info("stale write: %s", exc)
    return _render(
        request,
        RevisionMismatch("The record was changed by another request; read it again and retry"),
    )


# PostgreSQL's text and jsonb cannot hold the character U+0000: "invalid byte sequence" in a
# text column, "unsupported Unicode escape sequence" in a JSON one. It comes from the caller,
# and SQLAlchemy leaves it a bare DBAPIError.
_UNSTORABLE_TEXT = {"22021", "22P05"}


async def _on_database_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "sqlstate", None) not in _UNSTORABLE_TEXT:
        return await _on_unexpected(request, exc)
    logger.info("unstorable text: %s", exc.orig)
    message = "Text may not contain the NUL character (U+0000); nothing was changed"
    return _render(request, InvalidInput(message))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    logger.exception("unhandled error, reference %s", reference, exc_info=exc)
    message = f"Internal error (reference {reference})"
    body = (
        booxi_status_body(500, message)
        if _is_booxi(request)
        else {"message": message, "details": {}}
    )
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RotaError, _on_rota_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(StaleDataError, _on_stale_write)
    app.add_exception_handler(Exception, _on_unexpected)
