"""Writes queue their events; a relay makes the deliveries, in position order, without losing an
event whose transaction commits after later ones, and only for subscriptions that existed when
the event happened."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.db import is_sqlite
from rota.events import fanout
from rota.events.models import DomainEventRecord, FanoutEntry, WebhookDelivery
from tests.builders import SiteContext, fan_out_all, make_staff_member
from tests.events.webhooks import deliveries_of, record_test_event, subscribe


async def _delivered_entities(
    client: httpx.AsyncClient, site: SiteContext, subscription_id: str
) -> list[str]:
    return [d["entityId"] for d in await deliveries_of(client, site, subscription_id)]


async def _queued(sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext) -> int:
    """The site's events waiting in the fan-out queue."""
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.select(sa.func.count())
            .select_from(FanoutEntry)
            .join(DomainEventRecord, DomainEventRecord.id == FanoutEntry.event_id)
            .where(DomainEventRecord.site_id == site.site_id)
        )
        return int(count or 0)


async def test_a_write_queues_its_events_and_the_relay_makes_their_deliveries(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        # Other tests' sites queue too, and so did this site's set-up.
        queued_before = int(
            await session.scalar(sa.select(sa.func.count()).select_from(FanoutEntry)) or 0
        )
    of_site = await _queued(sessionmaker, site)
    unwatched = await make_staff_member(client, site)  # no subscription yet: queued all the same
    # Its schedule's created, created, fully_created.
    assert await _queued(sessionmaker, site) == of_site + 3
    subscription = (await subscribe(client, site, "https://example.com/hook"))["id"]
    staff = await make_staff_member(client, site)
    assert await _queued(sessionmaker, site) == of_site + 6
    assert await _delivered_entities(client, site, subscription) == []

    async with sessionmaker.begin() as session:
        # The two staff members' six events are the last in the queue.
        taken = await fanout.fan_out(session, limit=queued_before + 5)
    assert taken == queued_before + 5
    async with sessionmaker() as session:
        made = list(
            await session.scalars(
                sa.select(WebhookDelivery.position).where(WebhookDelivery.site_id == site.site_id)
            )
        )
        left = list(await session.scalars(sa.select(FanoutEntry.position)))
    assert len(made) == 2  # the staff member's first two; the unwatched one's left with none
    assert len(left) == 1
    assert max(made) < left[0]
    await fan_out_all(sessionmaker)
    assert await _queued(sessionmaker, site) == 0
    delivered = await _delivered_entities(client, site, subscription)
    assert len(delivered) == 3
    assert staff["id"] in delivered
    assert unwatched["id"] not in delivered


async def test_a_subscription_gets_no_event_older_than_itself(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = (await subscribe(client, site, "https://example.com/first"))["id"]
    before = await make_staff_member(client, site)  # queued while only the first existed
    second = (await subscribe(client, site, "https://example.com/second"))["id"]
    after = await make_staff_member(client, site)
    await fan_out_all(sessionmaker)
    assert set(await _delivered_entities(client, site, first)) >= {before["id"], after["id"]}
    for_second = set(await _delivered_entities(client, site, second))
    assert after["id"] in for_second
    assert before["id"] not in for_second


async def test_an_event_committed_after_later_ones_is_fanned_out_when_it_commits(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    """Positions are taken at insert, not at commit: the queue is not read past a cursor, so an
    event that was numbered first but committed last still gets its delivery."""
    if is_sqlite(database_url):
        pytest.skip("SQLite's single writer commits events in position order")
    subscription = (await subscribe(client, site, "https://example.com/hook"))["id"]
    held = sessionmaker()
    await held.begin()
    async with held.begin_nested():  # releasing the savepoint stores (and numbers) the event
        await record_test_event(held, site, entity_fqdn="test.fanout", entity_id="committed-late")
    staff = await make_staff_member(client, site)  # numbered after it, committed before it
    await fan_out_all(sessionmaker)
    delivered = await _delivered_entities(client, site, subscription)
    assert staff["id"] in delivered
    assert "committed-late" not in delivered
    assert await _queued(sessionmaker, site) == 0  # the open transaction's entry is not visible yet
    await held.commit()
    await held.close()
    assert await _queued(sessionmaker, site) == 1
    await fan_out_all(sessionmaker)
    assert "committed-late" in await _delivered_entities(client, site, subscription)
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(WebhookDelivery.ordering_key, sa.func.min(WebhookDelivery.position))
            .where(WebhookDelivery.site_id == site.site_id)
            .group_by(WebhookDelivery.ordering_key)
        )
        positions = {key: position for key, position in rows}
    # Numbered first, delivered after the staff member's events were made into deliveries.
    assert (
        positions["test.fanout:committed-late"]
        < positions[f"wix.bookings.staff.v1.staff_member:{staff['id']}"]
    )
