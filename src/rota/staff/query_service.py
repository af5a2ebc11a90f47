"""Listing staff members: WQL query and count, free-text search with aggregations, and the
cursors that page through them.

Cursors carry the filter, sort, search and position (keyset paging, never OFFSET), are signed,
and are bound to the site and the endpoint variant, so a cursor from elsewhere is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from rota.core.errors import CursorRejected, FieldViolation, InvalidInput
from rota.staff import ranked_search, repository
from rota.staff.models import StaffMember
from rota.staff.query_fields import (
    STAFF_QUERY_FIELDS,
    STAFF_SEARCH_FIELDS,
    STAFF_SEARCHABLE_FIELDS,
)
from rota.staff.repository import RELEVANCE, TextMatch
from rota.staff.search_text import dictionary_prefixes, search_terms, typo_candidates
from rota.wixquery import (
    And,
    Comparison,
    CursorCodec,
    CursorState,
    CursorTooLarge,
    FieldTable,
    InvalidCursor,
    MatchAll,
    Node,
    QueryError,
    SortKey,
    mentions,
    parse_filter,
    parse_sort,
    render_filter,
    render_sort,
    sort_values,
)

Variant = Literal["v1", "v2"]
MAX_LIMIT = 100
MAX_FUZZY_ALTERNATIVES = 20
MAX_AGGREGATIONS = 10


@dataclass(frozen=True)
class Paging:
    limit: int
    cursor: str | None = None


@dataclass(frozen=True)
class SearchText:
    expression: str
    require_all: bool = False
    fuzzy: bool = False


@dataclass(frozen=True)
class Aggregation:
    name: str
    field: str
    kind: Literal["VALUE", "SCALAR"]
    scalar: Literal["COUNT_DISTINCT", "MIN", "MAX"] | None = None
    limit: int = 10
    by_value: bool = False
    descending: bool = True
    include_missing: bool = False


@dataclass(frozen=True)
class StaffPage:
    staff: list[StaffMember]
    next_cursor: str | None
    prev_cursor: str | None
    has_next: bool
    aggregations: list[dict[str, Any]] | None = field(default=None)


def invalid_query(error: QueryError, prefix: str) -> InvalidInput:
    path = f"{prefix}.{error.field}" if prefix else error.field
    return InvalidInput(error.message, violations=[FieldViolation(path, error.message, error.rule)])


def _effective_filter(node: Node, variant: Variant) -> Node:
    """v1 lists only service providers unless the filter says otherwise; v2 lists everyone."""
    if variant == "v2" or mentions(node, "serviceProvider"):
        return node
    provider = Comparison("serviceProvider", "$eq", True)
    return provider if isinstance(node, MatchAll) else And((node, provider))


def _parse(
    raw_filter: object, raw_sort: object, table: FieldTable, prefix: str
) -> tuple[Node, tuple[SortKey, ...]]:
    try:
        return parse_filter(raw_filter, table), parse_sort(raw_sort, table)
    except QueryError as error:
        raise invalid_query(error, prefix) from None


def _check_limit(limit: int, prefix: str) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"{prefix}.cursorPaging.limit must be between 1 and {MAX_LIMIT}",
            violations=[
                FieldViolation(
                    f"{prefix}.cursorPaging.limit",
                    f"Must be between 1 and {MAX_LIMIT}",
                    "MAX" if limit > MAX_LIMIT else "MIN",
                    {"threshold": MAX_LIMIT if limit > MAX_LIMIT else 1},
                )
            ],
        )


def _scope(kind: str, variant: Variant, site_id: uuid.UUID) -> str:
    return f"staff-{kind}:{variant}:{site_id}"


@dataclass(frozen=True)
class _Request:
    """A listing request after its cursor (if any) has been opened."""

    filter_node: Node
    sort: tuple[SortKey, ...]
    text: SearchText | None
    after: list[Any] | None
    forward: bool


def _open_cursor(
    codec: CursorCodec, token: str, scope: str, table: FieldTable, prefix: str
) -> _Request:
    try:
        state = codec.decode(token, scope=scope)
        filter_node, sort = parse_filter(state.filter, table), parse_sort(state.sort, table)
    except (InvalidCursor, QueryError):
        raise CursorRejected(
            f"{prefix}.cursorPaging.cursor is not a cursor this endpoint issued for this site: "
            "send back the cursor of the previous response unchanged"
        ) from None
    text = state.extra.get("text")
    return _Request(
        filter_node=filter_node,
        sort=sort,
        text=SearchText(**text) if text else None,
        after=state.after,
        forward=state.forward,
    )


async def _text_match(
    session: AsyncSession, site_id: uuid.UUID, text: SearchText | None
) -> TextMatch | None:
    terms = search_terms(text.expression) if text else []
    if not text or not terms:
        return None
    groups = []
    for term in terms:
        alternatives: list[str] = []
        if text.fuzzy:
            words = await repository.dictionary_words(
                session, site_id=site_id, starts=dictionary_prefixes(term)
            )
            alternatives = typo_candidates(term, words)[:MAX_FUZZY_ALTERNATIVES]
        groups.append((term, tuple(alternatives)))
    return TextMatch(groups=tuple(groups), require_all=text.require_all)


async def _list(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    variant: Variant,
    kind: str,
    table: FieldTable,
    prefix: str,
    raw_filter: object,
    raw_sort: object,
    text: SearchText | None,
    paging: Paging,
    codec: CursorCodec,
) -> StaffPage:
    _check_limit(paging.limit, prefix)
    scope = _scope(kind, variant, site_id)
    if paging.cursor:
        if raw_filter or raw_sort or (text and text.expression):
            raise InvalidInput(
                f"A request with {prefix}.cursorPaging.cursor must not also carry a filter, "
                "sort or search: they are inside the cursor",
                violations=[
                    FieldViolation(
                        f"{prefix}.cursorPaging.cursor", "Send the cursor alone", "CUSTOM"
                    )
                ],
            )
        request = _open_cursor(codec, paging.cursor, scope, table, prefix)
    else:
        filter_node, sort = _parse(raw_filter, raw_sort, table, prefix)
        request = _Request(filter_node, sort, text, after=None, forward=True)

    match = await _text_match(session, site_id, request.text)
    ranked = match is not None and not request.sort
    keys = (SortKey(RELEVANCE, descending=True),) if ranked else request.sort
    filter_node = _effective_filter(request.filter_node, variant)
    found: Sequence[tuple[StaffMember, int | None]] | None = None
    if ranked and match is not None and ranked_search.runs_ranked(match) and request.forward:
        # Read from the prefix postings when that stays short; else SQL ranks every match.
        found = await ranked_search.ranked_page(
            session,
            site_id=site_id,
            filter_node=filter_node,
            match=match,
            after=(int(request.after[0]), uuid.UUID(str(request.after[1])))
            if request.after
            else None,
            limit=paging.limit + 1,
        )
    if found is None:
        found = await repository.query_page(
            session,
            site_id=site_id,
            filter_node=filter_node,
            sort=keys,
            after=request.after,
            forward=request.forward,
            limit=paging.limit + 1,
            text=match,
        )
    more = len(found) > paging.limit
    rows = list(found[: paging.limit])
    if not request.forward:
        rows.reverse()
    staff = [row[0] for row in rows]

    def cursor(row: tuple[StaffMember, int | None], forward: bool) -> str:
        state = CursorState(
            scope=scope,
            filter=render_filter(request.filter_node),
            sort=render_sort(request.sort),
            after=list(sort_values(keys, repository.sort_record(*row))),
            forward=forward,
            extra={"text": request.text.__dict__} if request.text else {},
        )
        try:
            return codec.encode(state)
        except CursorTooLarge as error:
            raise InvalidInput(str(error)) from None

    has_next = more if request.forward else request.after is not None
    has_prev = request.after is not None if request.forward else more
    return StaffPage(
        staff=staff,
        next_cursor=cursor(rows[-1], True) if rows and has_next else None,
        prev_cursor=cursor(rows[0], False) if rows and has_prev else None,
        has_next=has_next,
    )


async def query_staff_members(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    variant: Variant,
    raw_filter: object,
    raw_sort: object,
    paging: Paging,
    codec: CursorCodec,
) -> StaffPage:
    return await _list(
        session,
        site_id=site_id,
        variant=variant,
        kind="query",
        table=STAFF_QUERY_FIELDS,
        prefix="query",
        raw_filter=raw_filter,
        raw_sort=raw_sort,
        text=None,
        paging=paging,
        codec=codec,
    )


async def count_staff_members(
    session: AsyncSession, *, site_id: uuid.UUID, variant: Variant, raw_filter: object
) -> int:
    filter_node, _ = _parse(raw_filter, None, STAFF_QUERY_FIELDS, "")
    if isinstance(filter_node, MatchAll):
        # The site's kept counts: one row, however large the site.
        live, providers = await repository.site_counts(session, site_id=site_id)
        return live if variant == "v2" else providers
    return await repository.count_matching(
        session, site_id=site_id, filter_node=_effective_filter(filter_node, variant)
    )


def check_searchable(fields: Sequence[str]) -> None:
    unknown = [f for f in fields if f not in STAFF_SEARCHABLE_FIELDS]
    if unknown:
        allowed = ", ".join(STAFF_SEARCHABLE_FIELDS)
        raise InvalidInput(
            f"search.search.fields names fields that are not searchable: {', '.join(unknown)}; "
            f"searchable: {allowed}",
            violations=[
                FieldViolation("search.search.fields", f"Searchable fields: {allowed}", "CUSTOM")
            ],
        )


async def search_staff_members(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    variant: Variant,
    raw_filter: object,
    raw_sort: object,
    text: SearchText | None,
    aggregations: Sequence[Aggregation],
    paging: Paging,
    codec: CursorCodec,
) -> StaffPage:
    page = await _list(
        session,
        site_id=site_id,
        variant=variant,
        kind="search",
        table=STAFF_SEARCH_FIELDS,
        prefix="search",
        raw_filter=raw_filter,
        raw_sort=raw_sort,
        text=text,
        paging=paging,
        codec=codec,
    )
    if not aggregations:
        return page
    filter_node, _ = _parse(raw_filter, None, STAFF_SEARCH_FIELDS, "search")
    results = await aggregate(
        session,
        site_id=site_id,
        filter_node=_effective_filter(filter_node, variant),
        text=await _text_match(session, site_id, text),
        aggregations=aggregations,
    )
    return StaffPage(page.staff, page.next_cursor, page.prev_cursor, page.has_next, results)


def _wire_value(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


async def aggregate(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    text: TextMatch | None,
    aggregations: Sequence[Aggregation],
) -> list[dict[str, Any]]:
    """Wix `aggregationData.results`: value counts or one scalar per requested aggregation."""
    results: list[dict[str, Any]] = []
    for spec in aggregations:
        common = {"name": spec.name, "type": spec.kind, "fieldPath": spec.field}
        if spec.kind == "VALUE":
            counts = await repository.value_counts(
                session,
                site_id=site_id,
                filter_node=filter_node,
                text=text,
                field=spec.field,
                limit=spec.limit,
                by_value=spec.by_value,
                descending=spec.descending,
                include_missing=spec.include_missing,
            )
            values = [{"value": _wire_value(v), "count": n} for v, n in counts]
            results.append({**common, "values": {"results": values}})
        else:
            assert spec.scalar is not None
            value = await repository.scalar_aggregate(
                session,
                site_id=site_id,
                filter_node=filter_node,
                text=text,
                field=spec.field,
                function=spec.scalar,
            )
            results.append({**common, "scalar": {"type": spec.scalar, "value": _wire_value(value)}})
    return results


def aggregatable_fields() -> tuple[str, ...]:
    return repository.aggregatable_fields()
