"""The Events API v3 over HTTP: create, read, query, update, split, cancel and bulk."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar.models import CalendarEvent
from rota.identity.permissions import Scope
from tests.builders import SiteContext, make_staff_member
from tests.calendar.helpers import (
    EVENTS,
    create_event,
    hours,
    local,
    next_spring_forward,
    next_weekday,
    query_events,
    staff_resource,
    weekly,
)
from tests.conftest import new_site


async def _event_count(sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).where(CalendarEvent.site_id == site.site_id)
        )
    return int(count or 0)


async def _own_schedule(client: httpx.AsyncClient, site: SiteContext) -> tuple[str, dict[str, Any]]:
    staff = await make_staff_member(client, site, name="Dana")
    detailed = await staff_resource(client, site, staff["id"])
    return detailed["resource"]["eventsSchedule"]["id"], detailed


async def _monday_series(
    client: httpx.AsyncClient, site: SiteContext, **fields: Any
) -> tuple[str, date, dict[str, Any]]:
    """A staff member's own schedule, the Monday a week or more away, and a weekly MASTER on
    that schedule from that Monday, 09:00-10:00."""
    schedule_id, _ = await _own_schedule(client, site)
    monday = next_weekday(0)
    event = {"recurrenceRule": weekly("MONDAY"), **hours(monday, 9, 10), **fields}
    return schedule_id, monday, await create_event(client, site, scheduleId=schedule_id, **event)


def _violation(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    violations = response.json()["details"]["validationError"]["fieldViolations"]
    return dict(violations[0])


async def test_minimal_single_event_inherits_from_its_schedule(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, staff = await _own_schedule(client, site)
    day = next_weekday(2)
    event = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        start={"localDate": local(day, 9)},
        end={"localDate": local(day, 10, 30)},
    )
    assert event["recurrenceType"] == "NONE"
    assert event["status"] == "CONFIRMED"
    assert event["transparency"] == "OPAQUE"
    assert event["type"] == "DEFAULT"
    assert event["timeZone"] == "Europe/London"
    assert event["externalScheduleId"] == staff["resourceId"]
    assert event["scheduleName"] == "Dana"
    assert event["revision"] == "1"
    assert event["start"]["localDate"] == local(day, 9)
    assert event["start"]["timeZone"] == "Europe/London"
    assert event["start"]["utcDate"].endswith("Z")
    assert "utcDate" not in event["adjustedStart"]
    assert set(event["inheritedFields"]) == {
        "TITLE",
        "TIME_ZONE",
        "LOCATION",
        "CAPACITY",
        "CONFERENCING_DETAILS",
    }
    assert len(event["id"]) == 64
    assert event["id"].startswith(schedule_id.replace("-", ""))
    fetched = await client.get(f"{EVENTS}/{event['id']}", headers=site.headers)
    assert fetched.json()["event"] == event


async def test_adjusted_dates_follow_the_requested_zone(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    day = next_weekday(0)
    response = await client.post(
        EVENTS,
        json={
            "event": {
                "scheduleId": schedule_id,
                "timeZone": "Asia/Tokyo",
                **hours(day, 9, 10),
            },
            "timeZone": "America/New_York",
        },
        headers=site.headers,
    )
    event = response.json()["event"]
    assert event["start"]["timeZone"] == "Asia/Tokyo"
    assert "TIME_ZONE" not in event["inheritedFields"]
    assert event["adjustedStart"]["timeZone"] == "America/New_York"
    # 09:00 in Tokyo is 19:00 (EST) or 20:00 (EDT) the evening before in New York.
    assert event["adjustedStart"]["localDate"] < event["start"]["localDate"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": {"localDate": "START"}}, "event.end.localDate"),
        ({"timeZone": "EST"}, "event.timeZone"),
        ({"timeZone": "Mars/Base"}, "event.timeZone"),
        ({"start": {"localDate": "tomorrow"}}, "event.start.localDate"),
        ({"start": {"localDate": "2030-01-01T09:00:00Z"}}, "event.start.localDate"),
        ({"scheduleId": None}, "event.scheduleId"),
        ({"title": ""}, "event.title"),
        ({"notes": "x" * 5001}, "event.notes"),
        ({"transparency": "FOGGY"}, "event.transparency"),
        ({"location": {"name": "no type"}}, "event.location.type"),
        ({"resources": [{"id": "not-a-guid"}]}, "event.resources[0].id"),
        (
            {"conferencingDetails": {"type": "ZOOM", "hostUrl": "h"}},
            "event.conferencingDetails.guestUrl",
        ),
        (
            {"recurrenceRule": {"frequency": "WEEKLY", "days": ["MONDAY"], "interval": 5}},
            "event.recurrenceRule.interval",
        ),
        (
            {"recurrenceRule": {"frequency": "WEEKLY", "days": ["MONDAY", "TUESDAY"]}},
            "event.recurrenceRule.days",
        ),
        (
            {"recurrenceRule": {"frequency": "DAILY", "days": ["MONDAY"]}},
            "event.recurrenceRule.frequency",
        ),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    change: dict[str, Any],
    field: str,
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    day = next_weekday(0)
    event: dict[str, Any] = {
        "scheduleId": schedule_id,
        **hours(day, 9, 10),
    }
    event.update(change)
    if event["end"] == {"localDate": "START"}:
        event["end"] = {"localDate": local(day, 8)}
    before = await _event_count(sessionmaker, site)
    response = await client.post(EVENTS, json={"event": event}, headers=site.headers)
    assert _violation(response)["field"] == field
    assert await _event_count(sessionmaker, site) == before


async def test_recurring_rules_are_checked(client: httpx.AsyncClient, site: SiteContext) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    monday = next_weekday(0)
    rule = weekly("MONDAY")

    async def create(start: str, end: str, **extra: Any) -> httpx.Response:
        body = {"scheduleId": schedule_id, "start": {"localDate": start}, "end": {"localDate": end}}
        return await client.post(EVENTS, json={"event": {**body, **extra}}, headers=site.headers)

    tuesday = monday + timedelta(days=1)
    wrong_day = await create(local(tuesday, 9), local(tuesday, 17), recurrenceRule=rule)
    assert _violation(wrong_day)["field"] == "event.start.localDate"
    past = monday - timedelta(weeks=3)
    in_past = await create(local(past, 9), local(past, 17), recurrenceRule=rule)
    assert in_past.status_code == 400
    assert in_past.json()["details"]["applicationError"]["code"] == "RECURRING_EVENT_START_IN_PAST"
    too_long = await create(
        local(monday, 9), local(monday + timedelta(days=8), 9), recurrenceRule=rule
    )
    assert _violation(too_long)["field"] == "event.end.localDate"
    early_until = await create(
        local(monday, 9),
        local(monday, 17),
        recurrenceRule={**rule, "until": {"localDate": local(monday - timedelta(days=1), 9)}},
    )
    assert _violation(early_until)["field"] == "event.recurrenceRule.until.localDate"
    single_in_past = await create(local(past, 9), local(past, 10))
    assert single_in_past.status_code == 200  # single events may be in the past


async def test_unknown_schedule_resource_and_cancelled_schedule(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    day = next_weekday(0)
    times = hours(day, 9, 10)
    missing = await client.post(
        EVENTS, json={"event": {"scheduleId": str(uuid.uuid4()), **times}}, headers=site.headers
    )
    assert missing.status_code == 404
    assert missing.json()["details"]["applicationError"]["code"] == "SCHEDULE_NOT_FOUND"
    schedule_id, _ = await _own_schedule(client, site)
    stranger = str(uuid.uuid4())
    no_resource = await client.post(
        EVENTS,
        json={"event": {"scheduleId": schedule_id, "resources": [{"id": stranger}], **times}},
        headers=site.headers,
    )
    assert no_resource.status_code == 404
    assert no_resource.json()["message"] == f"Resource with {stranger} ID not found"
    other_site = await new_site_schedule(client, site)
    cancelled = await client.post(
        "/calendar/v3/schedules/" + other_site + "/cancel", json={}, headers=site.headers
    )
    assert cancelled.status_code == 200
    refused = await client.post(
        EVENTS, json={"event": {"scheduleId": other_site, **times}}, headers=site.headers
    )
    assert refused.status_code == 428
    assert refused.json()["details"]["applicationError"]["code"] == "SCHEDULE_CANCELLED"


async def new_site_schedule(client: httpx.AsyncClient, site: SiteContext) -> str:
    response = await client.post(
        "/calendar/v3/schedules", json={"schedule": {"name": "Room 1"}}, headers=site.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["schedule"]["id"])


async def test_idempotency_key_returns_the_first_event_and_creates_nothing(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    day = next_weekday(4)
    key = str(uuid.uuid4())
    body = {
        "event": {
            "scheduleId": schedule_id,
            **hours(day, 9, 10),
        },
        "idempotencyKey": key,
    }
    first = await client.post(EVENTS, json=body, headers=site.headers)
    count = await _event_count(sessionmaker, site)
    body["event"]["title"] = "changed"  # type: ignore[index]
    second = await client.post(EVENTS, json=body, headers=site.headers)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert await _event_count(sessionmaker, site) == count
    not_uuid = await client.post(
        EVENTS, json={**body, "idempotencyKey": "abc"}, headers=site.headers
    )
    assert _violation(not_uuid)["field"] == "idempotencyKey"


async def test_query_expands_masters_and_shows_working_hours_only_when_asked(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, staff = await _own_schedule(client, site)
    monday = next_weekday(0)
    master = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        type="WORKING_HOURS",
        **hours(monday, 9, 17),
        recurrenceRule=weekly("MONDAY"),
    )
    assert master["recurrenceType"] == "MASTER"
    blocked = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        **hours(monday + timedelta(days=1), 12, 13),
    )
    window = {
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(weeks=3), 0),
    }
    by_staff = {"externalScheduleId": staff["resourceId"]}
    plain = await query_events(client, site, **window, query={"filter": by_staff})
    assert [e["id"] for e in plain] == [blocked["id"]]
    working = await query_events(
        client, site, **window, query={"filter": {**by_staff, "type": "WORKING_HOURS"}}
    )
    assert [e["recurrenceType"] for e in working] == ["INSTANCE"] * 3
    assert [e["start"]["localDate"] for e in working] == [
        local(monday + timedelta(weeks=w), 9) for w in range(3)
    ]
    assert {e["recurringEventId"] for e in working} == {master["id"]}
    assert working[0]["id"] == f"{master['id']}_{monday:%Y%m%d}"
    assert working[0]["recurrenceRule"] == master["recurrenceRule"]
    masters = await query_events(
        client,
        site,
        recurrenceType=["MASTER"],
        query={"filter": {**by_staff, "type": {"$in": ["WORKING_HOURS", "DEFAULT"]}}},
    )
    assert [e["id"] for e in masters] == [master["id"]]
    instance = await client.get(f"{EVENTS}/{working[1]['id']}", headers=site.headers)
    assert instance.json()["event"] == working[1]
    listed = await client.get(
        EVENTS,
        params=[("eventIds", working[2]["id"]), ("eventIds", "nope"), ("eventIds", blocked["id"])],
        headers=site.headers,
    )
    assert [e["id"] for e in listed.json()["events"]] == [working[2]["id"], blocked["id"]]


async def test_query_rejects_unsupported_filters_naming_field_operator_and_allowed(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    cases = [
        ({"start": "x"}, "query.filter.start", "UNSUPPORTED_FIELD"),
        ({"type": {"$startsWith": "W"}}, "query.filter.type", "UNSUPPORTED_OPERATOR"),
        (
            {"transparency": {"$in": ["OPAQUE"]}},
            "query.filter.transparency",
            "UNSUPPORTED_OPERATOR",
        ),
        ({"totalCapacity": "ten"}, "query.filter.totalCapacity", "INVALID_VALUE"),
    ]
    for query_filter, field, rule in cases:
        response = await client.post(
            EVENTS + "/query", json={"query": {"filter": query_filter}}, headers=site.headers
        )
        violation = _violation(response)
        assert (violation["field"], violation["violatedRule"]) == (field, rule)
    response = await client.post(
        EVENTS + "/query", json={"query": {"filter": {"type": {"$gt": "A"}}}}, headers=site.headers
    )
    assert "'$gt'" in response.json()["message"]
    assert "$eq, $in" in response.json()["message"]
    bad_sort = await client.post(
        EVENTS + "/query",
        json={"query": {"sort": [{"fieldName": "title"}]}},
        headers=site.headers,
    )
    assert _violation(bad_sort)["field"] == "query.sort[0].fieldName"
    backwards = await client.post(
        EVENTS + "/query",
        json={"fromLocalDate": "2030-01-02T00:00:00", "toLocalDate": "2030-01-01T00:00:00"},
        headers=site.headers,
    )
    assert _violation(backwards)["field"] == "toLocalDate"
    too_many = await client.post(
        EVENTS + "/query", json={"query": {"cursorPaging": {"limit": 1001}}}, headers=site.headers
    )
    assert _violation(too_many)["field"] == "query.cursorPaging.limit"


async def test_cursor_pages_cover_instances_and_singles_once_in_order(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    schedule_id, _staff = await _own_schedule(client, site)
    monday = next_weekday(0)
    for day, hour in ((0, 9), (2, 9), (2, 14)):
        first = monday + timedelta(days=day)
        await create_event(
            client,
            site,
            scheduleId=schedule_id,
            **hours(first, hour, hour + 1),
            recurrenceRule=weekly(first.strftime("%A").upper()),
        )
    for week in range(4):
        await create_event(
            client,
            site,
            scheduleId=schedule_id,
            **hours(monday + timedelta(weeks=week, days=2), 9, 10),
        )
    body: dict[str, Any] = {
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(weeks=5), 0),
        "query": {"filter": {"scheduleId": schedule_id}, "cursorPaging": {"limit": 4}},
    }
    paged = await query_events(client, site, **body)
    everything = await query_events(
        client, site, **{**body, "query": {"filter": body["query"]["filter"]}}
    )
    assert len(everything) == 15 + 4
    assert [e["id"] for e in paged] == [e["id"] for e in everything]
    assert [(e["start"]["utcDate"], e["id"]) for e in paged] == sorted(
        (e["start"]["utcDate"], e["id"]) for e in paged
    )
    descending = await query_events(
        client,
        site,
        fromLocalDate=local(monday + timedelta(weeks=5), 0),
        toLocalDate=local(monday, 0),
        query={
            "filter": {"scheduleId": schedule_id},
            "sort": [{"fieldName": "start", "order": "DESC"}],
            "cursorPaging": {"limit": 5},
        },
    )
    assert [e["start"]["utcDate"] for e in descending] == sorted(
        (e["start"]["utcDate"] for e in everything), reverse=True
    )
    first_page = await client.post(EVENTS + "/query", json=body, headers=site.headers)
    cursor = first_page.json()["pagingMetadata"]["cursors"]["next"]
    with_filter = await client.post(
        EVENTS + "/query",
        json={"query": {"filter": {}, "cursorPaging": {"cursor": cursor}}},
        headers=site.headers,
    )
    assert with_filter.status_code == 400
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    rejected = await client.post(
        EVENTS + "/query",
        json={"query": {"cursorPaging": {"cursor": tampered}}},
        headers=site.headers,
    )
    assert rejected.status_code == 400
    assert rejected.json()["details"]["validationError"]["fieldViolations"][0]["field"] == (
        "query.cursorPaging.cursor"
    )
    other = await new_site(sessionmaker)
    foreign = await client.post(
        EVENTS + "/query",
        json={"query": {"cursorPaging": {"cursor": cursor}}},
        headers=other.headers,
    )
    assert foreign.status_code == 400


async def test_updating_an_instance_makes_a_stable_exception(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, monday, master = await _monday_series(client, site, title="Standup")
    window = {
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(weeks=3), 0),
        "query": {"filter": {"scheduleId": schedule_id}},
    }
    instances = await query_events(client, site, **window)
    second = instances[1]
    response = await client.patch(
        f"{EVENTS}/{second['id']}",
        json={
            "event": {
                "revision": second["revision"],
                **hours(monday + timedelta(weeks=1), 11, 12),
                "notes": "moved",
            }
        },
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    exception = response.json()["event"]
    assert exception["id"] == second["id"]
    assert exception["recurrenceType"] == "EXCEPTION"
    assert exception["recurringEventId"] == master["id"]
    assert "TIME" not in exception["inheritedFields"]
    assert "TITLE" in exception["inheritedFields"]
    assert "notes" not in exception  # PI, left out without fields
    after = await query_events(client, site, **window)
    assert [(e["recurrenceType"], e["start"]["localDate"]) for e in after] == [
        ("INSTANCE", local(monday, 9)),
        ("EXCEPTION", local(monday + timedelta(weeks=1), 11)),
        ("INSTANCE", local(monday + timedelta(weeks=2), 9)),
    ]
    # The MASTER's new title reaches the exception (still inherited), not its new time.
    renamed = await client.patch(
        f"{EVENTS}/{master['id']}",
        json={"event": {"revision": master["revision"], "title": "Daily sync"}},
        headers=site.headers,
    )
    assert renamed.status_code == 200
    again = await client.get(f"{EVENTS}/{second['id']}", headers=site.headers)
    assert again.json()["event"]["title"] == "Daily sync"
    assert again.json()["event"]["start"]["localDate"] == local(monday + timedelta(weeks=1), 11)
    stale = await client.patch(
        f"{EVENTS}/{second['id']}",
        json={"event": {"revision": second["revision"], "title": "x"}},
        headers=site.headers,
    )
    assert stale.status_code == 409
    assert stale.json()["details"]["applicationError"]["code"] == "INVALID_REVISION"
    rule_change = await client.patch(
        f"{EVENTS}/{second['id']}",
        json={
            "event": {
                "revision": again.json()["event"]["revision"],
                "recurrenceRule": {"frequency": "WEEKLY", "days": ["FRIDAY"]},
            }
        },
        headers=site.headers,
    )
    assert _violation(rule_change)["field"] == "event.recurrenceRule"
    type_change = await client.patch(
        f"{EVENTS}/{master['id']}",
        json={"event": {"revision": "2", "type": "WORKING_HOURS"}},
        headers=site.headers,
    )
    assert _violation(type_change)["field"] == "event.type"


async def test_cancelling_an_instance_or_master_removes_it(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    _, monday, master = await _monday_series(
        client, site, recurrenceRule=weekly("MONDAY", interval=2)
    )
    window = {
        "fromLocalDate": local(monday, 0),
        "toLocalDate": local(monday + timedelta(weeks=6), 0),
        "query": {"filter": {"recurringEventId": master["id"]}},
    }
    instances = await query_events(client, site, **window)
    assert len(instances) == 3
    cancelled = await client.post(f"{EVENTS}/{instances[1]['id']}/cancel", headers=site.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["event"]["status"] == "CANCELLED"
    assert [e["id"] for e in await query_events(client, site, **window)] == [
        instances[0]["id"],
        instances[2]["id"],
    ]
    twice = await client.post(f"{EVENTS}/{instances[1]['id']}/cancel", headers=site.headers)
    assert twice.status_code == 428
    assert twice.json()["details"]["applicationError"]["code"] == "EVENT_ALREADY_CANCELLED"
    gone = await client.post(f"{EVENTS}/{master['id']}/cancel", json={}, headers=site.headers)
    assert gone.json()["event"]["status"] == "CANCELLED"
    assert await query_events(client, site, **window) == []
    update = await client.patch(
        f"{EVENTS}/{master['id']}",
        json={"event": {"revision": "2", "title": "x"}},
        headers=site.headers,
    )
    assert update.status_code == 428


async def test_split_ends_the_master_and_continues_it(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, monday, master = await _monday_series(client, site)
    third = f"{master['id']}_{monday + timedelta(weeks=3):%Y%m%d}"
    moved = await client.patch(
        f"{EVENTS}/{third}",
        json={"event": {"revision": "1", "title": "Special"}},
        headers=site.headers,
    )
    assert moved.status_code == 200
    response = await client.post(
        f"{EVENTS}/{master['id']}/split",
        json={"splitLocalDate": local(monday + timedelta(weeks=2), 0)},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    ended = body["updatedRecurringEventEndingBeforeSplit"]
    continued = body["newRecurringEventStartingFromSplit"]
    assert ended["id"] == master["id"]
    assert ended["recurrenceRule"]["until"]["localDate"] == local(monday + timedelta(weeks=1), 10)
    assert continued["start"]["localDate"] == local(monday + timedelta(weeks=2), 9)
    assert continued["id"] != master["id"]
    assert continued["recurrenceType"] == "MASTER"
    exception = (await client.get(f"{EVENTS}/{third}", headers=site.headers)).json()["event"]
    assert exception["recurringEventId"] == continued["id"]
    starts = await query_events(
        client,
        site,
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday + timedelta(weeks=5), 0),
        query={"filter": {"scheduleId": schedule_id}},
    )
    assert [e["start"]["localDate"][:10] for e in starts] == [
        (monday + timedelta(weeks=w)).isoformat() for w in range(5)
    ]
    too_late = await client.post(
        f"{EVENTS}/{master['id']}/split",
        json={"splitLocalDate": local(monday + timedelta(weeks=9), 0)},
        headers=site.headers,
    )
    assert too_late.status_code == 400
    assert too_late.json()["details"]["applicationError"]["code"] == "INVALID_SPLIT_DATE"
    single = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        **hours(monday, 12, 13),
    )
    not_master = await client.post(
        f"{EVENTS}/{single['id']}/split",
        json={"splitLocalDate": local(monday, 12)},
        headers=site.headers,
    )
    assert not_master.json()["details"]["applicationError"]["code"] == "NOT_A_RECURRING_MASTER"


async def test_an_occurrence_a_split_moved_is_not_also_an_instance_of_the_new_master(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    """The moved EXCEPTION keeps its id; the new MASTER's id for that date names nothing, as
    Query Events shows. Before, it read as a phantom INSTANCE whose writes hit the occurrence
    index: a 409, which also failed every other item of a bulk call."""
    _, monday, master = await _monday_series(client, site)
    third_day, fourth_day = monday + timedelta(weeks=3), monday + timedelta(weeks=4)
    third = f"{master['id']}_{third_day:%Y%m%d}"
    moved = await client.patch(
        f"{EVENTS}/{third}",
        json={"event": {"revision": "1", "title": "Special"}},
        headers=site.headers,
    )
    assert moved.status_code == 200, moved.text
    split = await client.post(
        f"{EVENTS}/{master['id']}/split",
        json={"splitLocalDate": local(monday + timedelta(weeks=2), 0)},
        headers=site.headers,
    )
    assert split.status_code == 200, split.text
    continued = split.json()["newRecurringEventStartingFromSplit"]["id"]
    phantom = f"{continued}_{third_day:%Y%m%d}"
    read = await client.get(f"{EVENTS}/{phantom}", headers=site.headers)
    assert read.status_code == 404
    assert read.json()["details"]["applicationError"]["code"] == "EVENT_NOT_FOUND"
    written = await client.patch(
        f"{EVENTS}/{phantom}", json={"event": {"revision": "1", "title": "X"}}, headers=site.headers
    )
    assert written.status_code == 404
    listed = await client.get(
        EVENTS, params=[("eventIds", phantom), ("eventIds", third)], headers=site.headers
    )
    assert [(e["id"], e["title"]) for e in listed.json()["events"]] == [(third, "Special")]
    bulk = await client.post(
        "/calendar/v3/bulk/events/cancel", json={"eventIds": [phantom, third]}, headers=site.headers
    )
    assert bulk.status_code == 200, bulk.text
    results = [r["itemMetadata"] for r in bulk.json()["results"]]
    assert [r["success"] for r in results] == [False, True]
    assert results[0]["error"]["code"] == "EVENT_NOT_FOUND"
    after = (await client.get(f"{EVENTS}/{third}", headers=site.headers)).json()["event"]
    assert (after["status"], after["recurringEventId"]) == ("CANCELLED", continued)
    later = await client.get(f"{EVENTS}/{continued}_{fourth_day:%Y%m%d}", headers=site.headers)
    assert later.json()["event"]["recurrenceType"] == "INSTANCE"


async def test_bulk_calls_report_per_item_and_write_only_the_good_items(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    day = next_weekday(3)

    def item(hour: int, **extra: Any) -> dict[str, Any]:
        return {
            "event": {
                "scheduleId": schedule_id,
                **hours(day, hour, hour + 1),
                **extra,
            }
        }

    before = await _event_count(sessionmaker, site)
    response = await client.post(
        "/calendar/v3/bulk/events/create",
        json={
            "events": [
                item(9),
                item(10, timeZone="Nowhere/Else"),
                item(11, scheduleId=str(uuid.uuid4())),
                item(12),
            ],
            "returnEntity": True,
        },
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bulkActionMetadata"] == {"totalSuccesses": 2, "totalFailures": 2}
    results = body["results"]
    assert [r["itemMetadata"]["success"] for r in results] == [True, False, False, True]
    assert [r["itemMetadata"]["originalIndex"] for r in results] == [0, 1, 2, 3]
    assert results[1]["itemMetadata"]["error"]["code"] == "INVALID_ARGUMENT"
    assert results[1]["itemMetadata"]["error"]["data"]["fieldViolations"][0]["field"] == (
        "events[1].event.timeZone"
    )
    assert results[2]["itemMetadata"]["error"]["code"] == "SCHEDULE_NOT_FOUND"
    assert results[0]["item"]["id"] == results[0]["itemMetadata"]["id"]
    assert await _event_count(sessionmaker, site) == before + 2
    created = [r["item"] for r in results if r["itemMetadata"]["success"]]
    update = await client.post(
        "/calendar/v3/bulk/events/update",
        json={
            "events": [
                {"event": {"id": created[0]["id"], "revision": "1", "title": "Lunch"}},
                {"event": {"id": created[1]["id"], "revision": "7", "title": "Stale"}},
            ]
        },
        headers=site.headers,
    )
    outcome = update.json()
    assert outcome["bulkActionMetadata"] == {"totalSuccesses": 1, "totalFailures": 1}
    assert outcome["results"][1]["itemMetadata"]["error"]["code"] == "INVALID_REVISION"
    assert "item" not in outcome["results"][0]
    titles = {
        e["id"]: e.get("title")
        for e in (
            await client.get(
                EVENTS, params=[("eventIds", c["id"]) for c in created], headers=site.headers
            )
        ).json()["events"]
    }
    assert titles == {created[0]["id"]: "Lunch", created[1]["id"]: None}
    cancel = await client.post(
        "/calendar/v3/bulk/events/cancel",
        json={"eventIds": [created[0]["id"], "missing-event-id-000000000000000000000000"]},
        headers=site.headers,
    )
    assert cancel.json()["bulkActionMetadata"] == {"totalSuccesses": 1, "totalFailures": 1}
    assert cancel.json()["results"][1]["itemMetadata"]["error"]["code"] == "EVENT_NOT_FOUND"
    too_many = await client.post(
        "/calendar/v3/bulk/events/cancel", json={"eventIds": ["x"] * 51}, headers=site.headers
    )
    assert too_many.status_code == 400


async def test_personal_information_needs_fields_and_the_pi_scope(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    day = next_weekday(1)
    event = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        **hours(day, 9, 10),
        notes="Bring the file",
        location={"type": "CUSTOMER", "name": "Home", "address": "1 Lane"},
        conferencingDetails={"type": "CUSTOM", "hostUrl": "https://h", "guestUrl": "https://g"},
    )
    assert "notes" not in event
    assert "conferencingDetails" not in event
    assert event["location"] == {"type": "CUSTOMER"}
    url = f"{EVENTS}/{event['id']}"
    full = (await client.get(url, params={"fields": "PI_FIELDS"}, headers=site.headers)).json()
    assert full["event"]["notes"] == "Bring the file"
    assert full["event"]["location"]["address"] == "1 Lane"
    assert full["event"]["conferencingDetails"]["hostUrl"] == "https://h"
    own = (await client.get(url, params={"fields": "OWN_PI_FIELDS"}, headers=site.headers)).json()
    assert "notes" not in own["event"]  # an API key owns no personal information
    public = await new_site(sessionmaker, scopes=[Scope.CALENDAR_READ])
    refused = await client.post(
        EVENTS + "/query", json={"fields": ["PI_FIELDS"]}, headers=public.headers
    )
    assert refused.status_code == 403
    assert refused.json()["details"]["applicationError"]["code"] == "PI_PERMISSION_REQUIRED"
    allowed = await client.post(EVENTS + "/query", json={}, headers=public.headers)
    assert allowed.status_code == 200
    bad = await client.get(url, params={"fields": "EVERYTHING"}, headers=site.headers)
    assert bad.status_code == 400


async def test_query_is_right_across_the_clock_change(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule_id, _ = await _own_schedule(client, site)
    change = next_spring_forward()  # a Sunday
    monday = change - timedelta(days=6)
    await create_event(
        client,
        site,
        scheduleId=schedule_id,
        **hours(monday, 9, 17),
        recurrenceRule=weekly("MONDAY"),
    )
    found = await query_events(
        client,
        site,
        fromLocalDate=local(monday, 0),
        toLocalDate=local(monday + timedelta(weeks=2), 0),
        timeZone="UTC",
        query={"filter": {"scheduleId": schedule_id}},
    )
    assert [e["start"]["localDate"][11:] for e in found] == ["09:00:00", "09:00:00"]
    assert [e["start"]["utcDate"][11:16] for e in found] == ["09:00", "08:00"]
    assert [e["adjustedStart"]["localDate"][11:16] for e in found] == ["09:00", "08:00"]
    # An event in the skipped hour moves forward by the gap (01:30 -> 02:30 BST in London).
    gap = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        start={"localDate": local(change, 1, 30)},
        end={"localDate": local(change, 3)},
    )
    assert gap["start"]["utcDate"] == f"{change.isoformat()}T01:30:00Z"
    assert gap["end"]["utcDate"] == f"{change.isoformat()}T02:00:00Z"
