"""Rota's app with extra routes that stop at each layer of a staff get, for
``bench/get_layers.py``: authentication alone, plus a read session, plus the one ORM select of
the staff member. They are put first in the routing table, as ``/health`` is, so route matching
costs them no more than it costs the baseline."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from rota.core.deps import ReadSessionDep
from rota.identity.deps import OwnStaffReader
from rota.main import create_app
from rota.staff import service as staff_service

_OK = b'{"ok":true}'
layers = APIRouter()


@layers.get("/layers/auth")
async def auth_only(principal: OwnStaffReader) -> Response:
    return Response(_OK, media_type="application/json")


@layers.get("/layers/session")
async def auth_and_session(principal: OwnStaffReader, session: ReadSessionDep) -> Response:
    return Response(_OK, media_type="application/json")


@layers.get("/layers/select/{staff_member_id}")
async def auth_session_and_select(
    staff_member_id: uuid.UUID, principal: OwnStaffReader, session: ReadSessionDep
) -> Response:
    await staff_service.get_staff_member(
        session, site_id=principal.site_id, staff_id=staff_member_id
    )
    return Response(_OK, media_type="application/json")


app = create_app()
_existing = list(app.router.routes)
app.include_router(layers)
app.router.routes[:] = [*app.router.routes[len(_existing) :], *_existing]
