"""Queries of the outbox and webhook tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rota.events.models import (
    DeliveryAttempt,
    DomainEventRecord,
    SigningKey,
    WebhookDelivery,
    WebhookSubscription,
)

PENDING, DELIVERED, DEAD = "PENDING", "DELIVERED", "DEAD"
POSITION_SEQUENCE = "domain_event_position_seq"
_LAST_POSITION = "rota.outbox.last_position"


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def next_position(session: AsyncSession) -> int:
    if _dialect(session) == "postgresql":
        return int(await session.scalar(sa.text(f"SELECT nextval('{POSITION_SEQUENCE}')")) or 0)
    # SQLite has one writer at a time, so max + 1 inside the transaction cannot race; later
    # events of the same transaction count on from there without asking again.
    last = session.info.get(_LAST_POSITION)
    if last is None:
        last = int(await session.scalar(sa.select(sa.func.max(DomainEventRecord.position))) or 0)
    session.info[_LAST_POSITION] = last + 1
    return int(last) + 1


async def last_entity_sequence(session: AsyncSession, *, entity_fqdn: str, entity_id: str) -> int:
    value = await session.scalar(
        sa.select(sa.func.max(DomainEventRecord.entity_sequence)).where(
            DomainEventRecord.entity_fqdn == entity_fqdn,
            DomainEventRecord.entity_id == entity_id,
        )
    )
    return int(value or 0)


async def active_subscriptions(
    session: AsyncSession, *, site_id: uuid.UUID
) -> Sequence[WebhookSubscription]:
    return (
        await session.scalars(
            sa.select(WebhookSubscription).where(
                WebhookSubscription.site_id == site_id, WebhookSubscription.active.is_(True)
            )
        )
    ).all()


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def get_subscription(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    return await session.scalar(
        sa.select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id, WebhookSubscription.site_id == site_id
        )
    )


async def list_subscriptions(
    session: AsyncSession, *, site_id: uuid.UUID | None
) -> Sequence[WebhookSubscription]:
    query = sa.select(WebhookSubscription).order_by(
        WebhookSubscription.created_at, WebhookSubscription.id
    )
    if site_id is not None:
        query = query.where(WebhookSubscription.site_id == site_id)
    return (await session.scalars(query)).all()


async def delete_subscription(session: AsyncSession, subscription: WebhookSubscription) -> None:
    await session.delete(subscription)
    await session.flush()


async def list_deliveries(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    state: str | None,
    after_position: int | None,
    limit: int,
) -> Sequence[tuple[WebhookDelivery, DomainEventRecord]]:
    query = (
        sa.select(WebhookDelivery, DomainEventRecord)
        .join(DomainEventRecord, DomainEventRecord.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.site_id == site_id)
        .order_by(WebhookDelivery.position, WebhookDelivery.id)
        .limit(limit)
    )
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if after_position is not None:
        query = query.where(WebhookDelivery.position > after_position)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def get_delivery(
    session: AsyncSession, *, site_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, DomainEventRecord] | None:
    row = (
        await session.execute(
            sa.select(WebhookDelivery, DomainEventRecord)
            .join(DomainEventRecord, DomainEventRecord.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.site_id == site_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> Sequence[DeliveryAttempt]:
    return (
        await session.scalars(
            sa.select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
    ).all()


async def requeue_dead(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> int:
    result = await session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.site_id == site_id,
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.state == DEAD,
        )
        .values(state=PENDING, attempts=0, next_attempt_at=now, created_at=now, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def feed(
    session: AsyncSession, *, site_id: uuid.UUID, after_position: int, limit: int
) -> Sequence[DomainEventRecord]:
    return (
        await session.scalars(
            sa.select(DomainEventRecord)
            .where(
                DomainEventRecord.site_id == site_id, DomainEventRecord.position > after_position
            )
            .order_by(DomainEventRecord.position)
            .limit(limit)
        )
    ).all()


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[WebhookDelivery, DomainEventRecord, WebhookSubscription]]:
    """Lease up to ``limit`` due deliveries that are first in line for their entity.

    A delivery waits while an earlier one for the same subscription and entity is still
    pending, so each receiver sees an entity's events in order. On PostgreSQL, rows another
    relay is claiming at this moment are skipped rather than waited for.
    """
    earlier = aliased(WebhookDelivery)
    blocked = (
        sa.select(earlier.id)
        .where(
            earlier.subscription_id == WebhookDelivery.subscription_id,
            earlier.ordering_key == WebhookDelivery.ordering_key,
            earlier.state == PENDING,
            earlier.position < WebhookDelivery.position,
        )
        .exists()
    )
    query = (
        sa.select(WebhookDelivery)
        .where(
            WebhookDelivery.state == PENDING,
            WebhookDelivery.next_attempt_at <= now,
            sa.or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            ~blocked,
        )
        .order_by(WebhookDelivery.position)
        .limit(limit)
    )
    if _dialect(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    deliveries = list((await session.scalars(query)).all())
    if not deliveries:
        return []
    for delivery in deliveries:
        delivery.lease_until = lease_until
    events = {
        e.id: e
        for e in await session.scalars(
            sa.select(DomainEventRecord).where(
                DomainEventRecord.id.in_([d.event_id for d in deliveries])
            )
        )
    }
    subscriptions = {
        s.id: s
        for s in await session.scalars(
            sa.select(WebhookSubscription).where(
                WebhookSubscription.id.in_({d.subscription_id for d in deliveries})
            )
        )
    }
    await session.flush()
    return [(d, events[d.event_id], subscriptions[d.subscription_id]) for d in deliveries]


async def deliveries_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, WebhookDelivery]:
    rows = await session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
    return {row.id: row for row in rows}


async def active_signing_key(session: AsyncSession) -> SigningKey | None:
    return await session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    )


async def published_keys(session: AsyncSession, *, retired_after: datetime) -> Sequence[SigningKey]:
    return (
        await session.scalars(
            sa.select(SigningKey)
            .where(sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > retired_after))
            .order_by(SigningKey.created_at)
        )
    ).all()


async def retire_keys(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(
        sa.update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
    )
