"""Wire shapes of the Events API v3 (spec §1.4, §2.2)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from rota.calendar.editing import EDITABLE_FIELDS
from rota.calendar.event_view import EventView
from rota.calendar.privacy import PiPolicy, without_pi
from rota.calendar.recurrence import format_local, parse_local, to_utc, zone
from rota.calendar.schemas._shared import (
    BulkActionMetadata,
    ConferencingDetailsInput,
    CursorPaging,
    ExtendedFieldsInput,
    ItemMetadata,
    LocalDateTime,
    LocationInput,
    PagingMetadataRead,
    ParticipantNotification,
    RequestedPiFields,
    Text200,
    TimeZoneName,
    ZonedDateInput,
    ZonedDateRead,
    adjusted,
    masked_fields,
    stored_document,
    zoned,
)
from rota.core.wire import Int64Input, Int64String, Timestamp, WireModel

Weekday = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
EventTypeName = Literal["DEFAULT", "WORKING_HOURS", "APPOINTMENT", "CLASS", "COURSE"]
RecurrenceTypeName = Literal["NONE", "MASTER", "INSTANCE", "EXCEPTION"]
TransparencyName = Literal["OPAQUE", "TRANSPARENT"]


class RecurrenceRuleInput(WireModel):
    frequency: Literal["WEEKLY"]
    interval: int = Field(default=1, ge=1, le=4)
    days: list[Weekday] = Field(min_length=1, max_length=1)
    until: ZonedDateInput | None = None

    def stored(self) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "frequency": self.frequency,
            "interval": self.interval,
            "days": list(self.days),
        }
        if self.until is not None:
            rule["until"] = {"localDate": format_local(self.until.local_date)}
        return rule


class ResourceInput(WireModel):
    id: uuid.UUID
    transparency: TransparencyName | None = None
    permission_role: Literal["WRITER", "COMMENTER"] | None = None

    def stored(self) -> dict[str, Any]:
        resource: dict[str, Any] = {"id": str(self.id)}
        if self.transparency:
            resource["transparency"] = self.transparency
        if self.permission_role:
            resource["permissionRole"] = self.permission_role
        return resource


class EventFieldsInput(WireModel):
    """What a caller may write on an event; read-only fields sent back are ignored."""

    title: Text200 | None = None
    start: ZonedDateInput | None = None
    end: ZonedDateInput | None = None
    time_zone: TimeZoneName | None = None
    recurrence_rule: RecurrenceRuleInput | None = None
    transparency: TransparencyName | None = None
    location: LocationInput | None = None
    resources: list[ResourceInput] | None = Field(default=None, max_length=100)
    total_capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    conferencing_details: ConferencingDetailsInput | None = None
    notes: str | None = Field(default=None, min_length=1, max_length=5000)
    extended_fields: ExtendedFieldsInput | None = None
    all_day: bool | None = None

    def changes(self, names: set[str]) -> dict[str, Any]:
        """Service values for the attributes in ``names`` (``None`` where the body sent null)."""
        values: dict[str, Any] = {}
        for name in names & EDITABLE_FIELDS:
            value = getattr(self, name)
            if value is None:
                values[name] = None
            elif name in ("start", "end"):
                values[name] = value.local_date
            elif name == "recurrence_rule":
                values[name] = value.stored()
            elif name == "resources":
                values[name] = [resource.stored() for resource in value]
            elif isinstance(value, WireModel):
                values[name] = stored_document(value)
            else:
                values[name] = value
        return values


class EventCreate(EventFieldsInput):
    schedule_id: uuid.UUID
    type: EventTypeName | None = None
    start: ZonedDateInput
    end: ZonedDateInput

    def create_changes(self) -> dict[str, Any]:
        """On create an explicit null means "not given": the schedule default applies."""
        given = {name for name in self.model_fields_set if getattr(self, name) is not None}
        return self.changes(given)


class EventUpdate(EventFieldsInput):
    id: str | None = None
    revision: Int64Input = Field(ge=0)
    schedule_id: str | None = None
    type: str | None = None


def update_changes(event: EventUpdate, fieldmask: Any) -> dict[str, Any]:
    """PATCH semantics: the field mask when given, else every field present in the body."""
    names = masked_fields(fieldmask, EDITABLE_FIELDS)
    changes = event.changes(event.model_fields_set if names is None else names)
    for name in ("type", "schedule_id"):
        if name in event.model_fields_set:
            changes[name] = getattr(event, name)
    return changes


class RecurrenceRuleRead(WireModel):
    frequency: str
    interval: int
    days: list[str]
    until: ZonedDateRead | None = None
    adjusted_until: ZonedDateRead | None = None


class EventRead(WireModel):
    id: str
    schedule_id: str
    external_schedule_id: str | None = None
    schedule_name: str | None = None
    type: str
    status: str
    title: str | None = None
    start: ZonedDateRead
    end: ZonedDateRead
    adjusted_start: ZonedDateRead
    adjusted_end: ZonedDateRead
    time_zone: str
    recurrence_type: str
    recurrence_rule: RecurrenceRuleRead | None = None
    recurring_event_id: str | None = None
    transparency: str
    location: dict[str, Any] | None = None
    resources: list[dict[str, Any]]
    total_capacity: int | None = None
    remaining_capacity: int | None = None
    conferencing_details: dict[str, Any] | None = None
    notes: str | None = None
    inherited_fields: list[str]
    app_id: str | None = None
    permissions: list[dict[str, Any]]
    extended_fields: dict[str, Any] | None = None
    all_day: bool
    revision: Int64String
    created_date: Timestamp
    updated_date: Timestamp

    @classmethod
    def from_view(cls, view: EventView, *, tz: ZoneInfo, pi: PiPolicy) -> EventRead:
        """The wire event, with `adjusted*` in ``tz`` and PI only where ``pi`` allows."""
        if not pi.reveals_event(view):
            view = without_pi(view)
        return cls(
            id=view.id,
            schedule_id=view.schedule_id,
            external_schedule_id=view.external_schedule_id,
            schedule_name=view.schedule_name,
            type=view.type,
            status=view.status,
            title=view.title,
            start=zoned(view.start_local, view.time_zone, view.start_utc),
            end=zoned(view.end_local, view.time_zone, view.end_utc),
            adjusted_start=adjusted(view.start_utc, tz),
            adjusted_end=adjusted(view.end_utc, tz),
            time_zone=view.time_zone,
            recurrence_type=view.recurrence_type,
            recurrence_rule=_rule(view, tz),
            recurring_event_id=view.recurring_event_id,
            transparency=view.transparency,
            location=view.location,
            resources=view.resources,
            total_capacity=view.total_capacity,
            remaining_capacity=view.total_capacity,
            conferencing_details=view.conferencing_details,
            notes=view.notes,
            inherited_fields=list(view.inherited_fields),
            app_id=view.app_id,
            permissions=view.permissions,
            extended_fields=view.extended_fields,
            all_day=view.all_day,
            revision=view.revision,
            created_date=view.created_at,
            updated_date=view.updated_at,
        )


def _rule(view: EventView, tz: ZoneInfo) -> RecurrenceRuleRead | None:
    rule = view.recurrence_rule
    if not rule:
        return None
    until = (rule.get("until") or {}).get("localDate")
    until_read = adjusted_until = None
    if until:
        local = parse_local(until)
        instant = to_utc(local, zone(view.time_zone))
        until_read = zoned(local, view.time_zone, instant)
        adjusted_until = adjusted(instant, tz)
    return RecurrenceRuleRead(
        frequency=rule.get("frequency", "WEEKLY"),
        interval=int(rule.get("interval") or 1),
        days=list(rule.get("days") or []),
        until=until_read,
        adjusted_until=adjusted_until,
    )


class CreateEventRequest(WireModel):
    event: EventCreate
    time_zone: TimeZoneName | None = None
    idempotency_key: uuid.UUID | None = None
    fields: RequestedPiFields


class UpdateEventRequest(WireModel):
    event: EventUpdate
    participant_notification: ParticipantNotification | None = None
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields
    fieldmask: Any = None
    field_mask: Any = None


class CancelEventRequest(WireModel):
    participant_notification: ParticipantNotification | None = None
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields


class SplitEventRequest(WireModel):
    split_local_date: LocalDateTime
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields


class EventQueryPart(WireModel):
    filter: Any = None
    sort: Any = None
    cursor_paging: CursorPaging | None = None


class QueryEventsRequest(WireModel):
    from_local_date: LocalDateTime | None = None
    to_local_date: LocalDateTime | None = None
    time_zone: TimeZoneName | None = None
    recurrence_type: Annotated[list[RecurrenceTypeName], Field(max_length=5)] | None = None
    fields: RequestedPiFields
    query: EventQueryPart = Field(default_factory=EventQueryPart)


class EventResponse(WireModel):
    event: EventRead


class EventListResponse(WireModel):
    events: list[EventRead]


class QueryEventsResponse(WireModel):
    events: list[EventRead]
    paging_metadata: PagingMetadataRead


class SplitEventResponse(WireModel):
    updated_recurring_event_ending_before_split: EventRead
    new_recurring_event_starting_from_split: EventRead


class BulkCreateItem(WireModel):
    event: EventCreate
    fieldmask: Any = None


class BulkUpdateItem(WireModel):
    event: EventUpdate
    fieldmask: Any = None


MAX_BULK_ITEMS = 50


class BulkCreateEventsRequest(WireModel):
    # Items are checked one by one, so one malformed item fails alone.
    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BULK_ITEMS)
    return_entity: bool = False
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields


class BulkUpdateEventsRequest(WireModel):
    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BULK_ITEMS)
    return_entity: bool = False
    participant_notification: ParticipantNotification | None = None
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields


class BulkCancelEventsRequest(WireModel):
    event_ids: list[Annotated[str, Field(min_length=1, max_length=250)]] = Field(
        min_length=1, max_length=MAX_BULK_ITEMS
    )
    return_entity: bool = False
    participant_notification: ParticipantNotification | None = None
    time_zone: TimeZoneName | None = None
    fields: RequestedPiFields


class BulkEventResult(WireModel):
    item_metadata: ItemMetadata
    item: EventRead | None = None


class BulkEventsResponse(WireModel):
    results: list[BulkEventResult]
    bulk_action_metadata: BulkActionMetadata
