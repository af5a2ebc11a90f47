"""Schedules: the business schedule every site gets, staff events schedules, and the Schedules
API (create, read, query, update, cancel).

A schedule's defaults flow into the events that inherit them: changing `defaultTitle`,
`timeZone`, `defaultLocation`, `defaultCapacity` or `defaultConferencingDetails` rewrites the
still-running events that inherit that value (a new zone keeps their wall-clock times).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import events as announce
from rota.calendar import repository
from rota.calendar.constants import (
    BOOKINGS_APP_ID,
    BUSINESS_SCHEDULE_EXTERNAL_ID,
    BUSINESS_SCHEDULE_NAME,
    DEFAULT_DAY_END,
    DEFAULT_DAY_START,
    DEFAULT_WORKING_DAYS,
    SCHEDULE_CREATE_ONLY,
    SCHEDULE_WRITABLE,
    WEEKDAYS,
    EventStatus,
    EventType,
    ScheduleStatus,
)
from rota.calendar.editing import (
    SCHEDULE_DEFAULT_ATTRIBUTES,
    draft_event,
    inherit_from_schedule,
    invalid,
)
from rota.calendar.errors import BusinessScheduleProtected, DuplicateBusinessSchedule
from rota.calendar.event_ids import new_event_id
from rota.calendar.event_view import EventView
from rota.calendar.models import Schedule
from rota.calendar.roles import Caller, grant
from rota.calendar.service._common import (
    business_time_zone,
    business_zone,
    check_revision,
    check_schedule_write,
    event_view,
    find_schedule,
    flush_guarded,
    new_row,
    remember_business_zone,
    require_active,
    rewrite_events,
    schedule_facts,
)
from rota.core.context import WriteContext
from rota.wixquery import mentions
from rota.wixquery.ast import And, Comparison, Node

# Which inheritable value each schedule attribute is the default of.
_DEFAULT_OF = {source: field for field, (source, _) in SCHEDULE_DEFAULT_ATTRIBUTES.items()}


def _next_weekday(start: date, weekday_name: str) -> date:
    return start + timedelta(days=(WEEKDAYS.index(weekday_name) - start.weekday()) % 7)


def _new_schedule(*, site_id: uuid.UUID, time_zone: str, now: datetime, **columns: Any) -> Schedule:
    """A new ACTIVE schedule at revision 1; ``columns`` override the Bookings defaults."""
    defaults: dict[str, Any] = {
        "business_time_zone_enabled": True,
        "app_id": BOOKINGS_APP_ID,
        "permissions": [],
    }
    return Schedule(
        id=uuid.uuid4(),
        site_id=site_id,
        status=ScheduleStatus.ACTIVE,
        time_zone=time_zone,
        revision=1,
        created_at=now,
        updated_at=now,
        **(defaults | columns),
    )


async def create_business_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, time_zone: str, now: datetime
) -> Schedule:
    """The site's shared working-hours schedule with Wix's default hours, Mon-Fri 10:00-18:00.

    Announced like any other (by the system, as part of creating the site): nobody can have
    subscribed yet, but the event feed then holds the calendar's whole history.
    """
    ctx = announce.system_context(now)
    schedule = _new_schedule(
        site_id=site_id,
        external_id=BUSINESS_SCHEDULE_EXTERNAL_ID,
        name=BUSINESS_SCHEDULE_NAME,
        time_zone=time_zone,
        now=now,
    )
    await repository.add_schedule(session, schedule)
    facts = schedule_facts(schedule)
    today = now.astimezone(ZoneInfo(time_zone)).date()
    views: list[EventView] = []
    for day in DEFAULT_WORKING_DAYS:
        first = _next_weekday(today, day)
        view = draft_event(
            event_id=new_event_id(schedule.id),
            schedule=facts,
            event_type=EventType.WORKING_HOURS,
            changes={
                "start": datetime.combine(first, DEFAULT_DAY_START),
                "end": datetime.combine(first, DEFAULT_DAY_END),
                "recurrence_rule": {"frequency": "WEEKLY", "interval": 1, "days": [day]},
            },
            now=now,
        )
        views.append(view)
    await repository.add_events(session, [new_row(v, site_id=site_id, now=now) for v in views])
    remember_business_zone(session, schedule)
    await announce.schedule_created(session, schedule, ctx)
    for view in views:
        await announce.event_created(
            session, view, site_id=site_id, tz=ZoneInfo(time_zone), ctx=ctx
        )
    return schedule


async def create_staff_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    resource_id: uuid.UUID,
    name: str,
    time_zone: str,
    ctx: WriteContext,
) -> Schedule:
    """A staff member's own events schedule: blocked time and, once assigned, custom hours.
    Its external id is the staff member's resource id, which is how events find it."""
    schedule = _new_schedule(
        site_id=site_id, external_id=str(resource_id), name=name, time_zone=time_zone, now=ctx.now
    )
    await repository.add_schedule(session, schedule)
    await announce.schedule_created(session, schedule, ctx)
    return schedule


async def get_schedule(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_id: uuid.UUID
) -> Schedule | None:
    return await repository.get_schedule(session, site_id=site_id, schedule_id=schedule_id)


async def _store_and_announce(session: AsyncSession, schedule: Schedule, ctx: WriteContext) -> None:
    """A schedule changed in place: its next revision, stored and announced."""
    schedule.revision += 1
    schedule.updated_at = ctx.now
    await flush_guarded(session, "schedule", str(schedule.id))
    await announce.schedule_updated(session, schedule, ctx)


async def rename_schedule(
    session: AsyncSession, schedule: Schedule, *, name: str, ctx: WriteContext
) -> None:
    """A staff member's schedule follows its name (Wix shows it as the events' scheduleName)."""
    if schedule.name == name:
        return
    schedule.name = name
    await _store_and_announce(session, schedule, ctx)


async def set_schedule_role(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_id: uuid.UUID,
    user_id: str,
    role: str | None,
    ctx: WriteContext,
) -> None:
    """Give a user ``role`` on a schedule, or with None take their role back: how a staff
    member connected to a user account may edit their own schedule."""
    schedule = await repository.get_schedule(session, site_id=site_id, schedule_id=schedule_id)
    if schedule is None:
        return
    others = [
        p
        for p in schedule.permissions or []
        if (p.get("identity") or {}).get("wixUserId") != user_id
    ]
    if role is not None:
        others.append(grant(user_id, role))
    schedule.permissions = others
    await _store_and_announce(session, schedule, ctx)


async def delete_schedules(
    session: AsyncSession, *, site_id: uuid.UUID, schedule_ids: list[uuid.UUID], ctx: WriteContext
) -> None:
    """Delete schedules and their events for good (a staff member removed from the trash bin).

    Wix has no `deleted` event for schedules or events, so a schedule still ACTIVE is first
    cancelled, and announced, as Cancel Schedule would do it: subscribers see it end.
    """
    for schedule_id in schedule_ids:
        schedule = await repository.get_schedule(session, site_id=site_id, schedule_id=schedule_id)
        if schedule is not None and schedule.status == ScheduleStatus.ACTIVE:
            await _cancel(session, schedule, ctx, preserve_future_events_with_participants=False)
    await repository.delete_schedules(session, site_id=site_id, schedule_ids=schedule_ids)


# --- the Schedules API ------------------------------------------------------------------------


async def create_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    values: Mapping[str, Any],
    idempotency_key: str | None,
    caller: Caller,
    ctx: WriteContext,
) -> Schedule:
    """A new schedule; the same idempotency key returns the schedule it first created (and
    announces nothing).

    A signed-in user who names no one in ``permissions`` becomes its WRITER, so a user never
    creates a schedule they cannot change.
    """
    if idempotency_key is not None:
        existing = await repository.find_schedule_by_idempotency_key(
            session, site_id=site_id, key=idempotency_key
        )
        if existing is not None:
            return existing
    external_id = values.get("external_id")
    if external_id == BUSINESS_SCHEDULE_EXTERNAL_ID:
        raise DuplicateBusinessSchedule(
            "Every site has exactly one business schedule; find it with Query Schedules by "
            f"externalId {BUSINESS_SCHEDULE_EXTERNAL_ID} and update it instead"
        )
    time_zone = values.get("time_zone") or await business_time_zone(session, site_id=site_id)
    permissions = list(values.get("permissions") or [])
    if caller.user_id is not None and not permissions:
        permissions = [grant(caller.user_id, "WRITER")]
    schedule = _new_schedule(
        site_id=site_id,
        time_zone=time_zone,
        now=ctx.now,
        external_id=external_id,
        name=values.get("name"),
        business_time_zone_enabled=values.get("business_time_zone_enabled", True) is not False,
        default_title=values.get("default_title"),
        default_location=values.get("default_location"),
        default_capacity=values.get("default_capacity"),
        default_conferencing_details=values.get("default_conferencing_details"),
        app_id=values.get("app_id"),
        permissions=permissions,
        extended_fields=values.get("extended_fields"),
        idempotency_key=idempotency_key,
    )
    await repository.add_schedule(session, schedule)
    await announce.schedule_created(session, schedule, ctx)
    return schedule


async def query_schedules(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    after: Sequence[object] | None,
    forward: bool,
    limit: int,
) -> tuple[Sequence[Schedule], bool]:
    """A page in id order and whether more rows lie beyond it in the paging direction.

    Only ACTIVE schedules are listed unless the filter tests ``status`` (Wix's rule)."""
    if not mentions(filter_node, "status"):
        filter_node = And((filter_node, Comparison("status", "$eq", ScheduleStatus.ACTIVE)))
    rows = await repository.query_schedules(
        session,
        site_id=site_id,
        filter_node=filter_node,
        after=after,
        forward=forward,
        limit=limit + 1,
    )
    page = list(rows[:limit])
    if not forward:
        page.reverse()
    return page, len(rows) > limit


async def update_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_id: uuid.UUID,
    revision: int,
    values: Mapping[str, Any],
    caller: Caller,
    ctx: WriteContext,
) -> Schedule:
    """Announced as the schedule's `updated`, then one `updated` per event whose inherited
    values changed with it."""
    schedule = await find_schedule(session, site_id=site_id, schedule_id=schedule_id)
    require_active(schedule)
    check_revision("schedule", str(schedule.id), schedule.revision, revision)
    check_schedule_write(caller, schedule)
    for name in SCHEDULE_CREATE_ONLY & set(values):
        if values[name] is not None and values[name] != getattr(schedule, name):
            path = "schedule.externalId" if name == "external_id" else "schedule.appId"
            raise invalid(path, f"{path} is set on create and cannot change", "IMMUTABLE")
    if "time_zone" in values and not values["time_zone"]:
        raise invalid("schedule.timeZone", "schedule.timeZone cannot be cleared", "REQUIRED_FIELD")
    changed_defaults = {
        _DEFAULT_OF[name]
        for name in values.keys() & _DEFAULT_OF.keys()
        if values[name] != getattr(schedule, name)
    }
    for name in values.keys() & SCHEDULE_WRITABLE:
        value = values[name]
        if name == "permissions":
            value = list(value or [])
        elif name == "business_time_zone_enabled":
            value = value is not False
        setattr(schedule, name, value)
    await _store_and_announce(session, schedule, ctx)
    remember_business_zone(session, schedule)
    refreshed: list[EventView] = []
    if changed_defaults:
        refreshed = await _refresh_inheriting_events(session, schedule, changed_defaults, ctx.now)
    tz = await business_zone(session, site_id=site_id)
    for view in refreshed:
        await announce.event_updated(session, view, site_id=site_id, tz=tz, ctx=ctx)
    return schedule


async def _refresh_inheriting_events(
    session: AsyncSession, schedule: Schedule, fields: set[str], now: datetime
) -> list[EventView]:
    """The still-running events that took the schedule's new defaults, as stored."""
    facts = schedule_facts(schedule)
    events = await repository.live_events_of_schedule(
        session, site_id=schedule.site_id, schedule_id=schedule.id, since=now
    )
    return await rewrite_events(
        session, events, schedule, lambda view: inherit_from_schedule(view, facts, fields), now=now
    )


async def cancel_schedule(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_id: uuid.UUID,
    preserve_future_events_with_participants: bool = False,
    caller: Caller,
    ctx: WriteContext,
) -> Schedule:
    """Cancel the schedule for good, with every event of it that is not over yet.

    The business schedule holds every default-hours staff member's working hours, so it cannot
    be cancelled; its hours are changed through its events instead.
    """
    schedule = await find_schedule(session, site_id=site_id, schedule_id=schedule_id)
    if schedule.external_id == BUSINESS_SCHEDULE_EXTERNAL_ID:
        raise BusinessScheduleProtected(
            "The business schedule cannot be cancelled: update or cancel its WORKING_HOURS "
            "events to change the business hours"
        )
    require_active(schedule)
    check_schedule_write(caller, schedule)
    await _cancel(
        session,
        schedule,
        ctx,
        preserve_future_events_with_participants=preserve_future_events_with_participants,
    )
    return schedule


async def _cancel(
    session: AsyncSession,
    schedule: Schedule,
    ctx: WriteContext,
    *,
    preserve_future_events_with_participants: bool,
) -> None:
    """Cancel ``schedule`` and its events that are not over; announce the schedule's
    `cancelled`, then each event's."""
    events = await repository.live_events_of_schedule(
        session, site_id=schedule.site_id, schedule_id=schedule.id, since=ctx.now
    )
    schedule.status = ScheduleStatus.CANCELLED
    schedule.revision += 1
    schedule.updated_at = ctx.now
    for event in events:
        event.status = EventStatus.CANCELLED
        event.revision += 1
        event.updated_at = ctx.now
    await flush_guarded(session, "schedule", str(schedule.id))
    await announce.schedule_cancelled(
        session,
        schedule,
        ctx,
        preserve_future_events_with_participants=preserve_future_events_with_participants,
    )
    tz = await business_zone(session, site_id=schedule.site_id)
    for event in events:
        view = event_view(event, schedule)
        await announce.event_cancelled(session, view, site_id=schedule.site_id, tz=tz, ctx=ctx)
