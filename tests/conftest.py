"""Test set-up: one real database per run (SQLite by default, PostgreSQL when
``ROTA_TEST_DATABASE_URL`` says so), migrated with Alembic, and a fresh site per test.

Every record belongs to a site, so tests isolate themselves by working in their own site; no
rollback tricks are needed and cross-site leaks would show up as failures.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.db import create_engine, is_sqlite
from rota.identity import service as identity_service
from rota.identity.permissions import Scope
from rota.main import create_app
from rota.migrations import runner
from tests.builders import SiteContext

BASE_URL = "http://rota.test"


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """SQLite: a new file. PostgreSQL: a new database on the server ROTA_TEST_DATABASE_URL
    names, dropped afterwards, so runs never share state and can run side by side."""
    server_url = os.environ.get("ROTA_TEST_DATABASE_URL")
    if not server_url or is_sqlite(server_url):
        yield server_url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'rota-test.db'}"
        return
    name = f"rota_test_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def migrated_database(database_url: str) -> str:
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(runner.upgrade, database_url)
    return database_url


@pytest.fixture(scope="session")
def settings(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=migrated_database,
        secret_key="test-secret",
        public_base_url=BASE_URL,
        api_key_cache_seconds=0,
        max_image_bytes=200_000,
        mail_dir=tmp_path_factory.mktemp("mail"),
    )


@pytest.fixture(scope="session")
async def app_and_sessionmaker(
    settings: Settings,
) -> AsyncIterator[tuple[object, async_sessionmaker[AsyncSession]]]:
    app = create_app(settings)
    yield app, app.state.sessionmaker
    await app.state.engine.dispose()


@pytest.fixture
def app(app_and_sessionmaker: tuple[object, async_sessionmaker[AsyncSession]]) -> Any:
    return app_and_sessionmaker[0]


@pytest.fixture
def sessionmaker(
    app_and_sessionmaker: tuple[object, async_sessionmaker[AsyncSession]],
) -> async_sessionmaker[AsyncSession]:
    return app_and_sessionmaker[1]


@pytest.fixture
async def client(
    app_and_sessionmaker: tuple[object, async_sessionmaker[AsyncSession]],
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_and_sessionmaker[0], raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


async def new_site(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    scopes: list[Scope] | None = None,
    time_zone: str = "Europe/London",
) -> SiteContext:
    async with sessionmaker.begin() as session:
        now = utc_now()
        site = await identity_service.create_site(
            session, name=f"site-{uuid.uuid4().hex[:6]}", time_zone=time_zone, now=now
        )
        key = await identity_service.create_api_key(
            session, site_ids=[site.id], scopes=scopes, name="test", now=now
        )
    return SiteContext(site_id=site.id, key=key.plaintext)


@pytest.fixture
async def site(sessionmaker: async_sessionmaker[AsyncSession]) -> SiteContext:
    return await new_site(sessionmaker)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
