"""Events: create, read, update, cancel and split, one at a time or in bulk.

INSTANCEs are generated, so writing one stores a row in its place: updating an INSTANCE stores an
EXCEPTION with the instance's id; cancelling one stores the INSTANCE as CANCELLED. Both name the
occurrence they replace (MASTER id + local date), which expansion then skips.

Updating a MASTER rewrites its series — past occurrences too, since Rota keeps no history of
occurrences — and passes the values its future EXCEPTIONs still inherit on to them. Cancelling a
MASTER cancels the series and its future EXCEPTIONs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import events as announce
from rota.calendar import repository
from rota.calendar.constants import EventStatus, EventType, RecurrenceType
from rota.calendar.editing import (
    draft_event,
    edit_event,
    inherit_from_master,
    invalid,
    split_point,
)
from rota.calendar.errors import (
    EventAlreadyCancelled,
    EventCancelled,
    NotRecurringMaster,
)
from rota.calendar.event_ids import new_event_id, parse_instance_id
from rota.calendar.event_view import EventView
from rota.calendar.models import CalendarEvent, Schedule
from rota.calendar.recurrence import to_local, to_utc, zone
from rota.calendar.roles import Caller
from rota.calendar.service._common import (
    Target,
    business_zone,
    check_event_write,
    check_revision,
    check_schedule_write,
    event_view,
    find_schedule,
    find_target,
    flush_guarded,
    instance_on,
    new_row,
    require_active,
    resolve_resources,
    rewrite_events,
    schedule_facts,
    write_view,
)
from rota.core.context import WriteContext
from rota.core.errors import RotaError

T = TypeVar("T")


async def create_event(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_id: uuid.UUID,
    event_type: str | None,
    changes: Mapping[str, Any],
    idempotency_key: str | None,
    caller: Caller,
    ctx: WriteContext,
) -> EventView:
    """A single event, or a MASTER when ``changes`` has a recurrence rule.

    The same idempotency key returns the event it first created and creates (and announces)
    nothing.
    """
    now = ctx.now
    if idempotency_key is not None:
        existing = await repository.find_event_by_idempotency_key(
            session, site_id=site_id, key=idempotency_key
        )
        if existing is not None:
            return event_view(*existing)
    schedule = await find_schedule(session, site_id=site_id, schedule_id=schedule_id)
    require_active(schedule)
    check_schedule_write(caller, schedule)
    view = draft_event(
        event_id=new_event_id(schedule.id),
        schedule=schedule_facts(schedule),
        event_type=event_type or EventType.DEFAULT,
        changes=changes,
        now=now,
    )
    if view.resources:
        resolved = await resolve_resources(session, site_id=site_id, resources=view.resources)
        view = replace(view, resources=resolved)
    row = new_row(view, site_id=site_id, now=now)
    row.idempotency_key = idempotency_key
    await repository.add_events(session, [row])
    tz = await business_zone(session, site_id=site_id)
    await announce.event_created(session, view, site_id=site_id, tz=tz, ctx=ctx)
    return view


async def get_event(session: AsyncSession, *, site_id: uuid.UUID, event_id: str) -> EventView:
    return (await find_target(session, site_id=site_id, event_id=event_id)).view


async def list_events(
    session: AsyncSession, *, site_id: uuid.UUID, event_ids: Sequence[str]
) -> list[EventView]:
    """The events among ``event_ids`` in the order asked; unknown ids are left out.

    Three queries whatever the count: the stored events, then the MASTERs of the instance ids
    and the occurrences stored rows replace.
    """
    stored = {
        row.id: event_view(row, schedule)
        for row, schedule in await repository.get_events(
            session, site_id=site_id, event_ids=set(event_ids)
        )
    }
    wanted = {
        event_id: parsed
        for event_id in event_ids
        if event_id not in stored and (parsed := parse_instance_id(event_id)) is not None
    }
    masters = {
        row.id: event_view(row, schedule)
        for row, schedule in await repository.get_events(
            session, site_id=site_id, event_ids={master for master, _ in wanted.values()}
        )
    }
    replaced = await repository.overridden_dates(session, master_ids=list(masters))
    for event_id, (master_id, day) in wanted.items():
        master = masters.get(master_id)
        instance = instance_on(master, day, replaced) if master is not None else None
        if instance is not None:
            stored[event_id] = instance
    return [stored[event_id] for event_id in dict.fromkeys(event_ids) if event_id in stored]


def _writable(target: Target) -> EventView:
    view = target.view
    if view.status == EventStatus.CANCELLED:
        raise EventCancelled(
            f"Event {view.id} is cancelled and cannot change", details={"eventId": view.id}
        )
    require_active(target.schedule)
    return view


async def update_event(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    event_id: str,
    revision: int,
    changes: Mapping[str, Any],
    caller: Caller,
    ctx: WriteContext,
) -> EventView:
    """Apply ``changes`` (``None`` clears); an INSTANCE becomes an EXCEPTION with the same id.

    ``type`` and ``schedule_id`` may be sent back unchanged but never changed.
    """
    now = ctx.now
    target = await find_target(session, site_id=site_id, event_id=event_id)
    view = _writable(target)
    check_revision("event", view.id, view.revision, revision)
    changes = dict(changes)
    for name, path in (("type", "event.type"), ("schedule_id", "event.scheduleId")):
        if name in changes:
            given = changes.pop(name)
            current = view.type if name == "type" else view.schedule_id
            if given is not None and str(given) != current:
                raise invalid(path, f"{path} is set on create and cannot change", "IMMUTABLE")
    check_event_write(caller, target.schedule, view.resources, changes)
    master_rule = target.master.recurrence_rule if target.master is not None else None
    edited = edit_event(view, changes, master_rule=master_rule, now=now)
    if "resources" in changes:
        resolved = await resolve_resources(
            session, site_id=site_id, resources=list(changes["resources"] or [])
        )
        edited = replace(edited, resources=resolved)
    edited = replace(edited, revision=view.revision + 1, updated_at=now)
    if target.row is None:
        row = new_row(edited, site_id=site_id, now=now)
        row.original_date = view.start_local.date()
        await repository.add_events(session, [row])
    else:
        write_view(target.row, edited)
        await flush_guarded(session, "event", view.id)
    passed_on: list[EventView] = []
    if edited.recurrence_type == RecurrenceType.MASTER:
        passed_on = await _pass_on_to_exceptions(
            session, site_id=site_id, master=edited, schedule=target.schedule, now=now
        )
    tz = await business_zone(session, site_id=site_id)
    for changed in (edited, *passed_on):
        await announce.event_updated(session, changed, site_id=site_id, tz=tz, ctx=ctx)
    return edited


async def _pass_on_to_exceptions(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    master: EventView,
    schedule: Schedule,
    now: datetime,
) -> list[EventView]:
    """The future EXCEPTIONs that took new values from ``master``, as stored."""
    rows = [
        row
        for row in await repository.replacements_of(session, site_id=site_id, master_id=master.id)
        if row.recurrence_type == RecurrenceType.EXCEPTION
        and row.status == EventStatus.CONFIRMED
        and row.start_utc >= now
    ]
    return await rewrite_events(
        session, rows, schedule, lambda view: inherit_from_master(view, master), now=now
    )


async def cancel_event(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    event_id: str,
    caller: Caller,
    ctx: WriteContext,
) -> EventView:
    """Cancel an event: it leaves queries and availability. Cancelling a MASTER cancels its
    series and its future EXCEPTIONs; cancelling an INSTANCE removes that occurrence only."""
    now = ctx.now
    target = await find_target(session, site_id=site_id, event_id=event_id)
    view = target.view
    if view.status == EventStatus.CANCELLED:
        raise EventAlreadyCancelled(
            f"Event {view.id} is already cancelled", details={"eventId": view.id}
        )
    check_event_write(caller, target.schedule, view.resources, {"status"})
    cancelled = replace(
        view, status=EventStatus.CANCELLED, revision=view.revision + 1, updated_at=now
    )
    followers: list[CalendarEvent] = []
    if target.row is None:
        row = new_row(cancelled, site_id=site_id, now=now)
        row.original_date = view.start_local.date()
        await repository.add_events(session, [row])
    else:
        write_view(target.row, cancelled)
        if view.recurrence_type == RecurrenceType.MASTER:
            replacements = await repository.replacements_of(
                session, site_id=site_id, master_id=view.id
            )
            for row in replacements:
                if row.status == EventStatus.CONFIRMED and row.start_utc >= now:
                    row.status = EventStatus.CANCELLED
                    row.revision += 1
                    row.updated_at = now
                    followers.append(row)
        await flush_guarded(session, "event", view.id)
    tz = await business_zone(session, site_id=site_id)
    for gone in (cancelled, *(event_view(row, target.schedule) for row in followers)):
        await announce.event_cancelled(session, gone, site_id=site_id, tz=tz, ctx=ctx)
    return cancelled


async def split_event(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    event_id: str,
    split_local: datetime,
    time_zone: str | None,
    caller: Caller,
    ctx: WriteContext,
) -> tuple[EventView, EventView]:
    """End a MASTER before ``split_local`` and continue it as a new MASTER from the first
    occurrence after; later EXCEPTIONs and cancelled occurrences move to the new MASTER.

    ``split_local`` is read in ``time_zone`` when given, else in the MASTER's zone. Announced
    as the new MASTER's `created`, the original's `recurring_split` and an `updated` for each
    stored occurrence that moved.
    """
    now = ctx.now
    target = await find_target(session, site_id=site_id, event_id=event_id)
    view = _writable(target)
    if target.row is None or view.recurrence_type != RecurrenceType.MASTER:
        raise NotRecurringMaster(
            f"Event {event_id} is not a recurring MASTER; only a MASTER can be split",
            details={"eventId": event_id},
        )
    check_event_write(caller, target.schedule, view.resources, {"recurrence_rule"})
    master_zone = zone(view.time_zone)
    if time_zone is not None:
        split_local = to_local(to_utc(split_local, zone(time_zone)), master_zone)
    ended, continued = split_point(view, split_local, now=now)
    ended = replace(ended, revision=view.revision + 1, updated_at=now)
    continued = replace(
        continued,
        id=new_event_id(uuid.UUID(view.schedule_id)),
        revision=1,
        created_at=now,
        updated_at=now,
    )
    write_view(target.row, ended)
    await flush_guarded(session, "event", view.id)
    await repository.add_events(session, [new_row(continued, site_id=site_id, now=now)])
    moved: list[CalendarEvent] = []
    for row in await repository.replacements_of(session, site_id=site_id, master_id=view.id):
        if row.original_date is not None and row.original_date >= continued.start_local.date():
            row.recurring_event_id = continued.id
            row.revision += 1
            row.updated_at = now
            moved.append(row)
    await session.flush()
    tz = await business_zone(session, site_id=site_id)
    await announce.event_created(session, continued, site_id=site_id, tz=tz, ctx=ctx)
    await announce.recurring_split(session, ended, continued, site_id=site_id, tz=tz, ctx=ctx)
    for moved_view in (event_view(row, target.schedule) for row in moved):
        await announce.event_updated(session, moved_view, site_id=site_id, tz=tz, ctx=ctx)
    return ended, continued


@dataclass(frozen=True)
class ItemResult(Generic[T]):
    """One item of a bulk call: its position, the id it concerns and its result or error."""

    index: int
    id: str | None
    value: T | None = None
    error: RotaError | None = None


async def run_each(
    session: AsyncSession,
    items: Sequence[Any],
    action: Callable[[Any], Awaitable[T]],
    *,
    item_id: Callable[[Any], str | None] = lambda _item: None,
) -> list[ItemResult[T]]:
    """Run ``action`` on every item in its own savepoint: a failed item leaves no trace and
    does not stop the others. Only expected failures (``RotaError``) are reported per item."""
    results: list[ItemResult[T]] = []
    for index, item in enumerate(items):
        try:
            async with session.begin_nested():
                value = await action(item)
        except RotaError as error:
            results.append(ItemResult(index, item_id(item), error=error))
        else:
            results.append(ItemResult(index, item_id(item), value=value))
    return results
