"""Staff work schedules: dated weekly hours, stored as the calendar's working hours.

Each schedule writes one WORKING_HOURS MASTER per weekly range on the staff member's own events
schedule (weekly on that day, ``until`` the schedule's last day), through the calendar service,
so availability and the Wix Calendar API see exactly these hours. The first schedule moves the
staff member from the business hours onto its own schedule (Booxi's "Weekly Work Schedule");
outside its schedules the staff member then has no working hours, as in Booxi. Deleting the last
schedule does not move it back: assign the business schedule through the Wix dialect for that.

The calendar keeps no past occurrences and refuses series that start on a past day, so a
schedule that began before today is written from today on; the Booxi record keeps its dates.
Likewise the calendar ends with its last year (2100): a later end date is written as no end.
Replacing or deleting a schedule cancels its series (a series someone already cancelled through
the Wix dialect is left as it is).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from rota.booxi import repository
from rota.booxi.errors import ScheduleNotFound, ScheduleOverlap, StaffWithoutCalendar, at, invalid
from rota.booxi.mapping import PersonnelType, ScheduleRecord
from rota.booxi.models import WorkSchedule
from rota.booxi.repository import StaffRow
from rota.booxi.service._merchants import Partnership
from rota.booxi.service._records import staff_record
from rota.booxi.service._staff import staff_row
from rota.booxi.work_schedule import (
    MINUTES_PER_DAY,
    DateSpan,
    WeeklyRange,
    format_clock,
    parse_clock,
    parse_day,
    range_problems,
    weekly_series,
)
from rota.calendar import service as calendar_service
from rota.calendar.constants import EventStatus, EventType
from rota.calendar.recurrence import LAST_YEAR, format_local, to_local, zone
from rota.calendar.roles import API_KEY
from rota.core.context import WriteContext
from rota.staff import service as staff_service

MAX_RANGES = 70


@dataclass(frozen=True)
class HoursInput:
    dow: int
    start: str
    end: str


@dataclass(frozen=True)
class ScheduleDraft:
    """A schedule as sent; absent fields (None) keep their value on update."""

    name: str | None = None
    description: str | None = None
    start: str | None = None
    end: str | None = None
    # Whether ``end`` was sent at all: ``"end": null`` makes the schedule open-ended.
    end_sent: bool = False
    weekly_hours: Sequence[HoursInput] | None = None


@dataclass(frozen=True)
class _Checked:
    name: str
    description: str
    span: DateSpan
    ranges: tuple[WeeklyRange, ...]


def _day(text: str, parameter: str, tz: ZoneInfo) -> date:
    found = parse_day(text, tz)
    if found is None:
        raise invalid(
            parameter, f"{parameter} must be a date (YYYY-MM-DD) or an RFC 3339 date-time"
        )
    return found


def _ranges(hours: Sequence[HoursInput]) -> tuple[WeeklyRange, ...]:
    if len(hours) > MAX_RANGES:
        raise invalid("weeklyHours", f"weeklyHours holds at most {MAX_RANGES} ranges")
    ranges = []
    for index, entry in enumerate(hours):
        where = f"weeklyHours[{index}]"
        if not 0 <= entry.dow <= 6:
            raise invalid(f"{where}.dow", "dow is 0 (Sunday) to 6 (Saturday)")
        start, end = parse_clock(entry.start), parse_clock(entry.end)
        if start is None or start == MINUTES_PER_DAY:
            raise invalid(f"{where}.start", "start is a time of day, HH:MM (00:00-23:59)")
        if end is None:
            raise invalid(f"{where}.end", "end is a time of day, HH:MM (00:01-24:00)")
        ranges.append(WeeklyRange(entry.dow, start, end))
    for index, problem in range_problems(ranges):
        raise invalid(f"weeklyHours[{index}]", f"weeklyHours[{index}] {problem}")
    return tuple(ranges)


def _check(draft: ScheduleDraft, current: WorkSchedule | None, tz: ZoneInfo) -> _Checked:
    name = draft.name if draft.name is not None else (current.name if current else "")
    description = (
        draft.description
        if draft.description is not None
        else (current.description if current else "")
    )
    if draft.start is not None:
        start = _day(draft.start, "start", tz)
    elif current is not None:
        start = current.start_date
    else:
        raise invalid("start", "start is required: the schedule's first day")
    if draft.end_sent:
        end = _day(draft.end, "end", tz) if draft.end is not None else None
    else:
        end = current.end_date if current else None
    if end is not None and end < start:
        raise invalid("end", "end must not be before start")
    if draft.weekly_hours is not None:
        ranges = _ranges(draft.weekly_hours)
    elif current is not None:
        ranges = tuple(_stored_ranges(current))
    else:
        ranges = ()
    return _Checked(name.strip(), description.strip(), DateSpan(start, end), ranges)


def _stored_ranges(row: WorkSchedule) -> list[WeeklyRange]:
    return [
        WeeklyRange(int(h["dow"]), parse_clock(h["start"]) or 0, parse_clock(h["end"]) or 0)
        for h in row.weekly_hours
    ]


def _hours_document(ranges: Sequence[WeeklyRange]) -> list[dict[str, Any]]:
    return [
        {"dow": r.dow, "start": format_clock(r.start), "end": format_clock(r.end)} for r in ranges
    ]


def _record(row: WorkSchedule, staff_number: int) -> ScheduleRecord:
    return ScheduleRecord(
        id=row.id,
        staff_number=staff_number,
        name=row.name,
        description=row.description,
        start=row.start_date,
        end=row.end_date,
        weekly_hours=list(row.weekly_hours),
    )


async def _calendar_staff(
    session: AsyncSession, partnership: Partnership, number: int
) -> tuple[StaffRow, ZoneInfo]:
    """A staff member with a calendar, and the zone its hours are written in."""
    row = await staff_row(session, partnership=partnership, number=number)
    record = staff_record(row)
    if record.personnel_type is not PersonnelType.STANDARD or record.is_template:
        raise StaffWithoutCalendar(
            f"Staff {number} is a user without calendar or a template: it has no work schedule",
            details=at("staffId"),
        )
    staff = row.staff
    schedule = await calendar_service.get_schedule(
        session, site_id=staff.site_id, schedule_id=staff.events_schedule_id
    )
    if schedule is None:  # pragma: no cover - every staff member has its events schedule
        raise StaffWithoutCalendar(f"Staff {number} has no events schedule")
    return row, zone(schedule.time_zone)


async def _write_hours(
    session: AsyncSession, row: StaffRow, checked: _Checked, tz: ZoneInfo, ctx: WriteContext
) -> list[str]:
    """The WORKING_HOURS series for the schedule's days from today on; their event ids."""
    staff = row.staff
    if staff.uses_default_working_hours:
        await staff_service.assign_working_hours_schedule(
            session,
            site_id=staff.site_id,
            staff_id=staff.id,
            schedule_id=staff.events_schedule_id,
            ctx=ctx,
        )
    span = checked.span
    first_day = max(span.start, to_local(ctx.now, tz).date())
    # The calendar stops at the end of LAST_YEAR: a later end date is the same as none, and a
    # schedule starting after it has nothing to write.
    last_day = span.end if span.end is not None and span.end.year <= LAST_YEAR else None
    if first_day.year > LAST_YEAR or (last_day is not None and first_day > last_day):
        return []
    event_ids = []
    for series in weekly_series(DateSpan(first_day, last_day), checked.ranges):
        rule: dict[str, Any] = {"frequency": "WEEKLY", "interval": 1, "days": [series.day_name]}
        if series.until is not None:
            last_start = datetime.combine(series.until, time(23, 59))
            rule["until"] = {"localDate": format_local(last_start)}
        changes: dict[str, Any] = {
            "start": series.start_local,
            "end": series.end_local,
            "recurrence_rule": rule,
        }
        if checked.name:
            changes["title"] = checked.name[:200]
        view = await calendar_service.create_event(
            session,
            site_id=staff.site_id,
            schedule_id=staff.events_schedule_id,
            event_type=EventType.WORKING_HOURS,
            changes=changes,
            idempotency_key=None,
            caller=API_KEY,
            ctx=ctx,
        )
        event_ids.append(view.id)
    return event_ids


async def _cancel_hours(
    session: AsyncSession, site_id: uuid.UUID, event_ids: Sequence[str], ctx: WriteContext
) -> None:
    for view in await calendar_service.list_events(session, site_id=site_id, event_ids=event_ids):
        if view.status == EventStatus.CONFIRMED:
            await calendar_service.cancel_event(
                session, site_id=site_id, event_id=view.id, caller=API_KEY, ctx=ctx
            )


async def _check_no_overlap(
    session: AsyncSession, staff_id: uuid.UUID, span: DateSpan, other_than: int | None
) -> None:
    for existing in await repository.schedules(session, staff_id, meeting=span):
        if existing.id != other_than:
            raise ScheduleOverlap(
                f"The dates overlap schedule {existing.id} ({existing.start_date} to "
                f"{existing.end_date or 'open end'}); schedules of a staff member cannot overlap",
                details=at("start", scheduleId=existing.id),
            )


async def create_schedule(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    draft: ScheduleDraft,
    ctx: WriteContext,
) -> ScheduleRecord:
    row, tz = await _calendar_staff(session, partnership, number)
    checked = _check(draft, None, tz)
    staff_id = row.staff.id
    await repository.lock_staff(session, staff_id)
    await _check_no_overlap(session, staff_id, checked.span, None)
    event_ids = await _write_hours(session, row, checked, tz, ctx)
    schedule = WorkSchedule(
        staff_member_id=staff_id,
        name=checked.name,
        description=checked.description,
        start_date=checked.span.start,
        end_date=checked.span.end,
        weekly_hours=_hours_document(checked.ranges),
        event_ids=event_ids,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    await repository.add(session, schedule)
    return _record(schedule, number)


async def _schedule_of(session: AsyncSession, row: StaffRow, schedule_id: int) -> WorkSchedule:
    schedule = await repository.schedule(session, staff_id=row.staff.id, schedule_id=schedule_id)
    if schedule is None:
        raise ScheduleNotFound(
            f"Schedule {schedule_id} does not exist for staff {row.staff.number}",
            details=at("scheduleId"),
        )
    return schedule


async def get_schedule(
    session: AsyncSession, *, partnership: Partnership, number: int, schedule_id: int
) -> ScheduleRecord:
    row = await staff_row(session, partnership=partnership, number=number)
    return _record(await _schedule_of(session, row, schedule_id), number)


@dataclass(frozen=True)
class SchedulePage:
    records: list[ScheduleRecord]
    # The id of the last schedule of a page that has more after it.
    last_id: int | None


async def list_schedules(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    range_start: str | None,
    range_end: str | None,
    after: int | None,
    limit: int,
) -> SchedulePage:
    """The staff member's schedules sharing a date with the range (both ends optional)."""
    row, tz = await _calendar_staff(session, partnership, number)
    meeting = None
    if range_start is not None or range_end is not None:
        start = _day(range_start, "rangeStart", tz) if range_start is not None else date.min
        end = _day(range_end, "rangeEnd", tz) if range_end is not None else None
        if end is not None and end < start:
            raise invalid("rangeEnd", "rangeEnd must not be before rangeStart")
        meeting = DateSpan(start, end)
    rows = await repository.schedules(
        session, row.staff.id, meeting=meeting, after=after, limit=limit + 1
    )
    page = [_record(schedule, number) for schedule in rows[:limit]]
    return SchedulePage(page, page[-1].id if len(rows) > limit else None)


async def update_schedule(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    schedule_id: int,
    draft: ScheduleDraft,
    ctx: WriteContext,
) -> ScheduleRecord:
    """Change the fields sent; the schedule's working hours are rewritten."""
    row, tz = await _calendar_staff(session, partnership, number)
    await repository.lock_staff(session, row.staff.id)
    schedule = await _schedule_of(session, row, schedule_id)
    checked = _check(draft, schedule, tz)
    await _check_no_overlap(session, row.staff.id, checked.span, schedule.id)
    await _cancel_hours(session, row.staff.site_id, schedule.event_ids, ctx)
    schedule.event_ids = await _write_hours(session, row, checked, tz, ctx)
    schedule.name, schedule.description = checked.name, checked.description
    schedule.start_date, schedule.end_date = checked.span.start, checked.span.end
    schedule.weekly_hours = _hours_document(checked.ranges)
    schedule.updated_at = ctx.now
    return _record(schedule, number)


async def delete_schedule(
    session: AsyncSession,
    *,
    partnership: Partnership,
    number: int,
    schedule_id: int,
    ctx: WriteContext,
) -> ScheduleRecord:
    """Remove the schedule and cancel its working hours; answers the schedule as it was."""
    row = await staff_row(session, partnership=partnership, number=number)
    # As an update does: a concurrent update or delete of the same schedule waits its turn.
    await repository.lock_staff(session, row.staff.id)
    schedule = await _schedule_of(session, row, schedule_id)
    record = _record(schedule, number)
    await _cancel_hours(session, row.staff.site_id, schedule.event_ids, ctx)
    await repository.delete(session, schedule)
    return record
