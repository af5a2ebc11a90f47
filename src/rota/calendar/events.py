"""The calendar's domain events (entities ``wix.calendar.v3.event`` and
``wix.calendar.v3.schedule``, spec §4.4), recorded in the outbox in the same transaction as each
change.

The rule the service keeps: every stored revision of an event or schedule is announced by exactly
one domain event, including the ones a change causes elsewhere (a cancelled MASTER's EXCEPTIONs,
the events that inherit a changed schedule default). A request that stores nothing (an
idempotent replay, a rejected or rolled-back change) announces nothing. Generated INSTANCEs
are announced only once a write stores them (an EXCEPTION, or a cancelled INSTANCE).

Payloads carry the entity exactly as the API answers with ``fields=PI_FIELDS`` (webhooks need the
PI scope), with ``adjusted*`` dates in the business time zone, the zone a request without
``timeZone`` is answered in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar.event_view import EventView
from rota.calendar.models import Schedule
from rota.calendar.privacy import PiPolicy
from rota.calendar.schemas import EventRead, ScheduleRead
from rota.core.context import SYSTEM, WriteContext
from rota.events import catalogue, outbox, rendering
from rota.events.envelope import BodyKind

EVENT_FQDN = catalogue.CALENDAR_EVENT
SCHEDULE_FQDN = catalogue.CALENDAR_SCHEDULE
_EVERYTHING = PiPolicy(reveal_all=True)


def system_context(now: datetime) -> WriteContext:
    """For changes nobody requested (a new site's business hours). Calendar payloads hold no
    links, so no base URL is needed."""
    return WriteContext(now=now, actor=SYSTEM, public_base_url="")


def event_representation(view: EventView, tz: ZoneInfo) -> dict[str, Any]:
    read = EventRead.from_view(view, tz=tz, pi=_EVERYTHING)
    return read.model_dump(mode="json", exclude_none=True)


# What `ScheduleRead.from_row` reads: the row a schedule's event keeps, rendered when the event
# is read (`rendering`). A column it starts to read must be added here.
_SCHEDULE_COLUMNS = (
    "id",
    "external_id",
    "name",
    "status",
    "time_zone",
    "business_time_zone_enabled",
    "default_title",
    "default_location",
    "default_capacity",
    "default_conferencing_details",
    "app_id",
    "permissions",
    "extended_fields",
    "revision",
    "created_at",
    "updated_at",
)


def schedule_representation(schedule: Schedule) -> dict[str, Any]:
    """The schedule as events carry it: its row, rendered when the event is read."""
    return rendering.deferred(SCHEDULE_FQDN, rendering.row_of(schedule, _SCHEDULE_COLUMNS), {})


def _render_schedule(row: Mapping[str, Any], _context: Mapping[str, Any]) -> dict[str, Any]:
    read = ScheduleRead.from_row(cast(Schedule, rendering.StoredRow(row)), pi=_EVERYTHING)
    return read.model_dump(mode="json", exclude_none=True)


def register_rendering() -> None:
    """Lets relays and the feed render the schedule rows events hold."""
    rendering.register(SCHEDULE_FQDN, _render_schedule)


async def _on_event(
    session: AsyncSession,
    view: EventView,
    *,
    site_id: uuid.UUID,
    slug: str,
    kind: BodyKind,
    body: dict[str, Any],
    ctx: WriteContext,
) -> None:
    await outbox.record(
        session,
        site_id=site_id,
        entity_fqdn=EVENT_FQDN,
        slug=slug,
        entity_id=view.id,
        body_kind=kind,
        body=body,
        ctx=ctx,
    )


async def _on_schedule(
    session: AsyncSession,
    schedule: Schedule,
    *,
    slug: str,
    kind: BodyKind,
    body: dict[str, Any],
    ctx: WriteContext,
) -> None:
    await outbox.record(
        session,
        site_id=schedule.site_id,
        entity_fqdn=SCHEDULE_FQDN,
        slug=slug,
        entity_id=str(schedule.id),
        body_kind=kind,
        body=body,
        ctx=ctx,
    )


# --- events -----------------------------------------------------------------------------------


async def event_created(
    session: AsyncSession, view: EventView, *, site_id: uuid.UUID, tz: ZoneInfo, ctx: WriteContext
) -> None:
    body = {"entity": event_representation(view, tz)}
    await _on_event(
        session, view, site_id=site_id, slug="created", kind="created", body=body, ctx=ctx
    )


async def event_updated(
    session: AsyncSession, view: EventView, *, site_id: uuid.UUID, tz: ZoneInfo, ctx: WriteContext
) -> None:
    """Also for an INSTANCE stored as an EXCEPTION: the id existed (generated), so it changed."""
    body = {"currentEntity": event_representation(view, tz)}
    await _on_event(
        session, view, site_id=site_id, slug="updated", kind="updated", body=body, ctx=ctx
    )


async def event_cancelled(
    session: AsyncSession, view: EventView, *, site_id: uuid.UUID, tz: ZoneInfo, ctx: WriteContext
) -> None:
    """An action event with body ``{event}`` (Wix's `EventCancelled`). Wix documents no
    `cancelled` for INSTANCEs, which it reports through its Events View projection instead;
    Rota has no such projection, so a cancelled INSTANCE is announced here too, or a removed
    working day would reach no subscriber."""
    body = {"event": event_representation(view, tz)}
    await _on_event(
        session, view, site_id=site_id, slug="cancelled", kind="action", body=body, ctx=ctx
    )


async def recurring_split(
    session: AsyncSession,
    ended: EventView,
    continued: EventView,
    *,
    site_id: uuid.UUID,
    tz: ZoneInfo,
    ctx: WriteContext,
) -> None:
    """On the original MASTER (it gained an `until`), with both MASTERs as Split answers them;
    the new MASTER has its own `created`."""
    body = {
        "updatedRecurringEventEndingBeforeSplit": event_representation(ended, tz),
        "newRecurringEventStartingFromSplit": event_representation(continued, tz),
    }
    await _on_event(
        session, ended, site_id=site_id, slug="recurring_split", kind="action", body=body, ctx=ctx
    )


# --- schedules --------------------------------------------------------------------------------


async def schedule_created(session: AsyncSession, schedule: Schedule, ctx: WriteContext) -> None:
    body = {"entity": schedule_representation(schedule)}
    await _on_schedule(session, schedule, slug="created", kind="created", body=body, ctx=ctx)


async def schedule_updated(session: AsyncSession, schedule: Schedule, ctx: WriteContext) -> None:
    body = {"currentEntity": schedule_representation(schedule)}
    await _on_schedule(session, schedule, slug="updated", kind="updated", body=body, ctx=ctx)


async def schedule_cancelled(
    session: AsyncSession,
    schedule: Schedule,
    ctx: WriteContext,
    *,
    preserve_future_events_with_participants: bool,
) -> None:
    """An action event with Wix's `ScheduleCancelled` body. Rota stores no participants, so the
    flag is the request's, echoed: every future event is cancelled either way."""
    body = {
        "schedule": schedule_representation(schedule),
        "preserveFutureEventsWithParticipants": preserve_future_events_with_participants,
    }
    await _on_schedule(session, schedule, slug="cancelled", kind="action", body=body, ctx=ctx)
