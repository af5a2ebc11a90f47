"""Queries for schedules and calendar events.

Every query is scoped to one site. Event reads return the event with its schedule (one join),
because every event view shows its schedule's name, external id and roles. The query-language
paths are bound to columns here, once, for both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from rota.calendar.constants import EventStatus, RecurrenceType, ScheduleStatus
from rota.calendar.models import CalendarEvent, Schedule
from rota.wixquery.ast import Comparison, Node, SortKey
from rota.wixquery.compile import ColumnBinding, compile_filter, keyset_after, order_by
from rota.wixquery.fields import FieldKind

EventRow = tuple[CalendarEvent, Schedule]


def _bind(attribute: InstrumentedAttribute[Any], kind: FieldKind) -> ColumnBinding:
    return ColumnBinding(attribute.expression, kind)


EVENT_COLUMNS: dict[str, ColumnBinding] = {
    "id": _bind(CalendarEvent.id, FieldKind.STRING),
    "start": _bind(CalendarEvent.start_utc, FieldKind.DATETIME),
    "end": _bind(CalendarEvent.end_utc, FieldKind.DATETIME),
    "scheduleId": _bind(CalendarEvent.schedule_id, FieldKind.GUID),
    "externalScheduleId": _bind(Schedule.external_id, FieldKind.STRING),
    "type": _bind(CalendarEvent.type, FieldKind.STRING),
    "recurringEventId": _bind(CalendarEvent.recurring_event_id, FieldKind.STRING),
    "transparency": _bind(CalendarEvent.transparency, FieldKind.STRING),
    "location": _bind(CalendarEvent.location_type, FieldKind.STRING),
    "location.id": _bind(CalendarEvent.location_id, FieldKind.STRING),
    "location.type": _bind(CalendarEvent.location_type, FieldKind.STRING),
    "totalCapacity": _bind(CalendarEvent.total_capacity, FieldKind.INT),
    # Participants are managed elsewhere and never stored here: nobody has booked a place.
    "remainingCapacity": _bind(CalendarEvent.total_capacity, FieldKind.INT),
    "participants.total": ColumnBinding(sa.literal(0, sa.Integer()), FieldKind.INT),
    "conferencingDetails": _bind(CalendarEvent.conferencing_type, FieldKind.STRING),
    "appId": _bind(CalendarEvent.app_id, FieldKind.STRING),
    "resources.id": _bind(CalendarEvent.resource_ids, FieldKind.STRING_ARRAY),
}

SCHEDULE_COLUMNS: dict[str, ColumnBinding] = {
    "id": _bind(Schedule.id, FieldKind.GUID),
    "externalId": _bind(Schedule.external_id, FieldKind.STRING),
    "appId": _bind(Schedule.app_id, FieldKind.STRING),
    "status": _bind(Schedule.status, FieldKind.STRING),
}


def _events() -> sa.Select[CalendarEvent, Schedule]:
    return sa.select(CalendarEvent, Schedule).join(
        Schedule, Schedule.id == CalendarEvent.schedule_id
    )


def _overlapping(
    start_utc: datetime | None, end_utc: datetime | None
) -> list[sa.ColumnElement[bool]]:
    """Events (MASTERs: series) meeting ``[start_utc, end_utc)``; NULL ``last_end_utc`` = never
    ends. A zero-length event at the window start counts, as in `recurrence.overlaps`."""
    conditions: list[sa.ColumnElement[bool]] = []
    if end_utc is not None:
        conditions.append(CalendarEvent.start_utc < end_utc)
    if start_utc is not None:
        conditions.append(
            sa.or_(
                CalendarEvent.last_end_utc.is_(None),
                CalendarEvent.last_end_utc > start_utc,
                CalendarEvent.start_utc >= start_utc,
            )
        )
    return conditions


# --- schedules --------------------------------------------------------------------------------


async def add_schedule(session: AsyncSession, schedule: Schedule) -> None:
    session.add(schedule)
    await session.flush()  # events reference it; the flush orders the inserts


async def get_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_id: uuid.UUID
) -> Schedule | None:
    schedule = await session.get(Schedule, schedule_id)
    return schedule if schedule is not None and schedule.site_id == site_id else None


async def find_schedule_by_external_id(
    session: AsyncSession, *, site_id: uuid.UUID, external_id: str
) -> Schedule | None:
    return await session.scalar(
        sa.select(Schedule)
        .where(Schedule.site_id == site_id, Schedule.external_id == external_id)
        .order_by(Schedule.created_at)
        .limit(1)
    )


async def find_schedule_by_idempotency_key(
    session: AsyncSession, *, site_id: uuid.UUID, key: str
) -> Schedule | None:
    return await session.scalar(
        sa.select(Schedule).where(Schedule.site_id == site_id, Schedule.idempotency_key == key)
    )


async def schedules_by_external_ids(
    session: AsyncSession, *, site_id: uuid.UUID, external_ids: Collection[str]
) -> Sequence[Schedule]:
    if not external_ids:
        return []
    return (
        await session.scalars(
            sa.select(Schedule).where(
                Schedule.site_id == site_id, Schedule.external_id.in_(list(external_ids))
            )
        )
    ).all()


async def query_schedules(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    after: Sequence[object] | None,
    forward: bool,
    limit: int,
) -> Sequence[Schedule]:
    """A page in id order (reversed when not ``forward``), strictly after ``after``."""
    query = sa.select(Schedule).where(
        Schedule.site_id == site_id, compile_filter(filter_node, SCHEDULE_COLUMNS)
    )
    if after is not None:
        query = query.where(keyset_after((), SCHEDULE_COLUMNS, after, forward=forward))
    query = query.order_by(*order_by((), SCHEDULE_COLUMNS, forward=forward)).limit(limit)
    return (await session.scalars(query)).all()


async def delete_schedules(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_ids: Iterable[uuid.UUID]
) -> None:
    ids = list(schedule_ids)
    await session.execute(
        sa.delete(CalendarEvent).where(
            CalendarEvent.site_id == site_id, CalendarEvent.schedule_id.in_(ids)
        )
    )
    await session.execute(
        sa.delete(Schedule).where(Schedule.site_id == site_id, Schedule.id.in_(ids))
    )


# --- events -----------------------------------------------------------------------------------


async def add_events(session: AsyncSession, events: Iterable[CalendarEvent]) -> None:
    session.add_all(events)
    await session.flush()


async def get_event(session: AsyncSession, *, site_id: uuid.UUID, event_id: str) -> EventRow | None:
    row = (
        await session.execute(
            _events().where(CalendarEvent.site_id == site_id, CalendarEvent.id == event_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def get_events(
    session: AsyncSession, *, site_id: uuid.UUID, event_ids: Collection[str]
) -> list[EventRow]:
    if not event_ids:
        return []
    rows = await session.execute(
        _events().where(CalendarEvent.site_id == site_id, CalendarEvent.id.in_(list(event_ids)))
    )
    return [(event, schedule) for event, schedule in rows]


async def find_event_by_idempotency_key(
    session: AsyncSession, *, site_id: uuid.UUID, key: str
) -> EventRow | None:
    row = (
        await session.execute(
            _events().where(CalendarEvent.site_id == site_id, CalendarEvent.idempotency_key == key)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def query_stored_events(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    recurrence_types: Collection[str],
    start_utc: datetime | None,
    end_utc: datetime | None,
    sort: SortKey,
    after: Sequence[object] | None,
    limit: int,
) -> list[EventRow]:
    """Confirmed stored events (single, EXCEPTION, MASTER) matching the filter in the window,
    in ``sort`` order then id, strictly after ``after`` (``[sort value, id]``)."""
    query = _events().where(
        CalendarEvent.site_id == site_id,
        CalendarEvent.status == EventStatus.CONFIRMED,
        CalendarEvent.recurrence_type.in_(list(recurrence_types)),
        compile_filter(filter_node, EVENT_COLUMNS),
        *_overlapping(start_utc, end_utc),
    )
    if after is not None:
        query = query.where(keyset_after((sort,), EVENT_COLUMNS, after))
    query = query.order_by(*order_by((sort,), EVENT_COLUMNS)).limit(limit)
    return [(event, schedule) for event, schedule in await session.execute(query)]


async def masters_in_window(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    start_utc: datetime | None,
    end_utc: datetime | None,
) -> list[EventRow]:
    """Confirmed MASTERs whose series meets the window (the filter is applied by the caller,
    once per MASTER, because every instance of a MASTER has the same filterable values)."""
    query = _events().where(
        CalendarEvent.site_id == site_id,
        CalendarEvent.status == EventStatus.CONFIRMED,
        CalendarEvent.recurrence_type == RecurrenceType.MASTER,
        *_overlapping(start_utc, end_utc),
    )
    return [(event, schedule) for event, schedule in await session.execute(query)]


async def overridden_dates(
    session: AsyncSession, *, master_ids: Collection[str]
) -> set[tuple[str, date]]:
    """(MASTER id, occurrence date) of every stored row replacing an occurrence."""
    if not master_ids:
        return set()
    rows = await session.execute(
        sa.select(CalendarEvent.recurring_event_id, CalendarEvent.original_date).where(
            CalendarEvent.recurring_event_id.in_(list(master_ids)),
            CalendarEvent.original_date.is_not(None),
        )
    )
    return {(str(master), day) for master, day in rows if master is not None and day is not None}


async def replacements_of(
    session: AsyncSession, *, site_id: uuid.UUID, master_id: str
) -> Sequence[CalendarEvent]:
    """The stored EXCEPTIONs and cancelled INSTANCEs of a MASTER."""
    return (
        await session.scalars(
            sa.select(CalendarEvent).where(
                CalendarEvent.site_id == site_id, CalendarEvent.recurring_event_id == master_id
            )
        )
    ).all()


async def live_events_of_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_id: uuid.UUID, since: datetime
) -> Sequence[CalendarEvent]:
    """Confirmed events of a schedule that are not over at ``since`` (series still running)."""
    return (
        await session.scalars(
            sa.select(CalendarEvent).where(
                CalendarEvent.site_id == site_id,
                CalendarEvent.schedule_id == schedule_id,
                CalendarEvent.status == EventStatus.CONFIRMED,
                sa.or_(CalendarEvent.last_end_utc.is_(None), CalendarEvent.last_end_utc > since),
            )
        )
    ).all()


# JSON documents come back as text: most rows have no rule and no resources, and skipping the
# driver's per-row JSON decoding is a good part of the time availability takes.
TIMELINE_COLUMNS = (
    CalendarEvent.id,
    CalendarEvent.schedule_id,
    CalendarEvent.type,
    CalendarEvent.status,
    CalendarEvent.transparency,
    CalendarEvent.recurrence_type,
    CalendarEvent.start_local,
    CalendarEvent.end_local,
    CalendarEvent.time_zone,
    CalendarEvent.start_utc,
    CalendarEvent.end_utc,
    sa.cast(CalendarEvent.recurrence_rule, sa.Text()).label("recurrence_rule"),
    CalendarEvent.recurring_event_id,
    CalendarEvent.original_date,
    sa.cast(CalendarEvent.resources, sa.Text()).label("resources"),
)


async def timeline_rows(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_ids: Collection[uuid.UUID],
    resource_ids: Collection[str],
    start_utc: datetime,
    end_utc: datetime,
) -> Sequence[sa.Row[Any]]:
    """In one statement: the events of the given (active) schedules and the events listing any
    of the given resources that meet the window, plus every row that replaces an occurrence in
    it (cancelled ones too, so the occurrence is not reported twice).

    The two halves are a UNION ALL so each uses its own index (schedule and start; the GIN index
    on ``resource_ids`` on PostgreSQL); an event found by both comes twice, callers keep one.
    """
    in_window = sa.and_(*_overlapping(start_utc, end_utc))
    replacing = sa.and_(
        CalendarEvent.original_date.is_not(None),
        # Local dates lie within a day of UTC dates; the margin keeps every zone inside.
        CalendarEvent.original_date >= start_utc.date() - timedelta(days=2),
        CalendarEvent.original_date <= end_utc.date() + timedelta(days=2),
    )

    def part(scope: sa.ColumnElement[bool]) -> Any:
        return (
            sa.select(*TIMELINE_COLUMNS)
            .join(Schedule, Schedule.id == CalendarEvent.schedule_id)
            .where(
                CalendarEvent.site_id == site_id,
                Schedule.status == ScheduleStatus.ACTIVE,
                scope,
                sa.or_(
                    sa.and_(CalendarEvent.status == EventStatus.CONFIRMED, in_window),
                    replacing,
                ),
            )
        )

    query: Any = part(CalendarEvent.schedule_id.in_(list(schedule_ids)))
    if resource_ids:
        lists_resource = Comparison("resources.id", "$hasSome", tuple(resource_ids))
        # Most events list no resource; the cheap test first spares the `?|` on them.
        listing = CalendarEvent.resource_ids.op("<>")(sa.literal_column("'[]'"))
        query = sa.union_all(
            query, part(sa.and_(listing, compile_filter(lists_resource, EVENT_COLUMNS)))
        )
    rows: Sequence[sa.Row[Any]] = (await session.execute(query)).all()
    return rows
