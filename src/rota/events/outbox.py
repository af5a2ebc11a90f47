"""The transactional outbox: domains call `record` inside the transaction of their change, so
a rolled-back change emits nothing and a committed one always has its event and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.context import WriteContext
from rota.events import repository
from rota.events.envelope import BodyKind, domain_event, event_type
from rota.events.models import WebhookSubscription

# Subscriptions one transaction has already read, so a change that emits several events on a
# database without single-statement fan-out asks only once.
_SUBSCRIPTIONS = "rota.outbox.subscriptions"


async def _subscriptions(
    session: AsyncSession, site_id: uuid.UUID
) -> Sequence[WebhookSubscription]:
    known: dict[uuid.UUID, Sequence[WebhookSubscription]] = session.info.setdefault(
        _SUBSCRIPTIONS, {}
    )
    if site_id not in known:
        known[site_id] = await repository.active_subscriptions(session, site_id=site_id)
    return known[site_id]


async def record(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    entity_fqdn: str,
    slug: str,
    entity_id: str,
    body_kind: BodyKind,
    body: dict[str, Any],
    ctx: WriteContext,
) -> None:
    """Store the event and one pending delivery per active subscription that wants it.

    The database numbers the event (global position and per-entity sequence) inside the insert,
    so recording costs one statement on PostgreSQL, where the deliveries are fanned out by the
    same statement, and one insert plus one cached subscription read per transaction on SQLite.
    Two writers cannot race for an entity's sequence: each holds the lock of the row it changed,
    and the unique (entity, sequence) constraint would refuse a duplicate anyway.
    """
    event_id = uuid.uuid4()
    new_event = repository.NewEvent(
        id=event_id,
        site_id=site_id,
        entity_fqdn=entity_fqdn,
        entity_id=entity_id,
        slug=slug,
        event_type=event_type(entity_fqdn, slug),
        event_time=ctx.now,
        # The sequence is filled in by the database (`repository.insert_event`).
        payload=domain_event(
            event_id=event_id,
            entity_fqdn=entity_fqdn,
            slug=slug,
            entity_id=entity_id,
            event_time=ctx.now,
            entity_sequence=0,
            body_kind=body_kind,
            body=body,
        ),
        identity=ctx.actor.as_identity(),
    )
    if repository.fans_out_in_insert(session):
        await repository.insert_event_and_deliveries(session, new_event)
        return
    position = await repository.insert_event(session, new_event)
    wanted = [
        subscription.id
        for subscription in await _subscriptions(session, site_id)
        if not subscription.event_types or new_event.event_type in subscription.event_types
    ]
    if wanted:
        await repository.insert_deliveries(session, new_event, position, wanted)
