"""Errors of the events domain."""

from __future__ import annotations

from rota.core.errors import InvalidInput, NotFound


class SubscriptionNotFound(NotFound):
    code = "WEBHOOK_SUBSCRIPTION_NOT_FOUND"


class DeliveryNotFound(NotFound):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"


class InvalidWebhookUrl(InvalidInput):
    code = "INVALID_WEBHOOK_URL"


class UnknownEventType(InvalidInput):
    code = "UNKNOWN_EVENT_TYPE"
