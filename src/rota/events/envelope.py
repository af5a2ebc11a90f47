"""Pure: the Wix DomainEvent document (spec §4.2) and event type names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

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


def domain_event(
    *,
    event_id: uuid.UUID,
    entity_fqdn: str,
    slug: str,
    entity_id: str,
    event_time: datetime,
    entity_sequence: int,
    body_kind: BodyKind,
    body: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "entityFqdn": entity_fqdn,
        "slug": slug,
        "entityId": entity_id,
        "eventTime": format_timestamp(event_time),
        "triggeredByAnonymizeRequest": False,
        "entityEventSequence": str(entity_sequence),
        # Action events wrap their payload in `body`; the others are their payload.
        BODY_KEYS[body_kind]: {"body": body} if body_kind == "action" else body,
    }
