"""The Booxi Staff API routes (``/booking/v1``), authenticated by ``Booxi-PartnerKey``."""

from fastapi import APIRouter

from rota.booxi.routes import _access, _links, _schedules, _staff

router = APIRouter()
# The staff routes first: `GET /staff/list` must be matched before `GET /staff/{staffId}`.
for part in (_staff, _access, _links, _schedules):
    router.include_router(part.router)

__all__ = ["router"]
