"""Two requests that read the same staff member and both write it: the one that waits for the
other's row lock finds what changed and fails with a revision mismatch, storing neither its
change nor its events. PostgreSQL only: SQLite's writers take the database lock before they
read (BEGIN IMMEDIATE), so they never write from a stale read."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.core.db import is_sqlite
from rota.core.errors import RevisionMismatch
from rota.events.models import DomainEventRecord
from rota.staff import service as staff_service
from rota.staff.models import StaffMember
from rota.staff.service import StaffMemberChanges
from tests.builders import SiteContext, make_staff_member

Write = Callable[[AsyncSession], Awaitable[object]]


@pytest.fixture(autouse=True)
def _postgresql_only(database_url: str) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite's writers cannot write from a stale read")


def _ctx() -> WriteContext:
    return WriteContext(now=utc_now(), actor=SYSTEM, public_base_url="http://test")


async def _wait_until_blocked(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        for _ in range(500):
            waiting = await session.scalar(
                sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")
            )
            if waiting:
                return
            await session.rollback()
            await asyncio.sleep(0.01)
    raise AssertionError("the second writer never waited for the first one's row lock")


async def _race(
    sessionmaker: async_sessionmaker[AsyncSession], first: Write, second: Write
) -> None:
    """``second`` reads before ``first`` commits and writes after: it must lose."""
    async with sessionmaker() as winner, sessionmaker() as loser:
        await winner.begin()
        await loser.begin()
        await first(winner)
        losing = asyncio.create_task(second(loser))
        await _wait_until_blocked(sessionmaker)
        await winner.commit()
        with pytest.raises(RevisionMismatch):
            await losing
        await loser.rollback()


async def _stored(
    sessionmaker: async_sessionmaker[AsyncSession], staff_id: uuid.UUID
) -> tuple[list[str], StaffMember]:
    """The staff member's event slugs in order, and its row."""
    async with sessionmaker() as session:
        events = await session.scalars(
            sa.select(DomainEventRecord)
            .where(DomainEventRecord.entity_id == str(staff_id))
            .order_by(DomainEventRecord.position)
        )
        stored = list(events)
        staff = await session.get_one(StaffMember, staff_id)
    assert all(event.entity_sequence == event.position for event in stored)
    return [event.slug for event in stored], staff


def _update(site: SiteContext, staff: dict[str, object], phone: str) -> Write:
    async def write(session: AsyncSession) -> object:
        return await staff_service.update_staff_member(
            session,
            site_id=site.site_id,
            staff_id=uuid.UUID(str(staff["id"])),
            revision=int(str(staff["revision"])),
            changes=StaffMemberChanges({"phone": phone}),
            ctx=_ctx(),
        )

    return write


async def test_the_later_of_two_updates_of_one_revision_fails_and_stores_no_event(
    sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    await _race(
        sessionmaker, _update(site, staff, "+1 555 0001"), _update(site, staff, "+1 555 0002")
    )
    events, row = await _stored(sessionmaker, uuid.UUID(staff["id"]))
    assert events == ["created", "fully_created", "updated"]
    assert (row.phone, row.revision) == ("+1 555 0001", int(staff["revision"]) + 1)


async def test_an_update_racing_a_move_to_the_trash_fails_and_stores_no_event(
    sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, site: SiteContext
) -> None:
    """Trashing keeps the revision, so the trash mark is what the update's guard sees change.
    Without it the update would write the trashed row, and its event, numbered from a snapshot
    older than the trash's, would collide with the trash's `deleted` event."""
    staff = await make_staff_member(client, site)

    async def trash(session: AsyncSession) -> object:
        return await staff_service.delete_staff_member(
            session, site_id=site.site_id, staff_id=uuid.UUID(staff["id"]), ctx=_ctx()
        )

    await _race(sessionmaker, trash, _update(site, staff, "+1 555 0003"))
    events, row = await _stored(sessionmaker, uuid.UUID(staff["id"]))
    assert events == ["created", "fully_created", "deleted"]
    assert row.deleted_at is not None
    assert row.phone != "+1 555 0003"
