"""Domain events of calendar events and schedules, read back through the pull feed: which
mutation announces what, in which order and shape, and that rejected requests and idempotent
replays announce nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar import service as calendar_service
from rota.calendar.roles import Caller
from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.identity.roles import Role
from tests.booxi.conftest import create_staff, make_merchant
from tests.builders import SiteContext, fan_out_all, make_staff_member, make_user
from tests.calendar.helpers import (
    EVENTS,
    SCHEDULES,
    STAFF,
    business_schedule,
    hours,
    local,
    next_weekday,
    query_events,
    staff_resource,
    weekly,
)
from tests.events.webhooks import deliveries_of, subscribe

BULK = "/calendar/v3/bulk/events"
PI = {"fields": ["PI_FIELDS"]}


# Each event read from a feed, by id: its place among its entity's events ("1", "2"...). Tests
# compare that: entityEventSequence only increases per entity (it is the event's position).
_ORDINALS: dict[str, str] = {}


class Feed:
    """The site's event feed, read on from where the previous read stopped."""

    def __init__(self, client: httpx.AsyncClient, site: SiteContext) -> None:
        self.client, self.site = client, site
        self.cursor: str | None = None
        # Per entity: its events read so far, and the last one's entityEventSequence.
        self.read: dict[tuple[str, str], tuple[int, int]] = {}

    def _number(self, event: dict[str, Any]) -> None:
        entity = (event["entityFqdn"], event["entityId"])
        count, last = self.read.get(entity, (0, 0))
        sequence = int(event["entityEventSequence"])
        assert sequence > last, f"{event['id']} does not follow its entity's earlier events"
        self.read[entity] = (count + 1, sequence)
        _ORDINALS[event["id"]] = str(count + 1)

    async def new(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"limit": 100}
            if self.cursor:
                params["cursor"] = self.cursor
            response = await self.client.get(
                "/events/v1/feed", params=params, headers=self.site.headers
            )
            assert response.status_code == 200, response.text
            page = response.json()
            for event in page["events"]:
                self._number(event)
            events += page["events"]
            self.cursor = page["nextCursor"]
            if not page["hasMore"]:
                return events

    async def calendar(self) -> list[dict[str, Any]]:
        """The new calendar events only (staff changes have their own)."""
        return [e for e in await self.new() if e["entityFqdn"].startswith("wix.calendar.")]


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(entity kind, slug, entity id, place among its entity's events) of each event."""
    return [
        (
            e["entityFqdn"].removeprefix("wix.calendar.v3."),
            e["slug"],
            e["entityId"],
            _ORDINALS[e["id"]],
        )
        for e in events
    ]


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _schedule(client: httpx.AsyncClient, site: SiteContext, **fields: Any) -> dict[str, Any]:
    body = {"schedule": {"name": "Room 1", **fields}, **PI}
    return (await _ok(await client.post(SCHEDULES, json=body, headers=site.headers)))["schedule"]


async def _event(client: httpx.AsyncClient, site: SiteContext, **fields: Any) -> dict[str, Any]:
    body = {"event": fields, **PI}
    return (await _ok(await client.post(EVENTS, json=body, headers=site.headers)))["event"]


async def test_a_new_site_announces_its_business_schedule_andhours(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    events = await Feed(client, site).new()
    business = await business_schedule(client, site)
    masters = await query_events(
        client, site, recurrenceType=["MASTER"], query={"filter": {"type": "WORKING_HOURS"}}
    )
    assert len(masters) == 5
    assert summary(events) == [("schedule", "created", business["id"], "1")] + [
        ("event", "created", master["id"], "1") for master in masters
    ]
    assert events[0]["createdEvent"] == {"entity": business}
    assert [e["createdEvent"] for e in events[1:]] == [{"entity": m} for m in masters]


async def test_event_create_update_cancel_are_announced_with_the_api_representation(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    feed = Feed(client, site)
    await feed.new()
    schedule = await _schedule(client, site)
    [created_schedule] = await feed.new()
    assert summary([created_schedule]) == [("schedule", "created", schedule["id"], "1")]
    assert created_schedule["createdEvent"] == {"entity": schedule}

    day = next_weekday(2)
    event = await _event(
        client, site, scheduleId=schedule["id"], notes="Door code 1234", **hours(day, 9, 10)
    )
    [created] = await feed.new()
    assert summary([created]) == [("event", "created", event["id"], "1")]
    # The whole entity as the API answers it with PI: the notes are personal information.
    assert created["createdEvent"] == {"entity": event}
    assert created["createdEvent"]["entity"]["notes"] == "Door code 1234"

    url = f"{EVENTS}/{event['id']}"
    stale = await client.patch(
        url, json={"event": {"revision": "7", "title": "x"}}, headers=site.headers
    )
    assert stale.status_code == 409
    backwards = await client.patch(
        url,
        json={"event": {"revision": "1", **hours(day, 10, 9)}},
        headers=site.headers,
    )
    assert backwards.status_code == 400
    assert await feed.new() == []

    updated = (
        await _ok(
            await client.patch(
                url,
                json={"event": {"revision": "1", "title": "Inventory"}, **PI},
                headers=site.headers,
            )
        )
    )["event"]
    [update] = await feed.new()
    assert summary([update]) == [("event", "updated", event["id"], "2")]
    assert update["updatedEvent"] == {"currentEntity": updated}
    assert update["updatedEvent"]["currentEntity"]["title"] == "Inventory"

    cancelled = (await _ok(await client.post(f"{url}/cancel", json=PI, headers=site.headers)))[
        "event"
    ]
    [cancel] = await feed.new()
    assert summary([cancel]) == [("event", "cancelled", event["id"], "3")]
    assert cancel["actionEvent"] == {"body": {"event": cancelled}}
    assert cancelled["status"] == "CANCELLED"
    twice = await client.post(f"{url}/cancel", json={}, headers=site.headers)
    assert twice.status_code == 428
    assert await feed.new() == []


async def test_idempotent_replays_announce_nothing_new(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    feed = Feed(client, site)
    await feed.new()
    key = str(uuid.uuid4())
    body = {"schedule": {"name": "Studio"}, "idempotencyKey": key}
    schedule = (await _ok(await client.post(SCHEDULES, json=body, headers=site.headers)))[
        "schedule"
    ]
    again = (await _ok(await client.post(SCHEDULES, json=body, headers=site.headers)))["schedule"]
    assert again["id"] == schedule["id"]

    day = next_weekday(4)
    event_body = {
        "event": {"scheduleId": schedule["id"], **hours(day, 9, 10)},
        "idempotencyKey": key,
    }
    event = (await _ok(await client.post(EVENTS, json=event_body, headers=site.headers)))["event"]
    replay = (await _ok(await client.post(EVENTS, json=event_body, headers=site.headers)))["event"]
    assert replay["id"] == event["id"]
    assert summary(await feed.new()) == [
        ("schedule", "created", schedule["id"], "1"),
        ("event", "created", event["id"], "1"),
    ]


async def test_schedule_changes_are_announced_with_the_events_they_change(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    schedule = await _schedule(client, site, defaultTitle="Room")
    day = next_weekday(1)
    inheriting = await _event(client, site, scheduleId=schedule["id"], **hours(day, 9, 10))
    titled = await _event(
        client, site, scheduleId=schedule["id"], title="Own title", **hours(day, 11, 12)
    )
    subscription = await subscribe(
        client,
        site,
        "http://127.0.0.1:9/hooks",
        eventTypes=[
            "wix.calendar.v3.schedule_updated",
            "wix.calendar.v3.schedule_cancelled",
            "wix.calendar.v3.event_cancelled",
        ],
    )
    feed = Feed(client, site)
    await feed.new()
    url = f"{SCHEDULES}/{schedule['id']}"

    updated = (
        await _ok(
            await client.patch(
                url,
                json={"schedule": {"revision": "1", "defaultTitle": "Hall"}, **PI},
                headers=site.headers,
            )
        )
    )["schedule"]
    events = await feed.new()
    assert summary(events) == [
        ("schedule", "updated", schedule["id"], "2"),
        ("event", "updated", inheriting["id"], "2"),  # the titled event keeps its own
    ]
    assert events[0]["updatedEvent"] == {"currentEntity": updated}
    assert events[1]["updatedEvent"]["currentEntity"]["title"] == "Hall"
    assert events[1]["updatedEvent"]["currentEntity"]["revision"] == "2"

    stale = await client.patch(
        url, json={"schedule": {"revision": "1", "name": "x"}}, headers=site.headers
    )
    assert stale.status_code == 409
    assert await feed.new() == []

    cancelled = (
        await _ok(
            await client.post(
                f"{url}/cancel",
                json={"preserveFutureEventsWithParticipants": True, **PI},
                headers=site.headers,
            )
        )
    )["schedule"]
    events = await feed.new()
    assert summary(events[:1]) == [("schedule", "cancelled", schedule["id"], "3")]
    assert events[0]["actionEvent"] == {
        "body": {"schedule": cancelled, "preserveFutureEventsWithParticipants": True}
    }
    assert sorted(summary(events[1:])) == sorted(
        [
            ("event", "cancelled", inheriting["id"], "3"),
            ("event", "cancelled", titled["id"], "2"),
        ]
    )
    assert {e["actionEvent"]["body"]["event"]["status"] for e in events[1:]} == {"CANCELLED"}

    await fan_out_all(sessionmaker)
    deliveries = await deliveries_of(client, site, subscription["id"])
    assert sorted((d["eventType"], d["entityId"]) for d in deliveries) == sorted(
        [
            ("wix.calendar.v3.schedule_updated", schedule["id"]),
            ("wix.calendar.v3.schedule_cancelled", schedule["id"]),
            ("wix.calendar.v3.event_cancelled", inheriting["id"]),
            ("wix.calendar.v3.event_cancelled", titled["id"]),
        ]
    )


async def test_a_new_business_zone_is_the_zone_of_the_events_it_announces(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    business = await business_schedule(client, site)
    feed = Feed(client, site)
    await feed.new()
    moved = await client.patch(
        f"{SCHEDULES}/{business['id']}",
        json={"schedule": {"revision": business["revision"], "timeZone": "America/New_York"}},
        headers=site.headers,
    )
    assert moved.status_code == 200, moved.text
    events = await feed.new()
    # The five masters inherit the zone: same wall-clock hours, shown in the new business zone.
    assert [(kind, slug) for kind, slug, _, _ in summary(events)] == [("schedule", "updated")] + [
        ("event", "updated")
    ] * 5
    for event in events[1:]:
        entity = event["updatedEvent"]["currentEntity"]
        assert entity["timeZone"] == "America/New_York"
        assert entity["adjustedStart"] == {
            "localDate": entity["start"]["localDate"],
            "timeZone": "America/New_York",
        }


async def test_the_business_zone_read_once_per_session_follows_a_change(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    ctx = WriteContext(now=utc_now(), actor=SYSTEM, public_base_url="http://rota.test")
    async with sessionmaker.begin() as session:
        zone = await calendar_service.business_time_zone(session, site_id=site.site_id)
        assert zone == "Europe/London"
        business = await calendar_service.get_business_schedule(session, site_id=site.site_id)
        await calendar_service.update_schedule(
            session,
            site_id=site.site_id,
            schedule_id=business.id,
            revision=business.revision,
            values={"time_zone": "Asia/Tokyo"},
            caller=Caller(),
            ctx=ctx,
        )
        zone = await calendar_service.business_time_zone(session, site_id=site.site_id)
        assert zone == "Asia/Tokyo"


async def test_recurring_edits_split_and_cancel_are_announced(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule = await _schedule(client, site)
    monday = next_weekday(0)
    master = await _event(
        client,
        site,
        scheduleId=schedule["id"],
        recurrenceRule=weekly("MONDAY"),
        **hours(monday, 9, 10),
    )
    feed = Feed(client, site)
    await feed.new()
    exception_id = f"{master['id']}_{monday + timedelta(weeks=1):%Y%m%d}"
    instance_id = f"{master['id']}_{monday + timedelta(weeks=2):%Y%m%d}"

    # An INSTANCE written becomes a stored EXCEPTION: its first event, an update.
    await _ok(
        await client.patch(
            f"{EVENTS}/{exception_id}",
            json={"event": {"revision": "1", "notes": "Bring keys"}},
            headers=site.headers,
        )
    )
    [exception] = await feed.new()
    assert summary([exception]) == [("event", "updated", exception_id, "1")]
    entity = exception["updatedEvent"]["currentEntity"]
    assert (entity["recurrenceType"], entity["recurringEventId"]) == ("EXCEPTION", master["id"])
    assert entity["notes"] == "Bring keys"

    await _ok(await client.post(f"{EVENTS}/{instance_id}/cancel", json={}, headers=site.headers))
    [instance] = await feed.new()
    assert summary([instance]) == [("event", "cancelled", instance_id, "1")]
    body = instance["actionEvent"]["body"]["event"]
    assert (body["recurrenceType"], body["status"]) == ("INSTANCE", "CANCELLED")

    # The MASTER's new title reaches the EXCEPTION, which still inherits it.
    await _ok(
        await client.patch(
            f"{EVENTS}/{master['id']}",
            json={"event": {"revision": "1", "title": "Stand-up"}},
            headers=site.headers,
        )
    )
    events = await feed.new()
    assert summary(events) == [
        ("event", "updated", master["id"], "2"),
        ("event", "updated", exception_id, "2"),
    ]
    assert events[1]["updatedEvent"]["currentEntity"]["title"] == "Stand-up"

    early = await client.post(
        f"{EVENTS}/{master['id']}/split",
        json={"splitLocalDate": local(monday, 8)},
        headers=site.headers,
    )
    assert early.status_code == 400
    assert await feed.new() == []

    split = await _ok(
        await client.post(
            f"{EVENTS}/{master['id']}/split",
            json={"splitLocalDate": local(monday + timedelta(weeks=1), 0), **PI},
            headers=site.headers,
        )
    )
    continued = split["newRecurringEventStartingFromSplit"]
    events = await feed.new()
    assert summary(events[:2]) == [
        ("event", "created", continued["id"], "1"),
        ("event", "recurring_split", master["id"], "3"),
    ]
    assert events[0]["createdEvent"] == {"entity": continued}
    assert events[1]["actionEvent"] == {"body": split}
    # The stored occurrences after the split moved to the new MASTER.
    assert sorted(summary(events[2:])) == sorted(
        [("event", "updated", exception_id, "3"), ("event", "updated", instance_id, "2")]
    )
    assert {e["updatedEvent"]["currentEntity"]["recurringEventId"] for e in events[2:]} == {
        continued["id"]
    }

    await _ok(
        await client.post(f"{EVENTS}/{continued['id']}/cancel", json={}, headers=site.headers)
    )
    # The future EXCEPTION goes with its MASTER; the cancelled INSTANCE is left as it was.
    assert summary(await feed.new()) == [
        ("event", "cancelled", continued["id"], "2"),
        ("event", "cancelled", exception_id, "4"),
    ]


async def test_bulk_calls_announce_only_the_items_that_succeed(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    schedule = await _schedule(client, site)
    day = next_weekday(3)
    feed = Feed(client, site)
    await feed.new()

    def item(start: int, end: int) -> dict[str, Any]:
        return {"event": {"scheduleId": schedule["id"], **hours(day, start, end)}}

    created = await _ok(
        await client.post(
            f"{BULK}/create",
            json={"events": [item(9, 10), item(12, 11), item(13, 14)]},
            headers=site.headers,
        )
    )
    results = created["results"]
    assert [r["itemMetadata"]["success"] for r in results] == [True, False, True]
    first, third = results[0]["itemMetadata"]["id"], results[2]["itemMetadata"]["id"]
    assert summary(await feed.new()) == [
        ("event", "created", first, "1"),
        ("event", "created", third, "1"),
    ]

    updated = await _ok(
        await client.post(
            f"{BULK}/update",
            json={
                "events": [
                    {"event": {"id": first, "revision": "1", "title": "Kept"}},
                    {"event": {"id": third, "revision": "9", "title": "Stale"}},
                ]
            },
            headers=site.headers,
        )
    )
    assert [r["itemMetadata"]["success"] for r in updated["results"]] == [True, False]
    [update] = await feed.new()
    assert summary([update]) == [("event", "updated", first, "2")]
    assert update["updatedEvent"]["currentEntity"]["title"] == "Kept"

    cancelled = await _ok(
        await client.post(
            f"{BULK}/cancel",
            json={"eventIds": [third, f"{uuid.uuid4()}x"]},
            headers=site.headers,
        )
    )
    assert [r["itemMetadata"]["success"] for r in cancelled["results"]] == [True, False]
    assert summary(await feed.new()) == [("event", "cancelled", third, "2")]


async def test_staff_members_schedule_is_announced_through_its_life(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    feed = Feed(client, site)
    await feed.new()
    staff = await make_staff_member(client, site, name="Dana")
    detailed = await staff_resource(client, site, staff["id"])
    schedule_id = detailed["resource"]["eventsSchedule"]["id"]
    [created] = await feed.calendar()
    assert summary([created]) == [("schedule", "created", schedule_id, "1")]
    assert created["createdEvent"]["entity"]["externalId"] == detailed["resourceId"]
    assert created["createdEvent"]["entity"]["name"] == "Dana"

    renamed = await client.patch(
        f"{STAFF}/{staff['id']}",
        json={"staffMember": {"revision": "2", "name": "Dana Lee"}},
        headers=site.headers,
    )
    assert renamed.status_code == 200, renamed.text
    [rename] = await feed.calendar()
    assert summary([rename]) == [("schedule", "updated", schedule_id, "2")]
    assert rename["updatedEvent"]["currentEntity"]["name"] == "Dana Lee"

    user = await make_user(
        sessionmaker,
        site,
        f"dana-{uuid.uuid4().hex[:8]}@example.com",
        "correct horse battery",
        Role.ADMIN,
    )
    connected = await client.post(
        f"{STAFF}/{staff['id']}/connect-staff-member-to-user",
        json={"email": user.email},
        headers=site.headers,
    )
    assert connected.status_code == 200, connected.text
    [connect] = await feed.calendar()
    assert summary([connect]) == [("schedule", "updated", schedule_id, "3")]
    assert connect["updatedEvent"]["currentEntity"]["permissions"] == [
        {"identity": {"wixUserId": str(user.id), "identityType": "WIX_USER"}, "role": "WRITER"}
    ]
    disconnected = await client.post(
        f"{STAFF}/{staff['id']}/disconnect-staff-member-from-user", json={}, headers=site.headers
    )
    assert disconnected.status_code == 200, disconnected.text
    [disconnect] = await feed.calendar()
    assert summary([disconnect]) == [("schedule", "updated", schedule_id, "4")]
    assert disconnect["updatedEvent"]["currentEntity"]["permissions"] == []

    day = next_weekday(2)
    blocked = await _event(client, site, scheduleId=schedule_id, **hours(day, 12, 13))
    await feed.new()
    trashed = await client.delete(f"{STAFF}/{staff['id']}", headers=site.headers)
    assert trashed.status_code == 200, trashed.text
    assert await feed.calendar() == []  # the trash bin keeps the schedule
    removed = await client.delete(
        f"/bookings/staff/v2/staff-members/trash-bin/{staff['id']}", headers=site.headers
    )
    assert removed.status_code == 200, removed.text
    events = await feed.calendar()
    assert summary(events) == [
        ("schedule", "cancelled", schedule_id, "5"),
        ("event", "cancelled", blocked["id"], "2"),
    ]
    assert events[0]["actionEvent"]["body"]["preserveFutureEventsWithParticipants"] is False
    assert events[0]["actionEvent"]["body"]["schedule"]["status"] == "CANCELLED"


async def test_booxi_work_schedules_are_announced_as_workinghours(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    merchant = await make_merchant(sessionmaker)
    staff = await create_staff(client, merchant)
    feed = Feed(client, merchant.wix)
    await feed.new()
    hours = {
        "name": "Summer",
        "start": "2031-06-02",
        "end": "2031-08-31",
        "weeklyHours": [
            {"dow": 1, "start": "09:00", "end": "12:00"},
            {"dow": 3, "start": "10:00", "end": "16:00"},
        ],
    }
    url = f"/booking/v1/staff/{staff['id']}/schedule"
    schedule = await _ok(await client.post(url, json=hours, headers=merchant.headers))
    created = await feed.calendar()
    assert [(kind, slug, sequence) for kind, slug, _, sequence in summary(created)] == [
        ("event", "created", "1"),
        ("event", "created", "1"),
    ]
    entities = [e["createdEvent"]["entity"] for e in created]
    assert {(e["type"], e["recurrenceType"], e["title"]) for e in entities} == {
        ("WORKING_HOURS", "MASTER", "Summer")
    }
    assert [e["recurrenceRule"]["days"] for e in entities] == [["MONDAY"], ["WEDNESDAY"]]

    deleted = await client.delete(f"{url}/{schedule['id']}", headers=merchant.headers)
    assert deleted.status_code == 200, deleted.text
    assert summary(await feed.calendar()) == [
        ("event", "cancelled", e["id"], "2") for e in entities
    ]
