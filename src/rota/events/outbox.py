"""The transactional outbox: domains call `record` inside the transaction of their change, so
a rolled-back change emits nothing and a committed one always has its event and deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.context import WriteContext
from rota.events import repository
from rota.events.envelope import BodyKind, domain_event, event_type
from rota.events.models import WebhookSubscription

# Subscriptions one transaction has already read (SQLite), so a change that emits several
# events asks only once.
_SUBSCRIPTIONS = "rota.outbox.subscriptions"


async def _subscriptions(
    session: AsyncSession, site_id: uuid.UUID
) -> Sequence[WebhookSubscription]:
    known: dict[uuid.UUID, Sequence[WebhookSubscription]] = session.info.setdefault(
        _SUBSCRIPTIONS, {}
    )
    if site_id not in known:
        known[site_id] = await repository.active_subscriptions(session, site_id=site_id)
    return known[site_id]


@dataclass(frozen=True)
class EventDraft:
    """One event of a change, before the outbox numbers and stores it."""

    entity_fqdn: str
    slug: str
    entity_id: str
    body_kind: BodyKind
    body: dict[str, Any]


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
) -> None:
    """Store the event and one pending delivery per active subscription that wants it."""
    draft = EventDraft(entity_fqdn, slug, entity_id, body_kind, body)
    await record_all(session, site_id=site_id, drafts=[draft], ctx=ctx)


async def record_all(
    session: AsyncSession, *, site_id: uuid.UUID, drafts: Sequence[EventDraft], ctx: WriteContext
) -> None:
    """Store several events of one change, in order, with their deliveries.

    The database numbers each event (global position and per-entity sequence) inside its
    insert. On PostgreSQL one statement per event also fans out the deliveries, and the events
    of one call go in a single round trip; on SQLite each event is an insert plus, when the
    site has subscriptions (read once per transaction), an insert of its deliveries. Two writers
    cannot race for an entity's sequence: each holds the lock of the row it changed, and the
    unique (entity, sequence) constraint would refuse a duplicate anyway.
    """
    events = [_new_event(site_id, draft, ctx) for draft in drafts]
    if repository.fans_out_in_insert(session):
        await repository.insert_events_and_deliveries(session, events)
        return
    for event in events:
        position = await repository.insert_event(session, event)
        wanted = [
            subscription.id
            for subscription in await _subscriptions(session, site_id)
            if not subscription.event_types or event.event_type in subscription.event_types
        ]
        if wanted:
            await repository.insert_deliveries(session, event, position, wanted)


def _new_event(site_id: uuid.UUID, draft: EventDraft, ctx: WriteContext) -> repository.NewEvent:
    event_id = uuid.uuid4()
    return repository.NewEvent(
        id=event_id,
        site_id=site_id,
        entity_fqdn=draft.entity_fqdn,
        entity_id=draft.entity_id,
        slug=draft.slug,
        event_type=event_type(draft.entity_fqdn, draft.slug),
        event_time=ctx.now,
        # The sequence is filled in by the database (`repository.insert_event`).
        payload=domain_event(
            event_id=event_id,
            entity_fqdn=draft.entity_fqdn,
            slug=draft.slug,
            entity_id=draft.entity_id,
            event_time=ctx.now,
            entity_sequence=0,
            body_kind=draft.body_kind,
            body=draft.body,
        ),
        identity=ctx.actor.as_identity(),
    )
