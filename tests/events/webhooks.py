"""What the outbox and webhook tests do again and again: subscribe through the API, list a
subscription's deliveries, record a test event."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.events import outbox
from tests.builders import SiteContext

HOOKS = "/webhooks/v1"


async def subscribe(
    client: httpx.AsyncClient, site: SiteContext, url: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{HOOKS}/subscriptions",
        json={"subscription": {"url": url, **fields}},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    subscription: dict[str, Any] = response.json()["subscription"]
    return subscription


async def deliveries_of(
    client: httpx.AsyncClient, site: SiteContext, subscription_id: str
) -> list[dict[str, Any]]:
    """The subscription's deliveries as the API lists them (a page of up to 100)."""
    response = await client.get(
        f"{HOOKS}/deliveries",
        params={"subscriptionId": subscription_id, "limit": 100},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["deliveries"]
    return found


async def record_test_event(
    session: AsyncSession,
    site: SiteContext,
    *,
    entity_fqdn: str,
    entity_id: str,
    slug: str = "created",
    body: dict[str, Any] | None = None,
) -> None:
    """A `created`-kind event of a made-up entity, by the system, now."""
    await outbox.record(
        session,
        site_id=site.site_id,
        entity_fqdn=entity_fqdn,
        slug=slug,
        entity_id=entity_id,
        body_kind="created",
        body=body if body is not None else {"entity": {"id": entity_id}},
        ctx=WriteContext(now=utc_now(), actor=SYSTEM, public_base_url="http://test"),
    )
