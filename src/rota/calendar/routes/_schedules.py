"""Wix Calendar Schedules API v3 routes (spec §2.3)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from rota.calendar import service as calendar_service
from rota.calendar.constants import SCHEDULE_CREATE_ONLY, SCHEDULE_WRITABLE
from rota.calendar.models import Schedule
from rota.calendar.paging import (
    SchedulesCursor,
    decode_schedules_cursor,
    encode_schedules_cursor,
)
from rota.calendar.privacy import PiFields, PiPolicy
from rota.calendar.query_fields import SCHEDULE_QUERY_FIELDS
from rota.calendar.routes._shared import (
    caller_of,
    check_path_id,
    limit_of,
    pi_policy,
    query_invalid,
    reject_with_cursor,
)
from rota.calendar.schemas import (
    CancelScheduleRequest,
    CreateScheduleRequest,
    CursorsRead,
    PagingMetadataRead,
    QuerySchedulesRequest,
    QuerySchedulesResponse,
    ScheduleRead,
    ScheduleResponse,
    UpdateScheduleRequest,
    masked_fields,
)
from rota.core.deps import NowDep, SessionDep, SettingsDep
from rota.core.errors import FieldViolation, InvalidInput
from rota.core.responses import json_response
from rota.identity.deps import CalendarReader, CalendarWriter, write_context
from rota.wixquery import QueryError, parse_filter

router = APIRouter(tags=["Calendar Schedules"])

SCHEDULES = "/calendar/v3/schedules"
FieldsQuery = Annotated[list[PiFields], Query(max_length=1, default_factory=list)]


def _one(schedule: Schedule, pi: PiPolicy) -> Response:
    return json_response(ScheduleResponse(schedule=ScheduleRead.from_row(schedule, pi=pi)))


@router.post(SCHEDULES, response_model=ScheduleResponse, response_model_exclude_none=True)
async def create_schedule(
    body: CreateScheduleRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    pi = pi_policy(principal, body.fields)
    schedule = await calendar_service.create_schedule(
        session,
        site_id=principal.site_id,
        values=body.schedule.create_values(),
        idempotency_key=str(body.idempotency_key) if body.idempotency_key else None,
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(schedule, pi)


@router.get(
    SCHEDULES + "/{schedule_id}", response_model=ScheduleResponse, response_model_exclude_none=True
)
async def get_schedule(
    schedule_id: uuid.UUID,
    principal: CalendarReader,
    session: SessionDep,
    fields: FieldsQuery,
) -> Response:
    pi = pi_policy(principal, fields)
    schedule = await calendar_service.find_schedule(
        session, site_id=principal.site_id, schedule_id=schedule_id
    )
    return _one(schedule, pi)


@router.post(
    SCHEDULES + "/query", response_model=QuerySchedulesResponse, response_model_exclude_none=True
)
async def query_schedules(
    body: QuerySchedulesRequest,
    principal: CalendarReader,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Pages in id order; only ACTIVE schedules unless the filter names `status`."""
    query = body.query
    paging = query.cursor_paging
    limit = limit_of(
        paging.limit if paging else None, default=50, maximum=100, field="query.cursorPaging.limit"
    )
    if query.sort:
        raise InvalidInput(
            "Query Schedules does not sort; results come in id order",
            violations=[FieldViolation("query.sort", "Sorting is not supported", "CUSTOM")],
        )
    cursor: SchedulesCursor | None = None
    raw_filter: Any = query.filter
    fields = [str(f) for f in body.fields]
    if paging is not None and paging.cursor:
        reject_with_cursor(filter=query.filter)
        cursor = decode_schedules_cursor(settings.secret_key, principal.site_id, paging.cursor)
        raw_filter, fields = cursor.filter, cursor.fields
    pi = pi_policy(principal, fields)
    try:
        node = parse_filter(raw_filter, SCHEDULE_QUERY_FIELDS)
    except QueryError as error:
        raise query_invalid(error) from None
    forward = cursor.forward if cursor else True
    rows, more = await calendar_service.query_schedules(
        session,
        site_id=principal.site_id,
        filter_node=node,
        after=[cursor.after_id] if cursor else None,
        forward=forward,
        limit=limit,
    )

    def token(after: uuid.UUID, direction: bool) -> str:
        return encode_schedules_cursor(
            settings.secret_key,
            principal.site_id,
            SchedulesCursor(filter=raw_filter, after_id=after, forward=direction, fields=fields),
        )

    # Going forward, more rows means a next page and a cursor means a previous one; going
    # backward (a `prev` cursor) it is the other way round.
    has_next = more if forward else True
    has_prev = cursor is not None if forward else more
    next_token = token(rows[-1].id, True) if rows and has_next else None
    prev_token = token(rows[0].id, False) if rows and has_prev else None
    return json_response(
        QuerySchedulesResponse(
            schedules=[ScheduleRead.from_row(s, pi=pi) for s in rows],
            paging_metadata=PagingMetadataRead(
                count=len(rows),
                cursors=CursorsRead(next=next_token, prev=prev_token),
                has_next=next_token is not None,
            ),
        )
    )


def _update_values(body: UpdateScheduleRequest) -> dict[str, Any]:
    """PATCH semantics: the field mask when given, else every field present in the body."""
    names = masked_fields(
        body.fieldmask or body.field_mask, SCHEDULE_WRITABLE | SCHEDULE_CREATE_ONLY
    )
    return body.schedule.values(body.schedule.model_fields_set if names is None else names)


@router.patch(
    SCHEDULES + "/{schedule_id}", response_model=ScheduleResponse, response_model_exclude_none=True
)
async def update_schedule(
    schedule_id: uuid.UUID,
    body: UpdateScheduleRequest,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    pi = pi_policy(principal, body.fields)
    body_id = body.schedule.id
    check_path_id("schedule", body_id.lower() if body_id else None, str(schedule_id))
    schedule = await calendar_service.update_schedule(
        session,
        site_id=principal.site_id,
        schedule_id=schedule_id,
        revision=body.schedule.revision,
        values=_update_values(body),
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(schedule, pi)


@router.post(
    SCHEDULES + "/{schedule_id}/cancel",
    response_model=ScheduleResponse,
    response_model_exclude_none=True,
)
async def cancel_schedule(
    schedule_id: uuid.UUID,
    principal: CalendarWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    body: CancelScheduleRequest | None = None,
) -> Response:
    body = body or CancelScheduleRequest()
    pi = pi_policy(principal, body.fields)
    schedule = await calendar_service.cancel_schedule(
        session,
        site_id=principal.site_id,
        schedule_id=schedule_id,
        preserve_future_events_with_participants=bool(
            body.preserve_future_events_with_participants
        ),
        caller=caller_of(principal),
        ctx=write_context(principal, now, settings),
    )
    return _one(schedule, pi)
