"""Wix Bookings Staff Members API routes (v1 and the v2 trash bin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic.alias_generators import to_snake

from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.errors import FieldViolation, InvalidInput
from rota.core.responses import json_response
from rota.identity.deps import OwnStaffReader, StaffReader, StaffWriter, write_context
from rota.identity.permissions import Permission
from rota.staff import service as staff_service
from rota.staff.errors import NotYourStaffMember
from rota.staff.models import StaffMember
from rota.staff.query_routes import router as query_router
from rota.staff.schemas import (
    AssignScheduleRequest,
    CreateStaffMemberRequest,
    CursorsRead,
    EmptyResponse,
    FieldsRequest,
    PagingMetadataRead,
    RequestedField,
    SetServiceProviderRequest,
    StaffMemberListResponse,
    StaffMemberRead,
    StaffMemberResponse,
    UpdateStaffMemberRequest,
)
from rota.staff.service import EDITABLE_FIELDS, StaffMemberChanges
from rota.staff.trash_cursor import decode_trash_cursor, encode_trash_cursor

router = APIRouter(tags=["Staff Members"])
# Listing routes first: `/staff-members/query` must not be taken for a staff member id.
router.include_router(query_router)

V1 = "/bookings/v1/staff-members"
V2_PREFIXES = ("/bookings/staff/v2/staff-members", "/bookings/v2/staff-members")
# A plain default, not default_factory: pydantic inspects a factory per request.
RequestedFieldsQuery = Annotated[list[RequestedField], Query(max_length=3)]


def _read(staff: StaffMember, fields: list[RequestedField], base_url: str) -> StaffMemberRead:
    return StaffMemberRead.from_row(staff, fields, media_base_url=base_url)


def staff_member_response(
    staff: StaffMember, fields: list[RequestedField], base_url: str
) -> Response:
    """The `{staffMember}` answer of the single-record calls, with the requested fields."""
    return json_response(StaffMemberResponse(staff_member=_read(staff, fields, base_url)))


def _update_changes(body: UpdateStaffMemberRequest) -> StaffMemberChanges:
    """PATCH semantics: the field mask when given, else every field present in the body."""
    member = body.staff_member
    paths = body.mask_paths()
    if paths is None:
        names = member.model_fields_set & EDITABLE_FIELDS
    else:
        names = {to_snake(path.split(".")[0]) for path in paths}
        unknown = sorted(names - EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(
                f"fieldMask names fields that cannot be updated: {', '.join(unknown)}",
                violations=[
                    FieldViolation(
                        "fieldMask",
                        f"Updatable fields: {', '.join(sorted(EDITABLE_FIELDS))}",
                        "FORMAT",
                    )
                ],
            )
    if "name" in names and member.name is None:
        raise InvalidInput(
            "A staff member's name cannot be cleared",
            violations=[FieldViolation("staffMember.name", "Name is required", "REQUIRED_FIELD")],
        )
    return StaffMemberChanges(member.changed_values(set(names)))


@router.post(V1, response_model=StaffMemberResponse, response_model_exclude_none=True)
async def create_staff_member(
    body: CreateStaffMemberRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    member = body.staff_member
    staff = await staff_service.create_staff_member(
        session,
        site_id=principal.site_id,
        changes=StaffMemberChanges(
            member.changed_values(
                {
                    n
                    for n in member.model_fields_set & EDITABLE_FIELDS
                    if getattr(member, n) is not None
                }
                | {"name"}
            )
        ),
        service_provider=True if body.service_provider is None else body.service_provider,
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields, settings.public_base_url)


@router.get(
    V1 + "/{staff_member_id}",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def get_staff_member(
    staff_member_id: uuid.UUID,
    principal: OwnStaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
    fields: RequestedFieldsQuery = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    """A signed-in staff member may read only their own record (403 for anyone else's)."""
    staff = await staff_service.get_staff_member(
        session, site_id=principal.site_id, staff_id=staff_member_id
    )
    if not principal.can(Permission.STAFF_READ) and staff.wix_user_id != principal.user_id:
        raise NotYourStaffMember("You may read only the staff member you are connected to")
    return staff_member_response(staff, fields, settings.public_base_url)


@router.patch(
    V1 + "/{staff_member_id}",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def update_staff_member(
    staff_member_id: uuid.UUID,
    body: UpdateStaffMemberRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    body_id = body.staff_member.id
    if body_id and body_id.lower() != str(staff_member_id):
        raise InvalidInput(
            "staffMember.id must match the id in the path",
            violations=[
                FieldViolation("staffMember.id", "Must equal the path's staff member id", "FORMAT")
            ],
        )
    staff = await staff_service.update_staff_member(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        revision=body.staff_member.revision,
        changes=_update_changes(body),
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields, settings.public_base_url)


@router.delete(V1 + "/{staff_member_id}", response_model=EmptyResponse)
async def delete_staff_member(
    staff_member_id: uuid.UUID,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    await staff_service.delete_staff_member(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        ctx=write_context(principal, now, settings),
    )
    return json_response(EmptyResponse())


@router.post(
    V1 + "/{staff_member_id}/set-service-provider",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def set_service_provider(
    staff_member_id: uuid.UUID,
    body: SetServiceProviderRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    staff = await staff_service.set_service_provider(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        service_provider=body.service_provider,
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields, settings.public_base_url)


@router.post(
    V1 + "/{staff_member_id}/assign-working-hours-schedule",
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
)
async def assign_working_hours_schedule(
    staff_member_id: uuid.UUID,
    body: AssignScheduleRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """The staff member's own events schedule for custom hours, the business schedule for the
    default hours; `assign-custom-schedule` is Wix's deprecated name for the same call."""
    staff = await staff_service.assign_working_hours_schedule(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        schedule_id=body.schedule_id,
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields, settings.public_base_url)


router.add_api_route(
    V1 + "/{staff_member_id}/assign-custom-schedule",
    assign_working_hours_schedule,
    methods=["POST"],
    response_model=StaffMemberResponse,
    response_model_exclude_none=True,
    deprecated=True,
)


async def get_deleted_staff_member(
    staff_member_id: uuid.UUID,
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
    fields: RequestedFieldsQuery = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    staff = await staff_service.get_deleted_staff_member(
        session, site_id=principal.site_id, staff_id=staff_member_id
    )
    return staff_member_response(staff, fields, settings.public_base_url)


async def list_deleted_staff_members(
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
    staff_member_ids: Annotated[
        list[uuid.UUID], Query(alias="staffMemberIds", max_length=100, default_factory=list)
    ],
    fields: RequestedFieldsQuery = [],  # noqa: B006 - FastAPI copies defaults per request
    limit: Annotated[int, Query(alias="paging.limit", ge=1, le=100)] = 100,
    cursor: Annotated[str | None, Query(alias="paging.cursor", max_length=16000)] = None,
) -> Response:
    after_id, ids = None, staff_member_ids
    if cursor:
        if staff_member_ids:
            raise InvalidInput("Send either paging.cursor or staffMemberIds, not both")
        after_id, ids = decode_trash_cursor(settings.secret_key, principal.site_id, cursor)
    rows, has_next = await staff_service.list_deleted_staff_members(
        session, site_id=principal.site_id, staff_ids=ids, after_id=after_id, limit=limit
    )
    next_cursor = (
        encode_trash_cursor(settings.secret_key, principal.site_id, rows[-1].id, ids)
        if has_next
        else None
    )
    return json_response(
        StaffMemberListResponse(
            staff_members=[_read(s, fields, settings.public_base_url) for s in rows],
            paging_metadata=PagingMetadataRead(
                count=len(rows), cursors=CursorsRead(next=next_cursor), has_next=has_next
            ),
        )
    )


async def remove_staff_member_from_trash_bin(
    staff_member_id: uuid.UUID,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    await staff_service.remove_from_trash(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        ctx=write_context(principal, now, settings),
    )
    return json_response(EmptyResponse())


async def restore_staff_member_from_trash_bin(
    staff_member_id: uuid.UUID,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    body: FieldsRequest | None = None,
) -> Response:
    """Rota addition: Wix defines the request type but exposes no endpoint."""
    staff = await staff_service.restore_staff_member(
        session,
        site_id=principal.site_id,
        staff_id=staff_member_id,
        ctx=write_context(principal, now, settings),
    )
    return staff_member_response(staff, body.fields if body else [], settings.public_base_url)


for index, prefix in enumerate(V2_PREFIXES):
    trash = prefix + "/trash-bin"
    documented = index == 0
    one = {"response_model": StaffMemberResponse, "response_model_exclude_none": True}
    router.add_api_route(
        trash + "/{staff_member_id}",
        get_deleted_staff_member,
        methods=["GET"],
        include_in_schema=documented,
        **one,  # type: ignore[arg-type]
    )
    router.add_api_route(
        trash,
        list_deleted_staff_members,
        methods=["GET"],
        response_model=StaffMemberListResponse,
        response_model_exclude_none=True,
        include_in_schema=documented,
    )
    router.add_api_route(
        trash + "/{staff_member_id}",
        remove_staff_member_from_trash_bin,
        methods=["DELETE"],
        response_model=EmptyResponse,
        include_in_schema=documented,
    )
    router.add_api_route(
        trash + "/{staff_member_id}/restore",
        restore_staff_member_from_trash_bin,
        methods=["POST"],
        include_in_schema=documented,
        **one,  # type: ignore[arg-type]
    )
