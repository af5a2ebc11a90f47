"""Reading many events: Query Events (stored events and generated INSTANCEs, merged, sorted and
paged by keyset) and the timeline availability is computed from.

Query Events costs three statements whatever the page: the stored events page, the MASTERs
meeting the window, and the occurrences they have replaced. INSTANCEs are generated lazily per
MASTER and merged, so a page never expands more than ``limit + 1`` occurrences beyond one
look-ahead per MASTER, however wide the window.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import repository
from rota.calendar.constants import EventType, RecurrenceType, Transparency
from rota.calendar.editing import rule_from_document, series_of
from rota.calendar.event_view import EventView, filter_record, instance_of
from rota.calendar.query_fields import selects_working_hours
from rota.calendar.recurrence import Series, WeeklyRule, occurrences, zone
from rota.calendar.service._common import event_view
from rota.calendar.timeline import StoredEvent
from rota.wixquery.ast import And, Comparison, Node, SortKey
from rota.wixquery.evaluate import matches

STORED_TYPES = frozenset({RecurrenceType.NONE, RecurrenceType.EXCEPTION, RecurrenceType.MASTER})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MARGIN = timedelta(seconds=1)


@dataclass(frozen=True)
class EventQuery:
    """A Query Events request after parsing: window (None = open), filter, one sort key,
    the recurrence types to list, the keyset position (sort value, id) and the page size."""

    start_utc: datetime | None
    end_utc: datetime | None
    filter_node: Node
    sort: SortKey
    recurrence_types: frozenset[str]
    after: tuple[datetime, str] | None
    limit: int


def sort_value(view: EventView, sort: SortKey) -> datetime:
    return view.start_utc if sort.field == "start" else view.end_utc


def _order(value: datetime, event_id: str, sort: SortKey) -> tuple[int, str]:
    micros = (value - _EPOCH) // _MICROSECOND
    return (-micros if sort.descending else micros, event_id)


async def query_events(
    session: AsyncSession, *, site_id: uuid.UUID, query: EventQuery
) -> tuple[list[EventView], bool]:
    """A page of confirmed events and whether more follow.

    WORKING_HOURS events are left out unless the filter selects that type (Wix's rule).
    """
    node = query.filter_node
    if not selects_working_hours(node):
        node = And((node, Comparison("type", "$ne", EventType.WORKING_HOURS)))
    streams: list[Iterator[EventView]] = []
    stored_types = query.recurrence_types & STORED_TYPES
    if stored_types:
        rows = await repository.query_stored_events(
            session,
            site_id=site_id,
            filter_node=node,
            recurrence_types=stored_types,
            start_utc=query.start_utc,
            end_utc=query.end_utc,
            sort=query.sort,
            after=list(query.after) if query.after else None,
            limit=query.limit + 1,
        )
        streams.append(iter([event_view(event, schedule) for event, schedule in rows]))
    if RecurrenceType.INSTANCE in query.recurrence_types:
        streams.extend(await _instance_streams(session, site_id=site_id, node=node, query=query))

    def order(view: EventView) -> tuple[int, str]:
        return _order(sort_value(view, query.sort), view.id, query.sort)

    page = list(itertools.islice(heapq.merge(*streams, key=order), query.limit + 1))
    return page[: query.limit], len(page) > query.limit


async def _instance_streams(
    session: AsyncSession, *, site_id: uuid.UUID, node: Node, query: EventQuery
) -> list[Iterator[EventView]]:
    start, end = query.start_utc, query.end_utc
    after_order = None
    if query.after is not None:
        # Everything after the cursor starts (or ends) on the far side of its value.
        value, event_id = query.after
        after_order = _order(value, event_id, query.sort)
        if query.sort.descending:
            end = min(end, value + _MARGIN) if end is not None else value + _MARGIN
        else:
            start = max(start, value - _MARGIN) if start is not None else value - _MARGIN
    masters = [
        view
        for view in (
            event_view(event, schedule)
            for event, schedule in await repository.masters_in_window(
                session, site_id=site_id, start_utc=start, end_utc=end
            )
        )
        if matches(node, filter_record(replace(view, recurring_event_id=view.id)))
    ]
    overridden = await repository.overridden_dates(
        session, master_ids=[master.id for master in masters]
    )

    def generate(master: EventView) -> Iterator[EventView]:
        series = series_of(master)
        if series is None:
            return
        for found in occurrences(series, start, end, descending=query.sort.descending):
            if (master.id, found.day) in overridden:
                continue
            instance = instance_of(master, found)
            order = _order(sort_value(instance, query.sort), instance.id, query.sort)
            if after_order is not None and order <= after_order:
                continue
            yield instance

    return [generate(master) for master in masters]


async def load_timeline(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    schedule_ids: Collection[uuid.UUID],
    resource_ids: Collection[str],
    start_utc: datetime,
    end_utc: datetime,
) -> list[StoredEvent]:
    """The events of active ``schedule_ids`` and those listing any of ``resource_ids`` that
    meet the window, with the rows replacing their occurrences: one query."""
    rows: Sequence[Any] = await repository.timeline_rows(
        session,
        site_id=site_id,
        schedule_ids=schedule_ids,
        resource_ids=resource_ids,
        start_utc=start_utc,
        end_utc=end_utc,
    )
    events: list[StoredEvent] = []
    seen: set[str] = set()
    rules: dict[str, WeeklyRule] = {}  # most MASTERs share a handful of rules
    for row in rows:
        (
            event_id,
            schedule_id,
            event_type,
            status,
            transparency,
            recurrence_type,
            start_local,
            end_local,
            time_zone,
            start_at,
            end_at,
            rule_text,
            recurring_event_id,
            original_date,
            resources_text,
        ) = row
        if event_id in seen:
            continue
        seen.add(event_id)
        series = None
        if recurrence_type == RecurrenceType.MASTER:
            first = datetime.fromisoformat(start_local)
            weekly = rules.get(rule_text) if rule_text else None
            if weekly is None and (rule := _document(rule_text)):
                weekly = rule_from_document(rule, start=first)
                if rule.get("days"):
                    rules[rule_text] = weekly
            if weekly is not None:
                series = Series(first, datetime.fromisoformat(end_local), zone(time_zone), weekly)
        resources = _document(resources_text)
        events.append(
            StoredEvent(
                id=event_id,
                schedule_id=str(schedule_id),
                type=event_type,
                status=status,
                transparency=transparency,
                recurrence_type=recurrence_type,
                start_utc=start_at,
                end_utc=end_at,
                series=series,
                recurring_event_id=recurring_event_id,
                original_date=original_date,
                resources=tuple(
                    (
                        str(resource.get("id", "")).lower(),
                        resource.get("transparency") or Transparency.OPAQUE,
                    )
                    for resource in resources
                )
                if resources
                else (),
            )
        )
    return events


def _document(text: str | None) -> Any:
    """A JSON column read as text; the common empty cases skip the parser."""
    if text is None or text in ("[]", "null", "{}"):
        return None
    return orjson.loads(text)
