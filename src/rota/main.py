"""The composition root: builds the FastAPI app from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from rota import event_rendering
from rota.api.errors import install_error_handlers
from rota.api.routers import include_routers
from rota.api.wix_get_request import WixPackedGetMiddleware
from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.db import create_engine, create_read_sessionmaker, create_sessionmaker
from rota.events.relay import Relay, relay_settings
from rota.identity.deps import KeyGrantCache
from rota.mail.sender import mailer_for
from rota.staff.jobs import JobRunner


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = create_engine(settings.database_url, echo=settings.sql_echo)
    event_rendering.register_all()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = JobRunner(
            app.state.sessionmaker,
            utc_now,
            batch_size=settings.job_batch_size,
            public_base_url=settings.public_base_url,
        )
        app.state.job_runner = runner
        runner.start()
        relay = Relay(app.state.sessionmaker, utc_now, relay_settings(settings))
        if settings.relay_in_server:
            relay.start()
        try:
            yield
        finally:
            await relay.stop()
            await runner.stop()
            await engine.dispose()

    app = FastAPI(
        title="Rota",
        version="0.1.0",
        summary="Staff members, working hours, blocked time and availability, "
        "over the Wix and Booxi staff APIs.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_read_sessionmaker(engine)
    app.state.key_cache = KeyGrantCache(settings.api_key_cache_seconds)
    app.state.mailer = mailer_for(settings.smtp_url, settings.mail_dir)
    install_error_handlers(app)
    include_routers(app)
    app.add_middleware(WixPackedGetMiddleware)
    return app
