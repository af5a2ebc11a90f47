"""The relay's claim reads the indexes of pending deliveries, also in the plan PostgreSQL keeps
for the statement (a generic plan: a state bound as a parameter could not use them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.core.db import is_sqlite
from rota.events import repository


def _literal(value: object) -> str:
    """A parameter as SQL text: EXECUTE takes no parameters of its own."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    assert isinstance(value, str)
    return "'" + value.replace("'", "''") + "'"


async def test_the_claim_uses_the_pending_indexes_in_a_generic_plan(
    sessionmaker: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL's plan cache")
    statements: list[tuple[str, Any]] = []
    async with sessionmaker() as session:
        connection = await session.connection()

        def seen(*args: Any) -> None:
            statements.append((args[2], args[3]))

        event.listen(connection.sync_connection, "before_cursor_execute", seen)
        now = utc_now()
        await repository.claim_due(session, now=now, lease_until=now, limit=10)
        event.remove(connection.sync_connection, "before_cursor_execute", seen)
        claim, parameters = statements[0]
        assert claim.startswith("UPDATE webhook_delivery")
        # Seq scans off: only an index the predicate allows can be chosen instead.
        await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        await session.execute(sa.text("SET LOCAL plan_cache_mode = force_generic_plan"))
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(f"PREPARE claim AS {claim}")
        arguments = ", ".join(_literal(value) for value in parameters)
        explained = await driver.fetch(f"EXPLAIN EXECUTE claim({arguments})")
        plan = "\n".join(row[0] for row in explained)
        await driver.execute("DEALLOCATE claim")
        await session.rollback()
    assert "using ix_webhook_delivery_pending_order on" in plan, plan
    assert "using ix_webhook_delivery_pending on" in plan, plan
