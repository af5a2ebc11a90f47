"""What every calendar service module shares: rows to views and back, loading what a write
targets, and the revision and role checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from rota.calendar import repository
from rota.calendar.constants import (
    BUSINESS_SCHEDULE_EXTERNAL_ID,
    STAFF_RESOURCE_TYPE_ID,
    ScheduleStatus,
    Transparency,
)
from rota.calendar.editing import ScheduleFacts, last_end_utc, series_of
from rota.calendar.errors import (
    CalendarRoleRequired,
    CommenterMayEditOnlyNotes,
    EventNotFound,
    ResourceNotFound,
    ScheduleCancelled,
    ScheduleNotFound,
)
from rota.calendar.event_ids import parse_instance_id
from rota.calendar.event_view import EventView, instance_of
from rota.calendar.models import CalendarEvent, Schedule
from rota.calendar.recurrence import format_local, zone
from rota.calendar.roles import Caller, Role, event_role, forbidden_changes, schedule_role
from rota.core.errors import RevisionMismatch

# The business zone of each site this session has looked up (events are announced in it).
_BUSINESS_ZONES = "rota.calendar.business_zones"


async def get_business_schedule(session: AsyncSession, *, site_id: uuid.UUID) -> Schedule:
    schedule = await repository.find_schedule_by_external_id(
        session, site_id=site_id, external_id=BUSINESS_SCHEDULE_EXTERNAL_ID
    )
    if schedule is None:
        # Every site gets one when it is created, so this means the site itself is gone.
        raise ScheduleNotFound(f"Site {site_id} has no business schedule: the site does not exist")
    return schedule


async def business_time_zone(session: AsyncSession, *, site_id: uuid.UUID) -> str:
    """The business zone: where `adjusted*` dates are expressed when a request names none.

    Looked up once per session; `remember_business_zone` keeps it current when the business
    schedule's zone changes."""
    known: dict[uuid.UUID, str] = session.info.setdefault(_BUSINESS_ZONES, {})
    if site_id not in known:
        known[site_id] = (await get_business_schedule(session, site_id=site_id)).time_zone
    return known[site_id]


def remember_business_zone(session: AsyncSession, schedule: Schedule) -> None:
    if schedule.external_id == BUSINESS_SCHEDULE_EXTERNAL_ID:
        session.info.setdefault(_BUSINESS_ZONES, {})[schedule.site_id] = schedule.time_zone


async def business_zone(session: AsyncSession, *, site_id: uuid.UUID) -> ZoneInfo:
    return zone(await business_time_zone(session, site_id=site_id))


def schedule_facts(schedule: Schedule) -> ScheduleFacts:
    return ScheduleFacts(
        id=str(schedule.id),
        name=schedule.name,
        external_id=schedule.external_id,
        status=schedule.status,
        app_id=schedule.app_id,
        permissions=list(schedule.permissions or []),
        time_zone=schedule.time_zone,
        default_title=schedule.default_title,
        default_location=schedule.default_location,
        default_capacity=schedule.default_capacity,
        default_conferencing_details=schedule.default_conferencing_details,
    )


def event_view(event: CalendarEvent, schedule: Schedule) -> EventView:
    return EventView(
        id=event.id,
        schedule_id=str(event.schedule_id),
        external_schedule_id=schedule.external_id,
        schedule_name=schedule.name,
        type=event.type,
        status=event.status,
        title=event.title,
        start_local=datetime.fromisoformat(event.start_local),
        end_local=datetime.fromisoformat(event.end_local),
        time_zone=event.time_zone,
        start_utc=event.start_utc,
        end_utc=event.end_utc,
        recurrence_type=event.recurrence_type,
        recurrence_rule=event.recurrence_rule,
        recurring_event_id=event.recurring_event_id,
        transparency=event.transparency,
        location=event.location,
        resources=list(event.resources or []),
        total_capacity=event.total_capacity,
        conferencing_details=event.conferencing_details,
        notes=event.notes,
        inherited_fields=tuple(event.inherited_fields or ()),
        app_id=event.app_id,
        permissions=list(schedule.permissions or []),
        extended_fields=event.extended_fields,
        all_day=event.all_day,
        revision=event.revision,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def write_view(event: CalendarEvent, view: EventView) -> None:
    """Store ``view`` in ``event``, with the columns derived from it for queries."""
    location = view.location or None
    event.type = view.type
    event.status = view.status
    event.title = view.title
    event.start_local = format_local(view.start_local)
    event.end_local = format_local(view.end_local)
    event.time_zone = view.time_zone
    event.start_utc = view.start_utc
    event.end_utc = view.end_utc
    event.last_end_utc = last_end_utc(view)
    event.recurrence_type = view.recurrence_type
    event.recurrence_rule = view.recurrence_rule
    event.recurring_event_id = view.recurring_event_id
    event.transparency = view.transparency
    event.location = location
    event.location_type = location.get("type") if location else None
    event.location_id = location.get("id") if location else None
    event.resources = view.resources
    event.resource_ids = view.resource_ids
    event.total_capacity = view.total_capacity
    event.conferencing_details = view.conferencing_details
    event.conferencing_type = (view.conferencing_details or {}).get("type")
    event.notes = view.notes
    event.inherited_fields = list(view.inherited_fields)
    event.app_id = view.app_id
    event.extended_fields = view.extended_fields
    event.all_day = view.all_day
    event.revision = view.revision
    event.updated_at = view.updated_at


def new_row(view: EventView, *, site_id: uuid.UUID, now: datetime) -> CalendarEvent:
    row = CalendarEvent(
        id=view.id,
        site_id=site_id,
        schedule_id=uuid.UUID(view.schedule_id),
        created_at=now,
    )
    write_view(row, view)
    return row


async def rewrite_events(
    session: AsyncSession,
    rows: Iterable[CalendarEvent],
    schedule: Schedule,
    change: Callable[[EventView], EventView],
    *,
    now: datetime,
) -> list[EventView]:
    """Apply ``change`` to each stored event; those it changes are stored at their next
    revision and returned (as stored), the rest are left alone."""
    changed: list[EventView] = []
    for row in rows:
        current = event_view(row, schedule)
        updated = change(current)
        if updated != current:
            updated = replace(updated, revision=current.revision + 1, updated_at=now)
            write_view(row, updated)
            changed.append(updated)
    await session.flush()
    return changed


@dataclass(frozen=True)
class Target:
    """An event a request names: its view, its stored row (None for a generated INSTANCE),
    its schedule and, for INSTANCEs, the MASTER row it comes from."""

    view: EventView
    row: CalendarEvent | None
    schedule: Schedule
    master: CalendarEvent | None = None


async def find_target(session: AsyncSession, *, site_id: uuid.UUID, event_id: str) -> Target:
    found = await repository.get_event(session, site_id=site_id, event_id=event_id)
    if found is not None:
        row, schedule = found
        return Target(event_view(row, schedule), row, schedule)
    parsed = parse_instance_id(event_id)
    if parsed is not None:
        master_id, day = parsed
        master = await repository.get_event(session, site_id=site_id, event_id=master_id)
        if master is not None:
            replaced = await repository.overridden_dates(session, master_ids=[master_id])
            instance = instance_on(event_view(*master), day, replaced)
            if instance is not None:
                return Target(instance, None, master[1], master[0])
    raise EventNotFound(f"Event {event_id} does not exist", details={"eventId": event_id})


def instance_on(
    master: EventView, day: date, replaced: Collection[tuple[str, date]]
) -> EventView | None:
    """The INSTANCE of ``master`` on local date ``day``, unless the series has no occurrence
    that day or a stored row replaces it (``replaced``: (MASTER id, date) pairs). A row keeps
    its own id when a split moves it to a new MASTER, so the new MASTER's id for that date
    names nothing, exactly as Query Events does not list it."""
    series = series_of(master)
    if series is None or (master.id, day) in replaced:
        return None
    occurrence = series.occurrence_on(day)
    return instance_of(master, occurrence) if occurrence is not None else None


async def find_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_id: uuid.UUID
) -> Schedule:
    schedule = await repository.get_schedule(session, site_id=site_id, schedule_id=schedule_id)
    if schedule is None:
        raise ScheduleNotFound(
            f"Schedule {schedule_id} does not exist", details={"scheduleId": str(schedule_id)}
        )
    return schedule


def require_active(schedule: Schedule) -> None:
    if schedule.status == ScheduleStatus.CANCELLED:
        raise ScheduleCancelled(
            f"Schedule {schedule.id} is cancelled: it can no longer change or hold new events",
            details={"scheduleId": str(schedule.id)},
        )


def check_revision(kind: str, entity_id: str, current: int, given: int) -> None:
    if current != given:
        raise RevisionMismatch(
            f"Revision {given} of {kind} {entity_id} is stale; the current revision is "
            f"{current}: read it again and retry",
            details={"currentRevision": str(current)},
        )


async def flush_guarded(session: AsyncSession, kind: str, entity_id: str) -> None:
    """Flush, turning a lost race on the revision guard into the usual 409."""
    try:
        await session.flush()
    except StaleDataError:
        raise RevisionMismatch(
            f"{kind.capitalize()} {entity_id} was changed by another request; read it again "
            "and retry"
        ) from None


def check_event_write(
    caller: Caller,
    schedule: Schedule,
    resources: Iterable[Mapping[str, Any]],
    changed: Iterable[str],
) -> None:
    """Signed-in users need a role; a COMMENTER may only change ``notes``."""
    if not caller.is_user:
        return
    role = event_role(caller, schedule.permissions or [], resources)
    if role is None:
        raise CalendarRoleRequired(
            "You hold no role on this event or its schedule; ask a WRITER to grant you one"
        )
    forbidden = forbidden_changes(role, changed)
    if forbidden:
        raise CommenterMayEditOnlyNotes(
            "A COMMENTER may change only the notes of an event",
            details={"fields": sorted(forbidden)},
        )


def check_schedule_write(caller: Caller, schedule: Schedule) -> None:
    """Signed-in users change (and add events to) only schedules they are a WRITER of."""
    if not caller.is_user:
        return
    if schedule_role(schedule.permissions or [], caller.user_id) is not Role.WRITER:
        raise CalendarRoleRequired(
            f"Only a WRITER of schedule {schedule.id} may change it or add events to it"
        )


async def resolve_resources(
    session: AsyncSession, *, site_id: uuid.UUID, resources: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Check every resource exists (a resource is known by its events schedule's external id)
    and add the read-only facts: name, type and schedule id, copied at write time."""
    wanted = [str(r["id"]).lower() for r in resources]
    schedules = await repository.schedules_by_external_ids(
        session, site_id=site_id, external_ids=set(wanted)
    )
    by_id = {str(s.external_id).lower(): s for s in schedules}
    resolved: list[dict[str, Any]] = []
    for resource_id, given in zip(wanted, resources, strict=True):
        schedule = by_id.get(resource_id)
        if schedule is None:
            raise ResourceNotFound(
                f"Resource with {resource_id} ID not found", details={"resourceId": resource_id}
            )
        entry: dict[str, Any] = {
            "id": resource_id,
            "name": schedule.name,
            "type": STAFF_RESOURCE_TYPE_ID,
            "scheduleId": str(schedule.id),
            "transparency": given.get("transparency") or Transparency.OPAQUE,
        }
        if given.get("permissionRole"):
            entry["permissionRole"] = given["permissionRole"]
        resolved.append(entry)
    return resolved
