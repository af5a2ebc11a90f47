"""The two Wix sample flows (seed "staff working hours sample flows"), end to end over HTTP, and
what each does to the staff member's availability."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from tests.builders import SiteContext, make_staff_member
from tests.calendar.helpers import (
    EVENTS,
    STAFF,
    availability,
    hours,
    local,
    next_weekday,
    query_events,
    staff_resource,
    weekly,
)

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


async def set_weekly_hours(
    client: httpx.AsyncClient, site: SiteContext, staff_id: str, start_hour: int, end_hour: int
) -> None:
    """The seed's "set a staff member's weekly working hours", step by step."""
    # 1. Get Staff Member with RESOURCE_DETAILS; keep id, resourceId, resource.eventsSchedule.id.
    staff = await staff_resource(client, site, staff_id)
    resource_id = staff["resourceId"]
    events_schedule_id = staff["resource"]["eventsSchedule"]["id"]
    # 2. Assign Working Hours Schedule: the events schedule, detaching from the business hours.
    assigned = await client.post(
        f"{STAFF}/{staff_id}/assign-working-hours-schedule",
        json={"scheduleId": events_schedule_id},
        headers=site.headers,
    )
    assert assigned.status_code == 200, assigned.text
    # 3. Query Events: existing WORKING_HOURS masters, by externalScheduleId.
    existing = await query_events(
        client,
        site,
        recurrenceType=["MASTER"],
        query={"filter": {"externalScheduleId": resource_id, "type": "WORKING_HOURS"}},
    )
    # 4. Cancel Event for each of them.
    for event in existing:
        cancelled = await client.post(f"{EVENTS}/{event['id']}/cancel", headers=site.headers)
        assert cancelled.status_code == 200, cancelled.text
    # 5. Create Event for each weekday: WORKING_HOURS, WEEKLY on that one day.
    for index, day_name in enumerate(WEEKDAYS):
        first = next_weekday(index, weeks_ahead=0)
        created = await client.post(
            EVENTS,
            json={
                "event": {
                    "scheduleId": events_schedule_id,
                    "type": "WORKING_HOURS",
                    "recurrenceRule": weekly(day_name),
                    **hours(first, start_hour, end_hour),
                },
                "idempotencyKey": str(uuid.uuid4()),
            },
            headers=site.headers,
        )
        assert created.status_code == 200, created.text


async def block_day(
    client: httpx.AsyncClient, site: SiteContext, staff_id: str, day: date
) -> dict[str, Any]:
    """The seed's "block a vacation day": a full-day OPAQUE event on the events schedule."""
    staff = await staff_resource(client, site, staff_id)
    response = await client.post(
        EVENTS,
        json={
            "event": {
                "scheduleId": staff["resource"]["eventsSchedule"]["id"],
                "title": "Vacation",
                "transparency": "OPAQUE",
                "start": {"localDate": local(day, 0)},
                "end": {"localDate": local(day + timedelta(days=1), 0)},
            },
            "idempotencyKey": str(uuid.uuid4()),
        },
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["event"])


def free_hours(result: dict[str, Any]) -> list[tuple[str, str]]:
    [member] = result["staffMembers"]
    return [(i["localStart"], i["localEnd"]) for i in member["freeIntervals"]]


async def test_setting_weekly_hours_replaces_the_business_hours(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, name="Kim")
    monday = next_weekday(0)
    window = {
        "staffMemberIds": [staff["id"]],
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(days=7), 0),
    }
    before = await availability(client, site, **window)
    assert free_hours(before)[0] == (local(monday, 10), local(monday, 18))
    assert len(free_hours(before)) == 5

    await set_weekly_hours(client, site, staff["id"], 9, 17)
    custom = await availability(client, site, **window)
    [member] = custom["staffMembers"]
    assert member["usesDefaultWorkingHours"] is False
    assert free_hours(custom) == [
        (local(monday + timedelta(days=d), 9), local(monday + timedelta(days=d), 17))
        for d in range(5)
    ]
    assert {d["reason"] for d in member["unavailableDays"]} == {"NO_WORKING_HOURS"}
    assert len(member["unavailableDays"]) == 2  # the weekend

    # Running the flow again finds the five masters, cancels them and writes new hours.
    await set_weekly_hours(client, site, staff["id"], 8, 12)
    again = await availability(client, site, **window)
    assert free_hours(again)[0] == (local(monday, 8), local(monday, 12))
    assert len(free_hours(again)) == 5
    masters = await query_events(
        client,
        site,
        recurrenceType=["MASTER"],
        query={"filter": {"externalScheduleId": staff["resourceId"], "type": "WORKING_HOURS"}},
    )
    assert len(masters) == 5


async def test_blocking_a_vacation_day_empties_that_day_only(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, name="Lee")
    tuesday = next_weekday(1)
    window = {
        "staffMemberIds": [staff["id"]],
        "fromLocalDate": local(tuesday - timedelta(days=1), 0),
        "toLocalDate": local(tuesday + timedelta(days=2), 0),
    }
    assert len(free_hours(await availability(client, site, **window))) == 3
    vacation = await block_day(client, site, staff["id"], tuesday)
    assert vacation["transparency"] == "OPAQUE"
    after = await availability(client, site, **window)
    [member] = after["staffMembers"]
    assert [i["localStart"][:10] for i in member["freeIntervals"]] == [
        (tuesday - timedelta(days=1)).isoformat(),
        (tuesday + timedelta(days=1)).isoformat(),
    ]
    assert member["unavailableDays"] == [{"date": tuesday.isoformat(), "reason": "FULLY_BLOCKED"}]
    # Cancelling the vacation gives the day back.
    await client.post(f"{EVENTS}/{vacation['id']}/cancel", headers=site.headers)
    assert len(free_hours(await availability(client, site, **window))) == 3
