"""Engine and session set-up for SQLite (embedded default) and PostgreSQL.

Operators give plain URLs (``sqlite:///path`` or ``postgresql://...``); the async drivers are
chosen here so no other module cares which database runs underneath.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def to_async_url(url: str) -> str:
    """Map an operator-facing URL onto the async driver Rota uses for that database."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(
            f"Unsupported database URL {url!r}: use sqlite:///path or postgresql://user@host/db"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes writers queue instead of
    # failing; foreign keys are off by default in SQLite. The driver's own implicit BEGIN is
    # turned off so `_begin_immediate` decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Marks the connections of read-only sessions on SQLite (see `create_read_sessionmaker`).
_READ_ONLY = "rota_read_only"


def _begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails with "database is locked" when
    # another process wrote in between; taking the write lock up front makes writers queue
    # (busy_timeout) instead. Read-only sessions begin nothing: the driver is in autocommit
    # (`_set_sqlite_pragmas`), so each of their statements runs on its own and takes no lock.
    if connection.get_execution_options().get(_READ_ONLY):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    async_url = to_async_url(url)
    if is_sqlite(url):
        _ensure_sqlite_directory(url)
        engine = create_async_engine(async_url, echo=echo, pool_size=1, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(async_url, echo=echo, pool_size=10, max_overflow=10)


def insert_for(dialect: str) -> Callable[..., Any]:
    """The dialect's ``insert`` (it has ``on_conflict_do_nothing`` and friends)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """The session's dialect's ``insert``."""
    return insert_for(session.get_bind().dialect.name)


@functools.cache
def insert_ignoring_duplicates(dialect: str, table: sa.Table) -> sa.Insert:
    """An INSERT that skips rows whose key is taken, built once per dialect and table and run
    with a list of rows: building a multi-row VALUES per call cost more than running it."""
    statement: sa.Insert = insert_for(dialect)(table).on_conflict_do_nothing()
    return statement


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: every statement runs on its own in autocommit, so
    a read costs one round trip instead of BEGIN, SELECT and COMMIT, and takes no write lock.

    On SQLite the driver already runs in autocommit, so read sessions only skip the BEGIN:
    SQLAlchemy's AUTOCOMMIT level would switch the driver's mode on every checkout and back
    (with a PRAGMA) on every return, each a hop to aiosqlite's thread."""
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(
            engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


_AFTER_COMMIT = "rota.after_commit"
logger = logging.getLogger("rota.db")


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the session's transaction has committed, never if it rolls back:
    the place for side effects outside the database, such as sending mail."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction: commits when the caller finishes cleanly, rolls back on any error, then
    runs the after-commit callbacks (a failing one is logged; the commit stands)."""
    async with sessionmaker.begin() as session:
        yield session
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            await callback()
        except Exception:
            logger.exception("after-commit callback failed")
