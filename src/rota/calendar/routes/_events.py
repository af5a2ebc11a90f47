"""Wix Calendar Events API v3 routes (spec §2.2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import ValidationError

from rota.calendar import service as calendar_service
from rota.calendar.constants import RecurrenceType
from rota.calendar.event_view import EventView
from rota.calendar.paging import (
    EventsCursor,
    decode_events_cursor,
    encode_events_cursor,
    event_window,
)
from rota.calendar.privacy import PiFields, PiPolicy
from rota.calendar.query_fields import EVENT_QUERY_FIELDS, EVENT_SORT_FIELDS
from rota.calendar.routes._shared import (
    caller_of,
    check_path_id,
    item_invalid,
    limit_of,
    pi_policy,
    query_invalid,
    reject_with_cursor,
    response_zone,
)
from rota.calendar.schemas import (
    BulkActionMetadata,
    BulkCancelEventsRequest,
    BulkCreateEventsRequest,
    BulkCreateItem,
    BulkEventResult,
    BulkEventsResponse,
    BulkUpdateEventsRequest,
    BulkUpdateItem,
    CancelEventRequest,
    CreateEventRequest,
    CursorsRead,
    EventListResponse,
    EventRead,
    EventResponse,
    ItemMetadata,
    PagingMetadataRead,
    QueryEventsRequest,
    QueryEventsResponse,
    SplitEventRequest,
    SplitEventResponse,
    TimeZoneName,
    UpdateEventRequest,
    item_error,
    update_changes,
)
from rota.calendar.service import EventQuery, ItemResult
from rota.core.deps import NowDep, SessionDep, SettingsDep
from rota.core.errors import FieldViolation, InvalidInput
from rota.core.responses import json_response
from rota.identity.deps import CalendarReader, CalendarWriter, write_context
from rota.wixquery import Node, QueryError, SortKey, parse_filter, parse_sort

router = APIRouter(tags=["Calendar Events"])

EVENTS = "/calendar/v3/events"
BULK = "/calendar/v3/bulk/events"
DEFAULT_TYPES = [RecurrenceType.NONE, RecurrenceType.INSTANCE, RecurrenceType.EXCEPTION]
QUERY_LIMIT_DEFAULT = 50
QUERY_LIMIT_MAX = 1000
T = TypeVar("T")
ItemT = TypeVar("ItemT", BulkCreateItem, BulkUpdateItem)
FieldsQuery = Annotated[list[PiFields], Query(max_length=1, default_factory=list)]
TimeZoneQuery = Annotated[TimeZoneName | None, Query(alias="timeZone")]


def _one(view: EventView, tz: ZoneInfo, pi: PiPolicy) -> Response:
    return json_response(EventResponse(event=EventRead.from_view(view, tz=tz, pi=pi)))


@router.post(EVENTS, response_model=EventResponse, response_model_exclude_none=True)
async def create_event(
    body: CreateEventRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    pi = pi_policy(principal, body.fields)
    event = body.event
    view = await calendar_service.create_event(
        session,
        site_id=principal.site_id,
        schedule_id=event.schedule_id,
        event_type=event.type,
        changes=event.create_changes(),
        idempotency_key=str(body.idempotency_key) if body.idempotency_key else None,
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(view, await response_zone(session, principal, body.time_zone), pi)


@router.get(EVENTS + "/{event_id}", response_model=EventResponse, response_model_exclude_none=True)
async def get_event(
    event_id: str,
    principal: CalendarReader,
    session: SessionDep,
    fields: FieldsQuery,
    time_zone: TimeZoneQuery = None,
) -> Response:
    pi = pi_policy(principal, fields)
    view = await calendar_service.get_event(session, site_id=principal.site_id, event_id=event_id)
    return _one(view, await response_zone(session, principal, time_zone), pi)


@router.get(EVENTS, response_model=EventListResponse, response_model_exclude_none=True)
async def list_events(
    principal: CalendarReader,
    session: SessionDep,
    event_ids: Annotated[list[str], Query(alias="eventIds", min_length=1, max_length=100)],
    fields: FieldsQuery,
    time_zone: TimeZoneQuery = None,
) -> Response:
    pi = pi_policy(principal, fields)
    views = await calendar_service.list_events(
        session, site_id=principal.site_id, event_ids=event_ids
    )
    tz = await response_zone(session, principal, time_zone)
    return json_response(
        EventListResponse(events=[EventRead.from_view(v, tz=tz, pi=pi) for v in views])
    )


@router.post(
    EVENTS + "/query", response_model=QueryEventsResponse, response_model_exclude_none=True
)
async def query_events(
    body: QueryEventsRequest,
    principal: CalendarReader,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    paging = body.query.cursor_paging
    limit = limit_of(
        paging.limit if paging else None,
        default=QUERY_LIMIT_DEFAULT,
        maximum=QUERY_LIMIT_MAX,
        field="query.cursorPaging.limit",
    )
    if paging is not None and paging.cursor:
        reject_with_cursor(filter=body.query.filter, sort=body.query.sort)
        cursor = decode_events_cursor(settings.secret_key, principal.site_id, paging.cursor)
        node, sort = _parsed(cursor.filter, cursor.sort)
    else:
        node, sort = _parsed(body.query.filter, body.query.sort)
        cursor = await _first_page(body, principal, session, now, descending=sort.descending)
    pi = pi_policy(principal, cursor.fields)
    views, has_next = await calendar_service.query_events(
        session,
        site_id=principal.site_id,
        query=EventQuery(
            start_utc=cursor.start_utc,
            end_utc=cursor.end_utc,
            filter_node=node,
            sort=sort,
            recurrence_types=frozenset(cursor.recurrence_types),
            after=cursor.after,
            limit=limit,
        ),
    )
    next_cursor = None
    if has_next:
        last = views[-1]
        next_cursor = encode_events_cursor(
            settings.secret_key,
            principal.site_id,
            replace(cursor, after=(calendar_service.sort_value(last, sort), last.id)),
        )
    tz = await response_zone(session, principal, cursor.time_zone)
    return json_response(
        QueryEventsResponse(
            events=[EventRead.from_view(v, tz=tz, pi=pi) for v in views],
            paging_metadata=PagingMetadataRead(
                count=len(views), cursors=CursorsRead(next=next_cursor), has_next=has_next
            ),
        )
    )


def _parsed(raw_filter: Any, raw_sort: Any) -> tuple[Node, SortKey]:
    """The filter and the one sort key (default: `start` ascending) of a query."""
    try:
        keys = parse_sort(raw_sort, EVENT_SORT_FIELDS, max_keys=1)
        node = parse_filter(raw_filter, EVENT_QUERY_FIELDS)
    except QueryError as error:
        raise query_invalid(error) from None
    return node, keys[0] if keys else SortKey("start")


async def _first_page(
    body: QueryEventsRequest,
    principal: CalendarReader,
    session: SessionDep,
    now: NowDep,
    *,
    descending: bool,
) -> EventsCursor:
    """The query of a first page (already parsed), in the shape a cursor carries it."""
    time_zone = body.time_zone or (await response_zone(session, principal, None)).key
    start, end = event_window(
        body.from_local_date,
        body.to_local_date,
        time_zone=time_zone,
        descending=descending,
        now=now,
    )
    return EventsCursor(
        filter=body.query.filter,
        sort=body.query.sort,
        start_utc=start,
        end_utc=end,
        time_zone=time_zone,
        recurrence_types=list(dict.fromkeys(body.recurrence_type or DEFAULT_TYPES)),
        fields=[str(f) for f in body.fields],
        after=None,
    )


@router.patch(
    EVENTS + "/{event_id}", response_model=EventResponse, response_model_exclude_none=True
)
async def update_event(
    event_id: str,
    body: UpdateEventRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    pi = pi_policy(principal, body.fields)
    check_path_id("event", body.event.id, event_id)
    view = await calendar_service.update_event(
        session,
        site_id=principal.site_id,
        event_id=event_id,
        revision=body.event.revision,
        changes=update_changes(body.event, body.fieldmask or body.field_mask),
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(view, await response_zone(session, principal, body.time_zone), pi)


@router.post(
    EVENTS + "/{event_id}/cancel", response_model=EventResponse, response_model_exclude_none=True
)
async def cancel_event(
    event_id: str,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    body: CancelEventRequest | None = None,
) -> Response:
    body = body or CancelEventRequest()
    pi = pi_policy(principal, body.fields)
    view = await calendar_service.cancel_event(
        session,
        site_id=principal.site_id,
        event_id=event_id,
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(view, await response_zone(session, principal, body.time_zone), pi)


@router.post(
    EVENTS + "/{event_id}/split",
    response_model=SplitEventResponse,
    response_model_exclude_none=True,
)
async def split_recurring_event(
    event_id: str,
    body: SplitEventRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    pi = pi_policy(principal, body.fields)
    ended, continued = await calendar_service.split_event(
        session,
        site_id=principal.site_id,
        event_id=event_id,
        split_local=body.split_local_date,
        time_zone=body.time_zone,
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    tz = await response_zone(session, principal, body.time_zone)
    return json_response(
        SplitEventResponse(
            updated_recurring_event_ending_before_split=EventRead.from_view(ended, tz=tz, pi=pi),
            new_recurring_event_starting_from_split=EventRead.from_view(continued, tz=tz, pi=pi),
        )
    )


BulkRequest = BulkCreateEventsRequest | BulkUpdateEventsRequest | BulkCancelEventsRequest


async def _run_bulk(
    body: BulkRequest,
    principal: CalendarWriter,
    session: SessionDep,
    items: Sequence[T],
    action: Callable[[T], Awaitable[EventView]],
    *,
    item_id: Callable[[T], str | None] = lambda _item: None,
) -> Response:
    """Run ``action`` on each item in its own savepoint and answer with per-item results."""
    pi = pi_policy(principal, body.fields)
    results = await calendar_service.run_each(session, items, action, item_id=item_id)
    tz = await response_zone(session, principal, body.time_zone)
    failures = sum(1 for result in results if result.error is not None)
    return json_response(
        BulkEventsResponse(
            results=[
                _bulk_result(r, return_entity=body.return_entity, tz=tz, pi=pi) for r in results
            ],
            bulk_action_metadata=BulkActionMetadata(
                total_successes=len(results) - failures, total_failures=failures
            ),
        )
    )


def _bulk_result(
    result: ItemResult[EventView], *, return_entity: bool, tz: ZoneInfo, pi: PiPolicy
) -> BulkEventResult:
    return BulkEventResult(
        item_metadata=ItemMetadata(
            id=result.value.id if result.value is not None else result.id,
            original_index=result.index,
            success=result.error is None,
            error=item_error(result.error) if result.error is not None else None,
        ),
        item=EventRead.from_view(result.value, tz=tz, pi=pi)
        if return_entity and result.value is not None
        else None,
    )


def _parse_item(model: type[ItemT], raw: dict[str, Any], index: int) -> ItemT:
    """One bulk item, parsed inside its own result: a malformed item fails alone."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise item_invalid(error, f"events[{index}]") from None


def _raw_id(raw: dict[str, Any]) -> str | None:
    event = raw.get("event")
    value = event.get("id") if isinstance(event, dict) else None
    return value if isinstance(value, str) else None


@router.post(BULK + "/create", response_model=BulkEventsResponse, response_model_exclude_none=True)
async def bulk_create_event(
    body: BulkCreateEventsRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    ctx = write_context(principal, now, settings)
    caller = caller_of(principal)

    async def create(item: tuple[int, dict[str, Any]]) -> EventView:
        index, raw = item
        event = _parse_item(BulkCreateItem, raw, index).event
        return await calendar_service.create_event(
            session,
            site_id=principal.site_id,
            schedule_id=event.schedule_id,
            event_type=event.type,
            changes=event.create_changes(),
            idempotency_key=None,
            caller=caller,
            ctx=ctx,
        )

    return await _run_bulk(body, principal, session, list(enumerate(body.events)), create)


@router.post(BULK + "/update", response_model=BulkEventsResponse, response_model_exclude_none=True)
async def bulk_update_event(
    body: BulkUpdateEventsRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    ctx = write_context(principal, now, settings)
    caller = caller_of(principal)

    async def update(item: tuple[int, dict[str, Any]]) -> EventView:
        index, raw = item
        parsed = _parse_item(BulkUpdateItem, raw, index)
        if not parsed.event.id:
            raise InvalidInput(
                "Every item needs event.id",
                violations=[
                    FieldViolation(f"events[{index}].event.id", "Required", "REQUIRED_FIELD")
                ],
            )
        return await calendar_service.update_event(
            session,
            site_id=principal.site_id,
            event_id=parsed.event.id,
            revision=parsed.event.revision,
            changes=update_changes(parsed.event, parsed.fieldmask),
            caller=caller,
            ctx=ctx,
        )

    return await _run_bulk(
        body,
        principal,
        session,
        list(enumerate(body.events)),
        update,
        item_id=lambda item: _raw_id(item[1]),
    )


@router.post(BULK + "/cancel", response_model=BulkEventsResponse, response_model_exclude_none=True)
async def bulk_cancel_event(
    body: BulkCancelEventsRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    ctx = write_context(principal, now, settings)
    caller = caller_of(principal)

    async def cancel(event_id: str) -> EventView:
        return await calendar_service.cancel_event(
            session, site_id=principal.site_id, event_id=event_id, caller=caller, ctx=ctx
        )

    return await _run_bulk(body, principal, session, body.event_ids, cancel, item_id=str)
