"""The outbox stores a transaction's events when it commits: all of them, in the order they were
recorded, and nothing that a rollback (of the transaction or of a savepoint) undid."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.core.db import is_sqlite
from rota.events import outbox
from rota.events.models import DomainEventRecord
from tests.builders import SiteContext, make_staff_member

FQDN = "test.recording"


class Undo(Exception):
    pass


async def _record(session: AsyncSession, site: SiteContext, entity_id: str, slug: str) -> None:
    await outbox.record(
        session,
        site_id=site.site_id,
        entity_fqdn=FQDN,
        slug=slug,
        entity_id=entity_id,
        body_kind="created",
        body={"entity": {"id": entity_id}},
        ctx=WriteContext(now=utc_now(), actor=SYSTEM, public_base_url="http://test"),
    )


async def _stored(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> list[tuple[str, str, int, str]]:
    """(entity, slug, sequence, the sequence in the payload) of the site's test events."""
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(DomainEventRecord)
            .where(DomainEventRecord.site_id == site.site_id, DomainEventRecord.entity_fqdn == FQDN)
            .order_by(DomainEventRecord.position)
        )
        return [
            (r.entity_id, r.slug, r.entity_sequence, r.payload["entityEventSequence"])
            for r in rows.scalars()
        ]


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
        ("a", "created", 1, "1"),
        ("b", "created", 1, "1"),
        ("a", "updated", 2, "2"),
    ]


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
