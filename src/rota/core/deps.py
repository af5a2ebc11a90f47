"""Request-scoped dependencies every router uses: the database session and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.db import session_scope


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker = cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)
    async for session in session_scope(sessionmaker):
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker = cast(async_sessionmaker[AsyncSession], request.app.state.read_sessionmaker)
    async with sessionmaker() as session:
        yield session


async def get_now(request: Request) -> datetime:  # async: no worker thread per request
    clock = cast(Callable[[], datetime], getattr(request.app.state, "clock", utc_now))
    return clock()


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


# scope="function": the transaction commits before the response is sent, so a failed commit
# reaches the client as an error rather than as a success.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
# For routes that only read: no transaction, one round trip per statement.
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
