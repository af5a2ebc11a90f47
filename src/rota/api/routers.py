"""The one place routers are mounted."""

from __future__ import annotations

from fastapi import FastAPI

from rota.api import health
from rota.availability.routes import router as availability_router
from rota.booxi.routes import router as booxi_router
from rota.calendar.routes import router as calendar_router
from rota.events.routes import router as events_router
from rota.identity.account_routes import router as account_router
from rota.media.routes import router as media_router
from rota.staff.connection_routes import router as connection_router
from rota.staff.routes import router as staff_router


def include_routers(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(staff_router)
    app.include_router(media_router)
    app.include_router(events_router)
    app.include_router(connection_router)
    app.include_router(account_router)
    app.include_router(calendar_router)
    app.include_router(availability_router)
    app.include_router(booxi_router)
