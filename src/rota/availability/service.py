"""Availability for many staff members over a range of days, in a fixed number of queries.

Whatever the number of staff members: one query for the staff members (by ids or by a staff
filter), one for every relevant calendar event (`rota.calendar.service.load_timeline`) and, when
the request names no zone, one for the business zone. Everything else is pure computation
(`rota.availability.compute`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from rota.availability.compute import (
    MAX_STAFF,
    AvailabilityResult,
    SlotSpec,
    StaffCalendar,
    compute_availability,
)
from rota.availability.errors import TooManyStaffMembers
from rota.calendar import service as calendar_service
from rota.calendar.recurrence import to_utc, zone
from rota.core.errors import FieldViolation, InvalidInput
from rota.staff import service as staff_service

MAX_RANGE = timedelta(days=366)


class StaffLinks(Protocol):
    """What availability reads of a staff member: its resource and its two schedules."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def resource_id(self) -> uuid.UUID: ...
    @property
    def working_hours_schedule_id(self) -> uuid.UUID: ...
    @property
    def events_schedule_id(self) -> uuid.UUID: ...
    @property
    def uses_default_working_hours(self) -> bool: ...


def _check_range(from_local: datetime, to_local: datetime) -> None:
    if to_local <= from_local:
        raise InvalidInput(
            "toLocalDate must be after fromLocalDate",
            violations=[FieldViolation("toLocalDate", "Must be after fromLocalDate", "CUSTOM")],
        )
    if to_local - from_local > MAX_RANGE:
        raise InvalidInput(
            f"The range may span at most {MAX_RANGE.days} days",
            violations=[
                FieldViolation(
                    "toLocalDate",
                    f"At most {MAX_RANGE.days} days after fromLocalDate",
                    "MAX",
                    {"threshold": MAX_RANGE.days},
                )
            ],
        )


async def _staff(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID] | None,
    staff_filter: Mapping[str, Any] | None,
) -> Sequence[StaffLinks]:
    if staff_ids is not None:
        return await staff_service.list_staff_by_ids(session, site_id=site_id, staff_ids=staff_ids)
    try:
        found = await staff_service.query_staff(
            session, site_id=site_id, filter=staff_filter, limit=MAX_STAFF + 1
        )
    except InvalidInput as error:
        # The staff domain names paths from its own `filter`; ours is `staffFilter`.
        error.violations = [
            replace(v, field="staffFilter" + v.field.removeprefix("filter"))
            for v in error.violations
        ]
        raise
    if len(found) > MAX_STAFF:
        raise TooManyStaffMembers(
            f"The staff filter matches more than {MAX_STAFF} staff members; narrow it or page "
            "through staff ids",
            details={"limit": MAX_STAFF},
        )
    return found


async def staff_availability(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID] | None,
    staff_filter: Mapping[str, Any] | None,
    from_local: datetime,
    to_local: datetime,
    time_zone: str | None,
    slot: SlotSpec | None,
) -> AvailabilityResult:
    """Free intervals (and slots) of each staff member in ``[from_local, to_local)`` read in
    ``time_zone`` (default: the business zone). Without ids or filter: every staff member."""
    _check_range(from_local, to_local)
    if time_zone is None:
        time_zone = await calendar_service.business_time_zone(session, site_id=site_id)
    tz = zone(time_zone)
    start, end = to_utc(from_local, tz), to_utc(to_local, tz)
    members = await _staff(session, site_id=site_id, staff_ids=staff_ids, staff_filter=staff_filter)
    calendars = [
        StaffCalendar(
            staff_id=str(m.id),
            resource_id=str(m.resource_id),
            working_hours_schedule_id=str(m.working_hours_schedule_id),
            events_schedule_id=str(m.events_schedule_id),
            uses_default_working_hours=m.uses_default_working_hours,
        )
        for m in members
    ]
    schedule_ids = {m.working_hours_schedule_id for m in members} | {
        m.events_schedule_id for m in members
    }
    timeline = await calendar_service.load_timeline(
        session,
        site_id=site_id,
        schedule_ids=schedule_ids,
        resource_ids={str(m.resource_id) for m in members},
        start_utc=start,
        end_utc=end,
    )
    results = compute_availability(calendars, timeline, start=start, end=end, tz=tz, slot=slot)
    found = {m.id for m in members}
    unknown = [i for i in dict.fromkeys(staff_ids or ()) if i not in found]
    return AvailabilityResult(time_zone, from_local, to_local, results, unknown)
