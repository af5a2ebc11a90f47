"""Wire shapes shared by the Events and Schedules APIs: zoned dates, locations, conferencing
details, roles, paging and bulk results (spec §1.4, §1.5, §2.2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.alias_generators import to_snake
from pydantic_core import PydanticCustomError

from rota.calendar.privacy import PiFields
from rota.calendar.recurrence import (
    InvalidLocalDateTime,
    InvalidTimeZone,
    format_local,
    parse_local,
    to_local,
    zone,
)
from rota.calendar.roles import grant
from rota.core.errors import FieldViolation, InvalidInput, RotaError
from rota.core.wire import WireModel


def _local(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("format", "Expected a local date-time like '2024-01-30T13:30:00'")
    try:
        return parse_local(value)
    except InvalidLocalDateTime as error:
        raise PydanticCustomError("format", str(error)) from None


def _time_zone(value: str) -> str:
    try:
        zone(value)
    except InvalidTimeZone as error:
        raise PydanticCustomError("format", str(error)) from None
    return value


LocalDateTime = Annotated[datetime, BeforeValidator(_local)]
TimeZoneName = Annotated[str, Field(min_length=1, max_length=150), AfterValidator(_time_zone)]
RequestedPiFields = Annotated[list[PiFields], Field(default_factory=list, max_length=1)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class ZonedDateInput(WireModel):
    local_date: LocalDateTime


class ZonedDateRead(WireModel):
    local_date: str
    time_zone: str
    utc_date: str | None = None


def format_utc_date(value: datetime) -> str:
    """``2024-10-07T10:00:00Z``: the form Wix shows for `utcDate` (minute precision)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zoned(local: datetime, time_zone: str, instant: datetime) -> ZonedDateRead:
    return ZonedDateRead(
        local_date=format_local(local), time_zone=time_zone, utc_date=format_utc_date(instant)
    )


def adjusted(instant: datetime, tz: ZoneInfo) -> ZonedDateRead:
    """The instant re-expressed in the request's (or the business) zone; no `utcDate`."""
    return ZonedDateRead(local_date=format_local(to_local(instant, tz)), time_zone=str(tz.key))


class LocationInput(WireModel):
    id: str | None = Field(default=None, max_length=36)
    type: Literal["BUSINESS", "CUSTOMER", "CUSTOM"]
    name: str | None = Field(default=None, min_length=1, max_length=150)
    address: str | None = Field(default=None, max_length=2000)


class ConferencingDetailsInput(WireModel):
    type: Literal["ZOOM", "CUSTOM"]
    host_url: str = Field(min_length=1, max_length=2000)
    guest_url: str = Field(min_length=1, max_length=2000)
    password: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, min_length=1, max_length=200)
    external_id: str | None = Field(default=None, min_length=1, max_length=150)


class IdentityInput(WireModel):
    wix_user_id: uuid.UUID


class PermissionInput(WireModel):
    identity: IdentityInput
    role: Literal["WRITER", "COMMENTER"]

    def stored(self) -> dict[str, Any]:
        return grant(str(self.identity.wix_user_id), self.role)


class ExtendedFieldsInput(WireModel):
    namespaces: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ParticipantNotification(WireModel):
    """Accepted for compatibility; Rota stores no participants, so nobody is notified."""

    notify_participants: bool | None = None
    message: str | None = Field(default=None, min_length=1, max_length=5000)
    metadata: dict[str, str] | None = Field(default=None, max_length=10)


def masked_fields(fieldmask: Any, allowed: frozenset[str]) -> set[str] | None:
    """The attributes a PATCH field mask names (None without a mask); each must be in
    ``allowed``. Wix sends one comma-separated string; arrays and ``{"paths": [...]}`` work too."""
    if fieldmask is None:
        return None
    paths = fieldmask.get("paths", []) if isinstance(fieldmask, dict) else fieldmask
    if isinstance(paths, str):
        paths = paths.split(",")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise InvalidInput(
            "fieldmask must be a comma-separated string of field paths",
            violations=[FieldViolation("fieldmask", "Expected 'title,notes'", "FORMAT")],
        )
    names = {to_snake(path.strip().split(".")[0]) for path in paths if path.strip()}
    unknown = sorted(names - allowed)
    if unknown:
        raise InvalidInput(
            f"fieldmask names fields that cannot be updated: {', '.join(unknown)}",
            violations=[
                FieldViolation(
                    "fieldmask", f"Updatable fields: {', '.join(sorted(allowed))}", "FORMAT"
                )
            ],
        )
    return names


def stored_document(value: WireModel | None) -> dict[str, Any] | None:
    return None if value is None else value.model_dump(by_alias=True, exclude_none=True)


class CursorsRead(WireModel):
    next: str | None = None
    prev: str | None = None


class PagingMetadataRead(WireModel):
    count: int
    cursors: CursorsRead
    has_next: bool


class CursorPaging(WireModel):
    limit: int | None = Field(default=None, ge=1)
    cursor: str | None = Field(default=None, max_length=16000)


class ItemError(WireModel):
    code: str
    description: str
    data: dict[str, Any] | None = None


class ItemMetadata(WireModel):
    id: str | None = None
    original_index: int
    success: bool
    error: ItemError | None = None


class BulkActionMetadata(WireModel):
    total_successes: int
    total_failures: int


def item_error(error: RotaError) -> ItemError:
    """A failed bulk item, in the shape of Wix's `ApplicationError`; field violations of bad
    input go in ``data.fieldViolations``."""
    data: dict[str, Any] = dict(error.details)
    if isinstance(error, InvalidInput) and error.violations:
        data["fieldViolations"] = [
            {"field": v.field, "description": v.description, "violatedRule": v.rule}
            for v in error.violations
        ]
    return ItemError(code=error.code, description=error.message, data=data or None)


class EmptyResponse(WireModel):
    pass
