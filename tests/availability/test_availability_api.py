"""`POST /rota/v1/availability`: inputs, blocking rules, DST and a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.availability.test_seed_flows import block_day, free_hours, set_weekly_hours
from tests.builders import SiteContext, make_staff_member
from tests.calendar.helpers import (
    EVENTS,
    STAFF,
    availability,
    business_schedule,
    create_event,
    hours,
    local,
    next_spring_forward,
    next_weekday,
    weekly,
)

URL = "/rota/v1/availability"


def _violation(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    return dict(response.json()["details"]["validationError"]["fieldViolations"][0])


async def test_bad_requests_are_400s_naming_the_field(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    base = {"staffMemberIds": [staff["id"]], "fromLocalDate": "2030-01-01T00:00:00"}
    cases = [
        ({**base, "toLocalDate": "2031-01-03T00:00:00"}, "toLocalDate"),
        ({**base, "toLocalDate": "2029-12-31T00:00:00"}, "toLocalDate"),
        ({**base, "toLocalDate": "2030-01-02", "timeZone": "PST"}, "timeZone"),
        (
            {**base, "toLocalDate": "2030-01-02", "slots": {"durationMinutes": 1}},
            "slots.durationMinutes",
        ),
        ({**base, "toLocalDate": "2030-01-02", "staffFilter": {}}, ""),
        ({**base, "toLocalDate": "2030-01-02", "staffMemberIds": []}, "staffMemberIds"),
        (
            {**base, "toLocalDate": "2030-01-02", "staffMemberIds": [str(uuid.uuid4())] * 501},
            "staffMemberIds",
        ),
        (
            {
                "staffFilter": {"nickname": "x"},
                "fromLocalDate": "2030-01-01",
                "toLocalDate": "2030-01-02",
            },
            "staffFilter.nickname",
        ),
        ({**base}, "toLocalDate"),
    ]
    for body, field in cases:
        response = await client.post(URL, json=body, headers=site.headers)
        assert _violation(response)["field"] == field, body
    full_year = await client.post(
        URL, json={**base, "toLocalDate": "2031-01-02T00:00:00"}, headers=site.headers
    )
    assert full_year.status_code == 200  # 366 days is allowed


async def test_unknown_and_trashed_staff_are_reported_not_fatal(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    kept = await make_staff_member(client, site, name="Kept")
    trashed = await make_staff_member(client, site, name="Gone")
    await client.delete(f"{STAFF}/{trashed['id']}", headers=site.headers)
    stranger = str(uuid.uuid4())
    monday = next_weekday(0)
    result = await availability(
        client,
        site,
        staffMemberIds=[stranger, kept["id"], trashed["id"]],
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday, 23),
    )
    assert [m["staffMemberId"] for m in result["staffMembers"]] == [kept["id"]]
    assert result["unknownStaffMemberIds"] == [stranger, trashed["id"]]
    by_filter = await availability(
        client,
        site,
        staffFilter={"name": "Kept"},
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday, 23),
    )
    assert [m["staffMemberId"] for m in by_filter["staffMembers"]] == [kept["id"]]


async def test_events_listing_the_staff_member_block_unless_transparent_or_cancelled(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    other = await make_staff_member(client, site, name="Other")
    business = await business_schedule(client, site)
    service = (
        await client.post(
            "/calendar/v3/schedules", json={"schedule": {"name": "Massage"}}, headers=site.headers
        )
    ).json()["schedule"]
    monday = next_weekday(0)
    booked = await create_event(
        client,
        site,
        scheduleId=service["id"],
        type="APPOINTMENT",
        **hours(monday, 11, 12),
        resources=[
            {"id": staff["resourceId"]},
            {"id": other["resourceId"], "transparency": "TRANSPARENT"},
        ],
    )
    await create_event(
        client,
        site,
        scheduleId=service["id"],
        transparency="TRANSPARENT",
        **hours(monday, 13, 14),
        resources=[{"id": staff["resourceId"]}],
    )
    closure = await create_event(
        client,
        site,
        scheduleId=business["id"],
        **hours(monday, 16, 18),
    )
    window = {"fromLocalDate": local(monday, 0), "toLocalDate": local(monday, 23, 59)}
    result = await availability(client, site, staffMemberIds=[staff["id"], other["id"]], **window)
    first, second = result["staffMembers"]
    assert [(i["localStart"][11:16], i["localEnd"][11:16]) for i in first["freeIntervals"]] == [
        ("10:00", "11:00"),
        ("12:00", "16:00"),
    ]
    assert [(i["localStart"][11:16], i["localEnd"][11:16]) for i in second["freeIntervals"]] == [
        ("10:00", "16:00")
    ]
    await client.post(f"{EVENTS}/{booked['id']}/cancel", headers=site.headers)
    await client.post(f"{EVENTS}/{closure['id']}/cancel", headers=site.headers)
    again = await availability(client, site, staffMemberIds=[staff["id"]], **window)
    assert free_hours(again) == [(local(monday, 10), local(monday, 18))]


async def test_recurring_blocks_and_cancelled_occurrences(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    detailed = (
        await client.get(
            f"{STAFF}/{staff['id']}", params={"fields": "RESOURCE_DETAILS"}, headers=site.headers
        )
    ).json()["staffMember"]
    monday = next_weekday(0)
    lunch = await create_event(
        client,
        site,
        scheduleId=detailed["resource"]["eventsSchedule"]["id"],
        title="Lunch",
        **hours(monday, 12, 13),
        recurrenceRule=weekly("MONDAY"),
    )
    second_week = f"{lunch['id']}_{monday + timedelta(weeks=1):%Y%m%d}"
    await client.post(f"{EVENTS}/{second_week}/cancel", headers=site.headers)
    result = await availability(
        client,
        site,
        staffMemberIds=[staff["id"]],
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday + timedelta(weeks=1), 23),
    )
    days = [i["localStart"][:10] for i in result["staffMembers"][0]["freeIntervals"]]
    assert days.count(monday.isoformat()) == 2  # lunch splits the first Monday
    assert days.count((monday + timedelta(weeks=1)).isoformat()) == 1  # cancelled that week


async def test_custom_hours_keep_their_wall_clock_across_the_clock_change(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    await set_weekly_hours(client, site, staff["id"], 9, 17)
    change = next_spring_forward()
    window = {
        "staffMemberIds": [staff["id"]],
        "fromLocalDate": local(change - timedelta(days=6), 0),
        "toLocalDate": local(change + timedelta(days=2), 0),
        "timeZone": "UTC",
    }
    result = await availability(client, site, **window)
    [member] = result["staffMembers"]
    starts = [
        (i["start"][:10], i["start"][11:16], i["end"][11:16]) for i in member["freeIntervals"]
    ]
    monday_before = (change - timedelta(days=6)).isoformat()
    monday_after = (change + timedelta(days=1)).isoformat()
    assert starts[0] == (monday_before, "09:00", "17:00")  # GMT: 09:00 London = 09:00 UTC
    assert starts[-1] == (monday_after, "08:00", "16:00")  # BST: 09:00 London = 08:00 UTC
    london = await availability(client, site, **{**window, "timeZone": "Europe/London"})
    assert {i["localStart"][11:] for i in london["staffMembers"][0]["freeIntervals"]} == {
        "09:00:00"
    }


async def test_slots_and_vacation(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    monday = next_weekday(0)
    await block_day(client, site, staff["id"], monday + timedelta(days=1))
    result = await availability(
        client,
        site,
        staffMemberIds=[staff["id"]],
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday + timedelta(days=2), 0),
        slots={"durationMinutes": 90, "stepMinutes": 60},
    )
    [member] = result["staffMembers"]
    assert [s["localStart"][11:16] for s in member["slots"]] == [
        "10:00",
        "11:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
        "16:00",
    ]
    assert member["freeMinutes"] == 8 * 60
    assert member["unavailableDays"] == [
        {"date": (monday + timedelta(days=1)).isoformat(), "reason": "FULLY_BLOCKED"}
    ]


@contextmanager
def counting(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("with_zone", [True, False])
async def test_query_count_does_not_grow_with_staff(
    client: httpx.AsyncClient,
    site: SiteContext,
    app_and_sessionmaker: tuple[Any, async_sessionmaker[AsyncSession]],
    with_zone: bool,
) -> None:
    app = app_and_sessionmaker[0]
    staff = [await make_staff_member(client, site, name=f"S{i}") for i in range(6)]
    for member in staff[:3]:
        await set_weekly_hours(client, site, member["id"], 9, 17)
        await block_day(client, site, member["id"], next_weekday(2))
    monday = next_weekday(0)
    body: dict[str, Any] = {
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(days=31), 0),
    }
    if with_zone:
        body["timeZone"] = "Europe/London"
    counts = []
    for size in (1, 6):
        with counting(app) as statements:
            response = await client.post(
                URL,
                json={**body, "staffMemberIds": [s["id"] for s in staff[:size]]},
                headers=site.headers,
            )
        assert response.status_code == 200
        data = [q for q in statements if "FROM api_key" not in q and not q.startswith("BEGIN")]
        counts.append(len(data))
    assert counts[0] == counts[1]
    # The staff members, the events and, without a zone in the request, the business zone.
    assert counts[0] == (2 if with_zone else 3)
