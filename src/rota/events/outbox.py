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
from rota.events.models import DomainEventRecord, WebhookDelivery, WebhookSubscription

# What one transaction already knows, so a change that emits several events asks only once.
_SEQUENCES = "rota.outbox.sequences"
_SUBSCRIPTIONS = "rota.outbox.subscriptions"


async def _next_sequence(session: AsyncSession, entity_fqdn: str, entity_id: str) -> int:
    known: dict[tuple[str, str], int] = session.info.setdefault(_SEQUENCES, {})
    key = (entity_fqdn, entity_id)
    if key not in known:
        known[key] = await repository.last_entity_sequence(
            session, entity_fqdn=entity_fqdn, entity_id=entity_id
        )
    known[key] += 1
    return known[key]


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
) -> DomainEventRecord:
    """Store the event and one pending delivery per active subscription that wants it."""
    sequence = await _next_sequence(session, entity_fqdn, entity_id)
    event_id = uuid.uuid4()
    name = event_type(entity_fqdn, slug)
    event = DomainEventRecord(
        id=event_id,
        position=await repository.next_position(session),
        site_id=site_id,
        entity_fqdn=entity_fqdn,
        entity_id=entity_id,
        slug=slug,
        event_type=name,
        entity_sequence=sequence,
        event_time=ctx.now,
        payload=domain_event(
            event_id=event_id,
            entity_fqdn=entity_fqdn,
            slug=slug,
            entity_id=entity_id,
            event_time=ctx.now,
            entity_sequence=sequence,
            body_kind=body_kind,
            body=body,
        ),
        identity=ctx.actor.as_identity(),
    )
    repository.add(session, event)
    await repository.flush(session)  # deliveries reference it; the flush orders the inserts
    for subscription in await _subscriptions(session, site_id):
        if subscription.event_types and name not in subscription.event_types:
            continue
        repository.add(
            session,
            WebhookDelivery(
                id=uuid.uuid4(),
                site_id=site_id,
                subscription_id=subscription.id,
                event_id=event_id,
                ordering_key=f"{entity_fqdn}:{entity_id}",
                position=event.position,
                state=repository.PENDING,
                attempts=0,
                next_attempt_at=ctx.now,
                created_at=ctx.now,
            ),
        )
    await repository.flush(session)
    return event
