"""The pull feed never hands out an event that a transaction still open could precede: on
PostgreSQL the feed pages by transaction (in the order they began writing) and waits for
transactions still running."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.db import is_sqlite
from tests.builders import SiteContext, make_staff_member
from tests.events.webhooks import record_test_event

FEED = "/events/v1/feed"


async def _read(
    client: httpx.AsyncClient, site: SiteContext, cursor: str | None
) -> tuple[list[dict[str, Any]], str]:
    params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
    page = (await client.get(FEED, params=params, headers=site.headers)).json()
    return page["events"], page["nextCursor"]


async def _record_held(session: AsyncSession, site: SiteContext, entity_id: str) -> None:
    # A change writes before it records its events, which gives its transaction its id; the
    # outbox stores the events at commit, in that transaction.
    await session.execute(sa.select(sa.func.pg_current_xact_id()))
    await record_test_event(session, site, entity_fqdn="test.held", entity_id=entity_id)


async def test_feed_waits_for_an_open_transaction_then_hands_out_everything_once(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite's single writer commits events in position order")
    _, cursor = await _read(client, site, None)

    held = sessionmaker()
    await held.begin()
    await _record_held(held, site, "committed-late")
    staff = await make_staff_member(client, site)  # commits after the open transaction began
    waiting, same_cursor = await _read(client, site, cursor)
    assert waiting == []  # nothing may pass the open transaction's event
    await held.commit()
    await held.close()

    events, cursor = await _read(client, site, same_cursor)
    assert events[0]["entityId"] == "committed-late"
    assert staff["id"] in {e["entityId"] for e in events[1:]}
    assert len({e["id"] for e in events}) == len(events)
    again, _ = await _read(client, site, cursor)
    assert again == []

    rolled_back = sessionmaker()
    await rolled_back.begin()
    await _record_held(rolled_back, site, "rolled-back")
    later = await make_staff_member(client, site)
    assert (await _read(client, site, cursor))[0] == []
    await rolled_back.rollback()
    await rolled_back.close()
    events, _ = await _read(client, site, cursor)
    ids = {e["entityId"] for e in events}
    assert later["id"] in ids
    assert "rolled-back" not in ids
