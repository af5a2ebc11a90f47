"""Alembic environment: runs migrations through Rota's async engine on SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from rota.core.db import create_engine, is_sqlite
from rota.orm_registry import metadata

config = context.config


def _include(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    # SQLite's FTS5 index and its shadow tables are built by hand in migration 0002.
    return not (type_ == "table" and name is not None and name.startswith("staff_member_fts"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=is_sqlite(str(config.get_main_option("sqlalchemy.url"))),
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Rota migrations run online only: use `rota migrate`")
asyncio.run(_run_online())
