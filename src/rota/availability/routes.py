"""`POST /rota/v1/availability`: free time of up to 500 staff members over up to 366 days."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from rota.availability import service as availability_service
from rota.availability.schemas import (
    AvailabilityRequest,
    AvailabilityResponse,
    availability_document,
)
from rota.core.deps import SessionDep
from rota.identity.deps import CalendarReader

router = APIRouter(tags=["Availability"])


@router.post("/rota/v1/availability", response_model=AvailabilityResponse)
async def query_availability(
    body: AvailabilityRequest, principal: CalendarReader, session: SessionDep
) -> Response:
    """Each staff member's free intervals (working hours minus blocked time), optional slots,
    and why a day has none. Staff by `staffMemberIds`, by `staffFilter` (the staff Query
    filter), or all staff members when neither is sent."""
    result = await availability_service.staff_availability(
        session,
        site_id=principal.site_id,
        staff_ids=body.staff_member_ids,
        staff_filter=body.staff_filter,
        from_local=body.from_local_date,
        to_local=body.to_local_date,
        time_zone=body.time_zone,
        slot=body.slots.spec() if body.slots else None,
    )
    return Response(orjson.dumps(availability_document(result)), media_type="application/json")
