"""Webhook management, delivery history, redelivery, the JWKS document and the event feed."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from rota.config import Settings
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.errors import CursorRejected
from rota.core.responses import json_response
from rota.events import keys, rendering
from rota.events import service as events_service
from rota.events.models import DeliveryAttempt, DomainEventRecord, WebhookDelivery
from rota.events.models import WebhookSubscription as Subscription
from rota.events.schemas import (
    AttemptRead,
    CreateSubscriptionRequest,
    DeliveryListResponse,
    DeliveryRead,
    DeliveryResponse,
    FeedResponse,
    RedeliveredResponse,
    SubscriptionListResponse,
    SubscriptionRead,
    SubscriptionResponse,
    UpdateSubscriptionRequest,
)
from rota.events.service import SubscriptionDraft
from rota.identity.deps import WebhookManager
from rota.wixquery import CursorCodec, CursorState, InvalidCursor

router = APIRouter(tags=["Webhooks and events"])
BASE = "/webhooks/v1"


def _subscription(subscription: Subscription, *, with_secret: bool = False) -> SubscriptionRead:
    return SubscriptionRead(
        id=subscription.id,
        url=subscription.url,
        event_types=subscription.event_types,
        active=subscription.active,
        format=subscription.format,
        description=subscription.description,
        secret=subscription.secret if with_secret else None,
        created_date=subscription.created_at,
        updated_date=subscription.updated_at,
    )


def _delivery(
    delivery: WebhookDelivery,
    event: DomainEventRecord,
    attempts: list[DeliveryAttempt] | None = None,
) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=event.event_type,
        entity_id=event.entity_id,
        state=delivery.state,
        attempts=delivery.attempts,
        next_attempt_date=delivery.next_attempt_at if delivery.state == "PENDING" else None,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        created_date=delivery.created_at,
        delivered_date=delivery.delivered_at,
        attempt_history=None
        if attempts is None
        else [
            AttemptRead(
                attempted_date=a.attempted_at,
                duration_ms=a.duration_ms,
                status_code=a.status_code,
                error=a.error,
            )
            for a in attempts
        ],
    )


def _codec(settings: Settings) -> CursorCodec:
    return CursorCodec(settings.secret_key.encode())


def _open(settings: Settings, token: str | None, scope: str, size: int) -> list[int] | None:
    """The ``size`` numbers a cursor of this endpoint carries; CursorRejected for anything
    else."""
    if not token:
        return None
    try:
        state = _codec(settings).decode(token, scope=scope)
        values = [int(value) for value in state.after or []]
    except (InvalidCursor, ValueError, TypeError):
        values = []
    if len(values) != size:
        raise CursorRejected("cursor is not one this endpoint issued for this site")
    return values


def _issue(settings: Settings, after: list[int], scope: str) -> str:
    state = CursorState(scope=scope, filter={}, sort=[], after=list(after))
    return _codec(settings).encode(state)


@router.post(BASE + "/subscriptions", response_model=SubscriptionResponse)
async def create_webhook_subscription(
    body: CreateSubscriptionRequest, principal: WebhookManager, session: SessionDep, now: NowDep
) -> Response:
    """Subscribe a URL to event types (none = all). `format` WIX sends an RS256 JWT body
    (verify with the JWKS); STANDARD_WEBHOOKS signs with the `secret` returned only here."""
    draft = body.subscription
    subscription = await events_service.create_subscription(
        session,
        site_id=principal.site_id,
        draft=SubscriptionDraft(
            url=draft.url,
            event_types=tuple(draft.event_types),
            active=draft.active,
            format=draft.format,
            description=draft.description,
        ),
        now=now,
    )
    return json_response(
        SubscriptionResponse(subscription=_subscription(subscription, with_secret=True))
    )


@router.get(BASE + "/subscriptions", response_model=SubscriptionListResponse)
async def list_webhook_subscriptions(
    principal: WebhookManager, session: ReadSessionDep
) -> Response:
    found = await events_service.list_subscriptions(session, site_id=principal.site_id)
    return json_response(SubscriptionListResponse(subscriptions=[_subscription(s) for s in found]))


@router.get(BASE + "/subscriptions/{subscription_id}", response_model=SubscriptionResponse)
async def get_webhook_subscription(
    subscription_id: uuid.UUID, principal: WebhookManager, session: ReadSessionDep
) -> Response:
    subscription = await events_service.get_subscription(
        session, site_id=principal.site_id, subscription_id=subscription_id
    )
    return json_response(SubscriptionResponse(subscription=_subscription(subscription)))


@router.patch(BASE + "/subscriptions/{subscription_id}", response_model=SubscriptionResponse)
async def update_webhook_subscription(
    subscription_id: uuid.UUID,
    body: UpdateSubscriptionRequest,
    principal: WebhookManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    patch = body.subscription
    subscription = await events_service.update_subscription(
        session,
        site_id=principal.site_id,
        subscription_id=subscription_id,
        url=patch.url,
        event_types=patch.event_types,
        active=patch.active,
        description=patch.description,
        now=now,
    )
    return json_response(SubscriptionResponse(subscription=_subscription(subscription)))


@router.delete(BASE + "/subscriptions/{subscription_id}")
async def delete_webhook_subscription(
    subscription_id: uuid.UUID, principal: WebhookManager, session: SessionDep
) -> dict[str, object]:
    await events_service.delete_subscription(
        session, site_id=principal.site_id, subscription_id=subscription_id
    )
    return {}


@router.post(
    BASE + "/subscriptions/{subscription_id}/redeliver-dead", response_model=RedeliveredResponse
)
async def redeliver_dead_letters(
    subscription_id: uuid.UUID, principal: WebhookManager, session: SessionDep, now: NowDep
) -> RedeliveredResponse:
    """Queue every dead-lettered delivery of the subscription again."""
    count = await events_service.redeliver_dead(
        session, site_id=principal.site_id, subscription_id=subscription_id, now=now
    )
    return RedeliveredResponse(requeued=count)


@router.get(BASE + "/deliveries", response_model=DeliveryListResponse)
async def list_webhook_deliveries(
    principal: WebhookManager,
    session: ReadSessionDep,
    settings: SettingsDep,
    subscription_id: Annotated[uuid.UUID | None, Query(alias="subscriptionId")] = None,
    state: Literal["PENDING", "DELIVERED", "DEAD"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    scope = f"deliveries:{principal.site_id}:{subscription_id}:{state}"
    opened = _open(settings, cursor, scope, size=1)
    rows = await events_service.list_deliveries(
        session,
        site_id=principal.site_id,
        subscription_id=subscription_id,
        state=state,
        after_position=opened[0] if opened else None,
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = _issue(settings, [page[-1][0].position], scope) if len(rows) > limit else None
    return json_response(
        DeliveryListResponse(deliveries=[_delivery(d, e) for d, e in page], next_cursor=next_cursor)
    )


@router.get(BASE + "/deliveries/{delivery_id}", response_model=DeliveryResponse)
async def get_webhook_delivery(
    delivery_id: uuid.UUID, principal: WebhookManager, session: ReadSessionDep
) -> Response:
    """A delivery with every attempt made (time, duration, status, error)."""
    delivery, event, attempts = await events_service.get_delivery(
        session, site_id=principal.site_id, delivery_id=delivery_id
    )
    return json_response(DeliveryResponse(delivery=_delivery(delivery, event, list(attempts))))


@router.post(BASE + "/deliveries/{delivery_id}/redeliver", response_model=DeliveryResponse)
async def redeliver_webhook(
    delivery_id: uuid.UUID, principal: WebhookManager, session: SessionDep, now: NowDep
) -> Response:
    delivery, event, attempts = await events_service.redeliver(
        session, site_id=principal.site_id, delivery_id=delivery_id, now=now
    )
    return json_response(DeliveryResponse(delivery=_delivery(delivery, event, list(attempts))))


@router.get(BASE + "/jwks")
async def webhook_jwks(session: ReadSessionDep, now: NowDep) -> dict[str, object]:
    """Public keys that verify Wix-format webhook JWTs (by `kid`)."""
    return await keys.jwks(session, now=now)


@router.get("/events/v1/feed", response_model=FeedResponse)
async def event_feed(
    principal: WebhookManager,
    session: ReadSessionDep,
    settings: SettingsDep,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Every domain event of the site in recording order, for consumers that poll instead of
    receiving webhooks. Start without a cursor; keep the returned `nextCursor`."""
    scope = f"feed:{principal.site_id}"
    opened = _open(settings, cursor, scope, size=2)
    after = (opened[0], opened[1]) if opened else (0, 0)
    events = await events_service.feed(
        session, site_id=principal.site_id, after=after, limit=limit + 1
    )
    page = events[:limit]
    last = [page[-1].txid, page[-1].position] if page else list(after)
    return json_response(
        FeedResponse(
            events=[rendering.as_sent(e.id, e) for e in page],
            next_cursor=_issue(settings, last, scope),
            has_more=len(events) > limit,
        )
    )
