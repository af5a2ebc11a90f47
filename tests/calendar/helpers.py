"""Calendar test helpers: schedules and events over HTTP, and dates that stay in the future."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from rota.calendar.constants import BUSINESS_SCHEDULE_EXTERNAL_ID
from tests.builders import SiteContext

EVENTS = "/calendar/v3/events"
SCHEDULES = "/calendar/v3/schedules"
STAFF = "/bookings/v1/staff-members"


def today(time_zone: str = "Europe/London") -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def next_weekday(weekday: int, *, weeks_ahead: int = 1, time_zone: str = "Europe/London") -> date:
    """A date on ``weekday`` (0 = Monday) at least ``weeks_ahead`` weeks from today."""
    start = today(time_zone) + timedelta(weeks=weeks_ahead)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def next_spring_forward() -> date:
    """The next last-Sunday-of-March (EU clocks go forward) at least two weeks away."""
    year = today().year
    while True:
        last = date(year, 3, 31)
        candidate = last - timedelta(days=(last.weekday() + 1) % 7)
        if candidate > today() + timedelta(weeks=2):
            return candidate
        year += 1


def local(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute).isoformat(timespec="seconds")


def hours(day: date, start: int, end: int) -> dict[str, Any]:
    """An event's ``start`` and ``end`` on ``day``, from hour ``start`` to hour ``end``."""
    return {"start": {"localDate": local(day, start)}, "end": {"localDate": local(day, end)}}


def weekly(day: str, **extra: Any) -> dict[str, Any]:
    """A recurrence rule: every week (or every ``interval`` weeks) on ``day``."""
    return {"frequency": "WEEKLY", "days": [day], **extra}


async def business_schedule(client: httpx.AsyncClient, site: SiteContext) -> dict[str, Any]:
    response = await client.post(
        SCHEDULES + "/query",
        json={"query": {"filter": {"externalId": BUSINESS_SCHEDULE_EXTERNAL_ID}}},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    [schedule] = response.json()["schedules"]
    return dict(schedule)


async def staff_resource(
    client: httpx.AsyncClient, site: SiteContext, staff_id: str
) -> dict[str, Any]:
    response = await client.get(
        f"{STAFF}/{staff_id}", params={"fields": "RESOURCE_DETAILS"}, headers=site.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["staffMember"])


async def create_event(
    client: httpx.AsyncClient, site: SiteContext, **event: Any
) -> dict[str, Any]:
    response = await client.post(EVENTS, json={"event": event}, headers=site.headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["event"])


async def query_events(
    client: httpx.AsyncClient, site: SiteContext, **body: Any
) -> list[dict[str, Any]]:
    """Every page of a Query Events request."""
    found: list[dict[str, Any]] = []
    response = await client.post(EVENTS + "/query", json=body, headers=site.headers)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        found.extend(page["events"])
        cursor = page["pagingMetadata"]["cursors"].get("next")
        if not cursor:
            return found
        limit = body.get("query", {}).get("cursorPaging", {}).get("limit")
        paging = {"cursor": cursor, **({"limit": limit} if limit else {})}
        response = await client.post(
            EVENTS + "/query", json={"query": {"cursorPaging": paging}}, headers=site.headers
        )


async def availability(client: httpx.AsyncClient, site: SiteContext, **body: Any) -> dict[str, Any]:
    response = await client.post("/rota/v1/availability", json=body, headers=site.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())
