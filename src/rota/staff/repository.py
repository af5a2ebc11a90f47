"""Queries for staff members. Trashed staff members (``deleted_at`` set) are invisible to every
query here except the trash-bin ones."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from rota.core.db import insert_ignoring_duplicates
from rota.events import outbox
from rota.events.repository import Change, ChangeStatement
from rota.staff.models import BulkJob, StaffCount, StaffMember, StaffSearchTerm
from rota.staff.query_fields import BUSINESS_LOCATION_IDS, BUSINESS_LOCATIONS
from rota.staff.search_text import site_term
from rota.wixquery import FieldKind, Node, SortKey, with_tiebreaker
from rota.wixquery.compile import ColumnBinding, compile_filter, keyset_after, order_by

NUMBER_SEQUENCE = "staff_member_number_seq"
# Statements built once and cached compiled: building one per call cost more than running it.
_STAFF = cast(sa.Table, StaffMember.__table__)
_STAFF_COLUMNS = tuple(column.key for column in _STAFF.columns)
_COUNTS = cast(sa.Table, StaffCount.__table__)
_TERMS = cast(sa.Table, StaffSearchTerm.__table__)


async def _next_number(session: AsyncSession) -> int:
    if _dialect(session) == "postgresql":
        return int(await session.scalar(sa.text(f"SELECT nextval('{NUMBER_SEQUENCE}')")) or 0)
    # SQLite runs one writer at a time, so max + 1 inside the write transaction cannot race.
    top = await session.scalar(sa.select(sa.func.max(StaffMember.number)))
    return int(top or 0) + 1


async def add(session: AsyncSession, staff: StaffMember) -> None:
    staff.number = await _next_number(session)
    session.add(staff)
    await session.flush()


def _by_id(*, trashed: bool) -> sa.Select[StaffMember]:
    # Built once with bound parameters: building and cache-keying the select on every call cost
    # about a tenth of a staff get's CPU.
    in_trash = StaffMember.deleted_at.is_not(None) if trashed else StaffMember.deleted_at.is_(None)
    return sa.select(StaffMember).where(
        StaffMember.id == sa.bindparam("staff_id"),
        StaffMember.site_id == sa.bindparam("site_id"),
        in_trash,
    )


_LIVE_BY_ID = _by_id(trashed=False)
_TRASHED_BY_ID = _by_id(trashed=True)


async def get_live(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember | None:
    return await session.scalar(_LIVE_BY_ID, {"staff_id": staff_id, "site_id": site_id})


async def get_trashed(
    session: AsyncSession, *, site_id: uuid.UUID, staff_id: uuid.UUID
) -> StaffMember | None:
    return await session.scalar(_TRASHED_BY_ID, {"staff_id": staff_id, "site_id": site_id})


async def list_trashed(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    staff_ids: Sequence[uuid.UUID],
    after_id: uuid.UUID | None,
    limit: int,
) -> Sequence[StaffMember]:
    """One page of the trash bin in id order, starting after ``after_id`` (keyset paging)."""
    query = sa.select(StaffMember).where(
        StaffMember.site_id == site_id, StaffMember.deleted_at.is_not(None)
    )
    if staff_ids:
        query = query.where(StaffMember.id.in_(staff_ids))
    if after_id is not None:
        query = query.where(StaffMember.id > after_id)
    return (await session.scalars(query.order_by(StaffMember.id).limit(limit))).all()


@functools.cache
def _save_statement(columns: tuple[str, ...]) -> ChangeStatement:
    """The UPDATE of these columns, guarded by the revision and the trash mark read."""
    assignments = ", ".join(f'"{name}" = :{name}' for name in columns)
    sql = (
        f"UPDATE staff_member SET {assignments} WHERE id = :read_id "
        "AND revision = :read_revision AND (deleted_at IS NULL) = :read_live RETURNING id"
    )
    binds = (
        *(sa.bindparam(name, type_=_STAFF.c[name].type) for name in columns),
        sa.bindparam("read_id", type_=sa.Uuid()),
        sa.bindparam("read_revision", type_=sa.BigInteger()),
        sa.bindparam("read_live", type_=sa.Boolean()),
    )
    return ChangeStatement(sql, binds)


def _as_read(staff: StaffMember, name: str) -> Any:
    history = sa.inspect(staff).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(staff, name)


async def save(session: AsyncSession, staff: StaffMember) -> bool:
    """Write a loaded staff member's changed columns if nobody changed its revision or trash
    mark since it was read; False if somebody did. The events recorded for the change ride on
    the same statement (`outbox.write`), so record them first.

    The ORM is told the row is written, so its flush leaves it alone."""
    unmodified = sa.inspect(staff).unmodified
    columns = tuple(name for name in _STAFF_COLUMNS if name not in unmodified)
    values = {name: getattr(staff, name) for name in columns}
    values |= {
        "read_id": staff.id,
        "read_revision": _as_read(staff, "revision"),
        "read_live": _as_read(staff, "deleted_at") is None,
    }
    for name in columns:
        set_committed_value(staff, name, values[name])
    return await outbox.write(session, Change(_save_statement(columns), values)) == 1


async def delete(session: AsyncSession, staff: StaffMember) -> None:
    await session.delete(staff)
    await session.flush()


# ------------------------------------------------------------------ query language bindings

_IDENTITY = "associatedWixIdentity.identificationData"


def _bound(attribute: InstrumentedAttribute[Any], kind: FieldKind) -> ColumnBinding:
    return ColumnBinding(attribute.expression, kind)


QUERY_COLUMNS: dict[str, ColumnBinding] = {
    "id": _bound(StaffMember.id, FieldKind.GUID),
    "createdDate": _bound(StaffMember.created_at, FieldKind.DATETIME),
    "updatedDate": _bound(StaffMember.updated_at, FieldKind.DATETIME),
    "name": _bound(StaffMember.name, FieldKind.STRING),
    "email": _bound(StaffMember.email, FieldKind.STRING),
    "phone": _bound(StaffMember.phone, FieldKind.STRING),
    "description": _bound(StaffMember.description, FieldKind.STRING),
    "resourceId": _bound(StaffMember.resource_id, FieldKind.GUID),
    "resource.id": _bound(StaffMember.resource_id, FieldKind.GUID),
    "serviceProvider": _bound(StaffMember.service_provider, FieldKind.BOOL),
    "default": _bound(StaffMember.is_default, FieldKind.BOOL),
    f"{_IDENTITY}.wixUserId": _bound(StaffMember.wix_user_id, FieldKind.GUID),
    f"{_IDENTITY}.contactId": _bound(StaffMember.contact_id, FieldKind.GUID),
    f"{_IDENTITY}.identityType": _bound(StaffMember.identity_type, FieldKind.STRING),
    BUSINESS_LOCATION_IDS: _bound(StaffMember.business_location_ids, FieldKind.STRING_ARRAY),
    BUSINESS_LOCATIONS: _bound(StaffMember.business_location_ids, FieldKind.STRING_ARRAY),
}

# The synthetic sort field of relevance-ranked search pages.
RELEVANCE = "_relevance"


def _live(site_id: uuid.UUID) -> ColumnElement[bool]:
    return sa.and_(StaffMember.site_id == site_id, StaffMember.deleted_at.is_(None))


def sort_record(staff: StaffMember, relevance: int | None = None) -> dict[str, object]:
    """The values a staff member has for every sortable field, for cursor positions."""
    return {
        "id": str(staff.id),
        "createdDate": staff.created_at,
        "updatedDate": staff.updated_at,
        "name": staff.name,
        "email": staff.email,
        "phone": staff.phone,
        "description": staff.description,
        "resourceId": str(staff.resource_id),
        "serviceProvider": staff.service_provider,
        f"{_IDENTITY}.wixUserId": None if staff.wix_user_id is None else str(staff.wix_user_id),
        f"{_IDENTITY}.contactId": None if staff.contact_id is None else str(staff.contact_id),
        f"{_IDENTITY}.identityType": staff.identity_type,
        RELEVANCE: relevance,
    }


@dataclass(frozen=True)
class TextMatch:
    """A search expression as the repository needs it: per query word, the word itself and the
    dictionary words a typo of it may stand for."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    require_all: bool


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _fts_query(site_id: uuid.UUID, match: TextMatch) -> str:
    """An FTS5 MATCH expression: each word (or a typo's stand-in) as a prefix of a site term."""
    joiner = " AND " if match.require_all else " OR "
    return joiner.join(
        "(" + " OR ".join(f'"{site_term(site_id, w)}"*' for w in (term, *alternatives)) + ")"
        for term, alternatives in match.groups
    )


def _tsquery(site_id: uuid.UUID, match: TextMatch) -> str:
    """The same as a tsquery in its input syntax, whose quoted lexemes are taken as they are:
    no text search parser splits a site term (it would cut `1e5...` into a number and a word)."""
    joiner = " & " if match.require_all else " | "
    return joiner.join(
        "(" + " | ".join(f"'{site_term(site_id, w)}':*" for w in (term, *alternatives)) + ")"
        for term, alternatives in match.groups
    )


# The indexed expression of ix_staff_member_search (PostgreSQL, migration 0007), spelled the
# same way with constants inline, so that the planner recognises it in every plan.
_SEARCH_VECTOR = sa.func.array_to_tsvector(
    sa.func.string_to_array(StaffMember.search_tokens, sa.literal_column("' '"))
)


def _matches_text(dialect: str, site_id: uuid.UUID, match: TextMatch) -> ColumnElement[bool]:
    """Rows of the site whose name matches. Every indexed word carries its site, so this needs
    no site_id test, and must not have one: beside it the planner is tempted to intersect the
    text match with the site's whole index range."""
    if dialect == "postgresql":
        query = sa.cast(sa.literal(_tsquery(site_id, match), sa.Text), postgresql.TSQUERY)
        return _SEARCH_VECTOR.op("@@")(query)
    fts: sa.Select[Any] = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.text("staff_member_fts"))
        .where(
            sa.text("staff_member_fts MATCH :fts_query").bindparams(
                fts_query=_fts_query(site_id, match)
            )
        )
    )
    return StaffMember.number.in_(fts)


def relevance(match: TextMatch) -> ColumnElement[int]:
    """A document-local score, the same on both databases and stable while other rows change:
    per query word 4 for a whole-word hit, 3 for a word-prefix hit, 1 for a typo match, plus 1
    when the name starts with it."""
    padded = " " + StaffMember.search_text + " "
    parts: list[ColumnElement[int]] = []
    for term, alternatives in match.groups:
        whens: list[tuple[ColumnElement[bool], int]] = [
            (padded.like(f"% {term} %"), 4),
            (padded.like(f"% {term}%"), 3),
        ]
        whens += [(padded.like(f"% {alternative}%"), 1) for alternative in alternatives]
        parts.append(sa.case(*whens, else_=0))
        parts.append(sa.case((StaffMember.search_text.like(f"{term}%"), 1), else_=0))
    return sa.cast(sum(parts[1:], parts[0]), sa.Integer)


def _bindings(score: ColumnElement[int] | None) -> dict[str, ColumnBinding]:
    if score is None:
        return QUERY_COLUMNS
    return {**QUERY_COLUMNS, RELEVANCE: ColumnBinding(score, FieldKind.INT, nullable=False)}


def _matching(
    dialect: str, site_id: uuid.UUID, filter_node: Node, text: TextMatch | None
) -> list[ColumnElement[bool]]:
    """Live staff members of the site that the filter (and the search text) selects."""
    if text is None:
        scope = _live(site_id)
    else:
        scope = sa.and_(StaffMember.deleted_at.is_(None), _matches_text(dialect, site_id, text))
    return [scope, compile_filter(filter_node, QUERY_COLUMNS)]


async def query_page(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    sort: Sequence[SortKey],
    after: Sequence[object] | None,
    forward: bool,
    limit: int,
    text: TextMatch | None = None,
) -> list[tuple[StaffMember, int | None]]:
    """Up to ``limit`` live staff members matching the filter (and the search text), in sort
    order from just past ``after``, walking forward or backward (then in reverse order), each
    with its relevance score when searching.

    The id breaks ties in the direction of the last sort key, so that a sort on an indexed
    column is one index (column, id) read in a single direction; ``after`` holds the same values
    either way (``sort_values``). The page is chosen as ids and scores only, then joined to the
    full rows: when the rows must be sorted (every search), the sort then carries two values per
    candidate instead of whole rows."""
    keys = with_tiebreaker(sort, follow_last=True)
    conditions = _matching(_dialect(session), site_id, filter_node, text)
    # Labelled, so ORDER BY names the score instead of computing it a second time (SQLite does).
    score = relevance(text).label("score") if text is not None else None
    columns = _bindings(score)
    if after is not None:
        conditions.append(keyset_after(keys, columns, after, forward=forward))
    page = (
        sa.select(StaffMember.id, score if score is not None else sa.null().label("score"))
        .where(*conditions)
        .order_by(*order_by(keys, columns, forward=forward))
        .limit(limit)
        .subquery("page")
    )
    outer = _bindings(None if score is None else page.c.score)
    query = (
        sa.select(StaffMember, page.c.score)
        .join(page, StaffMember.id == page.c.id)
        .order_by(*order_by(keys, outer, forward=forward))
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def live_matching_texts(
    session: AsyncSession, *, site_id: uuid.UUID, ids: Sequence[uuid.UUID], filter_node: Node
) -> list[tuple[uuid.UUID, str]]:
    """The id and folded name of those of ``ids`` that are live staff members of the site and
    pass the filter (two columns, not whole rows: most candidates never make the page)."""
    query = sa.select(StaffMember.id, StaffMember.search_text).where(
        StaffMember.id.in_(ids), _live(site_id), compile_filter(filter_node, QUERY_COLUMNS)
    )
    return [(staff_id, text) for staff_id, text in await session.execute(query)]


# Written as the last statement of a create, a trash or a restore, so the change's events can
# ride on it.
_MOVE_COUNTS = ChangeStatement(
    "INSERT INTO staff_count (site_id, live, providers) VALUES (:site_id, :live, :providers) "
    "ON CONFLICT (site_id) DO UPDATE SET live = staff_count.live + excluded.live, "
    "providers = staff_count.providers + excluded.providers RETURNING site_id",
    (
        sa.bindparam("site_id", type_=sa.Uuid()),
        sa.bindparam("live", type_=sa.Integer()),
        sa.bindparam("providers", type_=sa.Integer()),
    ),
)


async def move_counts(
    session: AsyncSession, *, site_id: uuid.UUID, live: int, providers: int
) -> None:
    """Add to the site's live and service-provider counts (its row is made at the first),
    storing the events recorded so far with them (`outbox.write`)."""
    values = {"site_id": site_id, "live": live, "providers": providers}
    await outbox.write(session, Change(_MOVE_COUNTS, values))


async def site_counts(session: AsyncSession, *, site_id: uuid.UUID) -> tuple[int, int]:
    """The site's live staff members, and how many of them are service providers."""
    query = sa.select(StaffCount.live, StaffCount.providers).where(StaffCount.site_id == site_id)
    row = (await session.execute(query)).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


async def recount(session: AsyncSession) -> None:
    """Every site's counts from its rows: after rows were written around the service (a bulk
    load), or to check them."""
    providers = sa.func.sum(sa.case((StaffMember.service_provider, 1), else_=0))
    counted = (
        sa.select(StaffMember.site_id, sa.func.count(), providers)
        .where(StaffMember.deleted_at.is_(None))
        .group_by(StaffMember.site_id)
    )
    await session.execute(sa.delete(StaffCount))
    await session.execute(
        sa.insert(StaffCount).from_select(["site_id", "live", "providers"], counted)
    )


async def count_matching(session: AsyncSession, *, site_id: uuid.UUID, filter_node: Node) -> int:
    query = sa.select(sa.func.count()).where(
        *_matching(_dialect(session), site_id, filter_node, None)
    )
    return int(await session.scalar(query) or 0)


async def dictionary_words(
    session: AsyncSession, *, site_id: uuid.UUID, starts: Sequence[str]
) -> list[str]:
    """Dictionary words of the site beginning with any of ``starts`` (an index range scan)."""
    conditions = [
        sa.and_(StaffSearchTerm.term >= start, StaffSearchTerm.term < start + "\uffff")
        for start in starts
    ]
    rows = await session.scalars(
        sa.select(StaffSearchTerm.term).where(
            StaffSearchTerm.site_id == site_id, sa.or_(*conditions)
        )
    )
    return list(rows)


async def add_dictionary_words(
    session: AsyncSession, *, site_id: uuid.UUID, words: Iterable[str]
) -> None:
    rows = [{"site_id": site_id, "term": w} for w in sorted(set(words)) if w]
    if rows:
        await session.execute(insert_ignoring_duplicates(_dialect(session), _TERMS), rows)


_AGGREGATABLE: dict[str, InstrumentedAttribute[Any]] = {
    "name": StaffMember.name,
    "email": StaffMember.email,
    "phone": StaffMember.phone,
    "description": StaffMember.description,
    "resourceId": StaffMember.resource_id,
}


def aggregatable_fields() -> tuple[str, ...]:
    return tuple(_AGGREGATABLE)


async def value_counts(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    text: TextMatch | None,
    field: str,
    limit: int,
    by_value: bool,
    descending: bool,
    include_missing: bool,
) -> list[tuple[object, int]]:
    column = _AGGREGATABLE[field]
    count = sa.func.count().label("n")
    conditions = _matching(_dialect(session), site_id, filter_node, text)
    if not include_missing:
        conditions.append(column.is_not(None))
    primary = column if by_value else count
    ordering = primary.desc() if descending else primary.asc()
    query = (
        sa.select(column, count)
        .where(*conditions)
        .group_by(column)
        .order_by(ordering, column.asc())
        .limit(limit)
    )
    return [(row[0], int(row[1])) for row in await session.execute(query)]


async def scalar_aggregate(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    filter_node: Node,
    text: TextMatch | None,
    field: str,
    function: str,
) -> object:
    column = _AGGREGATABLE[field]
    expressions = {
        "COUNT_DISTINCT": sa.func.count(sa.distinct(column)),
        "MIN": sa.func.min(column),
        "MAX": sa.func.max(column),
    }
    query = sa.select(expressions[function]).where(
        *_matching(_dialect(session), site_id, filter_node, text)
    )
    return await session.scalar(query)


async def get_many_live(
    session: AsyncSession, *, site_id: uuid.UUID, staff_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, StaffMember]:
    ids = list(set(staff_ids))
    if not ids:
        return {}
    rows = await session.scalars(
        sa.select(StaffMember).where(_live(site_id), StaffMember.id.in_(ids))
    )
    return {staff.id: staff for staff in rows}


async def add_job(session: AsyncSession, job: BulkJob) -> None:
    session.add(job)
    await session.flush()


async def get_job(
    session: AsyncSession, *, site_id: uuid.UUID, job_id: uuid.UUID
) -> BulkJob | None:
    return await session.scalar(
        sa.select(BulkJob).where(BulkJob.id == job_id, BulkJob.site_id == site_id)
    )


async def claim_unfinished_job(session: AsyncSession, *, states: Sequence[str]) -> BulkJob | None:
    """The oldest unfinished job no other worker holds; locked until this transaction ends."""
    query = (
        sa.select(BulkJob)
        .where(BulkJob.state.in_(states))
        .order_by(BulkJob.created_at, BulkJob.id)
        .limit(1)
    )
    if _dialect(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return await session.scalar(query)


async def connected_to_user(
    session: AsyncSession, *, site_id: uuid.UUID, user_id: uuid.UUID
) -> StaffMember | None:
    return await session.scalar(
        sa.select(StaffMember).where(_live(site_id), StaffMember.wix_user_id == user_id)
    )
