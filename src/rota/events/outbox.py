"""The transactional outbox: domains call `record` inside the transaction of their change, so
a rolled-back change emits nothing and a committed one always has its events and deliveries.

Recorded events wait on the session. A domain that records its events before its last write
and sends that write through `write` has them stored by the same statement on PostgreSQL, so
they cost no round trip of their own (a staff create: its schedule's event and its own two, on
the counts' upsert). Whatever still waits is stored just before the transaction commits, after
the ORM's own changes are flushed, in one statement too. A savepoint also stores what waits when
it is released, and one rolled back forgets what was recorded inside it. The hooks below listen
to every `Session`; they do nothing for a session that recorded nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from rota.core.context import WriteContext
from rota.core.ids import time_ordered_id
from rota.events import repository
from rota.events.envelope import BodyKind, event_body, event_type

# The session's events waiting for its commit, each with the savepoint it was recorded in.
_PENDING = "rota.outbox.pending"


class EventDraft(NamedTuple):
    """One event of a change, before the outbox numbers and stores it."""

    entity_fqdn: str
    slug: str
    entity_id: str
    body_kind: BodyKind
    body: dict[str, Any]


class _Recorded(NamedTuple):
    savepoint: SessionTransaction | None  # None: outside any savepoint
    event: repository.NewEvent


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
    """Store the event, queued for its deliveries, when the transaction commits."""
    draft = EventDraft(entity_fqdn, slug, entity_id, body_kind, body)
    await record_all(session, site_id=site_id, drafts=[draft], ctx=ctx)


async def record_all(
    session: AsyncSession, *, site_id: uuid.UUID, drafts: Sequence[EventDraft], ctx: WriteContext
) -> None:
    """Store several events of one change, in order, queued for their deliveries, when the
    transaction commits.

    The database numbers each event inside its insert: its global position, which is also its
    sequence among its entity's events (`DomainEventRecord.entity_sequence`). A change records
    events of the entities whose rows it holds: each writer holds the lock of the row it changed
    until it commits, so an entity's events are numbered in the order they commit.
    """
    if not session.in_transaction():
        # As a statement would: the events belong to the transaction that stores them.
        session.sync_session.begin()
    savepoint = session.sync_session.get_nested_transaction()
    pending: list[_Recorded] = session.info.setdefault(_PENDING, [])
    pending.extend(_Recorded(savepoint, _new_event(site_id, draft, ctx)) for draft in drafts)


async def write(session: AsyncSession, change: repository.Change) -> int:
    """Run the last write of a change, storing the events waiting on the session with it; the
    rows it changed.

    On PostgreSQL the events ride on the change's own statement, so recording them costs no
    round trip of its own. A change that changed nothing stores none of them and drops them:
    they announce it, and its caller fails the transaction. Events recorded outside the
    current savepoint keep waiting for the commit (stored now, a rollback of the savepoint
    would take them), and so do the ones recorded with them, to stay in order.
    """
    await session.flush()  # what the events announce besides this change, first
    pending: list[_Recorded] = session.info.get(_PENDING, [])
    savepoint = session.sync_session.get_nested_transaction()
    if any(recorded.savepoint is not savepoint for recorded in pending):
        return await repository.write_carrying(session, change, [])
    session.info.pop(_PENDING, None)
    return await repository.write_carrying(session, change, [r.event for r in pending])


@event.listens_for(Session, "before_commit")
def _store_pending(session: Session) -> None:
    """Runs inside the commit of a transaction or the release of a savepoint (SQLAlchemy's
    greenlet carries the statements to the async driver)."""
    pending: list[_Recorded] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        session.flush()  # the changes the events announce (and the rows they refer to) first
        repository.insert_events(session.connection(), [recorded.event for recorded in pending])
    except BaseException:
        # Still waiting: the rollback that follows forgets what it undoes, and a savepoint's
        # failed release must not lose the events recorded before it.
        session.info[_PENDING] = pending
        raise


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: list[_Recorded] | None = session.info.get(_PENDING)
    if not pending:
        return
    # A flush's inner transaction rolls back the savepoint or transaction around it.
    undone = previous_transaction
    while not undone.nested and undone.parent is not None:
        undone = undone.parent
    if not undone.nested:
        pending.clear()
        return
    pending[:] = [recorded for recorded in pending if not _inside(recorded.savepoint, undone)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """A session closed without committing stores nothing."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _inside(savepoint: SessionTransaction | None, undone: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is undone:
            return True
        savepoint = savepoint.parent
    return False


def _new_event(site_id: uuid.UUID, draft: EventDraft, ctx: WriteContext) -> repository.NewEvent:
    return repository.NewEvent(
        id=time_ordered_id(),
        site_id=site_id,
        entity_fqdn=draft.entity_fqdn,
        entity_id=draft.entity_id,
        slug=draft.slug,
        event_type=event_type(draft.entity_fqdn, draft.slug),
        event_time=ctx.now,
        # The database numbers it (`repository.insert_events`); the envelope is built when read.
        payload=event_body(draft.body_kind, draft.body),
        identity=ctx.actor.as_identity(),
    )
