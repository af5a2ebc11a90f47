"""Pure: an event as the Events API shows it, whether stored or generated from its MASTER.

No I/O. INSTANCEs exist only as views: `instance_of` builds one from its MASTER's view and an
occurrence, so reading, filtering, sorting and paging treat stored and generated events alike.
`filter_record` gives the values the query language filters on (spec §2.2's field list).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rota.calendar.constants import ALL_INHERITABLE, RecurrenceType
from rota.calendar.event_ids import instance_id
from rota.calendar.recurrence import Occurrence


@dataclass(frozen=True)
class EventView:
    id: str
    schedule_id: str
    external_schedule_id: str | None
    schedule_name: str | None
    type: str
    status: str
    title: str | None
    start_local: datetime
    end_local: datetime
    time_zone: str
    start_utc: datetime
    end_utc: datetime
    recurrence_type: str
    recurrence_rule: dict[str, Any] | None
    recurring_event_id: str | None
    transparency: str
    location: dict[str, Any] | None
    resources: list[dict[str, Any]]
    total_capacity: int | None
    conferencing_details: dict[str, Any] | None
    notes: str | None
    inherited_fields: tuple[str, ...]
    app_id: str | None
    permissions: list[dict[str, Any]]
    extended_fields: dict[str, Any] | None
    all_day: bool
    revision: int
    created_at: datetime
    updated_at: datetime

    @property
    def resource_ids(self) -> list[str]:
        return [str(r["id"]) for r in self.resources if r.get("id")]


def instance_of(master: EventView, occurrence: Occurrence) -> EventView:
    """The INSTANCE of ``master`` at ``occurrence``: everything inherited, id derived."""
    return replace(
        master,
        id=instance_id(master.id, occurrence.day),
        recurrence_type=RecurrenceType.INSTANCE,
        recurring_event_id=master.id,
        start_local=occurrence.local_start,
        end_local=occurrence.local_end,
        start_utc=occurrence.start_utc,
        end_utc=occurrence.end_utc,
        inherited_fields=ALL_INHERITABLE,
    )


def filter_record(view: EventView) -> dict[str, object]:
    """The event's values under the query language's field paths."""
    location = view.location or None
    return {
        "scheduleId": view.schedule_id,
        "externalScheduleId": view.external_schedule_id,
        "type": view.type,
        "recurringEventId": view.recurring_event_id,
        "transparency": view.transparency,
        "location": location.get("type") if location else None,
        "location.id": location.get("id") if location else None,
        "location.type": location.get("type") if location else None,
        "totalCapacity": view.total_capacity,
        "remainingCapacity": view.total_capacity,
        "participants.total": 0,
        "conferencingDetails": (view.conferencing_details or {}).get("type"),
        "appId": view.app_id,
        "resources.id": view.resource_ids,
    }
