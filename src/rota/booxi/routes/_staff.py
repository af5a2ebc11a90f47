"""Staff records: get, list (search), create, update, delete, and the profile picture."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response

from rota.booxi import service as booxi_service
from rota.booxi.deps import StaffReader, StaffWriter
from rota.booxi.routes._common import (
    MAX_ID,
    MAX_STAFF_ID,
    STAFF,
    Limit,
    MerchantId,
    StaffId,
    blank_as_none,
    staff_response,
)
from rota.booxi.schemas import BooxiStaff, BooxiStaffList, BooxiStaffWrite
from rota.config import Settings
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.responses import json_response
from rota.wixquery import CursorCodec

router = APIRouter(tags=["Booxi Staff"])
TextQuery = Annotated[str | None, Query(max_length=320)]
OriginId = Annotated[int | None, Query(ge=1, le=MAX_STAFF_ID)]


def _cursor_codec(settings: Settings) -> CursorCodec:
    return CursorCodec(settings.secret_key.encode())


# Before `/staff/{staffId}`, which would otherwise take "list" for an id.
@router.get(STAFF + "/list", response_model=BooxiStaffList, response_model_exclude_none=True)
async def get_staff_list(
    partner: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
    external_id: Annotated[str | None, Query(alias="externalId", max_length=200)] = None,
    module_id: Annotated[str | None, Query(alias="moduleId", max_length=100)] = None,
    merchant_id: Annotated[int | None, Query(alias="merchantId", ge=1, le=MAX_ID)] = None,
    first_name: Annotated[str | None, Query(alias="firstName", max_length=40)] = None,
    last_name: Annotated[str | None, Query(alias="lastName", max_length=40)] = None,
    communication_email: Annotated[TextQuery, Query(alias="communicationEmail")] = None,
    login_email: Annotated[TextQuery, Query(alias="loginEmail")] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    personnel_type: Annotated[str | None, Query(alias="personnelType", max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=16000)] = None,
    limit: Limit = 100,
) -> Response:
    """The partnership's live staff matching every criterion given, by staff id, a page at a
    time. Search by `externalId` + `moduleId` (across the key's merchants using the module), or
    give `merchantId`; `firstName` + `lastName` go together and match exactly. Pass `cursor`
    back (alone, or with the same criteria) for the next page."""
    query = booxi_service.StaffQuery(
        external_id=blank_as_none(external_id),
        module_id=blank_as_none(module_id),
        merchant_id=merchant_id,
        first_name=blank_as_none(first_name),
        last_name=blank_as_none(last_name),
        communication_email=blank_as_none(communication_email),
        login_email=blank_as_none(login_email),
        status=blank_as_none(status),
        personnel_type=blank_as_none(personnel_type),
    )
    page = await booxi_service.list_staff(
        session,
        partnership=partner.site_ids,
        query=query,
        cursor=blank_as_none(cursor),
        limit=limit,
        codec=_cursor_codec(settings),
        scope=f"booxi.staff.list:{partner.key_id}",
    )
    base_url = settings.public_base_url
    return json_response(
        BooxiStaffList(
            staffs=[BooxiStaff.of(record, media_base_url=base_url) for record in page.records],
            cursor=page.cursor,
        )
    )


@router.get(STAFF + "/{staffId}", response_model=BooxiStaff, response_model_exclude_none=True)
async def get_staff(
    staff_id: StaffId, partner: StaffReader, session: ReadSessionDep, settings: SettingsDep
) -> Response:
    record = await booxi_service.get_staff(session, partnership=partner.site_ids, number=staff_id)
    return staff_response(record, settings)


@router.post(STAFF + "/{merchantId}", response_model=BooxiStaff, response_model_exclude_none=True)
async def create_staff(
    merchant_id: MerchantId,
    body: BooxiStaffWrite,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    from_staff_id: Annotated[OriginId, Query(alias="fromStaffId")] = None,
    from_staff_template_id: Annotated[OriginId, Query(alias="fromStaffTemplateId")] = None,
) -> Response:
    """Create a staff member for the merchant: new, a duplicate of `fromStaffId` (same
    merchant), or from the head-office template `fromStaffTemplateId`; the body's fields win."""
    record = await booxi_service.create_staff(
        session,
        partnership=partner.site_ids,
        merchant_id=merchant_id,
        draft=booxi_service.StaffDraft(body.model_dump(exclude_unset=True, by_alias=False)),
        from_staff=from_staff_id,
        from_template=from_staff_template_id,
        ctx=partner.write_context(now, settings),
    )
    return staff_response(record, settings)


@router.put(STAFF + "/{staffId}", response_model=BooxiStaff, response_model_exclude_none=True)
async def update_staff(
    staff_id: StaffId,
    body: BooxiStaffWrite,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Change the fields sent; the others stay. `personnelType` and `isTemplate` are fixed at
    creation; `loginEmail` and `userRole` change through the user access."""
    record = await booxi_service.update_staff(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        draft=booxi_service.StaffDraft(body.model_dump(exclude_unset=True, by_alias=False)),
        ctx=partner.write_context(now, settings),
    )
    return staff_response(record, settings)


@router.delete(STAFF + "/{staffId}", response_model=BooxiStaff, response_model_exclude_none=True)
async def delete_staff(
    staff_id: StaffId,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Delete the staff member (into the Wix trash bin) and answer the deleted record."""
    record = await booxi_service.delete_staff(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        ctx=partner.write_context(now, settings),
    )
    return staff_response(record, settings)


@router.put(STAFF + "/{staffId}/image", response_model=BooxiStaff, response_model_exclude_none=True)
async def set_staff_image(
    staff_id: StaffId,
    image: UploadFile,
    partner: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """The profile picture (multipart field `image`: PNG, JPEG or WebP)."""
    # One byte past the limit is enough for the service to refuse an oversized image.
    data = await image.read(settings.max_image_bytes + 1)
    record = await booxi_service.set_profile_image(
        session,
        partnership=partner.site_ids,
        number=staff_id,
        data=data,
        filename=image.filename,
        max_bytes=settings.max_image_bytes,
        ctx=partner.write_context(now, settings),
    )
    return staff_response(record, settings)
