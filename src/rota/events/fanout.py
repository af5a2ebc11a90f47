"""Storage: queued events made into deliveries, one for each subscription that wants the event.

A write records its events and queues each of them (`repository.insert_events`): one narrow
row, whatever the number of subscriptions, so the write neither pays for the deliveries nor
looks up who wants them. A relay makes them before it claims its next batch
(`relay.Relay.run_once`); an event nobody wants leaves the queue with no delivery.

Order. The relay takes the queue in position order, and one relay at a time (PostgreSQL: an
advisory lock held until the transaction ends; SQLite has one writer). That keeps each entity's
deliveries in the order of its events, which the claim relies on: every event of an entity is
recorded while its transaction holds the entity's row, so of two events of an entity the one
with the smaller position committed first, and whenever a relay sees the later one, it sees the
earlier one too (queued still, or made into deliveries before).

Who receives what: the subscriptions active when the event is fanned out and created no later
than the event. A subscription made while events wait (the relay stopped, say) does not receive
events older than itself; one deactivated meanwhile receives nothing of what waited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.ids import time_ordered_id
from rota.events.models import DomainEventRecord, FanoutEntry, WebhookDelivery, WebhookSubscription
from rota.events.repository import PENDING

# PostgreSQL's advisory lock key for the fan-out ("rotafan" in ASCII): one relay at a time.
FANOUT_LOCK = 0x726F746166616E

_QUEUE = cast(sa.Table, FanoutEntry.__table__)
_EVENTS = cast(sa.Table, DomainEventRecord.__table__)
_SUBSCRIPTIONS = cast(sa.Table, WebhookSubscription.__table__)
_DELIVERIES = cast(sa.Table, WebhookDelivery.__table__)


async def fan_out(session: AsyncSession, *, limit: int) -> int:
    """Make the deliveries of up to ``limit`` queued events, the first in position order, and
    take them off the queue; the number of events taken. Inside the caller's transaction: on
    PostgreSQL another relay's fan-out waits for it to end."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(FANOUT_LOCK)))
    positions = list(
        await session.scalars(sa.select(_QUEUE.c.position).order_by(_QUEUE.c.position).limit(limit))
    )
    if not positions:
        return 0
    # Each statement below reads the same rows: they are named by position, not by a range
    # that an event committed in between could fall into.
    candidates = await session.execute(
        sa.select(
            _EVENTS.c.id,
            _EVENTS.c.site_id,
            _EVENTS.c.entity_fqdn,
            _EVENTS.c.entity_id,
            _EVENTS.c.position,
            _EVENTS.c.event_type,
            _EVENTS.c.event_time,
            _SUBSCRIPTIONS.c.id.label("subscription_id"),
            _SUBSCRIPTIONS.c.event_types,
        )
        .select_from(
            _QUEUE.join(_EVENTS, _EVENTS.c.id == _QUEUE.c.event_id).join(
                _SUBSCRIPTIONS, _SUBSCRIPTIONS.c.site_id == _EVENTS.c.site_id
            )
        )
        .where(
            _QUEUE.c.position.in_(positions),
            _SUBSCRIPTIONS.c.active.is_(True),
            _SUBSCRIPTIONS.c.created_at <= _EVENTS.c.event_time,
        )
    )
    deliveries = [
        {
            "id": time_ordered_id(),
            "site_id": row.site_id,
            "subscription_id": row.subscription_id,
            "event_id": row.id,
            # One delivery at a time goes out for each entity and subscription.
            "ordering_key": f"{row.entity_fqdn}:{row.entity_id}",
            "position": row.position,
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": row.event_time,
            "created_at": row.event_time,
        }
        for row in candidates
        if _wants(row.event_types, row.event_type)
    ]
    if deliveries:
        await session.execute(sa.insert(_DELIVERIES), deliveries)
    await session.execute(sa.delete(_QUEUE).where(_QUEUE.c.position.in_(positions)))
    return len(positions)


def _wants(event_types: Sequence[str] | None, event_type: str) -> bool:
    """Whether a subscription with these event types (none: every type) wants ``event_type``."""
    return not event_types or event_type in event_types
