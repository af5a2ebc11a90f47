"""The SQL compiler against a real database: same rows, same order as the reference evaluator.

Runs on the database named by ROTA_TEST_DATABASE_URL (`sqlite:///...` or `postgresql://...`),
default a temporary SQLite file. It creates its own uniquely named table, so it can share a
database with other test runs, and every example works inside a transaction it rolls back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from rota.core.orm import JsonDocument, UtcDateTime
from rota.wixquery import (
    CursorCodec,
    CursorState,
    FieldKind,
    Node,
    Not,
    SortKey,
    matches,
    parse_filter,
    parse_sort,
    sort_key,
    sort_values,
    with_tiebreaker,
)
from rota.wixquery.compile import ColumnBinding, compile_filter, keyset_after, order_by

from .strategies import PROBE_FIELDS, filters, record_lists, sorts

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CODEC = CursorCodec(b"compile-test-secret-0123456789")


def async_url(url: str) -> str:
    """The async-driver spelling of a plain database URL."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@dataclass(frozen=True)
class Probe:
    engine: AsyncEngine
    table: sa.Table
    columns: Mapping[str, ColumnBinding]

    @asynccontextmanager
    async def loaded(self, records: Sequence[Mapping[str, Any]]) -> AsyncIterator[AsyncConnection]:
        """A connection that sees exactly `records`; everything is rolled back afterwards."""
        async with self.engine.connect() as connection:
            transaction = await connection.begin()
            try:
                if records:
                    await connection.execute(self.table.insert(), [to_row(r) for r in records])
                    # None becomes JSON null on insert; make every other one SQL NULL so both
                    # spellings of "no array" are exercised.
                    sql_null = [uuid.UUID(r["id"]) for r in records[::2] if r["tags"] is None]
                    if sql_null:
                        await connection.execute(
                            self.table.update()
                            .where(self.table.c.id.in_(sql_null))
                            .values(tags=sa.null())
                        )
                yield connection
            finally:
                await transaction.rollback()


def to_row(record: Mapping[str, Any]) -> dict[str, Any]:
    owner = record["owner.id"]
    return {
        "id": uuid.UUID(record["id"]),
        "title": record["title"],
        "note": record["note"],
        "ref": record["ref"],
        "owner": None if owner is None else uuid.UUID(owner),
        "created": record["meta.created"],
        "flag": record["flag"],
        "rank": record["meta.rank"],
        "tags": record["tags"],
    }


def to_record(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "note": row.note,
        "ref": row.ref,
        "owner.id": None if row.owner is None else str(row.owner),
        "meta.created": row.created,
        "flag": row.flag,
        "meta.rank": row.rank,
        "tags": row.tags,
    }


@pytest.fixture(scope="module")
async def probe(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Probe]:
    default = f"sqlite:///{Path(tmp_path_factory.mktemp('wixquery')) / 'probe.db'}"
    engine = create_async_engine(async_url(os.environ.get("ROTA_TEST_DATABASE_URL") or default))
    metadata = sa.MetaData()
    table = sa.Table(
        f"wixquery_probe_{uuid.uuid4().hex[:12]}",
        metadata,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("title", sa.String(40), nullable=False),
        sa.Column("note", sa.String(40)),
        sa.Column("ref", sa.String(36)),
        sa.Column("owner", sa.Uuid),
        sa.Column("created", UtcDateTime()),
        sa.Column("flag", sa.Boolean),
        sa.Column("rank", sa.Integer),
        sa.Column("tags", JsonDocument),
    )
    columns = {
        "id": ColumnBinding(table.c.id, FieldKind.GUID),
        "title": ColumnBinding(table.c.title, FieldKind.STRING),
        "note": ColumnBinding(table.c.note, FieldKind.STRING),
        "ref": ColumnBinding(table.c.ref, FieldKind.GUID),
        "owner.id": ColumnBinding(table.c.owner, FieldKind.GUID),
        "meta.created": ColumnBinding(table.c.created, FieldKind.DATETIME),
        "flag": ColumnBinding(table.c.flag, FieldKind.BOOL),
        "meta.rank": ColumnBinding(table.c.rank, FieldKind.INT),
        "tags": ColumnBinding(table.c.tags, FieldKind.STRING_ARRAY),
    }
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield Probe(engine, table, columns)
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)
        await engine.dispose()


def expected_ids(
    node: Node, keys: Sequence[SortKey], records: Sequence[Mapping[str, Any]]
) -> list[str]:
    chosen = [record for record in records if matches(node, record)]
    return [record["id"] for record in sorted(chosen, key=lambda r: sort_key(keys, r))]


async def query_ids(
    probe: Probe, connection: AsyncConnection, node: Node, keys: Sequence[SortKey] = ()
) -> list[str]:
    statement = (
        sa.select(probe.table.c.id)
        .where(compile_filter(node, probe.columns))
        .order_by(*order_by(keys, probe.columns))
    )
    return [str(value) for value in (await connection.scalars(statement)).all()]


async def walk(
    probe: Probe,
    connection: AsyncConnection,
    node: Node,
    keys: Sequence[SortKey],
    *,
    page_size: int,
    forward: bool,
) -> list[str]:
    """Every id, page by page, carrying the keyset position through a real cursor token."""
    seen: list[str] = []
    token: str | None = None
    while True:
        after = None if token is None else CODEC.decode(token, scope="probe").after
        statement = sa.select(probe.table).where(compile_filter(node, probe.columns))
        if after is not None:
            statement = statement.where(keyset_after(keys, probe.columns, after, forward=forward))
        statement = statement.order_by(*order_by(keys, probe.columns, forward=forward))
        rows = (await connection.execute(statement.limit(page_size))).all()
        seen.extend(str(row.id) for row in rows)
        if len(rows) < page_size:
            return seen if forward else seen[::-1]
        last = list(sort_values(keys, to_record(rows[-1])))
        token = CODEC.encode(CursorState("probe", {}, [], last, forward, {}))


@PROPERTY
@given(
    rows=record_lists(min_size=6, max_size=24),
    nodes=st.lists(filters(PROBE_FIELDS, wide=False), min_size=4, max_size=4),
    keys=sorts(PROBE_FIELDS),
    follow_last=st.booleans(),
)
async def test_database_agrees_with_evaluator(
    probe: Probe,
    rows: list[dict[str, Any]],
    nodes: list[Node],
    keys: tuple[SortKey, ...],
    follow_last: bool,
) -> None:
    keys = with_tiebreaker(keys, follow_last=follow_last)
    async with probe.loaded(rows) as connection:
        for node in nodes:
            got = await query_ids(probe, connection, node, keys)
            assert got == expected_ids(node, keys, rows), node
            # The complement too: a predicate that is NULL for some row (three-valued logic
            # leaking out of the compiler) drops that row from both answers.
            negated = Not(node)
            got = await query_ids(probe, connection, negated)
            assert got == expected_ids(negated, (), rows), negated


@PROPERTY
@given(
    rows=record_lists(),
    node=filters(PROBE_FIELDS, wide=False, max_leaves=2),
    keys=sorts(PROBE_FIELDS),
    page_size=st.integers(1, 4),
    follow_last=st.booleans(),
)
async def test_keyset_pages_cover_every_row_once_in_order(
    probe: Probe,
    rows: list[dict[str, Any]],
    node: Node,
    keys: tuple[SortKey, ...],
    page_size: int,
    follow_last: bool,
) -> None:
    keys = with_tiebreaker(keys, follow_last=follow_last)
    expected = expected_ids(node, keys, rows)
    async with probe.loaded(rows) as connection:
        for forward in (True, False):
            pages = await walk(probe, connection, node, keys, page_size=page_size, forward=forward)
            assert pages == expected


# --- examples that pin down the subtle cases ------------------------------------------------

T0 = datetime(2024, 1, 1, tzinfo=UTC)
GUID_A = "0f000000-0000-4000-8000-000000000001"
GUID_B = "0fa00000-0000-4000-8000-000000000002"


def record(n: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": str(uuid.UUID(int=n)),
        "title": "t",
        "note": None,
        "ref": None,
        "owner.id": None,
        "meta.created": None,
        "flag": None,
        "meta.rank": None,
        "tags": None,
    }
    return {**base, **fields}


EXAMPLES = [
    record(1, title="b%x", note="", tags=[]),
    record(2, title="bcd", note="Hello", tags=["a", "b"], ref=GUID_A, **{"owner.id": GUID_A}),
    record(3, title="B_c", note="hello", tags=["b"], ref=GUID_B, **{"owner.id": GUID_B}),
    record(4, title="b\\c", tags=None, **{"meta.rank": 5, "meta.created": T0}),
    record(5, title="BCD", tags=None, flag=True, **{"meta.rank": 1}),
]


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ({"title": {"$startsWith": "b%"}}, [1]),
        ({"title": {"$startsWith": "b_"}}, [3]),
        ({"title": {"$startsWith": "B\\"}}, [4]),
        ({"title": {"$startsWith": "bc"}}, [2, 5]),
        ({"note": {"$startsWith": "HEL"}}, [2, 3]),
        ({"note": {"$isEmpty": True}}, [1, 4, 5]),
        ({"note": {"$ne": "hello"}}, [1, 2, 4, 5]),
        ({"note": {"$nin": ["hello", ""]}}, [2, 4, 5]),
        ({"$not": {"meta.rank": {"$gt": 2}}}, [1, 2, 3, 5]),
        ({"$not": {"flag": True}}, [1, 2, 3, 4]),
        ({"ref": {"$startsWith": "0F000000-"}}, [2]),
        ({"owner.id": {"$startsWith": "0f"}}, [2, 3]),
        ({"owner.id": {"$startsWith": "0f000000-0"}}, [2]),
        ({"owner.id": {"$gt": GUID_A}}, [3]),
        ({"tags": {"$isEmpty": True}}, [1, 4, 5]),
        ({"tags": {"$exists": False}}, [4, 5]),
        ({"tags": "b"}, [2, 3]),
        ({"tags": ["b"]}, [3]),
        ({"tags": {"$ne": ["b"]}}, [1, 2, 4, 5]),
        ({"tags": {"$hasAll": ["b", "a", "b"]}}, [2]),
        ({"tags": {"$hasSome": ["x", "a"]}}, [2]),
        ({"meta.created": {"$lte": "2024-01-01T00:00:00.000Z"}}, [4]),
    ],
)
async def test_examples(probe: Probe, raw: dict[str, Any], ids: list[int]) -> None:
    node = parse_filter(raw, PROBE_FIELDS)
    assert expected_ids(node, (), EXAMPLES) == [str(uuid.UUID(int=n)) for n in ids]
    async with probe.loaded(EXAMPLES) as connection:
        assert await query_ids(probe, connection, node) == [str(uuid.UUID(int=n)) for n in ids]


async def test_nulls_sort_first_ascending_and_last_descending(probe: Probe) -> None:
    ascending = parse_sort([{"fieldName": "meta.rank"}], PROBE_FIELDS)
    descending = parse_sort([{"fieldName": "meta.rank", "order": "DESC"}], PROBE_FIELDS)
    node = parse_filter({}, PROBE_FIELDS)
    async with probe.loaded(EXAMPLES) as connection:
        up = await query_ids(probe, connection, node, ascending)
        down = await query_ids(probe, connection, node, descending)
    assert up == [str(uuid.UUID(int=n)) for n in (1, 2, 3, 5, 4)]
    assert down == [str(uuid.UUID(int=n)) for n in (4, 5, 1, 2, 3)]


async def test_cached_statements_take_new_values(probe: Probe) -> None:
    async with probe.loaded(EXAMPLES) as connection:
        for tag, ids in (("a", [2]), ("b", [2, 3]), ("z", [])):
            for op in ("$hasSome", "$hasAll"):
                node = parse_filter({"tags": {op: [tag]}}, PROBE_FIELDS)
                got = await query_ids(probe, connection, node)
                assert got == [str(uuid.UUID(int=n)) for n in ids]


def test_keyset_values_must_match_the_sort(probe: Probe) -> None:
    with pytest.raises(ValueError, match="expected 2 keyset values"):
        keyset_after((SortKey("title"),), probe.columns, ["x"])


def test_unbound_field_is_a_programming_error(probe: Probe) -> None:
    with pytest.raises(KeyError, match="no column bound for query field 'colour'"):
        order_by((SortKey("colour"),), probe.columns)


def test_dialect_specific_sql(probe: Probe) -> None:
    """Pinned spellings the properties cannot see on a database whose default collation is C."""
    node = parse_filter({"title": {"$gt": "a", "$startsWith": "a_"}}, PROBE_FIELDS)
    keys = parse_sort([{"fieldName": "note"}], PROBE_FIELDS)
    statement = (
        sa.select(probe.table.c.id)
        .where(compile_filter(node, probe.columns))
        .order_by(*order_by(keys, probe.columns))
    )
    pg = str(statement.compile(dialect=postgresql.dialect()))
    lite = str(statement.compile(dialect=sqlite.dialect()))
    assert 'title COLLATE "C") >' in pg
    assert 'note COLLATE "C") ASC NULLS FIRST' in pg
    assert "COLLATE" not in lite
    for sql in (pg, lite):
        assert "lower(" in sql
        assert "ESCAPE '\\'" in sql
    params = statement.compile(dialect=sqlite.dialect()).params
    assert "a\\_%" in params.values()


def test_not_null_keys_sort_and_seek_like_an_index(probe: Probe) -> None:
    """What lets a database walk an index on (title, id) instead of sorting: no NULL handling on
    NOT NULL columns, the tie-breaker in the direction of the key (when asked for), and a keyset
    condition led by a plain range on the first key."""
    keys = with_tiebreaker(
        parse_sort([{"fieldName": "title", "order": "DESC"}], PROBE_FIELDS), follow_last=True
    )
    nullable = parse_sort([{"fieldName": "note", "order": "DESC"}], PROBE_FIELDS)
    statement = (
        sa.select(probe.table.c.id)
        .where(keyset_after(keys, probe.columns, ["m", GUID_A]))
        .order_by(*order_by(keys, probe.columns))
    )

    def sql(clause: sa.ClauseElement) -> str:
        # Text columns come in parentheses (their per-dialect collation); planners do not mind.
        text = str(clause.compile(dialect=sqlite.dialect())).replace(f"{probe.table.name}.", "")
        return text.replace("(title)", "title").replace("(note)", "note")

    assert sql(statement).endswith(
        "WHERE title <= ? AND (title < ? OR title = ? AND id < ?) ORDER BY title DESC, id DESC"
    )
    bound = keyset_after(nullable, probe.columns, ["m", GUID_A])
    assert sql(bound).startswith("(note IS NULL OR note <= ?) AND (")
