"""Module links: a staff member's external id in a partner module."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from rota.booxi import service as booxi_service
from rota.booxi.deps import StaffReader, StaffWriter
from rota.booxi.errors import invalid
from rota.booxi.mapping import StaffRecord
from rota.booxi.models import ModuleLink
from rota.booxi.routes._common import STAFF, StaffId
from rota.booxi.schemas import (
    BooxiBookNowStaff,
    BooxiModuleLink,
    BooxiModuleLinkResponse,
    BooxiModuleLinkWrite,
)
from rota.config import Settings
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.responses import json_response

router = APIRouter(tags=["Booxi Staff"])
ModuleId = Annotated[str, Path(alias="moduleId", min_length=1, max_length=100)]
LINK = STAFF + "/{staffId}/moduleLink/{moduleId}"


def _link_response(link: ModuleLink, staff: StaffRecord, settings: Settings) -> Response:
    return json_response(
        BooxiModuleLinkResponse(
            link=BooxiModuleLink.of(link, staff.number),
            staff=BooxiBookNowStaff.of(staff, media_base_url=settings.public_base_url),
        )
    )


@router.get(LINK, response_model=BooxiModuleLinkResponse, response_model_exclude_none=True)
async def get_staff_module_link(
    staff_id: StaffId,
    module_id: ModuleId,
    partner: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    link, staff = await booxi_service.get_module_link(
        session, partnership=partner.site_ids, number=staff_id, module_id=module_id
    )
    return _link_response(link, staff, settings)


@router.put(LINK, response_model=BooxiModuleLinkResponse, response_model_exclude_none=True)
async def save_staff_module_link(
    staff_id: StaffId,
    module_id: ModuleId,
    body: BooxiModuleLinkWrite,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Set the staff member's external id in the module (`metadata` left out keeps the stored
    one); an external id another staff member of the merchant holds is a 409."""
    for name, sent, path in (
        ("staffId", body.staff_id, staff_id),
        ("moduleId", body.module_id, module_id),
    ):
        if sent is not None and sent != path:
            raise invalid(name, f"The body's {name} must be the path's ({path})")
    if not body.external_id.strip():
        raise invalid("externalId", "externalId must not be blank")
    link, staff = await booxi_service.save_module_link(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        module_id=module_id,
        external_id=body.external_id.strip(),
        metadata=body.metadata,
        ctx=partner.write_context(now, settings),
    )
    return _link_response(link, staff, settings)
