"""Staff work schedules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from rota.booxi import service as booxi_service
from rota.booxi.deps import ScheduleReader, ScheduleWriter
from rota.booxi.errors import invalid
from rota.booxi.routes._common import MAX_ID, STAFF, Limit, StaffId, blank_as_none
from rota.booxi.schemas import BooxiSchedule, BooxiScheduleList, BooxiScheduleWrite
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.responses import json_response

router = APIRouter(tags=["Booxi Staff Schedules"])
SCHEDULES = STAFF + "/{staffId}/schedule"
ScheduleId = Annotated[int, Path(alias="scheduleId", ge=1, le=MAX_ID)]
DateQuery = Annotated[str | None, Query(max_length=40)]


def _draft(body: BooxiScheduleWrite) -> booxi_service.ScheduleDraft:
    hours = body.weekly_hours
    return booxi_service.ScheduleDraft(
        name=body.name,
        description=body.description,
        start=body.start,
        end=body.end,
        end_sent="end" in body.model_fields_set,
        weekly_hours=None
        if hours is None
        else [booxi_service.HoursInput(h.dow, h.start, h.end) for h in hours],
    )


def _after(cursor: str | None) -> int | None:
    """The schedule id a cursor continues after: one of ours is a schedule id, so anything
    else (other digits, a number past the ids' range) is refused before it reaches a query."""
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit() and int(cursor) <= MAX_ID):
        raise invalid("cursor", "Send back the cursor of the previous page unchanged")
    return int(cursor)


def _check_id(body: BooxiScheduleWrite, schedule_id: int | None) -> None:
    if body.id is not None and body.id != schedule_id:
        raise invalid("id", "The body's id must be the path's scheduleId (or be left out)")


@router.get(SCHEDULES, response_model=BooxiScheduleList, response_model_exclude_none=True)
async def get_staff_schedules(
    staff_id: StaffId,
    partner: ScheduleReader,
    session: ReadSessionDep,
    range_start: Annotated[DateQuery, Query(alias="rangeStart")] = None,
    range_end: Annotated[DateQuery, Query(alias="rangeEnd")] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 100,
) -> Response:
    """The staff member's schedules (those sharing a date with `rangeStart`..`rangeEnd` when
    given), by id; `cursor` continues after the previous page."""
    page = await booxi_service.list_schedules(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        range_start=blank_as_none(range_start),
        range_end=blank_as_none(range_end),
        after=_after(blank_as_none(cursor)),
        limit=limit,
    )
    return json_response(
        BooxiScheduleList(
            schedules=[BooxiSchedule.of(r) for r in page.records],
            cursor=str(page.last_id) if page.last_id is not None else None,
        )
    )


@router.post(SCHEDULES, response_model=BooxiSchedule, response_model_exclude_none=True)
async def create_staff_schedule(
    staff_id: StaffId,
    body: BooxiScheduleWrite,
    partner: ScheduleWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """A dated weekly schedule; one overlapping another of the staff member's is a 409
    `ScheduleOverlap`."""
    _check_id(body, None)
    record = await booxi_service.create_schedule(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        draft=_draft(body),
        ctx=partner.write_context(now, settings),
    )
    return json_response(BooxiSchedule.of(record))


@router.get(
    SCHEDULES + "/{scheduleId}", response_model=BooxiSchedule, response_model_exclude_none=True
)
async def get_staff_schedule(
    staff_id: StaffId, schedule_id: ScheduleId, partner: ScheduleReader, session: ReadSessionDep
) -> Response:
    record = await booxi_service.get_schedule(
        session, partnership=partner.site_ids, number=staff_id, schedule_id=schedule_id
    )
    return json_response(BooxiSchedule.of(record))


@router.put(
    SCHEDULES + "/{scheduleId}", response_model=BooxiSchedule, response_model_exclude_none=True
)
async def update_staff_schedule(
    staff_id: StaffId,
    schedule_id: ScheduleId,
    body: BooxiScheduleWrite,
    partner: ScheduleWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Change the fields sent (`"end": null` removes the end date); the working hours are
    rewritten."""
    _check_id(body, schedule_id)
    record = await booxi_service.update_schedule(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        schedule_id=schedule_id,
        draft=_draft(body),
        ctx=partner.write_context(now, settings),
    )
    return json_response(BooxiSchedule.of(record))


@router.delete(
    SCHEDULES + "/{scheduleId}", response_model=BooxiSchedule, response_model_exclude_none=True
)
async def delete_staff_schedule(
    staff_id: StaffId,
    schedule_id: ScheduleId,
    partner: ScheduleWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Delete the schedule and its working hours; answers the deleted schedule."""
    record = await booxi_service.delete_schedule(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        schedule_id=schedule_id,
        ctx=partner.write_context(now, settings),
    )
    return json_response(BooxiSchedule.of(record))
