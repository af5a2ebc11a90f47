"""Schedules and events as the staff domain needs them today.

The business schedule (Wix's fixed external id) is created with every site and holds the default
working hours as WORKING_HOURS MASTER events; each staff member gets its own events schedule.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import repository
from rota.calendar.constants import (
    BOOKINGS_APP_ID,
    BUSINESS_SCHEDULE_EXTERNAL_ID,
    BUSINESS_SCHEDULE_NAME,
    DEFAULT_DAY_END,
    DEFAULT_DAY_START,
    DEFAULT_WORKING_DAYS,
    WEEKDAYS,
    EventType,
    RecurrenceType,
)
from rota.calendar.models import CalendarEvent, Schedule


def new_event_id(schedule_id: uuid.UUID) -> str:
    """Wix's event id shape: the schedule id without dashes followed by 32 random hex digits."""
    return schedule_id.hex + uuid.uuid4().hex


def _next_weekday(start: date, weekday_name: str) -> date:
    return start + timedelta(days=(WEEKDAYS.index(weekday_name) - start.weekday()) % 7)


def _working_hours_master(
    *, site_id: uuid.UUID, schedule: Schedule, day: str, first_date: date, now: datetime
) -> CalendarEvent:
    zone = ZoneInfo(schedule.time_zone)
    start = datetime.combine(first_date, DEFAULT_DAY_START)
    end = datetime.combine(first_date, DEFAULT_DAY_END)
    return CalendarEvent(
        id=new_event_id(schedule.id),
        site_id=site_id,
        schedule_id=schedule.id,
        type=EventType.WORKING_HOURS,
        status="CONFIRMED",
        title=schedule.default_title,
        start_local=start.isoformat(timespec="seconds"),
        end_local=end.isoformat(timespec="seconds"),
        time_zone=schedule.time_zone,
        start_utc=start.replace(tzinfo=zone),
        end_utc=end.replace(tzinfo=zone),
        recurrence_type=RecurrenceType.MASTER,
        recurrence_rule={"frequency": "WEEKLY", "interval": 1, "days": [day]},
        transparency="OPAQUE",
        resources=[],
        inherited_fields=[],
        app_id=schedule.app_id,
        revision=1,
        created_at=now,
        updated_at=now,
    )


async def create_business_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, time_zone: str, now: datetime
) -> Schedule:
    """The site's shared working-hours schedule with Wix's default hours, Mon-Fri 10:00-18:00."""
    schedule = Schedule(
        id=uuid.uuid4(),
        site_id=site_id,
        external_id=BUSINESS_SCHEDULE_EXTERNAL_ID,
        name=BUSINESS_SCHEDULE_NAME,
        status="ACTIVE",
        time_zone=time_zone,
        business_time_zone_enabled=True,
        app_id=BOOKINGS_APP_ID,
        permissions=[],
        revision=1,
        created_at=now,
        updated_at=now,
    )
    await repository.add_schedule(session, schedule)
    today = now.astimezone(ZoneInfo(time_zone)).date()
    await repository.add_events(
        session,
        (
            _working_hours_master(
                site_id=site_id,
                schedule=schedule,
                day=day,
                first_date=_next_weekday(today, day),
                now=now,
            )
            for day in DEFAULT_WORKING_DAYS
        ),
    )
    return schedule


async def create_staff_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    resource_id: uuid.UUID,
    name: str,
    time_zone: str,
    now: datetime,
) -> Schedule:
    """A staff member's own events schedule: blocked time and, once assigned, custom hours."""
    schedule = Schedule(
        id=uuid.uuid4(),
        site_id=site_id,
        external_id=str(resource_id),
        name=name,
        status="ACTIVE",
        time_zone=time_zone,
        business_time_zone_enabled=True,
        app_id=BOOKINGS_APP_ID,
        permissions=[],
        revision=1,
        created_at=now,
        updated_at=now,
    )
    await repository.add_schedule(session, schedule)
    return schedule


async def get_business_schedule(session: AsyncSession, *, site_id: uuid.UUID) -> Schedule:
    schedule = await repository.find_schedule_by_external_id(
        session, site_id=site_id, external_id=BUSINESS_SCHEDULE_EXTERNAL_ID
    )
    if schedule is None:
        raise LookupError(f"Site {site_id} has no business schedule")
    return schedule


async def get_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_id: uuid.UUID
) -> Schedule | None:
    return await repository.get_schedule(session, site_id=site_id, schedule_id=schedule_id)


def rename_schedule(schedule: Schedule, *, name: str, now: datetime) -> None:
    if schedule.name != name:
        schedule.name = name
        schedule.revision += 1
        schedule.updated_at = now


async def delete_schedules(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_ids: list[uuid.UUID]
) -> None:
    await repository.delete_schedules(session, site_id=site_id, schedule_ids=schedule_ids)
