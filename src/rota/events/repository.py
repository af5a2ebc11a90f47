"""Queries of the outbox and webhook tables."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

import orjson
import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.orm import UtcDateTime
from rota.events.models import (
    DeliveryAttempt,
    DomainEventRecord,
    FanoutEntry,
    SigningKey,
    WebhookDelivery,
    WebhookSubscription,
)

PENDING, DELIVERED, DEAD = "PENDING", "DELIVERED", "DEAD"
POSITION_SEQUENCE = "domain_event_position_seq"


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


_EVENTS = cast(sa.Table, DomainEventRecord.__table__)
_DELIVERIES = cast(sa.Table, WebhookDelivery.__table__)
_SUBSCRIPTIONS = cast(sa.Table, WebhookSubscription.__table__)
_ATTEMPTS = cast(sa.Table, DeliveryAttempt.__table__)
_FANOUT = cast(sa.Table, FanoutEntry.__table__)


class NewEvent(NamedTuple):
    """An event about to be recorded; the database gives it its position and sequence. Its
    fields are the columns the insert reads, in `_EVENT_COLUMNS` order (a tuple: made on every
    write in 0.6 us, where a frozen dataclass took 1.4 us)."""

    id: uuid.UUID
    site_id: uuid.UUID
    entity_fqdn: str
    entity_id: str
    slug: str
    event_type: str
    event_time: datetime
    payload: dict[str, Any]
    identity: dict[str, Any]


def _sqlite_event_insert() -> sa.Insert:
    """The event's INSERT, with the database numbering it: SQLite has one writer at a time, so
    max + 1 inside the transaction cannot race, and the single writer commits in position
    order (so the position serves as the transaction id too)."""
    position = sa.select(sa.func.coalesce(sa.func.max(_EVENTS.c.position), 0) + 1).scalar_subquery()
    return sa.insert(_EVENTS).values(
        id=sa.bindparam("e0_id", type_=sa.Uuid()),
        position=position,
        txid=position,
        entity_sequence=position,
        site_id=sa.bindparam("e0_site_id", type_=sa.Uuid()),
        entity_fqdn=sa.bindparam("e0_entity_fqdn", type_=sa.String()),
        entity_id=sa.bindparam("e0_entity_id", type_=sa.String()),
        slug=sa.bindparam("e0_slug", type_=sa.String()),
        event_type=sa.bindparam("e0_event_type", type_=sa.String()),
        event_time=sa.bindparam("e0_event_time", type_=UtcDateTime()),
        payload=sa.bindparam("e0_payload", type_=sa.Text()),
        identity=sa.bindparam("e0_identity", type_=sa.Text()),
    )


_SQLITE_INSERT_EVENT = _sqlite_event_insert().returning(_EVENTS.c.position)

# PostgreSQL: a transaction's events, numbered by the database, each queued for the relay's
# fan-out (`rota.events.fanout`): one statement, whatever the number of events. With a change
# (`ChangeStatement`), the statement runs the change first and stores the events only if it
# changed a row, so a change and its events cost one round trip.
#
# Numbering: the position from the sequence, taken row by row as the events are read, in the
# order recorded (nothing reorders the rows, so no sort is paid for; PostgreSQL does not merge a
# subquery that calls a volatile function into the query around it, so each row's nextval runs
# once); the entity's sequence is the position (see `DomainEventRecord.entity_sequence`); the
# transaction id for the feed.
#
# Every event is queued, wanted or not: the fan-out decides who receives it. Queuing only the
# events an active subscription wanted cost a probe of the subscriptions in every write, wanted
# or not: 0.04 ms of the 1 ms a staff update spends in the database (replayed on asyncpg), twice
# what the queue row itself costs.
_POSTGRESQL_EVENTS = f"""\
inserted_event AS (
    INSERT INTO domain_event (id, position, txid, site_id, entity_fqdn, entity_id, slug,
        event_type, entity_sequence, event_time, payload, identity)
    SELECT event.id, event.position, pg_current_xact_id()::text::bigint,
        event.site_id, event.entity_fqdn, event.entity_id, event.slug, event.event_type,
        event.position, event.event_time, event.payload, event.identity
    FROM (SELECT recorded.*, nextval('{POSITION_SEQUENCE}') AS position FROM {{rows}}) AS event
    {{condition}}
    RETURNING id, position
), queued AS (
    INSERT INTO webhook_fanout (position, event_id)
    SELECT inserted_event.position, inserted_event.id FROM inserted_event
)"""

# How the events reach the statement. A few (a write's own: an update has one, a create three)
# are rows of VALUES, a parameter per column: PostgreSQL inserts one 0.045 ms sooner that way
# than from a JSON document (a quarter of what the event added to a staff update's statement).
# More (bulk retags, imports) travel as one JSON document, one parameter whatever their number.
_EVENT_COLUMNS = (
    ("id", "uuid"),
    ("site_id", "uuid"),
    ("entity_fqdn", "varchar"),
    ("entity_id", "varchar"),
    ("slug", "varchar"),
    ("event_type", "varchar"),
    ("event_time", "timestamptz"),
    ("payload", "json"),
    ("identity", "json"),
)
_ROWS_AS_VALUES = 8
# `NewEvent` holds the columns in this order; the last two are JSON documents.
_JSON_FIELDS = len(_EVENT_COLUMNS) - 2
assert NewEvent._fields == tuple(name for name, _ in _EVENT_COLUMNS)


def _rows_key(events: Sequence[NewEvent]) -> int:
    """Which form carries the events: their number as VALUES rows, or, negative, the LIMIT of
    the JSON document (their number rounded up to a power of two, so few statements exist)."""
    if len(events) <= _ROWS_AS_VALUES:
        return len(events)
    return -(1 << (len(events) - 1).bit_length())


def _rows(key: int) -> str:
    """The FROM item the insert reads its events from, named ``recorded``."""
    names = ", ".join(name for name, _ in _EVENT_COLUMNS)
    if key > 0:
        rows = ", ".join(_values_row(row) for row in range(key))
        return f"(VALUES {rows}) AS recorded ({names})"
    # The LIMIT, written into the text: the planner assumes 100 rows for a set-returning
    # function of a parameter, which makes the generic plan look a hundred times dearer than a
    # custom one, so PostgreSQL planned the statement anew every time. With it, PostgreSQL
    # keeps the generic plan.
    columns = ", ".join(f"{name} {kind}" for name, kind in _EVENT_COLUMNS)
    return (
        f"(SELECT * FROM json_to_recordset(CAST(:events AS json)) AS recorded ({columns})"
        f" LIMIT {-key}) AS recorded"
    )


def _values_row(row: int) -> str:
    return "(" + ", ".join(f"CAST(:e{row}_{name} AS {kind})" for name, kind in _EVENT_COLUMNS) + ")"


def _event_rows(events: Sequence[NewEvent], key: int) -> dict[str, Any]:
    """The parameters of ``_rows(key)`` for these events."""
    if key < 0:
        return _events_document(events)
    values: dict[str, Any] = {}
    for row, event in enumerate(events):
        values |= _row_parameters(event, row)
    return values


def _row_parameters(event: NewEvent, row: int) -> dict[str, Any]:
    """One event as row ``row`` of the VALUES form (SQLite's insert takes row 0's names)."""
    values = (*event[:_JSON_FIELDS], _json_text(event.payload), _json_text(event.identity))
    return dict(zip(_row_names(row), values, strict=True))


@functools.cache
def _row_names(row: int) -> tuple[str, ...]:
    """The parameter names of row ``row``, in `_EVENT_COLUMNS` order."""
    return tuple(f"e{row}_{name}" for name, _ in _EVENT_COLUMNS)


@functools.cache
def _postgresql_record(key: int) -> sa.TextClause:
    events = _POSTGRESQL_EVENTS.format(condition="", rows=_rows(key))
    return sa.text(f"WITH {events} SELECT count(*) FROM inserted_event")


@dataclass(frozen=True, eq=False)
class ChangeStatement:
    """A data-modifying statement that returns a row for each row it changed (``RETURNING``):
    the last write of a change, which its events can ride on. Built once and kept: its
    statements compile once."""

    sql: str
    binds: tuple[sa.BindParameter[Any], ...]

    @functools.cached_property
    def alone(self) -> sa.TextClause:
        return sa.text(self.sql).bindparams(*self.binds)


@functools.cache
def _carrying(change: ChangeStatement, key: int) -> sa.TextClause:
    """The change, then events in the form ``key`` names (`_rows_key`)."""
    events = _POSTGRESQL_EVENTS.format(
        condition="WHERE EXISTS (SELECT FROM change)", rows=_rows(key)
    )
    sql = f"WITH change AS ({change.sql}), {events} SELECT count(*) FROM change"
    return sa.text(sql).bindparams(*change.binds)


@dataclass(frozen=True)
class Change:
    """A change's last write: its statement and the values it runs with."""

    statement: ChangeStatement
    values: dict[str, Any]


def _events_document(events: Sequence[NewEvent]) -> dict[str, str]:
    # The event's fields are the columns' names; the encoder writes ids and times as PostgreSQL
    # reads them.
    return {"events": _json_text([event._asdict() for event in events])}


def _json_text(value: Any) -> str:
    # orjson: a fifth of pydantic-core's time on a staff member's event (2 against 11 us). It
    # takes only the exact uuid.UUID type (asyncpg hands back a subclass) and refuses integers
    # beyond 64 bits, which extended fields may hold and JSON allows: pydantic-core writes those.
    try:
        return orjson.dumps(value, default=_uuid_text).decode()
    except TypeError:
        return to_json(value).decode()


def _uuid_text(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def insert_events(connection: sa.Connection, events: Sequence[NewEvent]) -> None:
    """Store events, in order, each queued for the fan-out. Synchronous: the outbox calls it
    from inside the session's commit.

    PostgreSQL: one statement. SQLite: an insert of each event and of its queue entry.
    """
    if connection.dialect.name == "postgresql":
        key = _rows_key(events)
        connection.execute(_postgresql_record(key), _event_rows(events, key))
        return
    for event in events:
        position = connection.execute(_SQLITE_INSERT_EVENT, _row_parameters(event, 0)).scalar_one()
        connection.execute(sa.insert(_FANOUT), {"position": position, "event_id": event.id})


async def write_carrying(session: AsyncSession, change: Change, events: Sequence[NewEvent]) -> int:
    """Run ``change`` and, if it changed a row, store ``events`` with it; the rows changed.

    PostgreSQL: one statement, so one round trip. SQLite (one writer, in process): the change,
    then the events as `insert_events` stores them.
    """
    statement = change.statement
    if events and _dialect(session) == "postgresql":
        key = _rows_key(events)
        values = {**change.values, **_event_rows(events, key)}
        return int((await session.execute(_carrying(statement, key), values)).scalar_one())
    changed = len((await session.execute(statement.alone, change.values)).all())
    if changed and events:
        await session.run_sync(lambda sync: insert_events(sync.connection(), events))
    return changed


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def get_subscription(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID
) -> WebhookSubscription | None:
    return await session.scalar(
        sa.select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id, WebhookSubscription.site_id == site_id
        )
    )


async def list_subscriptions(
    session: AsyncSession, *, site_id: uuid.UUID | None
) -> Sequence[WebhookSubscription]:
    query = sa.select(WebhookSubscription).order_by(
        WebhookSubscription.created_at, WebhookSubscription.id
    )
    if site_id is not None:
        query = query.where(WebhookSubscription.site_id == site_id)
    return (await session.scalars(query)).all()


async def delete_subscription(session: AsyncSession, subscription: WebhookSubscription) -> None:
    """The subscription and its deliveries (their attempts go with them)."""
    await session.execute(
        sa.delete(_DELIVERIES).where(_DELIVERIES.c.subscription_id == subscription.id)
    )
    await session.delete(subscription)
    await session.flush()


async def list_deliveries(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    state: str | None,
    after_position: int | None,
    limit: int,
) -> Sequence[tuple[WebhookDelivery, DomainEventRecord]]:
    query = (
        sa.select(WebhookDelivery, DomainEventRecord)
        .join(DomainEventRecord, DomainEventRecord.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.site_id == site_id)
        .order_by(WebhookDelivery.position, WebhookDelivery.id)
        .limit(limit)
    )
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if after_position is not None:
        query = query.where(WebhookDelivery.position > after_position)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def get_delivery(
    session: AsyncSession, *, site_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, DomainEventRecord] | None:
    row = (
        await session.execute(
            sa.select(WebhookDelivery, DomainEventRecord)
            .join(DomainEventRecord, DomainEventRecord.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.site_id == site_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> Sequence[DeliveryAttempt]:
    return (
        await session.scalars(
            sa.select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
    ).all()


def requeued(now: datetime) -> dict[str, Any]:
    """A delivery sent again: pending at once, with a fresh retry window."""
    return {
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "lease_until": None,
    }


async def requeue_dead(
    session: AsyncSession, *, site_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> int:
    result = await session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.site_id == site_id,
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.state == DEAD,
        )
        .values(requeued(now))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _as_bigint(xid8: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    # xid8 has no cast to bigint; its text form has one.
    return sa.cast(sa.cast(xid8, sa.Text), sa.BigInteger)


FeedPosition = tuple[int, int]  # (txid, position) of the last event a reader has


async def feed(
    session: AsyncSession, *, site_id: uuid.UUID, after: FeedPosition, limit: int
) -> Sequence[DomainEventRecord]:
    """The site's events after ``after`` in (txid, position) order. On PostgreSQL only events
    of transactions older than every transaction still running: none of those can commit
    later, so no event can ever appear behind a reader's cursor (migration 0008)."""
    query = (
        sa.select(DomainEventRecord)
        .where(
            DomainEventRecord.site_id == site_id,
            sa.tuple_(DomainEventRecord.txid, DomainEventRecord.position) > sa.tuple_(*after),
        )
        .order_by(DomainEventRecord.txid, DomainEventRecord.position)
        .limit(limit)
    )
    if _dialect(session) == "postgresql":
        oldest_running = _as_bigint(sa.func.pg_snapshot_xmin(sa.func.pg_current_snapshot()))
        query = query.where(DomainEventRecord.txid < oldest_running)
    return (await session.scalars(query)).all()


@dataclass(frozen=True)
class ClaimedDelivery:
    """A leased delivery with what sending it needs: its event and its subscription."""

    id: uuid.UUID
    attempts: int
    created_at: datetime
    event_id: uuid.UUID
    event_type: str
    site_id: uuid.UUID
    entity_fqdn: str
    slug: str
    entity_id: str
    event_time: datetime
    entity_sequence: int
    payload: dict[str, Any]
    identity: dict[str, Any]
    url: str
    format: str
    secret: str | None


# Written into the claim's text, not bound: only a literal lets PostgreSQL use the indexes of
# pending deliveries (``WHERE state = 'PENDING'``) in the plan it keeps for the statement.
_PENDING_LITERAL: sa.ColumnClause[str] = sa.literal_column(f"'{PENDING}'")


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[ClaimedDelivery]:
    """Lease up to ``limit`` due deliveries that are first in line for their entity.

    A delivery waits while an earlier one for the same subscription and entity is still
    pending, so each receiver sees an entity's events in order. On PostgreSQL, rows another
    relay is claiming at this moment are skipped rather than waited for. Plain Core statements
    (no ORM objects): the relay runs this for every batch, and the ORM's bookkeeping cost more
    than the queries.
    """
    candidate = _DELIVERIES.alias("candidate")
    earlier = _DELIVERIES.alias("earlier")
    blocked = (
        sa.select(earlier.c.id)
        .where(
            earlier.c.subscription_id == candidate.c.subscription_id,
            earlier.c.ordering_key == candidate.c.ordering_key,
            earlier.c.state == _PENDING_LITERAL,
            earlier.c.position < candidate.c.position,
        )
        .exists()
    )
    due = (
        sa.select(candidate.c.id)
        .where(
            candidate.c.state == _PENDING_LITERAL,
            candidate.c.next_attempt_at <= now,
            sa.or_(candidate.c.lease_until.is_(None), candidate.c.lease_until < now),
            ~blocked,
        )
        .order_by(candidate.c.position)
        .limit(limit)
    )
    if _dialect(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    leased = (
        await session.execute(
            sa.update(_DELIVERIES)
            .where(_DELIVERIES.c.id.in_(due.scalar_subquery()))
            .values(lease_until=lease_until)
            .returning(_DELIVERIES.c.id)
        )
    ).scalars()
    ids = list(leased)
    if not ids:
        return []
    rows = await session.execute(
        sa.select(
            _DELIVERIES.c.id,
            _DELIVERIES.c.attempts,
            _DELIVERIES.c.created_at,
            _EVENTS.c.id,
            _EVENTS.c.event_type,
            _EVENTS.c.site_id,
            _EVENTS.c.entity_fqdn,
            _EVENTS.c.slug,
            _EVENTS.c.entity_id,
            _EVENTS.c.event_time,
            _EVENTS.c.entity_sequence,
            _EVENTS.c.payload,
            _EVENTS.c.identity,
            _SUBSCRIPTIONS.c.url,
            _SUBSCRIPTIONS.c.format,
            _SUBSCRIPTIONS.c.secret,
        )
        .select_from(
            _DELIVERIES.join(_EVENTS, _EVENTS.c.id == _DELIVERIES.c.event_id).join(
                _SUBSCRIPTIONS, _SUBSCRIPTIONS.c.id == _DELIVERIES.c.subscription_id
            )
        )
        .where(_DELIVERIES.c.id.in_(ids))
        .order_by(_DELIVERIES.c.position)
    )
    # More columns than SQLAlchemy types a row by: a tuple of unknown length to mypy.
    return [ClaimedDelivery(*cast(tuple[Any, ...], row)) for row in rows]


async def record_outcomes(
    session: AsyncSession,
    *,
    attempts: Sequence[dict[str, Any]],
    changes: Sequence[dict[str, Any]],
) -> None:
    """Store attempts and each delivery's new state, skipping deliveries deleted meanwhile
    (with their subscription); on PostgreSQL the survivors are locked until the commit."""
    wanted = [change["delivery_id"] for change in changes]
    alive = sa.select(_DELIVERIES.c.id).where(_DELIVERIES.c.id.in_(wanted))
    if _dialect(session) == "postgresql":
        alive = alive.with_for_update()
    existing = set((await session.execute(alive)).scalars())
    kept_attempts = [a for a in attempts if a["delivery_id"] in existing]
    kept_changes = [c for c in changes if c["delivery_id"] in existing]
    if not kept_changes:
        return
    await session.execute(sa.insert(_ATTEMPTS), kept_attempts)
    await session.execute(
        # Each change names the columns it sets; `delivery_id` picks the row.
        sa.update(_DELIVERIES).where(_DELIVERIES.c.id == sa.bindparam("delivery_id")),
        kept_changes,
    )


async def active_signing_key(session: AsyncSession) -> SigningKey | None:
    return await session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    )


async def published_keys(session: AsyncSession, *, retired_after: datetime) -> Sequence[SigningKey]:
    return (
        await session.scalars(
            sa.select(SigningKey)
            .where(sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > retired_after))
            .order_by(SigningKey.created_at)
        )
    ).all()


async def retire_keys(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(
        sa.update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
    )
