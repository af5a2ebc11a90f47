"""The migrations build the schema the models describe, and run down and up again."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url

from rota.core.db import create_engine, is_sqlite
from rota.migrations import runner
from rota.orm_registry import metadata
from rota.staff.search_rank import prefix_postings


@pytest.fixture
async def scratch_database_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty database of the same kind as the test run's."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'scratch.db'}"
        return
    name = f"rota_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url)
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    async with admin.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


# Built by hand in the migrations because the ORM cannot describe them: full-text search
# (SQLite FTS5 tables, PostgreSQL expression index) and PostgreSQL "C"-collation sort indexes.
_HAND_BUILT = {
    "ix_staff_member_search",
    "ix_staff_member_live_description",
    "ix_staff_member_live_identity_type",
}


def _compared(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name and (name.startswith("staff_member_fts") or name in _HAND_BUILT))


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"include_object": _compared})
    with warnings.catch_warnings():
        # Alembic warns that it cannot compare expression indexes; they are excluded above.
        warnings.simplefilter("ignore", UserWarning)
        return list(compare_metadata(context, metadata))


async def test_upgrade_downgrade_upgrade_matches_models(scratch_database_url: str) -> None:
    await asyncio.to_thread(runner.upgrade, scratch_database_url)
    await asyncio.to_thread(runner.downgrade, scratch_database_url, "base")
    await asyncio.to_thread(runner.upgrade, scratch_database_url)
    engine = create_engine(scratch_database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert differences == []


def test_single_head() -> None:
    script = ScriptDirectory.from_config(runner.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


async def test_prefix_postings_are_backfilled_for_existing_staff(
    scratch_database_url: str,
) -> None:
    """Staff members stored before migration 0009 get their postings from their folded name."""
    await asyncio.to_thread(runner.upgrade, scratch_database_url, "0008")
    engine = create_engine(scratch_database_url)
    site_id, staff_id = uuid.uuid4(), uuid.uuid4()
    # Staff member and site are unchanged since 0008, so the models' tables fit.
    site, staff = metadata.tables["site"], metadata.tables["staff_member"]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            site.insert().values(
                id=site_id, name="s", time_zone="UTC", created_at=now, updated_at=now
            )
        )
        await connection.execute(
            staff.insert().values(
                id=staff_id, number=1, site_id=site_id, name="Zoë Mar", search_text="zoe mar",
                search_tokens="", service_provider=True, is_default=False, revision=2,
                resource_id=uuid.uuid4(), resource_revision=1, events_schedule_id=uuid.uuid4(),
                working_hours_schedule_id=uuid.uuid4(), uses_default_working_hours=True,
                ranking=0, connection_status="DISCONNECTED", created_at=now, updated_at=now,
            )
        )  # fmt: skip
    await engine.dispose()
    await asyncio.to_thread(runner.upgrade, scratch_database_url)
    engine = create_engine(scratch_database_url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT prefix, score FROM staff_search_prefix ORDER BY prefix")
        )
        assert {prefix: score for prefix, score in rows} == prefix_postings("zoe mar")
    await engine.dispose()
    assert prefix_postings("zoe mar")["zoe"] == 5
