"""The domain events Rota emits: what a webhook subscription may ask for. The domains take their
entity names from here, so every event type they record is one a subscription can name."""

from __future__ import annotations

from collections.abc import Iterable

from rota.events.envelope import event_type

STAFF_MEMBER = "wix.bookings.staff.v1.staff_member"
CALENDAR_EVENT = "wix.calendar.v3.event"
CALENDAR_SCHEDULE = "wix.calendar.v3.schedule"

_SLUGS = {
    STAFF_MEMBER: (
        "created",
        "updated",
        "deleted",
        "connected_to_user",
        "disconnected_from_user",
        "fully_created",
        "tags_modified",
    ),
    CALENDAR_EVENT: ("created", "updated", "cancelled", "recurring_split"),
    CALENDAR_SCHEDULE: ("created", "updated", "cancelled"),
}
EVENT_TYPES = tuple(
    sorted(event_type(fqdn, slug) for fqdn, slugs in _SLUGS.items() for slug in slugs)
)


def unknown_event_types(types: Iterable[str]) -> list[str]:
    return sorted(set(types) - set(EVENT_TYPES))
