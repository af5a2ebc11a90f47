"""Wix routes for listing staff members (query, count, search, v1 and v2) and bulk tagging."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from rota.config import Settings
from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.errors import FieldViolation, InvalidInput
from rota.core.responses import json_response
from rota.identity.deps import StaffReader, StaffWriter, write_context
from rota.staff import jobs
from rota.staff import query_service as queries
from rota.staff import service as staff_service
from rota.staff.models import BulkJob
from rota.staff.query_schemas import (
    AggregationInput,
    ApplicationErrorRead,
    BulkActionMetadataRead,
    BulkResultRead,
    BulkUpdateTagsByFilterRequest,
    BulkUpdateTagsRequest,
    BulkUpdateTagsResponse,
    CountResponse,
    CountStaffMembersRequest,
    CursorPagingInput,
    ItemMetadataRead,
    JobIdResponse,
    JobRead,
    JobResponse,
    QueryStaffMembersRequest,
    SearchStaffMembersRequest,
    StaffMemberPageResponse,
    StaffMemberSearchResponse,
)
from rota.staff.query_service import Aggregation, Paging, SearchText, StaffPage, Variant
from rota.staff.schemas import (
    CursorsRead,
    PagingMetadataRead,
    RequestedField,
    StaffMemberRead,
    Tags,
)
from rota.wixquery import CursorCodec

router = APIRouter(tags=["Staff Members"])

V1 = "/bookings/v1/staff-members"
V2 = ("/bookings/staff/v2/staff-members", "/bookings/v2/staff-members")
BULK = "/bookings/v1/bulk/staff-members"


def _codec(settings: Settings) -> CursorCodec:
    return CursorCodec(settings.secret_key.encode())


def _paging(
    cursor_paging: CursorPagingInput | None, offset_paging: object, default: int, prefix: str
) -> Paging:
    if offset_paging:
        raise InvalidInput(
            f"{prefix}.paging (offset paging) is not supported: use {prefix}.cursorPaging",
            violations=[FieldViolation(f"{prefix}.paging", "Use cursorPaging", "CUSTOM")],
        )
    cursor_paging = cursor_paging or CursorPagingInput()
    limit = default if cursor_paging.limit is None else cursor_paging.limit
    return Paging(limit=limit, cursor=cursor_paging.cursor)


def tag_values(tags: Tags | None) -> dict[str, Any] | None:
    return tags.model_dump(by_alias=True, exclude_none=True) if tags else None


def _page_body(page: StaffPage, fields: list[RequestedField], settings: Settings) -> dict[str, Any]:
    return {
        "staff_members": [
            StaffMemberRead.from_row(s, fields, media_base_url=settings.public_base_url)
            for s in page.staff
        ],
        "paging_metadata": PagingMetadataRead(
            count=len(page.staff),
            cursors=CursorsRead(next=page.next_cursor, prev=page.prev_cursor),
            has_next=page.has_next,
        ),
    }


async def _query(
    variant: Variant,
    body: QueryStaffMembersRequest,
    principal: Any,
    session: Any,
    settings: Settings,
) -> Response:
    query = body.query
    page = await queries.query_staff_members(
        session,
        site_id=principal.site_id,
        variant=variant,
        raw_filter=query.filter,
        raw_sort=query.sort,
        paging=_paging(query.cursor_paging, query.paging, 50 if variant == "v1" else 100, "query"),
        codec=_codec(settings),
    )
    fields = list(dict.fromkeys([*body.fields, *query.fields]))
    return json_response(StaffMemberPageResponse(**_page_body(page, fields, settings)))


def _aggregation(spec: AggregationInput, index: int) -> Aggregation:
    path = f"search.aggregations[{index}]"
    allowed = queries.aggregatable_fields()
    if spec.field_path not in allowed:
        raise InvalidInput(
            f"{path}.fieldPath {spec.field_path!r} cannot be aggregated; use one of "
            f"{', '.join(allowed)}",
            violations=[
                FieldViolation(f"{path}.fieldPath", f"One of {', '.join(allowed)}", "CUSTOM")
            ],
        )
    if spec.type == "SCALAR" and spec.scalar is None:
        raise InvalidInput(
            f"{path}.scalar is required for a SCALAR aggregation",
            violations=[FieldViolation(f"{path}.scalar", "Required for SCALAR", "REQUIRED_FIELD")],
        )
    value = spec.value
    return Aggregation(
        name=spec.name or f"{spec.type.lower()}-{spec.field_path}",
        field=spec.field_path,
        kind=spec.type,
        scalar=spec.scalar.type if spec.scalar else None,
        limit=value.limit if value else 10,
        by_value=bool(value and value.sort_type == "VALUE"),
        descending=not (value and value.sort_direction == "ASC"),
        include_missing=bool(value and value.missing_values == "INCLUDE"),
    )


async def _search(
    variant: Variant,
    body: SearchStaffMembersRequest,
    principal: Any,
    session: Any,
    settings: Settings,
) -> Response:
    search = body.search
    details = search.search
    if details:
        queries.check_searchable(details.fields)
    page = await queries.search_staff_members(
        session,
        site_id=principal.site_id,
        variant=variant,
        raw_filter=search.filter,
        raw_sort=search.sort,
        text=SearchText(
            expression=details.expression or "",
            require_all=details.mode == "AND",
            fuzzy=details.fuzzy,
        )
        if details and details.expression
        else None,
        aggregations=[_aggregation(a, i) for i, a in enumerate(search.aggregations)],
        paging=_paging(search.cursor_paging, search.paging, 100, "search"),
        codec=_codec(settings),
    )
    aggregation_data = {"results": page.aggregations} if page.aggregations is not None else None
    return json_response(
        StaffMemberSearchResponse(
            **_page_body(page, body.fields, settings), aggregation_data=aggregation_data
        )
    )


@router.post(
    V1 + "/query", response_model=StaffMemberPageResponse, response_model_exclude_none=True
)
async def query_staff_members(
    body: QueryStaffMembersRequest,
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    """WQL query; lists only service providers unless the filter mentions `serviceProvider`."""
    return await _query("v1", body, principal, session, settings)


@router.post(V1 + "/count", response_model=CountResponse)
async def count_staff_members(
    body: CountStaffMembersRequest, principal: StaffReader, session: ReadSessionDep
) -> CountResponse:
    count = await queries.count_staff_members(
        session, site_id=principal.site_id, variant="v1", raw_filter=body.filter
    )
    return CountResponse(count=count)


@router.post(
    V1 + "/search", response_model=StaffMemberSearchResponse, response_model_exclude_none=True
)
async def search_staff_members(
    body: SearchStaffMembersRequest,
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    return await _search("v1", body, principal, session, settings)


async def query_staff_members_v2(
    body: QueryStaffMembersRequest,
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    """WQL query over every staff member, service provider or not."""
    return await _query("v2", body, principal, session, settings)


async def count_staff_members_v2(
    body: CountStaffMembersRequest, principal: StaffReader, session: ReadSessionDep
) -> CountResponse:
    count = await queries.count_staff_members(
        session, site_id=principal.site_id, variant="v2", raw_filter=body.filter
    )
    return CountResponse(count=count)


async def search_staff_members_v2(
    body: SearchStaffMembersRequest,
    principal: StaffReader,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    return await _search("v2", body, principal, session, settings)


for _index, _prefix in enumerate(V2):
    for _suffix, _endpoint, _model in (
        ("/query", query_staff_members_v2, StaffMemberPageResponse),
        ("/count", count_staff_members_v2, CountResponse),
        ("/search", search_staff_members_v2, StaffMemberSearchResponse),
    ):
        router.add_api_route(
            _prefix + _suffix,
            _endpoint,
            methods=["POST"],
            response_model=_model,
            response_model_exclude_none=True,
            include_in_schema=_index == 0,
        )


@router.post(BULK + "/update-tags", response_model=BulkUpdateTagsResponse)
async def bulk_update_staff_member_tags(
    body: BulkUpdateTagsRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Synchronous; an unknown id fails its own item only. A tag in both lists is assigned."""
    outcomes = await staff_service.update_tags(
        session,
        site_id=principal.site_id,
        staff_ids=body.ids,
        assign=tag_values(body.assign_tags),
        unassign=tag_values(body.unassign_tags),
        ctx=write_context(principal, now, settings),
    )
    results = [
        BulkResultRead(
            item_metadata=ItemMetadataRead(
                id=o.id,
                original_index=o.index,
                success=o.error is None,
                error=ApplicationErrorRead(code=o.error.code, description=o.error.message)
                if o.error
                else None,
            )
        )
        for o in outcomes
    ]
    failures = sum(1 for o in outcomes if o.error)
    return json_response(
        BulkUpdateTagsResponse(
            results=results,
            bulk_action_metadata=BulkActionMetadataRead(
                total_successes=len(outcomes) - failures, total_failures=failures
            ),
        )
    )


@router.post(BULK + "/update-tags-by-filter", response_model=JobIdResponse)
async def bulk_update_staff_member_tags_by_filter(
    body: BulkUpdateTagsByFilterRequest,
    principal: StaffWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
    background: BackgroundTasks,
) -> JobIdResponse:
    """Asynchronous: answers with a job id at once; follow it at the job status endpoint. An
    empty filter means every staff member of the site."""
    job = await jobs.create_tags_by_filter_job(
        session,
        site_id=principal.site_id,
        raw_filter=body.filter,
        assign=tag_values(body.assign_tags),
        unassign=tag_values(body.unassign_tags),
        ctx=write_context(principal, now, settings),
    )
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        background.add_task(runner.wake)  # after the response, so after the commit
    return JobIdResponse(job_id=job.id)


def _job_read(job: BulkJob) -> JobRead:
    total = job.total
    progress = (
        100 if job.state == jobs.FINISHED else (int(job.processed * 100 / total) if total else 0)
    )
    return JobRead(
        id=job.id,
        kind=job.kind,
        status=job.state,
        total_items=total,
        processed_items=job.processed,
        successful_items=job.succeeded,
        failed_items=job.failed,
        progress_percent=min(progress, 100),
        errors=job.errors,
        created_date=job.created_at,
        updated_date=job.updated_at,
        finished_date=job.finished_at,
    )


@router.get(BULK + "/jobs/{job_id}", response_model=JobResponse, response_model_exclude_none=True)
async def get_bulk_job(
    job_id: uuid.UUID, principal: StaffReader, session: ReadSessionDep
) -> Response:
    """State, progress, counts and per-item errors of a bulk job."""
    job = await jobs.get_job(session, site_id=principal.site_id, job_id=job_id)
    return json_response(JobResponse(job=_job_read(job)))
