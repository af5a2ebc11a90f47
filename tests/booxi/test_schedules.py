"""Staff work schedules: dated weekly hours written as the calendar's working hours, so the
Wix Calendar API and availability see them; overlaps refused with `ScheduleOverlap`."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi.models import WorkSchedule
from rota.calendar.models import CalendarEvent
from rota.staff.models import StaffMember
from tests.booxi.conftest import STAFF, Merchant, create_staff

SUMMER = {
    "name": "Summer",
    "description": "Long days",
    "start": "2031-06-02",
    "end": "2031-08-31",
    "weeklyHours": [
        {"dow": 1, "start": "09:00", "end": "12:00"},
        {"dow": 1, "start": "13:00", "end": "18:00"},
        {"dow": 3, "start": "10:00", "end": "16:00"},
    ],
}


def _url(staff: dict[str, Any]) -> str:
    return f"{STAFF}/{staff['id']}/schedule"


async def _wix_id(client: httpx.AsyncClient, merchant: Merchant, email: str) -> str:
    found = await client.post(
        "/bookings/v2/staff-members/query",
        json={"query": {"filter": {"email": email}}},
        headers=merchant.wix.headers,
    )
    return str(found.json()["staffMembers"][0]["id"])


async def _free(
    client: httpx.AsyncClient, merchant: Merchant, staff_id: str, first: str, last: str
) -> dict[str, Any]:
    response = await client.post(
        "/rota/v1/availability",
        json={
            "staffMemberIds": [staff_id],
            "fromLocalDate": f"{first}T00:00:00",
            "toLocalDate": f"{last}T00:00:00",
        },
        headers=merchant.wix.headers,
    )
    assert response.status_code == 200, response.text
    member: dict[str, Any] = response.json()["staffMembers"][0]
    return member


async def test_schedule_becomes_working_hours_that_availability_reflects(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant, communicationEmail="hours@example.com")
    wix_id = await _wix_id(client, merchant, "hours@example.com")
    before = await _free(client, merchant, wix_id, "2031-06-02", "2031-06-09")
    assert before["usesDefaultWorkingHours"] is True

    created = await client.post(_url(staff), json=SUMMER, headers=merchant.headers)
    assert created.status_code == 200, created.text
    schedule = created.json()
    assert schedule == {"id": schedule["id"], "staffId": staff["id"], **SUMMER}

    week = await _free(client, merchant, wix_id, "2031-06-02", "2031-06-09")
    assert week["usesDefaultWorkingHours"] is False
    assert [(i["localStart"], i["localEnd"]) for i in week["freeIntervals"]] == [
        ("2031-06-02T09:00:00", "2031-06-02T12:00:00"),
        ("2031-06-02T13:00:00", "2031-06-02T18:00:00"),
        ("2031-06-04T10:00:00", "2031-06-04T16:00:00"),
    ]
    # Nothing after the schedule's last day.
    autumn = await _free(client, merchant, wix_id, "2031-09-01", "2031-09-08")
    assert autumn["freeIntervals"] == []

    # The Wix recipe for a staff member's working hours finds them too.
    resource_id = (
        await client.get(f"/bookings/v1/staff-members/{wix_id}", headers=merchant.wix.headers)
    ).json()["staffMember"]["resourceId"]
    events = await client.post(
        "/calendar/v3/events/query",
        json={
            "query": {"filter": {"type": "WORKING_HOURS", "externalScheduleId": resource_id}},
            "fromLocalDate": "2031-06-02T00:00:00",
            "toLocalDate": "2031-06-09T00:00:00",
        },
        headers=merchant.wix.headers,
    )
    assert events.status_code == 200, events.text
    found = events.json()["events"]
    assert [(e["title"], e["start"]["localDate"]) for e in found] == [
        ("Summer", "2031-06-02T09:00:00"),
        ("Summer", "2031-06-02T13:00:00"),
        ("Summer", "2031-06-04T10:00:00"),
    ]

    fetched = await client.get(f"{_url(staff)}/{schedule['id']}", headers=merchant.headers)
    assert fetched.json() == schedule


async def test_overlapping_schedule_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await create_staff(client, merchant)
    first = (await client.post(_url(staff), json=SUMMER, headers=merchant.headers)).json()
    async with sessionmaker() as session:
        events_before = await session.scalar(sa.select(sa.func.count()).select_from(CalendarEvent))
    for span in (
        {"start": "2031-08-31"},
        {"start": "2031-01-01", "end": "2031-06-02"},
        {"start": "2031-07-01", "end": "2031-07-02"},
    ):
        response = await client.post(
            _url(staff), json={**span, "weeklyHours": []}, headers=merchant.headers
        )
        assert response.status_code == 409, span
        error = response.json()
        assert error["error"] == "ScheduleOverlap"
        assert error["data"] == {"scheduleId": first["id"]}
    async with sessionmaker() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(CalendarEvent)) == (
            events_before
        )
        schedules = await session.scalar(
            sa.select(sa.func.count())
            .select_from(WorkSchedule)
            .join(StaffMember, StaffMember.id == WorkSchedule.staff_member_id)
            .where(StaffMember.number == staff["id"])
        )
        assert schedules == 1
    after = await client.post(
        _url(staff), json={"start": "2031-09-01", "weeklyHours": []}, headers=merchant.headers
    )
    assert after.status_code == 200
    assert "end" not in after.json()  # open-ended


async def test_update_rewrites_the_hours_and_delete_removes_them(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant, communicationEmail="rewrite@example.com")
    wix_id = await _wix_id(client, merchant, "rewrite@example.com")
    schedule = (await client.post(_url(staff), json=SUMMER, headers=merchant.headers)).json()
    updated = await client.put(
        f"{_url(staff)}/{schedule['id']}",
        json={"weeklyHours": [{"dow": 2, "start": "08:00", "end": "24:00"}], "end": None},
        headers=merchant.headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Summer"  # absent fields stay
    assert "end" not in updated.json()
    week = await _free(client, merchant, wix_id, "2031-06-02", "2031-06-09")
    assert [(i["localStart"], i["localEnd"]) for i in week["freeIntervals"]] == [
        ("2031-06-03T08:00:00", "2031-06-04T00:00:00")
    ]
    later = await _free(client, merchant, wix_id, "2032-01-05", "2032-01-12")
    assert len(later["freeIntervals"]) == 1  # no end any more

    deleted = await client.delete(f"{_url(staff)}/{schedule['id']}", headers=merchant.headers)
    assert deleted.status_code == 200
    assert deleted.json()["id"] == schedule["id"]
    assert (await _free(client, merchant, wix_id, "2031-06-02", "2031-06-09"))[
        "freeIntervals"
    ] == []
    gone = await client.get(f"{_url(staff)}/{schedule['id']}", headers=merchant.headers)
    assert gone.status_code == 404
    assert gone.json()["parameter"] == "scheduleId"


async def test_deletes_at_once_take_turns(client: httpx.AsyncClient, merchant: Merchant) -> None:
    staff = await create_staff(client, merchant)
    schedule = (await client.post(_url(staff), json=SUMMER, headers=merchant.headers)).json()
    url = f"{_url(staff)}/{schedule['id']}"
    deletes = await asyncio.gather(
        *(client.delete(url, headers=merchant.headers) for _ in range(3))
    )
    assert sorted(r.status_code for r in deletes) == [200, 404, 404]


async def test_schedule_started_in_the_past_is_written_from_today(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant, communicationEmail="past@example.com")
    wix_id = await _wix_id(client, merchant, "past@example.com")
    today = date.today()
    body = {
        "start": (today - timedelta(days=30)).isoformat(),
        "end": (today + timedelta(days=30)).isoformat(),
        "weeklyHours": [{"dow": d, "start": "09:00", "end": "10:00"} for d in range(7)],
    }
    response = await client.post(_url(staff), json=body, headers=merchant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["start"] == body["start"]
    tomorrow = today + timedelta(days=1)
    free = await _free(
        client, merchant, wix_id, tomorrow.isoformat(), (tomorrow + timedelta(days=2)).isoformat()
    )
    assert len(free["freeIntervals"]) == 2


async def test_listing_pages_and_filters_by_range(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant)
    made = []
    for month in range(1, 6):
        body = {"start": f"2032-{month:02d}-01", "end": f"2032-{month:02d}-20", "weeklyHours": []}
        made.append((await client.post(_url(staff), json=body, headers=merchant.headers)).json())
    first = await client.get(_url(staff), params={"limit": 2}, headers=merchant.headers)
    assert [s["id"] for s in first.json()["schedules"]] == [made[0]["id"], made[1]["id"]]
    second = await client.get(
        _url(staff), params={"limit": 2, "cursor": first.json()["cursor"]}, headers=merchant.headers
    )
    assert [s["id"] for s in second.json()["schedules"]] == [made[2]["id"], made[3]["id"]]
    ranged = await client.get(
        _url(staff),
        params={"rangeStart": "2032-02-15", "rangeEnd": "2032-03-05T12:00:00Z"},
        headers=merchant.headers,
    )
    assert [s["id"] for s in ranged.json()["schedules"]] == [made[1]["id"], made[2]["id"]]
    assert "cursor" not in ranged.json()


async def test_end_past_the_calendar_is_open_ended_there(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant, communicationEmail="forever@example.com")
    wix_id = await _wix_id(client, merchant, "forever@example.com")
    hours = [{"dow": 1, "start": "09:00", "end": "10:00"}]
    forever = {"start": "2031-06-02", "end": "9999-12-31", "weeklyHours": hours}
    response = await client.post(_url(staff), json=forever, headers=merchant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["end"] == "9999-12-31"  # the record keeps its dates
    week = await _free(client, merchant, wix_id, "2031-06-02", "2031-06-09")
    assert len(week["freeIntervals"]) == 1
    # Starting after the calendar's last year, there is nothing to write in it yet.
    other = await create_staff(client, merchant)
    alone = await client.post(
        _url(other), json={"start": "9999-12-31", "weeklyHours": hours}, headers=merchant.headers
    )
    assert alone.status_code == 200, alone.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"cursor": "99999999999999999999"}, "cursor"),
        ({"cursor": str(2**31)}, "cursor"),
        ({"cursor": "\u00b2"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"rangeStart": "0001-01-01T00:00:00+01:00"}, "rangeStart"),
        ({"rangeEnd": "9999-12-31T23:00:00-05:00"}, "rangeEnd"),
        ({"rangeStart": "2032-02-01", "rangeEnd": "2032-01-01"}, "rangeEnd"),
    ],
)
async def test_bad_listing_parameters_are_a_400_naming_them(
    client: httpx.AsyncClient, merchant: Merchant, params: dict[str, str], parameter: str
) -> None:
    staff = await create_staff(client, merchant)
    response = await client.get(_url(staff), params=params, headers=merchant.headers)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"weeklyHours": []}, "start"),
        ({"start": "June"}, "start"),
        ({"start": "2031-06-02", "end": "2031-06-01"}, "end"),
        ({"start": "2031-06-02", "weeklyHours": [{"dow": 7, "start": "09:00", "end": "10:00"}]},
         "weeklyHours[0].dow"),
        ({"start": "2031-06-02", "weeklyHours": [{"dow": 1, "start": "9am", "end": "10:00"}]},
         "weeklyHours[0].start"),
        ({"start": "2031-06-02", "weeklyHours": [{"dow": 1, "start": "09:00", "end": "25:00"}]},
         "weeklyHours[0].end"),
        ({"start": "2031-06-02", "weeklyHours": [{"dow": 1, "start": "10:00", "end": "09:00"}]},
         "weeklyHours[0]"),
        (
            {"start": "2031-06-02", "weeklyHours": [
                {"dow": 1, "start": "09:00", "end": "12:00"},
                {"dow": 1, "start": "11:00", "end": "13:00"},
            ]},
            "weeklyHours[1]",
        ),
        ({"start": "2031-06-02", "weeklyHours": [{"dow": "Monday", "start": "9", "end": "1"}]},
         "weeklyHours[0].dow"),
        ({"start": "2031-06-02", "id": 12345}, "id"),
        ({"start": "0001-01-01T00:00:00+01:00"}, "start"),
        ({"start": "2031-06-02", "end": "9999-12-31T23:00:00-05:00"}, "end"),
    ],
)  # fmt: skip
async def test_bad_schedules_are_a_400_naming_the_parameter(
    client: httpx.AsyncClient, merchant: Merchant, body: dict[str, Any], parameter: str
) -> None:
    staff = await create_staff(client, merchant)
    response = await client.post(_url(staff), json=body, headers=merchant.headers)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


async def test_users_without_calendar_have_no_schedule(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    user = await create_staff(client, merchant, personnelType="User")
    response = await client.post(_url(user), json={"start": "2031-01-01"}, headers=merchant.headers)
    assert response.status_code == 400
    assert response.json()["error"] == "StaffWithoutCalendar"
    assert response.json()["parameter"] == "staffId"
