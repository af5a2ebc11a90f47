"""Wire shapes of the Schedules API v3 (spec §1.5, §2.3)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from rota.calendar.constants import SCHEDULE_CREATE_ONLY, SCHEDULE_WRITABLE
from rota.calendar.models import Schedule
from rota.calendar.privacy import PiPolicy, public_location
from rota.calendar.schemas._shared import (
    ConferencingDetailsInput,
    CursorPaging,
    ExtendedFieldsInput,
    LocationInput,
    PagingMetadataRead,
    ParticipantNotification,
    PermissionInput,
    RequestedPiFields,
    Text200,
    TimeZoneName,
    stored_document,
)
from rota.core.wire import Int64Input, Int64String, Timestamp, WireModel


class ScheduleFieldsInput(WireModel):
    name: Text200 | None = None
    time_zone: TimeZoneName | None = None
    business_time_zone_enabled: bool | None = None
    default_title: Text200 | None = None
    default_location: LocationInput | None = None
    default_capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    default_conferencing_details: ConferencingDetailsInput | None = None
    permissions: list[PermissionInput] | None = Field(default=None, max_length=1)
    extended_fields: ExtendedFieldsInput | None = None
    external_id: str | None = Field(default=None, min_length=1, max_length=250)
    app_id: str | None = Field(default=None, min_length=1, max_length=36)

    def values(self, names: set[str]) -> dict[str, Any]:
        """Service values for ``names``: documents wire-cased, roles in their stored form."""
        values: dict[str, Any] = {}
        for name in names & (SCHEDULE_WRITABLE | SCHEDULE_CREATE_ONLY):
            value = getattr(self, name)
            if name == "permissions":
                values[name] = [p.stored() for p in value or []]
            elif isinstance(value, WireModel):
                values[name] = stored_document(value)
            else:
                values[name] = value
        return values


class ScheduleCreate(ScheduleFieldsInput):
    def create_values(self) -> dict[str, Any]:
        """On create an explicit null means "not given": the default applies."""
        return self.values(
            {name for name in self.model_fields_set if getattr(self, name) is not None}
        )


class ScheduleUpdate(ScheduleFieldsInput):
    id: str | None = None
    revision: Int64Input = Field(ge=0)


class ScheduleRead(WireModel):
    id: uuid.UUID
    external_id: str | None = None
    name: str | None = None
    status: str
    time_zone: str
    business_time_zone_enabled: bool
    default_title: str | None = None
    default_location: dict[str, Any] | None = None
    default_capacity: int | None = None
    default_conferencing_details: dict[str, Any] | None = None
    app_id: str | None = None
    permissions: list[dict[str, Any]]
    extended_fields: dict[str, Any] | None = None
    revision: Int64String
    created_date: Timestamp
    updated_date: Timestamp

    @classmethod
    def from_row(cls, schedule: Schedule, *, pi: PiPolicy) -> ScheduleRead:
        reveal = pi.reveals_schedule(schedule.permissions or [])
        return cls(
            id=schedule.id,
            external_id=schedule.external_id,
            name=schedule.name,
            status=schedule.status,
            time_zone=schedule.time_zone,
            business_time_zone_enabled=schedule.business_time_zone_enabled,
            default_title=schedule.default_title,
            default_location=schedule.default_location
            if reveal
            else public_location(schedule.default_location),
            default_capacity=schedule.default_capacity,
            default_conferencing_details=schedule.default_conferencing_details if reveal else None,
            app_id=schedule.app_id,
            permissions=list(schedule.permissions or []),
            extended_fields=schedule.extended_fields,
            revision=schedule.revision,
            created_date=schedule.created_at,
            updated_date=schedule.updated_at,
        )


class CreateScheduleRequest(WireModel):
    schedule: ScheduleCreate
    idempotency_key: uuid.UUID | None = None
    fields: RequestedPiFields


class UpdateScheduleRequest(WireModel):
    schedule: ScheduleUpdate
    participant_notification: ParticipantNotification | None = None
    fields: RequestedPiFields
    fieldmask: Any = None
    field_mask: Any = None


class CancelScheduleRequest(WireModel):
    preserve_future_events_with_participants: bool | None = None
    participant_notification: ParticipantNotification | None = None
    fields: RequestedPiFields


class ScheduleQueryPart(WireModel):
    filter: Any = None
    sort: Any = None
    cursor_paging: CursorPaging | None = None


class QuerySchedulesRequest(WireModel):
    query: ScheduleQueryPart = Field(default_factory=ScheduleQueryPart)
    fields: RequestedPiFields


class ScheduleResponse(WireModel):
    schedule: ScheduleRead


class QuerySchedulesResponse(WireModel):
    schedules: list[ScheduleRead]
    paging_metadata: PagingMetadataRead
