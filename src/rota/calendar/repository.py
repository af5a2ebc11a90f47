"""Queries for schedules and calendar events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar.models import CalendarEvent, Schedule


async def add_schedule(session: AsyncSession, schedule: Schedule) -> None:
    session.add(schedule)
    await session.flush()  # events reference it; the flush orders the inserts


async def add_events(session: AsyncSession, events: Iterable[CalendarEvent]) -> None:
    session.add_all(events)
    await session.flush()


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
