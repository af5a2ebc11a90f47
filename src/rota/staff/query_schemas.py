"""Wix wire shapes for listing staff members: query, count, search, aggregations, bulk tags and
job status."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from rota.core.wire import Timestamp, WireModel
from rota.staff.schemas import (
    PagingMetadataRead,
    RequestedFields,
    StaffMemberRead,
    Tags,
)


class CursorPagingInput(WireModel):
    limit: int | None = None
    cursor: str | None = Field(default=None, max_length=16000)


class QueryInput(WireModel):
    filter: Any = None
    sort: Any = None
    cursor_paging: CursorPagingInput | None = None
    fields: RequestedFields
    # Offset paging exists in WQL, but staff listings page by cursor only (keyset paging).
    paging: dict[str, Any] | None = None


class QueryStaffMembersRequest(WireModel):
    query: QueryInput = Field(default_factory=QueryInput)
    fields: RequestedFields


class CountStaffMembersRequest(WireModel):
    filter: Any = None


class SearchDetailsInput(WireModel):
    mode: Literal["OR", "AND"] = "OR"
    expression: str | None = Field(default=None, max_length=100)
    fields: list[str] = Field(default_factory=list, max_length=20)
    fuzzy: bool = False


class ValueAggregationInput(WireModel):
    sort_type: Literal["COUNT", "VALUE"] = "COUNT"
    sort_direction: Literal["DESC", "ASC"] = "DESC"
    limit: int = Field(default=10, ge=1, le=100)
    missing_values: Literal["EXCLUDE", "INCLUDE"] = "EXCLUDE"


class ScalarAggregationInput(WireModel):
    type: Literal["COUNT_DISTINCT", "MIN", "MAX"]


class AggregationInput(WireModel):
    name: str | None = Field(default=None, max_length=100)
    type: Literal["VALUE", "SCALAR"]
    field_path: str
    value: ValueAggregationInput | None = None
    scalar: ScalarAggregationInput | None = None


class SearchInput(WireModel):
    filter: Any = None
    sort: Any = None
    cursor_paging: CursorPagingInput | None = None
    search: SearchDetailsInput | None = None
    aggregations: list[AggregationInput] = Field(default_factory=list, max_length=10)
    paging: dict[str, Any] | None = None


class SearchStaffMembersRequest(WireModel):
    search: SearchInput = Field(default_factory=SearchInput)
    fields: RequestedFields


class StaffMemberPageResponse(WireModel):
    staff_members: list[StaffMemberRead]
    paging_metadata: PagingMetadataRead


class StaffMemberSearchResponse(StaffMemberPageResponse):
    aggregation_data: dict[str, Any] | None = None


class CountResponse(WireModel):
    count: int


class BulkUpdateTagsRequest(WireModel):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    assign_tags: Tags | None = None
    unassign_tags: Tags | None = None


class BulkUpdateTagsByFilterRequest(WireModel):
    filter: dict[str, Any]
    assign_tags: Tags | None = None
    unassign_tags: Tags | None = None


class ApplicationErrorRead(WireModel):
    code: str
    description: str
    data: dict[str, Any] = Field(default_factory=dict)


class ItemMetadataRead(WireModel):
    id: uuid.UUID
    original_index: int
    success: bool
    error: ApplicationErrorRead | None = None


class BulkResultRead(WireModel):
    item_metadata: ItemMetadataRead


class BulkActionMetadataRead(WireModel):
    total_successes: int
    total_failures: int
    undetailed_failures: int = 0


class BulkUpdateTagsResponse(WireModel):
    results: list[BulkResultRead]
    bulk_action_metadata: BulkActionMetadataRead


class JobIdResponse(WireModel):
    job_id: uuid.UUID


class JobRead(WireModel):
    id: uuid.UUID
    kind: str
    status: str
    total_items: int | None = None
    processed_items: int
    successful_items: int
    failed_items: int
    progress_percent: int
    errors: list[dict[str, Any]]
    created_date: Timestamp
    updated_date: Timestamp
    finished_date: Timestamp | None = None


class JobResponse(WireModel):
    job: JobRead
