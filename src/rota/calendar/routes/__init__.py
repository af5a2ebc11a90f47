"""Wix Calendar v3 routes: Events (`/calendar/v3/events…`) and Schedules
(`/calendar/v3/schedules…`). Each routes module exposes `router`."""

from fastapi import APIRouter

from rota.calendar.routes._events import router as events_router
from rota.calendar.routes._schedules import router as schedules_router

router = APIRouter()
router.include_router(events_router)
router.include_router(schedules_router)

__all__ = ["router"]
