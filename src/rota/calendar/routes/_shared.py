"""What both calendar routers share: the caller's identity and PI policy, the response zone and
query-language errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import service as calendar_service
from rota.calendar.errors import PiPermissionRequired
from rota.calendar.privacy import PiFields, PiPolicy
from rota.calendar.recurrence import zone
from rota.calendar.roles import Caller
from rota.core.errors import FieldViolation, InvalidInput
from rota.identity.deps import Principal
from rota.identity.permissions import Permission
from rota.wixquery import QueryError

_RULES = {
    "missing": "REQUIRED_FIELD",
    "string_too_short": "MIN_LENGTH",
    "string_too_long": "MAX_LENGTH",
    "too_short": "MIN_SIZE",
    "too_long": "MAX_SIZE",
    "greater_than_equal": "MIN",
    "less_than_equal": "MAX",
}


def caller_of(principal: Principal) -> Caller:
    """API keys act as the app; signed-in users act under their calendar roles.

    Users whose site role manages staff (admins, supervisors, managers: they hold
    ``staff.write``) run the business and act like a manage-scoped key; every other user is
    limited to the schedules and events they hold a WRITER or COMMENTER role on. A user's linked
    staff resources (which `resources[].permissionRole` reaches) are not known to the calendar
    yet, so users get their schedule roles only.
    """
    if principal.user_id is None or Permission.STAFF_WRITE in principal.permissions:
        return Caller()
    return Caller(user_id=str(principal.user_id))


def pi_policy(principal: Principal, fields: Sequence[PiFields | str]) -> PiPolicy:
    """`PI_FIELDS` needs the PI permission (403 otherwise); `OWN_PI_FIELDS` never does."""
    requested = [PiFields(f) for f in fields]
    if PiFields.PI_FIELDS in requested and Permission.CALENDAR_READ_PI not in principal.permissions:
        raise PiPermissionRequired(
            "fields=PI_FIELDS returns personal information and needs the 'calendar.read-pi' "
            "or 'calendar.manage' scope; ask without it, or with OWN_PI_FIELDS"
        )
    return PiPolicy.for_request(requested, caller_of(principal))


async def response_zone(
    session: AsyncSession, principal: Principal, time_zone: str | None
) -> ZoneInfo:
    """The zone `adjusted*` dates are expressed in: the request's, else the business one."""
    if time_zone is None:
        time_zone = await calendar_service.business_time_zone(session, site_id=principal.site_id)
    return zone(time_zone)


def query_invalid(error: QueryError, prefix: str = "query.") -> InvalidInput:
    return InvalidInput(
        error.message, violations=[FieldViolation(prefix + error.field, error.message, error.rule)]
    )


def item_invalid(error: ValidationError, prefix: str) -> InvalidInput:
    """A bulk item's shape errors, with paths from the request root (``events[2].event.…``)."""
    violations = []
    for detail in error.errors():
        path = prefix
        for part in detail.get("loc", ()):
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        kind = str(detail.get("type", ""))
        violations.append(
            FieldViolation(
                path, str(detail.get("msg", "Invalid value")), _RULES.get(kind, "FORMAT")
            )
        )
    return InvalidInput(f"Invalid item: check {violations[0].field}", violations=violations)


def check_path_id(kind: str, body_id: str | None, path_id: str) -> None:
    """A PATCH body may repeat the entity's id, but only the one in the path."""
    if body_id and body_id != path_id:
        raise InvalidInput(
            f"{kind}.id must match the id in the path",
            violations=[FieldViolation(f"{kind}.id", f"Must equal the path's {kind} id", "FORMAT")],
        )


def limit_of(value: int | None, *, default: int, maximum: int, field: str) -> int:
    if value is None:
        return default
    if value > maximum:
        raise InvalidInput(
            f"{field} may be at most {maximum}",
            violations=[FieldViolation(field, f"At most {maximum}", "MAX", {"threshold": maximum})],
        )
    return value


def reject_with_cursor(**parts: Any) -> None:
    """A cursor carries the whole query; a request with one sends nothing else (Wix's rule)."""
    sent = sorted(name for name, value in parts.items() if value is not None)
    if sent:
        raise InvalidInput(
            f"A request with cursorPaging.cursor must not also send {', '.join(sent)}: the "
            "cursor already carries the query",
            violations=[FieldViolation(f"query.{sent[0]}", "Not allowed with a cursor", "CUSTOM")],
        )
