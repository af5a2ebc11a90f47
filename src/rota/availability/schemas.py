"""Wire shapes of `POST /rota/v1/availability` (a Rota addition; lowerCamelCase like Wix)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from rota.availability.compute import MAX_STAFF, AvailabilityResult, SlotSpec
from rota.calendar.recurrence import to_local
from rota.calendar.schemas import LocalDateTime, TimeZoneName
from rota.core.wire import WireModel, format_timestamp


class SlotsInput(WireModel):
    duration_minutes: int = Field(ge=5, le=24 * 60)
    step_minutes: int | None = Field(default=None, ge=5, le=24 * 60)

    def spec(self) -> SlotSpec:
        step = self.step_minutes or self.duration_minutes
        return SlotSpec(timedelta(minutes=self.duration_minutes), timedelta(minutes=step))


class AvailabilityRequest(WireModel):
    staff_member_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=MAX_STAFF
    )
    staff_filter: dict[str, Any] | None = None
    from_local_date: LocalDateTime
    to_local_date: LocalDateTime
    time_zone: TimeZoneName | None = None
    slots: SlotsInput | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> AvailabilityRequest:
        if self.staff_member_ids is not None and self.staff_filter is not None:
            raise ValueError("send staffMemberIds or staffFilter, not both")
        return self


class IntervalRead(WireModel):
    start: str
    end: str
    local_start: str
    local_end: str


class UnavailableDayRead(WireModel):
    date: str
    reason: str


class StaffAvailabilityRead(WireModel):
    staff_member_id: str
    resource_id: str
    uses_default_working_hours: bool
    working_hours_schedule_id: str
    free_minutes: int
    free_intervals: list[IntervalRead]
    slots: list[IntervalRead] | None = None
    unavailable_days: list[UnavailableDayRead]


class AvailabilityResponse(WireModel):
    time_zone: str
    from_local_date: str
    to_local_date: str
    staff_members: list[StaffAvailabilityRead]
    unknown_staff_member_ids: list[str]


def _interval(start: datetime, end: datetime, tz: ZoneInfo) -> dict[str, str]:
    return {
        "start": format_timestamp(start),
        "end": format_timestamp(end),
        "localStart": to_local(start, tz).isoformat(timespec="seconds"),
        "localEnd": to_local(end, tz).isoformat(timespec="seconds"),
    }


def availability_document(result: AvailabilityResult) -> dict[str, Any]:
    """The response as plain JSON data (built directly: hundreds of staff members times dozens
    of intervals is the common case, and it is the hot path of this endpoint). Staff members
    share most intervals (the same opening hours), so each is rendered once."""
    tz = ZoneInfo(result.time_zone)
    rendered: dict[tuple[datetime, datetime], dict[str, str]] = {}

    def interval(start: datetime, end: datetime) -> dict[str, str]:
        found = rendered.get((start, end))
        if found is None:
            found = rendered[(start, end)] = _interval(start, end, tz)
        return found

    members = []
    for item in result.staff:
        staff = item.staff
        member: dict[str, Any] = {
            "staffMemberId": staff.staff_id,
            "resourceId": staff.resource_id,
            "usesDefaultWorkingHours": staff.uses_default_working_hours,
            "workingHoursScheduleId": staff.working_hours_schedule_id,
            "freeMinutes": sum((e - s for s, e in item.free), timedelta()) // timedelta(minutes=1),
            "freeIntervals": [interval(s, e) for s, e in item.free],
            "unavailableDays": [
                {"date": note.day.isoformat(), "reason": note.reason}
                for note in item.unavailable_days
            ],
        }
        if item.slots is not None:
            member["slots"] = [interval(s, e) for s, e in item.slots]
        members.append(member)
    return {
        "timeZone": result.time_zone,
        "fromLocalDate": result.from_local.isoformat(timespec="seconds"),
        "toLocalDate": result.to_local.isoformat(timespec="seconds"),
        "staffMembers": members,
        "unknownStaffMemberIds": [str(i) for i in result.unknown_staff_ids],
    }
