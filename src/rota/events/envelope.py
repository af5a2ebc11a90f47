"""Pure: the Wix DomainEvent document (spec §4.2) and event type names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Protocol

from rota.core.wire import format_timestamp

BodyKind = Literal["created", "updated", "deleted", "action"]
BODY_KEYS: dict[BodyKind, str] = {
    "created": "createdEvent",
    "updated": "updatedEvent",
    "deleted": "deletedEvent",
    "action": "actionEvent",
}


def event_type(entity_fqdn: str, slug: str) -> str:
    """``wix.bookings.staff.v1.staff_member`` + ``created`` -> ``..._created``."""
    return f"{entity_fqdn}_{slug}"


def event_body(body_kind: BodyKind, body: dict[str, Any]) -> dict[str, Any]:
    """What an event stores besides its columns: its body under the key of its kind."""
    # Action events wrap their payload in `body`; the others are their payload.
    return {BODY_KEYS[body_kind]: {"body": body} if body_kind == "action" else body}


class StoredEvent(Protocol):
    """An event as stored: the envelope's values are columns, `payload` is `event_body`'s."""

    @property
    def entity_fqdn(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def event_time(self) -> datetime: ...
    @property
    def entity_sequence(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any]: ...


def domain_event(event_id: uuid.UUID, stored: StoredEvent) -> dict[str, Any]:
    """The event's document (spec §4.2), its envelope built from its columns when it is read:
    the write that records it stores only the body, so it neither builds the envelope nor edits
    the JSON to number it."""
    if "id" in stored.payload:
        # Earlier versions stored the whole document, numbered in the insert.
        return stored.payload
    return {
        "id": str(event_id),
        "entityFqdn": stored.entity_fqdn,
        "slug": stored.slug,
        "entityId": stored.entity_id,
        "eventTime": format_timestamp(stored.event_time),
        "triggeredByAnonymizeRequest": False,
        "entityEventSequence": str(stored.entity_sequence),
        **stored.payload,
    }
