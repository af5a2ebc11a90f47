"""The Schedules API v3 over HTTP, including the site's business schedule."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar.constants import BUSINESS_SCHEDULE_EXTERNAL_ID
from rota.identity.permissions import Scope
from tests.builders import SiteContext
from tests.calendar.helpers import (
    EVENTS,
    SCHEDULES,
    business_schedule,
    create_event,
    hours,
    local,
    next_weekday,
    query_events,
    weekly,
)
from tests.conftest import new_site


async def _create(client: httpx.AsyncClient, site: SiteContext, **schedule: Any) -> dict[str, Any]:
    response = await client.post(SCHEDULES, json={"schedule": schedule}, headers=site.headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["schedule"])


async def test_business_schedule_is_visible_with_its_default_hours(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    business = await business_schedule(client, site)
    assert business["externalId"] == BUSINESS_SCHEDULE_EXTERNAL_ID
    assert business["status"] == "ACTIVE"
    assert business["timeZone"] == "Europe/London"
    masters = await query_events(
        client,
        site,
        recurrenceType=["MASTER"],
        query={"filter": {"scheduleId": business["id"], "type": "WORKING_HOURS"}},
    )
    assert sorted(m["recurrenceRule"]["days"][0] for m in masters) == sorted(
        ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    )
    assert {(m["start"]["localDate"][11:], m["end"]["localDate"][11:]) for m in masters} == {
        ("10:00:00", "18:00:00")
    }


async def test_create_get_update_and_defaults_flow_into_events(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    created = await _create(
        client,
        site,
        name="Consulting 101",
        externalId="svc-1",
        defaultTitle="Consultation",
        defaultCapacity=3,
        timeZone="Europe/Dublin",
        appId="27ef0a4a-0000-4000-8000-000000000000",
    )
    assert created["revision"] == "1"
    assert created["businessTimeZoneEnabled"] is True
    assert created["permissions"] == []
    fetched = await client.get(f"{SCHEDULES}/{created['id']}", headers=site.headers)
    assert fetched.json()["schedule"] == created
    day = next_weekday(2)
    event = await create_event(
        client,
        site,
        scheduleId=created["id"],
        **hours(day, 9, 10),
    )
    assert (event["title"], event["totalCapacity"], event["timeZone"]) == (
        "Consultation",
        3,
        "Europe/Dublin",
    )
    response = await client.patch(
        f"{SCHEDULES}/{created['id']}",
        json={"schedule": {"revision": "1", "defaultTitle": "Session", "timeZone": "Asia/Tokyo"}},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()["schedule"]
    assert (updated["defaultTitle"], updated["revision"]) == ("Session", "2")
    again = (await client.get(f"{EVENTS}/{event['id']}", headers=site.headers)).json()["event"]
    assert again["title"] == "Session"
    assert again["timeZone"] == "Asia/Tokyo"
    assert again["start"]["localDate"] == local(day, 9)  # wall clock kept, instant moved
    assert again["start"]["utcDate"] != event["start"]["utcDate"]
    stale = await client.patch(
        f"{SCHEDULES}/{created['id']}",
        json={"schedule": {"revision": "1", "name": "x"}},
        headers=site.headers,
    )
    assert stale.status_code == 409
    assert stale.json()["details"]["applicationError"]["data"]["currentRevision"] == "2"
    immutable = await client.patch(
        f"{SCHEDULES}/{created['id']}",
        json={"schedule": {"revision": "2", "externalId": "other"}},
        headers=site.headers,
    )
    assert immutable.status_code == 400
    assert immutable.json()["details"]["validationError"]["fieldViolations"][0]["field"] == (
        "schedule.externalId"
    )


async def test_business_hours_are_editable_through_their_events(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    business = await business_schedule(client, site)
    [monday_master] = [
        m
        for m in await query_events(
            client,
            site,
            recurrenceType=["MASTER"],
            query={"filter": {"scheduleId": business["id"], "type": "WORKING_HOURS"}},
        )
        if m["recurrenceRule"]["days"] == ["MONDAY"]
    ]
    start = monday_master["start"]["localDate"][:10]
    response = await client.patch(
        f"{EVENTS}/{monday_master['id']}",
        json={
            "event": {
                "revision": monday_master["revision"],
                "start": {"localDate": f"{start}T08:00:00"},
                "end": {"localDate": f"{start}T12:00:00"},
            }
        },
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["event"]["end"]["localDate"] == f"{start}T12:00:00"
    renamed = await client.patch(
        f"{SCHEDULES}/{business['id']}",
        json={"schedule": {"revision": business["revision"], "name": "Opening hours"}},
        headers=site.headers,
    )
    assert renamed.json()["schedule"]["name"] == "Opening hours"
    refused = await client.post(f"{SCHEDULES}/{business['id']}/cancel", headers=site.headers)
    assert refused.status_code == 400
    assert refused.json()["details"]["applicationError"]["code"] == (
        "BUSINESS_SCHEDULE_CANNOT_BE_CANCELLED"
    )
    duplicate = await client.post(
        SCHEDULES,
        json={"schedule": {"externalId": BUSINESS_SCHEDULE_EXTERNAL_ID}},
        headers=site.headers,
    )
    assert duplicate.status_code == 409


async def test_cancel_is_terminal_and_cancels_future_events(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule = await _create(client, site, name="Room")
    monday = next_weekday(0)
    await create_event(
        client,
        site,
        scheduleId=schedule["id"],
        **hours(monday, 9, 10),
        recurrenceRule=weekly("MONDAY"),
    )
    response = await client.post(
        f"{SCHEDULES}/{schedule['id']}/cancel",
        json={"preserveFutureEventsWithParticipants": True},
        headers=site.headers,
    )
    assert response.status_code == 200
    assert (response.json()["schedule"]["status"], response.json()["schedule"]["revision"]) == (
        "CANCELLED",
        "2",
    )
    events = await query_events(
        client,
        site,
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday + timedelta(weeks=4), 0),
        query={"filter": {"scheduleId": schedule["id"]}},
    )
    assert events == []
    again = await client.post(f"{SCHEDULES}/{schedule['id']}/cancel", headers=site.headers)
    assert again.status_code == 428
    update = await client.patch(
        f"{SCHEDULES}/{schedule['id']}",
        json={"schedule": {"revision": "2", "name": "x"}},
        headers=site.headers,
    )
    assert update.status_code == 428
    assert update.json()["details"]["applicationError"]["code"] == "SCHEDULE_CANCELLED"


async def test_query_lists_active_schedules_by_id_with_next_and_prev_cursors(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    app_id = str(uuid.uuid4())
    made = [await _create(client, site, name=f"S{i}", appId=app_id) for i in range(5)]
    cancelled = made.pop()
    await client.post(f"{SCHEDULES}/{cancelled['id']}/cancel", headers=site.headers)
    url = SCHEDULES + "/query"
    first = await client.post(
        url,
        json={"query": {"filter": {"appId": app_id}, "cursorPaging": {"limit": 3}}},
        headers=site.headers,
    )
    page = first.json()
    expected = sorted(s["id"] for s in made)
    assert [s["id"] for s in page["schedules"]] == expected[:3]
    assert page["pagingMetadata"]["hasNext"] is True
    assert "prev" not in page["pagingMetadata"]["cursors"]
    second = await client.post(
        url,
        json={"query": {"cursorPaging": {"cursor": page["pagingMetadata"]["cursors"]["next"]}}},
        headers=site.headers,
    )
    page2 = second.json()
    assert [s["id"] for s in page2["schedules"]] == expected[3:]
    assert page2["pagingMetadata"]["hasNext"] is False
    back = await client.post(
        url,
        json={
            "query": {
                "cursorPaging": {"cursor": page2["pagingMetadata"]["cursors"]["prev"], "limit": 3}
            }
        },
        headers=site.headers,
    )
    assert [s["id"] for s in back.json()["schedules"]] == expected[:3]
    with_cancelled = await client.post(
        url,
        json={"query": {"filter": {"appId": app_id, "status": {"$in": ["CANCELLED"]}}}},
        headers=site.headers,
    )
    assert [s["id"] for s in with_cancelled.json()["schedules"]] == [cancelled["id"]]
    for query, field in (
        ({"filter": {"name": "S1"}}, "query.filter.name"),
        ({"filter": {"status": {"$ne": "ACTIVE"}}}, "query.filter.status"),
        ({"sort": [{"fieldName": "id"}]}, "query.sort"),
        ({"cursorPaging": {"limit": 101}}, "query.cursorPaging.limit"),
    ):
        bad = await client.post(url, json={"query": query}, headers=site.headers)
        assert bad.status_code == 400, query
        assert bad.json()["details"]["validationError"]["fieldViolations"][0]["field"] == field


async def test_idempotent_create_and_schedule_personal_information(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    key = str(uuid.uuid4())
    body = {
        "schedule": {
            "name": "Home visits",
            "defaultLocation": {"type": "CUSTOMER", "name": "Client", "address": "2 Road"},
            "defaultConferencingDetails": {"type": "ZOOM", "hostUrl": "h", "guestUrl": "g"},
            "permissions": [{"identity": {"wixUserId": str(uuid.uuid4())}, "role": "COMMENTER"}],
        },
        "idempotencyKey": key,
    }
    first = await client.post(SCHEDULES, json=body, headers=site.headers)
    second = await client.post(SCHEDULES, json=body, headers=site.headers)
    assert first.json() == second.json()
    schedule = first.json()["schedule"]
    assert schedule["defaultLocation"] == {"type": "CUSTOMER"}
    assert "defaultConferencingDetails" not in schedule
    assert schedule["permissions"][0]["role"] == "COMMENTER"
    assert schedule["permissions"][0]["identity"]["identityType"] == "WIX_USER"
    full = await client.get(
        f"{SCHEDULES}/{schedule['id']}", params={"fields": "PI_FIELDS"}, headers=site.headers
    )
    assert full.json()["schedule"]["defaultLocation"]["address"] == "2 Road"
    assert full.json()["schedule"]["defaultConferencingDetails"]["type"] == "ZOOM"
    reader = await new_site(sessionmaker, scopes=[Scope.BOOKINGS_READ])
    refused = await client.post(
        SCHEDULES + "/query", json={"fields": ["PI_FIELDS"]}, headers=reader.headers
    )
    assert refused.status_code == 403
    writer_less = await client.post(
        SCHEDULES, json={"schedule": {"name": "x"}}, headers=reader.headers
    )
    assert writer_less.status_code == 403
    two_roles = await client.post(
        SCHEDULES,
        json={
            "schedule": {
                "permissions": [
                    {"identity": {"wixUserId": str(uuid.uuid4())}, "role": "WRITER"},
                    {"identity": {"wixUserId": str(uuid.uuid4())}, "role": "WRITER"},
                ]
            }
        },
        headers=site.headers,
    )
    assert two_roles.status_code == 400
