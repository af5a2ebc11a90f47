"""The outbox, the relay and the webhook API against a real receiver on loopback."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.events import rendering, signing
from rota.events.catalogue import EVENT_TYPES
from rota.events.envelope import event_type
from rota.events.models import DomainEventRecord
from rota.events.relay import Relay, RelaySettings
from tests.builders import SiteContext, fan_out_all, make_staff_member
from tests.events.receiver import Receiver
from tests.events.webhooks import HOOKS, deliveries_of, record_test_event, subscribe

V1 = "/bookings/v1/staff-members"


class Clock:
    """Real time plus however far the test has skipped ahead (to make retries due)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def relay(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Relay]:
    instance = Relay(
        sessionmaker, clock, RelaySettings(timeout_seconds=1.0, retry_window=timedelta(minutes=5))
    )
    yield instance
    await instance.stop()


async def _drain(relay: Relay, clock: Clock, rounds: int = 10) -> None:
    for _ in range(rounds):
        await relay.run_once()
        clock.advance(3600)


async def _feed(client: httpx.AsyncClient, site: SiteContext) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get("/events/v1/feed", params=params, headers=site.headers)).json()
        events += page["events"]
        if not page["hasMore"]:
            return events
        params = {"limit": 2, "cursor": page["nextCursor"]}


async def test_staff_changes_emit_events_in_order(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, tags={"tags": {"tagIds": ["a"]}})
    await client.patch(
        f"{V1}/{staff['id']}",
        json={"staffMember": {"revision": "2", "tags": {"tags": {"tagIds": ["b"]}}}},
        headers=site.headers,
    )
    await client.delete(f"{V1}/{staff['id']}", headers=site.headers)
    # The site's business hours and the staff member's own schedule have calendar events.
    events = [e for e in await _feed(client, site) if e["entityId"] == staff["id"]]
    assert [e["slug"] for e in events] == [
        "created",
        "fully_created",
        "updated",
        "tags_modified",
        "deleted",
    ]
    sequences = [int(e["entityEventSequence"]) for e in events]
    assert sequences == sorted(set(sequences))  # increasing per entity
    assert len({e["id"] for e in events}) == 5
    created, _, updated, tags_modified, deleted = events
    assert created["entityFqdn"] == "wix.bookings.staff.v1.staff_member"
    assert created["entityId"] == staff["id"]
    assert created["createdEvent"]["entity"]["resource"]["usesDefaultWorkingHours"] is True
    assert updated["updatedEvent"]["currentEntity"]["revision"] == "3"
    assert tags_modified["actionEvent"]["body"]["assignedTags"] == {"tags": {"tagIds": ["b"]}}
    assert tags_modified["actionEvent"]["body"]["unassignedTags"] == {"tags": {"tagIds": ["a"]}}
    assert deleted["deletedEvent"]["movedToTrash"] is True
    # Every type recorded, the site's calendar events included, is one a subscription can name.
    recorded = {event_type(e["entityFqdn"], e["slug"]) for e in await _feed(client, site)}
    assert recorded <= set(EVENT_TYPES)


async def test_a_rejected_change_emits_nothing(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async def count() -> int | None:
        async with sessionmaker() as session:
            return await session.scalar(
                sa.select(sa.func.count()).where(DomainEventRecord.site_id == site.site_id)
            )

    before = await count()  # the site's business hours
    response = await client.post(
        V1,
        json={"staffMember": {"name": "X", "mainMedia": {"image": {"id": str(uuid.uuid4())}}}},
        headers=site.headers,
    )
    assert response.status_code == 400  # failed after the insert was prepared
    assert await count() == before


async def test_wix_format_delivery_is_a_jwt_verifiable_with_the_jwks(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    relay: Relay,
    clock: Clock,
) -> None:
    await subscribe(
        client, site, receiver.url, eventTypes=["wix.bookings.staff.v1.staff_member_created"]
    )
    staff = await make_staff_member(client, site, name="Hooked")
    await _drain(relay, clock)
    assert len(receiver.received) == 1  # fully_created was not subscribed to
    token = receiver.received[0].body.decode()
    jwks = (await client.get(f"{HOOKS}/jwks")).json()
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    claims = jwt.decode(token, key, algorithms=["RS256"])  # type: ignore[arg-type]
    data = json.loads(claims["data"])
    assert data["eventType"] == "wix.bookings.staff.v1.staff_member_created"
    assert data["instanceId"] == str(site.site_id)
    event = json.loads(data["data"])
    assert event["createdEvent"]["entity"]["name"] == "Hooked"
    assert event["entityId"] == staff["id"]
    assert json.loads(data["identity"])["identityType"] == "APP"


async def test_standard_webhooks_delivery_is_hmac_signed(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    relay: Relay,
    clock: Clock,
) -> None:
    subscription = await subscribe(client, site, receiver.url, format="STANDARD_WEBHOOKS")
    secret = subscription["secret"]
    assert secret.startswith("whsec_")
    listed = (
        await client.get(f"{HOOKS}/subscriptions/{subscription['id']}", headers=site.headers)
    ).json()
    assert "secret" not in listed["subscription"]  # shown once, at creation
    await make_staff_member(client, site)
    await _drain(relay, clock)
    assert len(receiver.received) == 3  # its events schedule's created, created, fully_created
    for message in receiver.received:
        expected = signing.standard_signature(
            secret=secret,
            message_id=message.headers["webhook-id"],
            timestamp=int(message.headers["webhook-timestamp"]),
            body=message.body,
        )
        assert message.headers["webhook-signature"] == expected
        assert json.loads(message.body)["data"]["id"] == message.headers["webhook-id"]


async def test_failures_retry_then_dead_letter_and_redeliver(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> None:
    short = Relay(
        sessionmaker, clock, RelaySettings(timeout_seconds=1.0, retry_window=timedelta(seconds=3))
    )
    subscription = await subscribe(
        client, site, receiver.url, eventTypes=["wix.bookings.staff.v1.staff_member_created"]
    )
    receiver.mode = "error"
    await make_staff_member(client, site)
    for _ in range(6):
        await short.run_once()
        clock.advance(1)
    deliveries = await deliveries_of(client, site, subscription["id"])
    assert [d["state"] for d in deliveries] == ["DEAD"]
    assert deliveries[0]["attempts"] >= 2
    assert deliveries[0]["lastStatus"] == 500
    detail = (
        await client.get(f"{HOOKS}/deliveries/{deliveries[0]['id']}", headers=site.headers)
    ).json()["delivery"]
    assert len(detail["attemptHistory"]) == deliveries[0]["attempts"]
    assert all(a["statusCode"] == 500 for a in detail["attemptHistory"])

    receiver.mode = "ok"
    requeued = await client.post(
        f"{HOOKS}/subscriptions/{subscription['id']}/redeliver-dead", headers=site.headers
    )
    assert requeued.json() == {"requeued": 1}
    await short.run_once()
    await short.stop()
    again = (
        await client.get(f"{HOOKS}/deliveries/{deliveries[0]['id']}", headers=site.headers)
    ).json()["delivery"]
    assert again["state"] == "DELIVERED"
    assert len(receiver.received) == 1


async def test_an_event_that_cannot_be_rendered_fails_alone_and_retries(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    relay: Relay,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A row no renderer knows (a domain's module not loaded, a column gone) fails its own
    deliveries' attempt; the staff member's events in the same batch still go out."""
    subscription = await subscribe(client, site, receiver.url)
    async with sessionmaker.begin() as session:
        await record_test_event(
            session,
            site,
            entity_fqdn="test.unrenderable",
            entity_id="broken",
            body={"entity": rendering.deferred("test.unrenderable", {}, {})},
        )
    staff = await make_staff_member(client, site)
    await relay.run_once()
    deliveries = await deliveries_of(client, site, subscription["id"])
    [broken] = [d for d in deliveries if d["entityId"] == "broken"]
    assert (broken["state"], broken["attempts"]) == ("PENDING", 1)
    assert "could not be rendered: NoRenderer" in broken["lastError"]
    sent = [
        json.loads(
            json.loads(jwt.decode(m.body, options={"verify_signature": False})["data"])["data"]
        )
        for m in receiver.received
    ]
    assert [e["slug"] for e in sent if e["entityId"] == staff["id"]] == ["created"]


async def test_later_events_wait_for_earlier_ones_of_the_same_entity(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    relay: Relay,
    clock: Clock,
) -> None:
    subscription = await subscribe(client, site, receiver.url)
    receiver.mode = "error"
    staff = await make_staff_member(client, site)
    other = await make_staff_member(client, site)
    await relay.run_once()
    deliveries = await deliveries_of(client, site, subscription["id"])
    created = "wix.bookings.staff.v1.staff_member_created"
    fully = "wix.bookings.staff.v1.staff_member_fully_created"
    attempts = {(d["entityId"], d["eventType"]): d["attempts"] for d in deliveries}
    # Each entity's first event was tried; its second waits behind it.
    for entity in (staff["id"], other["id"]):
        assert attempts[(entity, created)] == 1
        assert attempts[(entity, fully)] == 0
    receiver.mode = "ok"
    await _drain(relay, clock)
    bodies = [
        json.loads(
            json.loads(jwt.decode(m.body, options={"verify_signature": False})["data"])["data"]
        )
        for m in receiver.received
    ]
    for entity in (staff["id"], other["id"]):
        sequence = [int(e["entityEventSequence"]) for e in bodies if e["entityId"] == entity]
        assert len(sequence) == 2
        assert sequence[0] < sequence[1]


async def test_two_relays_share_the_work_without_duplicates_or_disorder(
    client: httpx.AsyncClient,
    site: SiteContext,
    receiver: Receiver,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> None:
    """Two relays (as two `rota worker`s would) claiming small batches at the same time: each
    delivery goes out once, and each entity's events still arrive in order."""
    await subscribe(client, site, receiver.url, format="STANDARD_WEBHOOKS")
    async with sessionmaker() as session:
        # The site's own creation recorded events before anyone subscribed.
        before = await session.scalar(sa.select(sa.func.max(DomainEventRecord.position)))
    staff = [await make_staff_member(client, site) for _ in range(6)]
    for member in staff:
        patched = await client.patch(
            f"{V1}/{member['id']}",
            json={"staffMember": {"revision": member["revision"], "description": "Edited"}},
            headers=site.headers,
        )
        assert patched.status_code == 200, patched.text
    async with sessionmaker() as session:
        expected = await session.scalar(
            sa.select(sa.func.count()).where(
                DomainEventRecord.site_id == site.site_id,
                DomainEventRecord.position > (before or 0),
            )
        )
    settings = RelaySettings(timeout_seconds=2.0, batch_size=4)
    relays = [Relay(sessionmaker, clock, settings), Relay(sessionmaker, clock, settings)]
    try:
        for _ in range(100):
            sent = await asyncio.gather(*(relay.run_once() for relay in relays))
            if sum(sent) == 0:
                break
    finally:
        for relay in relays:
            await relay.stop()
    ids = [m.headers["webhook-id"] for m in receiver.received]
    assert len(ids) == expected
    assert len(set(ids)) == len(ids)  # no event twice
    events = [json.loads(m.body)["data"] for m in receiver.received]
    for member in staff:
        mine = [e for e in events if e["entityId"] == member["id"]]
        sequences = [int(e["entityEventSequence"]) for e in mine]
        assert len(sequences) == 3  # created, fully_created, updated
        assert sequences == sorted(set(sequences))


async def test_subscription_management(client: httpx.AsyncClient, site: SiteContext) -> None:
    bad = await client.post(
        f"{HOOKS}/subscriptions",
        json={"subscription": {"url": "ftp://example.com/x"}},
        headers=site.headers,
    )
    assert bad.status_code == 400
    assert bad.json()["details"]["applicationError"]["code"] == "INVALID_WEBHOOK_URL"
    created = await subscribe(client, site, "https://example.com/hook")
    patched = await client.patch(
        f"{HOOKS}/subscriptions/{created['id']}",
        json={"subscription": {"active": False}},
        headers=site.headers,
    )
    assert patched.json()["subscription"]["active"] is False
    listed = (await client.get(f"{HOOKS}/subscriptions", headers=site.headers)).json()
    assert [s["id"] for s in listed["subscriptions"]] == [created["id"]]
    await client.delete(f"{HOOKS}/subscriptions/{created['id']}", headers=site.headers)
    gone = await client.get(f"{HOOKS}/subscriptions/{created['id']}", headers=site.headers)
    assert gone.status_code == 404


async def test_deleting_a_subscription_deletes_its_deliveries(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    kept = await subscribe(client, site, "https://example.com/kept")
    dropped = await subscribe(client, site, "https://example.com/dropped")
    await make_staff_member(client, site, name="Two Events")
    await fan_out_all(sessionmaker)
    # its schedule's created, created, fully_created
    assert len(await deliveries_of(client, site, dropped["id"])) == 3
    await client.delete(f"{HOOKS}/subscriptions/{dropped['id']}", headers=site.headers)
    assert await deliveries_of(client, site, dropped["id"]) == []
    assert len(await deliveries_of(client, site, kept["id"])) == 3


async def test_subscriptions_refuse_event_types_rota_never_emits(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    typo = "wix.bookings.staff.v1.staff_member_create"
    refused = await client.post(
        f"{HOOKS}/subscriptions",
        json={"subscription": {"url": "https://example.com/hook", "eventTypes": [typo]}},
        headers=site.headers,
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["details"]["applicationError"]["code"] == "UNKNOWN_EVENT_TYPE"
    assert typo in body["message"]
    assert "staff_member_created" in body["message"]  # the known types are listed
    created = await subscribe(client, site, "https://example.com/hook", eventTypes=[EVENT_TYPES[0]])
    patched = await client.patch(
        f"{HOOKS}/subscriptions/{created['id']}",
        json={"subscription": {"eventTypes": [typo]}},
        headers=site.headers,
    )
    assert patched.status_code == 400
    kept = await client.get(f"{HOOKS}/subscriptions/{created['id']}", headers=site.headers)
    assert kept.json()["subscription"]["eventTypes"] == [EVENT_TYPES[0]]
