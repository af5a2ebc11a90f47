"""Wire shapes of the webhook management API and the event feed."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from rota.core.wire import Timestamp, WireModel

Format = Literal["WIX", "STANDARD_WEBHOOKS"]


class SubscriptionInput(WireModel):
    url: str = Field(min_length=1, max_length=2000)
    event_types: list[str] = Field(default_factory=list, max_length=100)
    active: bool = True
    format: Format = "WIX"
    description: str | None = Field(default=None, max_length=500)


class SubscriptionPatch(WireModel):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[str] | None = Field(default=None, max_length=100)
    active: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class CreateSubscriptionRequest(WireModel):
    subscription: SubscriptionInput


class UpdateSubscriptionRequest(WireModel):
    subscription: SubscriptionPatch


class SubscriptionRead(WireModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    active: bool
    format: str
    description: str | None = None
    # Only in the response that creates a Standard Webhooks subscription.
    secret: str | None = None
    created_date: Timestamp
    updated_date: Timestamp


class SubscriptionResponse(WireModel):
    subscription: SubscriptionRead


class SubscriptionListResponse(WireModel):
    subscriptions: list[SubscriptionRead]


class AttemptRead(WireModel):
    attempted_date: Timestamp
    duration_ms: int
    status_code: int | None = None
    error: str | None = None


class DeliveryRead(WireModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    entity_id: str
    state: str
    attempts: int
    next_attempt_date: Timestamp | None = None
    last_status: int | None = None
    last_error: str | None = None
    created_date: Timestamp
    delivered_date: Timestamp | None = None
    attempt_history: list[AttemptRead] | None = None


class DeliveryResponse(WireModel):
    delivery: DeliveryRead


class DeliveryListResponse(WireModel):
    deliveries: list[DeliveryRead]
    next_cursor: str | None = None


class RedeliveredResponse(WireModel):
    requeued: int


class FeedResponse(WireModel):
    events: list[dict[str, Any]]
    next_cursor: str
    has_more: bool
