"""Webhook subscriptions, delivery history, redelivery and the pull feed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from rota.events import repository, signing
from rota.events.catalogue import EVENT_TYPES, unknown_event_types
from rota.events.errors import (
    DeliveryNotFound,
    InvalidWebhookUrl,
    SubscriptionNotFound,
    UnknownEventType,
)
from rota.events.models import (
    DeliveryAttempt,
    DomainEventRecord,
    WebhookDelivery,
    WebhookSubscription,
)
from rota.events.relay import STANDARD_FORMAT, WIX_FORMAT

FORMATS = (WIX_FORMAT, STANDARD_FORMAT)


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrl(
            f"Webhook URL {url!r} must be an absolute http:// or https:// URL with a host"
        )
    return url


def _check_event_types(event_types: Iterable[str]) -> list[str]:
    """The distinct event types, sorted; a type Rota never emits would silently match nothing,
    so it is refused."""
    unknown = unknown_event_types(event_types)
    if unknown:
        raise UnknownEventType(
            f"eventTypes names event types Rota does not emit: {', '.join(unknown)}; "
            f"known types: {', '.join(EVENT_TYPES)}"
        )
    return sorted(set(event_types))


@dataclass(frozen=True)
class SubscriptionDraft:
    url: str
    event_types: tuple[str, ...] = ()
    active: bool = True
    format: str = WIX_FORMAT
    description: str | None = None


async def create_subscription(
    session: AsyncSession, *, site_id: uuid.UUID, draft: SubscriptionDraft, now: datetime
) -> WebhookSubscription:
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        site_id=site_id,
        url=_check_url(draft.url),
        event_types=_check_event_types(draft.event_types),
        active=draft.active,
        format=draft.format,
        secret=signing.new_webhook_secret() if draft.format == STANDARD_FORMAT else None,
        description=draft.description,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, subscription)
    await repository.flush(session)
    return subscription


async def get_subscription(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription:
    subscription = await repository.get_subscription(
        session, site_id=site_id, subscription_id=subscription_id
    )
    if subscription is None:
        raise SubscriptionNotFound(f"Webhook subscription {subscription_id} does not exist")
    return subscription


async def list_subscriptions(
    session: AsyncSession, *, site_id: uuid.UUID | None
) -> Sequence[WebhookSubscription]:
    return await repository.list_subscriptions(session, site_id=site_id)


async def update_subscription(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    subscription_id: uuid.UUID,
    url: str | None,
    event_types: Sequence[str] | None,
    active: bool | None,
    description: str | None,
    now: datetime,
) -> WebhookSubscription:
    subscription = await get_subscription(session, site_id=site_id, subscription_id=subscription_id)
    if url is not None:
        subscription.url = _check_url(url)
    if event_types is not None:
        subscription.event_types = _check_event_types(event_types)
    if active is not None:
        subscription.active = active
    if description is not None:
        subscription.description = description
    subscription.updated_at = now
    await repository.flush(session)
    return subscription


async def delete_subscription(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID
) -> None:
    subscription = await get_subscription(session, site_id=site_id, subscription_id=subscription_id)
    await repository.delete_subscription(session, subscription)


async def list_deliveries(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    state: str | None,
    after_position: int | None,
    limit: int,
) -> Sequence[tuple[WebhookDelivery, DomainEventRecord]]:
    return await repository.list_deliveries(
        session,
        site_id=site_id,
        subscription_id=subscription_id,
        state=state,
        after_position=after_position,
        limit=limit,
    )


async def _delivery(
    session: AsyncSession, site_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, DomainEventRecord]:
    found = await repository.get_delivery(session, site_id=site_id, delivery_id=delivery_id)
    if found is None:
        raise DeliveryNotFound(f"Webhook delivery {delivery_id} does not exist")
    return found


async def get_delivery(
    session: AsyncSession, *, site_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, DomainEventRecord, Sequence[DeliveryAttempt]]:
    delivery, event = await _delivery(session, site_id, delivery_id)
    return delivery, event, await repository.attempts_of(session, delivery.id)


async def redeliver(
    session: AsyncSession, *, site_id: uuid.UUID, delivery_id: uuid.UUID, now: datetime
) -> tuple[WebhookDelivery, DomainEventRecord, Sequence[DeliveryAttempt]]:
    """Send a delivery again (delivered or dead): it gets a fresh retry window. Returns it as
    `get_delivery` does."""
    delivery, event = await _delivery(session, site_id, delivery_id)
    for name, value in repository.requeued(now).items():
        setattr(delivery, name, value)
    await repository.flush(session)
    return delivery, event, await repository.attempts_of(session, delivery.id)


async def redeliver_dead(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> int:
    await get_subscription(session, site_id=site_id, subscription_id=subscription_id)
    return await repository.requeue_dead(
        session, site_id=site_id, subscription_id=subscription_id, now=now
    )


async def feed(
    session: AsyncSession, *, site_id: uuid.UUID, after: repository.FeedPosition, limit: int
) -> Sequence[DomainEventRecord]:
    return await repository.feed(session, site_id=site_id, after=after, limit=limit)
