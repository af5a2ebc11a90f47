"""The outbox stores a transaction's events when it commits: all of them, in the order they were
recorded, and nothing that a rollback (of the transaction or of a savepoint) undid."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.db import is_sqlite
from rota.events import outbox
from rota.events.models import DomainEventRecord
from rota.events.rendering import as_sent
from rota.events.repository import Change, ChangeStatement
from rota.identity.models import Site
from tests.builders import SiteContext, make_staff_member
from tests.events.webhooks import record_test_event

FQDN = "test.recording"


class Undo(Exception):
    pass


async def _record(session: AsyncSession, site: SiteContext, entity_id: str, slug: str) -> None:
    await record_test_event(session, site, entity_fqdn=FQDN, entity_id=entity_id, slug=slug)


async def _stored(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> list[tuple[str, str]]:
    """(entity, slug) of the site's test events in position order; each event's sequence, as
    stored and as read, is its position."""
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(DomainEventRecord)
            .where(DomainEventRecord.site_id == site.site_id, DomainEventRecord.entity_fqdn == FQDN)
            .order_by(DomainEventRecord.position)
        )
        stored = list(rows.scalars())
    for r in stored:
        assert r.entity_sequence == r.position
        assert as_sent(r.id, r)["entityEventSequence"] == str(r.position)
    return [(r.entity_id, r.slug) for r in stored]


async def _undone_savepoint(session: AsyncSession, site: SiteContext, *, inner: bool) -> None:
    """A savepoint that records, then rolls back: before anything was stored, or (``inner``)
    after an inner savepoint's release stored its events."""
    async with session.begin_nested():
        await _record(session, site, "undone", "updated")
        if inner:
            async with session.begin_nested():
                await _record(session, site, "undone", "deleted")
        raise Undo


async def test_a_commit_stores_what_its_savepoints_kept_in_order(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    async with sessionmaker.begin() as session:
        await _record(session, site, "a", "created")
        async with session.begin_nested():
            await _record(session, site, "b", "created")
        with pytest.raises(Undo):
            await _undone_savepoint(session, site, inner=False)
        with pytest.raises(Undo):
            await _undone_savepoint(session, site, inner=True)
        await _record(session, site, "a", "updated")
    assert await _stored(sessionmaker, site) == [
        ("a", "created"),
        ("b", "created"),
        ("a", "updated"),
    ]


async def test_event_ids_are_time_ordered_uuids_in_the_order_recorded(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    """UUIDv7 ids, so the id index of an only-growing table is written at its end."""
    async with sessionmaker.begin() as session:
        for slug in ("created", "updated", "deleted"):
            await _record(session, site, "ordered", slug)
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                sa.select(DomainEventRecord.id)
                .where(DomainEventRecord.site_id == site.site_id)
                .order_by(DomainEventRecord.position)
            )
        )
    assert len(ids) >= 3
    assert {event_id.version for event_id in ids[-3:]} == {7}
    assert ids[-3:] == sorted(ids[-3:])


async def _rolled_back(sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext) -> None:
    async with sessionmaker.begin() as session:
        await _record(session, site, "rolled-back", "created")
        raise Undo


async def test_a_rolled_back_or_abandoned_transaction_stores_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    with pytest.raises(Undo):
        await _rolled_back(sessionmaker, site)
    async with sessionmaker() as session:
        await _record(session, site, "rolled-back", "created")
        await session.rollback()
        await session.commit()  # a new transaction: nothing recorded in it
    async with sessionmaker() as session:
        await _record(session, site, "closed", "created")
    assert await _stored(sessionmaker, site) == []


async def test_a_staff_create_stores_its_three_events_in_one_statement_on_postgresql(
    app: FastAPI, client: httpx.AsyncClient, site: SiteContext, database_url: str
) -> None:
    """Its events schedule's `created`, then its own `created` and `fully_created`: one round
    trip, at commit (SQLite, in process, inserts them one by one)."""
    if is_sqlite(database_url):
        pytest.skip("SQLite has no round trips to save")
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    sessionmaker = app.state.sessionmaker
    before = await _events_of(sessionmaker, site)
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        staff = await make_staff_member(client, site)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "INSERT INTO domain_event" in s]) == 1
    assert (await _events_of(sessionmaker, site))[len(before) :] == [
        ("wix.calendar.v3.schedule", "created"),
        (staff["id"], "created"),
        (staff["id"], "fully_created"),
    ]


async def _events_of(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> list[tuple[str, str]]:
    """(entity, slug) of the site's events in order; the entity of a schedule's is its kind."""
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(DomainEventRecord)
            .where(DomainEventRecord.site_id == site.site_id)
            .order_by(DomainEventRecord.position)
        )
        return [
            (r.entity_fqdn if r.entity_fqdn.startswith("wix.calendar") else r.entity_id, r.slug)
            for r in rows.scalars()
        ]


# --- events riding on a change (`outbox.write`) ------------------------------------------------

_RENAME_SITE = ChangeStatement(
    "UPDATE site SET name = :name WHERE id = :site_id RETURNING id",
    (sa.bindparam("name", type_=sa.String()), sa.bindparam("site_id", type_=sa.Uuid())),
)


def _rename(site_id: uuid.UUID, name: str) -> Change:
    return Change(_RENAME_SITE, {"name": name, "site_id": site_id})


async def _site_name(sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext) -> str:
    async with sessionmaker() as session:
        name: str = await session.scalar(sa.select(Site.name).where(Site.id == site.site_id))
        return name


# Five events go as rows of VALUES; eleven as a JSON document bounded by sixteen rows.
@pytest.mark.parametrize("third_entity_events", [0, 6])
@pytest.mark.parametrize("riding", [True, False], ids=["on the change", "at commit"])
async def test_events_are_stored_in_one_statement_numbered_in_the_order_recorded(
    sessionmaker: async_sessionmaker[AsyncSession],
    site: SiteContext,
    database_url: str,
    third_entity_events: int,
    riding: bool,
) -> None:
    """Events of several entities, one of them with an event stored by an earlier transaction,
    riding on a change or stored at commit; on PostgreSQL one statement does it all."""
    a, b, c = (f"{name}-{uuid.uuid4()}" for name in "abc")
    async with sessionmaker.begin() as session:
        await _record(session, site, a, "created")
    recorded = [(a, "updated"), (b, "created"), (a, "deleted"), (b, "updated"), (b, "deleted")]
    recorded += [(c, f"step-{n}") for n in range(third_entity_events)]
    statements: list[str] = []
    async with sessionmaker.begin() as session:
        for entity_id, slug in recorded:
            await _record(session, site, entity_id, slug)
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", _collect(statements))
        if riding:
            assert await outbox.write(session, _rename(site.site_id, "Renamed")) == 1
    if riding:
        assert await _site_name(sessionmaker, site) == "Renamed"
    expected = [
        (a, "created"),
        (a, "updated"),
        (b, "created"),
        (a, "deleted"),
        (b, "updated"),
        (b, "deleted"),
    ]
    expected += [(c, f"step-{n}") for n in range(third_entity_events)]
    assert await _stored(sessionmaker, site) == expected
    if not is_sqlite(database_url):
        assert len([s for s in statements if "INSERT INTO domain_event" in s]) == 1


def _collect(statements: list[str]) -> Any:
    def seen(*args: Any) -> None:
        statements.append(args[2])

    return seen


async def test_a_change_that_changes_nothing_stores_none_of_its_events(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    async with sessionmaker.begin() as session:
        await _record(session, site, f"a-{uuid.uuid4()}", "updated")
        assert await outbox.write(session, _rename(uuid.uuid4(), "Nobody")) == 0
    assert await _stored(sessionmaker, site) == []


async def _renamed_in_undone_savepoint(session: AsyncSession, site: SiteContext) -> None:
    async with session.begin_nested():
        await _record(session, site, f"inner-{uuid.uuid4()}", "created")
        assert await outbox.write(session, _rename(site.site_id, "Undone")) == 1
        raise Undo


async def test_events_recorded_outside_the_savepoint_wait_for_the_commit(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    """Stored with a change inside a savepoint, the outer event would go if the savepoint were
    rolled back; so it and the savepoint's own wait, and the rollback takes only the latter."""
    name, outer = await _site_name(sessionmaker, site), f"outer-{uuid.uuid4()}"
    async with sessionmaker.begin() as session:
        await _record(session, site, outer, "created")
        with pytest.raises(Undo):
            await _renamed_in_undone_savepoint(session, site)
        await _record(session, site, outer, "updated")
    assert await _site_name(sessionmaker, site) == name
    assert await _stored(sessionmaker, site) == [
        (outer, "created"),
        (outer, "updated"),
    ]
