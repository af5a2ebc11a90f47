"""Query benchmark for staff members: filtered pages, deep cursor pages, counts and search, timed
in-process at two table sizes.

The script builds a scratch database (a temporary SQLite file, or a ``rota_bench_<random>``
PostgreSQL database created beside ``test`` and dropped afterwards), runs the real migrations,
creates the sites with the identity service and bulk-loads staff rows straight into the tables
(asyncpg COPY on PostgreSQL, ``executemany`` on SQLite, where the FTS5 triggers index each row).
It measures once after loading 10,000 rows and again at the full size.

Times are server-side: one call of the staff query service in a fresh session, without HTTP,
serialisation or commit, reported as p50/p99 over ``--iterations`` calls after ``--warmup``
calls. The plans of the timed statements are printed once (``EXPLAIN ANALYZE`` on PostgreSQL,
``EXPLAIN QUERY PLAN`` on SQLite), the goals are checked, and everything is written to
``bench/results/staff_query-<db>.json``.

Exit status: 0 when every PostgreSQL goal holds (SQLite only reports), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from rota.core.db import create_engine, create_sessionmaker
from rota.identity import service as identity_service
from rota.migrations.runner import upgrade
from rota.staff import query_service
from rota.staff import repository as staff_repository
from rota.staff.models import StaffMember
from rota.staff.query_service import Paging, SearchText, StaffPage, Variant
from rota.staff.search_rank import prefix_postings
from rota.staff.search_text import fold, site_tokens
from rota.wixquery import CursorCodec, render_timestamp
from staff_load import RESULTS_DIR, scratch_database  # bench/ is the script's sys.path[0]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
FIRST_SIZE = 10_000
BATCH_ROWS = 25_000
PAGE_SIZE = 50
# The paging filter matches this many rows of the big site: as many as its ~1,780 live service
# providers at 10,000 rows allow, so both sizes page through the same number of matches.
WALK_MATCHES = 1_500
SEARCH_PREFIX = "mar"
FUZZY_TYPO = "gabriek"  # "gabriel" with its last letter mistyped
# A full name: two common words, each matching thousands of names, in OR mode.
FULL_NAME = "maria garcia"
CODEC = CursorCodec(b"bench")
# Every generated timestamp lies in the year before this instant, so runs are reproducible.
CLOCK = datetime(2026, 11, 1, tzinfo=UTC)
YEAR = timedelta(days=365)

PAGE_BUDGET_MS = 25.0
SEARCH_BUDGET_MS = 50.0
MAX_GROWTH = 1.5


@dataclass(frozen=True)
class Profile:
    """How many staff rows a database gets by default, and how they spread over the sites."""

    total_rows: int
    big_site_rows: int
    sites: int


PROFILES = {
    "postgres": Profile(total_rows=1_000_000, big_site_rows=200_000, sites=100),
    "sqlite": Profile(total_rows=210_000, big_site_rows=200_000, sites=6),
}


@dataclass(frozen=True)
class Options:
    kind: str
    total_rows: int
    iterations: int
    warmup: int
    postgres_url: str

    @property
    def profile(self) -> Profile:
        return PROFILES[self.kind]


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=tuple(PROFILES), required=True)
    parser.add_argument(
        "--rows", type=int, help="staff rows in total at the full size (default: per database)"
    )
    parser.add_argument("--iterations", type=int, default=200, help="timed calls per scenario")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls per scenario first")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ROTA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="an existing database to connect to when creating the scratch database",
    )
    args = parser.parse_args(argv)
    total = args.rows or PROFILES[args.db].total_rows
    if total <= FIRST_SIZE:
        parser.error(f"--rows must be more than {FIRST_SIZE:,}, the first measured size")
    if args.iterations < 100 or args.warmup < 0:
        parser.error("--iterations must be ≥ 100 (for a p99) and --warmup ≥ 0")
    return Options(args.db, total, args.iterations, args.warmup, args.postgres_url)


def rows_per_site(profile: Profile, total: int) -> list[int]:
    """Rows of each site when the table holds ``total`` rows; the big site comes first and keeps
    its share of the profile, the other sites split the rest evenly."""
    big = round(total * profile.big_site_rows / profile.total_rows)
    others, extra = divmod(total - big, profile.sites - 1)
    return [big] + [others + (1 if index < extra else 0) for index in range(profile.sites - 1)]


# --- generated staff -----------------------------------------------------------------------

FIRST_NAMES = (
    "José", "Zoë", "María", "Marco", "Martín", "Marta", "Marie", "Mariana", "Gabriel",
    "Gabriela", "Gabrielle", "Renée", "Chloé", "Noémie", "Inès", "Léa", "Héctor", "Sofía",
    "Lucía", "Ángel", "Andrés", "Joaquín", "Raúl", "Iñaki", "Björn", "Søren", "Jürgen", "Zoltán",
    "Zdeněk", "Ana", "Anna", "Olivia", "Emma", "Liam", "Noah", "Ava", "Mia", "Lucas", "Ethan",
    "Amelia", "Isabella", "James", "Benjamin", "Charlotte", "Elijah", "Harper", "Oliver",
    "Sophia", "Daniel", "Aarav", "Yuki", "Hiroshi", "Mei", "Priya", "Fatima", "Omar", "Leila",
    "Kwame", "Amara", "Ingrid", "Pål", "Åsa", "Sinéad", "Siobhán", "Eoin", "Niamh", "François",
    "Hélène", "Thérèse", "Jérôme", "Benoît", "Cécile", "Nuño", "Conceição", "João", "Gonçalo",
)  # fmt: skip
LAST_NAMES = (
    "García", "Martínez", "Marín", "Marchetti", "Müller", "Schäfer", "Núñez", "Peña", "Ibáñez",
    "Fernández", "López", "Pérez", "Gómez", "Sánchez", "Díaz", "Rodríguez", "Hernández",
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Nakamura", "Tanaka", "Kim",
    "Nguyễn", "Trần", "Öztürk", "Şahin", "Çelik", "Kowalski", "Nowak", "Wiśniewski", "Dvořák",
    "Novák", "Horváth", "Kovács", "Szabó", "O'Brien", "Ó Súilleabháin", "Mac Giolla", "Lefèvre",
    "Dubois", "Lambert", "Bonnet", "Rossi", "Russo", "Bianchi", "Esposito", "Costa", "Gonçalves",
    "Conceição", "Andersson", "Johansson", "Løvås", "Østergaard", "Ødegård", "Virtanen",
)  # fmt: skip
DESCRIPTIONS = (
    "Senior stylist, colour specialist",
    "Physiotherapist; sports injuries and rehabilitation",
    "Yoga and pilates instructor",
    "Front desk and bookings",
    "Junior stylist",
    "Massage therapist — deep tissue, hot stone",
)


class StaffFactory:
    """Realistic staff rows from a seeded generator, numbered uniquely across the whole run, and
    the folded name words each site's search dictionary needs."""

    def __init__(self, seed: int = 20261121) -> None:
        self._random = random.Random(seed)
        self._next_number = 1
        self.words: dict[uuid.UUID, set[str]] = {}

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self._random.getrandbits(128), version=4)

    def _moment(self) -> datetime:
        return CLOCK - YEAR * self._random.random()

    def rows(self, site_id: uuid.UUID, count: int) -> list[dict[str, Any]]:
        return [self._row(site_id) for _ in range(count)]

    def _row(self, site_id: uuid.UUID) -> dict[str, Any]:
        pick, chance = self._random.choice, self._random.random
        number, self._next_number = self._next_number, self._next_number + 1
        name = f"{pick(FIRST_NAMES)} {pick(LAST_NAMES)}"
        search_text = fold(name)
        self.words.setdefault(site_id, set()).update(search_text.split())
        created = self._moment()
        updated = min(created + timedelta(days=30) * chance(), CLOCK)
        return {
            "id": self._uuid(),
            "number": number,
            "site_id": site_id,
            "name": name,
            "search_text": search_text,
            "search_tokens": site_tokens(site_id, search_text),  # as the staff service writes it
            "email": f"{search_text.replace(' ', '.')}.{number}@example.com",
            "phone": f"+1 {number % 800 + 200} {self._random.randrange(10**6, 10**7)}",
            "description": None if chance() < 0.3 else pick(DESCRIPTIONS),
            "service_provider": chance() < 0.9,
            "is_default": False,
            "revision": 2,
            "deleted_at": updated if chance() < 0.01 else None,
            "resource_id": self._uuid(),
            "resource_revision": 1,
            "events_schedule_id": self._uuid(),
            "working_hours_schedule_id": self._uuid(),
            "uses_default_working_hours": True,
            "business_location_ids": [],
            "ranking": 0,
            "connection_status": "DISCONNECTED",
            "created_at": created,
            "updated_at": updated,
        }


# --- loading -------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr with the rate so far."""

    WIDTH = 30

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()

    def advance(self, rows: int) -> None:
        self.done += rows
        elapsed = time.perf_counter() - self.started
        filled = self.WIDTH * self.done // self.total
        print(
            f"\r{self.label} [{'#' * filled:<{self.WIDTH}}] {self.done:>9,}/{self.total:,}"
            f" {self.done / elapsed:>8,.0f} rows/s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    def finish(self) -> float:
        print(file=sys.stderr)
        return time.perf_counter() - self.started


STAFF_TABLE = StaffMember.metadata.tables["staff_member"]
POSTINGS_TABLE = StaffMember.metadata.tables["staff_search_prefix"]
Loader = Callable[[AsyncSession, sa.Table, list[dict[str, Any]]], Awaitable[None]]


async def _copy_rows(session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY through asyncpg. SQLAlchemy's asyncpg codec takes JSONB as text."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    records = [
        tuple(json.dumps(v) if k == "business_location_ids" else v for k, v in row.items())
        for row in rows
    ]
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(table.name, records=records, columns=list(rows[0]))


async def _insert_rows(session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """SQLite: one executemany per batch; the FTS5 insert trigger indexes every staff row."""
    await session.execute(table.insert(), rows)


def postings(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The prefix postings of the staff rows, as the staff service writes them."""
    return [
        {"site_id": row["site_id"], "prefix": prefix, "score": score, "staff_id": row["id"]}
        for row in rows
        for prefix, score in prefix_postings(row["search_text"]).items()
    ]


def loader_for(engine: AsyncEngine) -> Loader:
    return _copy_rows if engine.dialect.name == "postgresql" else _insert_rows


async def load_staff(
    sessionmaker: async_sessionmaker[AsyncSession],
    insert_rows: Loader,
    factory: StaffFactory,
    plan: Sequence[tuple[uuid.UUID, int]],
) -> float:
    """Insert ``count`` generated rows for each (site, count) of ``plan``, one transaction per
    batch, then the sites' dictionary words and staff counts; returns the seconds taken."""
    total = sum(count for _, count in plan)
    progress = Progress(f"loading {total:,} rows", total)
    for site_id, count in plan:
        for start in range(0, count, BATCH_ROWS):
            rows = factory.rows(site_id, min(BATCH_ROWS, count - start))
            async with sessionmaker.begin() as session:
                await insert_rows(session, STAFF_TABLE, rows)
                await insert_rows(session, POSTINGS_TABLE, postings(rows))
            progress.advance(len(rows))
    async with sessionmaker.begin() as session:
        for site_id, words in factory.words.items():
            await staff_repository.add_dictionary_words(session, site_id=site_id, words=words)
        await staff_repository.recount(session)  # the kept counts, as the service keeps them
    return progress.finish()


async def refresh_statistics(engine: AsyncEngine) -> float:
    """Statistics for the planner. On PostgreSQL also VACUUM: after a bulk load autovacuum would
    soon set the visibility map and hint bits on its own, maybe while timing; and a CHECKPOINT,
    or the checkpointer writes the load's dirty pages out during the first scenarios timed
    after it. Doing both now measures the steady state. The number sequence is moved past the
    loaded numbers."""
    started = time.perf_counter()
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(
                "SELECT setval('staff_member_number_seq', max(number)) FROM staff_member"
            )
            await autocommit.exec_driver_sql("VACUUM (ANALYZE)")
            await autocommit.exec_driver_sql("CHECKPOINT")
        else:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()
    return time.perf_counter() - started


async def create_sites(
    sessionmaker: async_sessionmaker[AsyncSession], count: int
) -> list[uuid.UUID]:
    """The sites, big one first, each with its business schedule as in production."""
    async with sessionmaker.begin() as session:
        sites = [
            await identity_service.create_site(
                session, name=f"Bench site {index}", time_zone="Europe/Madrid", now=CLOCK
            )
            for index in range(count)
        ]
    return [site.id for site in sites]


# --- timing --------------------------------------------------------------------------------

Call = Callable[[AsyncSession], Awaitable[object]]

LABELS = {
    "first_page": "first page, filtered + sorted",
    "walk_first_page": "paging: first page",
    "middle_page": "paging: middle page by cursor",
    "last_page": "paging: last page by cursor",
    "count_v1": "count v1 (service providers)",
    "count_v2": "count v2 (everyone)",
    "count_filtered": "count, filter serviceProvider=true",
    "search": f"search '{SEARCH_PREFIX}' (OR)",
    "fuzzy_search": f"fuzzy search '{FUZZY_TYPO}'",
    "full_name_search": f"search '{FULL_NAME}' (OR)",
}
# The scenarios held to the growth goal. A filtered count counts its matches, which grow 100x
# from the first size to the full one, and so does a two-word search that SQL ranks: both are
# only reported. Unfiltered counts read kept counts.
GROWTH_CHECKED = (
    "first_page",
    "walk_first_page",
    "middle_page",
    "last_page",
    "count_v1",
    "count_v2",
    "search",
    "fuzzy_search",
)
# The scenarios whose plans are printed.
EXPLAINED = ("first_page", "last_page", "count_v1", "search", "fuzzy_search")


@dataclass(frozen=True)
class Scenario:
    key: str
    call: Call
    note: str = ""


@dataclass(frozen=True)
class Timing:
    scenario: str
    p50_ms: float
    p99_ms: float
    samples: int
    note: str


async def time_scenario(
    sessionmaker: async_sessionmaker[AsyncSession], scenario: Scenario, options: Options
) -> Timing:
    """Run the call ``warmup + iterations`` times, each in a fresh session, timing the call."""
    samples: list[float] = []
    for index in range(options.warmup + options.iterations):
        async with sessionmaker.begin() as session:
            started = time.perf_counter()
            await scenario.call(session)
            elapsed_ms = (time.perf_counter() - started) * 1000
        if index >= options.warmup:
            samples.append(elapsed_ms)
    p50 = statistics.median(samples)
    p99 = statistics.quantiles(samples, n=100, method="inclusive")[98]
    return Timing(scenario.key, round(p50, 3), round(p99, 3), len(samples), scenario.note)


def _query(
    site_id: uuid.UUID, raw_filter: object = None, cursor: str | None = None
) -> Callable[[AsyncSession], Awaitable[StaffPage]]:
    """A v2 query for a page of PAGE_SIZE, newest first; a cursor brings its own filter."""

    def call(session: AsyncSession) -> Awaitable[StaffPage]:
        return query_service.query_staff_members(
            session,
            site_id=site_id,
            variant="v2",
            raw_filter=None if cursor else raw_filter,
            raw_sort=None if cursor else NEWEST_FIRST,
            paging=Paging(PAGE_SIZE, cursor),
            codec=CODEC,
        )

    return call


def _count(
    site_id: uuid.UUID, variant: Variant, raw_filter: object = None
) -> Callable[[AsyncSession], Awaitable[int]]:
    def call(session: AsyncSession) -> Awaitable[int]:
        return query_service.count_staff_members(
            session, site_id=site_id, variant=variant, raw_filter=raw_filter
        )

    return call


def _search(site_id: uuid.UUID, text: SearchText) -> Call:
    """A v2 search ranked by relevance (no sort), first page, no aggregations."""

    def call(session: AsyncSession) -> Awaitable[StaffPage]:
        return query_service.search_staff_members(
            session,
            site_id=site_id,
            variant="v2",
            raw_filter=None,
            raw_sort=None,
            text=text,
            aggregations=(),
            paging=Paging(PAGE_SIZE),
            codec=CODEC,
        )

    return call


NEWEST_FIRST = [{"fieldName": "createdDate", "order": "DESC"}]


def created_since(moment: datetime) -> dict[str, Any]:
    return {"serviceProvider": True, "createdDate": {"$gte": render_timestamp(moment)}}


async def walk_cutoff(session: AsyncSession, site_id: uuid.UUID) -> datetime:
    """A creation time after which about WALK_MATCHES live service providers of the site were
    created (the oldest possible one when the site has fewer)."""
    newest_first = (
        sa.select(StaffMember.created_at)
        .where(
            StaffMember.site_id == site_id,
            StaffMember.deleted_at.is_(None),
            StaffMember.service_provider.is_(True),
        )
        .order_by(StaffMember.created_at.desc())
    )
    found = await session.scalar(newest_first.offset(WALK_MATCHES - 1).limit(1))
    return found or CLOCK - YEAR


@dataclass(frozen=True)
class Walk:
    """Cursors that open a middle page and the last page of a filter, found by paging."""

    middle_cursor: str
    middle_page: int
    last_cursor: str
    pages: int
    matches: int


async def walk_pages(
    sessionmaker: async_sessionmaker[AsyncSession], site_id: uuid.UUID, raw_filter: object
) -> Walk:
    """Follow `next` cursors from the first page to the last; check that paging saw exactly the
    rows the filter counts. ``cursors[n]`` opens page ``n + 2``."""
    cursors: list[str] = []
    async with sessionmaker.begin() as session:
        page = await _query(site_id, raw_filter)(session)
        seen = len(page.staff)
        while page.next_cursor:
            cursors.append(page.next_cursor)
            page = await _query(site_id, cursor=page.next_cursor)(session)
            seen += len(page.staff)
        expected = await _count(site_id, "v2", raw_filter)(session)
    pages = len(cursors) + 1
    if seen != expected or pages < 3:
        raise RuntimeError(f"paging saw {seen} rows in {pages} pages; the filter counts {expected}")
    middle = max(2, pages // 2)
    return Walk(cursors[middle - 2], middle, cursors[-1], pages, seen)


async def scenarios(
    sessionmaker: async_sessionmaker[AsyncSession], site_id: uuid.UUID
) -> list[Scenario]:
    """The measured calls, all on the big site."""
    async with sessionmaker.begin() as session:
        cutoff = await walk_cutoff(session, site_id)
    walk = await walk_pages(sessionmaker, site_id, created_since(cutoff))
    matches = f"{walk.matches:,} matches"
    return [
        Scenario("first_page", _query(site_id, created_since(CLOCK - YEAR / 2))),
        Scenario(
            "walk_first_page",
            _query(site_id, created_since(cutoff)),
            f"page 1 of {walk.pages}, {matches}",
        ),
        Scenario(
            "middle_page",
            _query(site_id, cursor=walk.middle_cursor),
            f"page {walk.middle_page} of {walk.pages}, {matches}",
        ),
        Scenario(
            "last_page",
            _query(site_id, cursor=walk.last_cursor),
            f"page {walk.pages} of {walk.pages}, {matches}",
        ),
        Scenario("count_v1", _count(site_id, "v1")),
        Scenario("count_v2", _count(site_id, "v2")),
        Scenario("count_filtered", _count(site_id, "v2", {"serviceProvider": True})),
        Scenario("search", _search(site_id, SearchText(SEARCH_PREFIX))),
        Scenario("fuzzy_search", _search(site_id, SearchText(FUZZY_TYPO, fuzzy=True))),
        Scenario("full_name_search", _search(site_id, SearchText(FULL_NAME))),
    ]


# --- plans ---------------------------------------------------------------------------------


_ALL_COLUMNS = re.compile(r"(staff_member\.\w+, ){10,}staff_member\.\w+")


@contextmanager
def captured_statements(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every (SQL, parameters) the engine sends while the block runs, as the driver gets them."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def explain(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], call: Call
) -> list[str]:
    """The statements the call runs, each followed by its plan from running it once more under
    EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite)."""
    with captured_statements(engine) as statements:
        async with sessionmaker.begin() as session:
            await call(session)
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    lines: list[str] = []
    async with sessionmaker.begin() as session:
        connection = await session.connection()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue  # SQLite's BEGIN IMMEDIATE
            result = await connection.exec_driver_sql(prefix + statement, parameters)
            rows: list[Sequence[Any]] = list(result)
            # SQLite's rows are (id, parent, notused, detail); a node's parent is another's id.
            plan = [str(r[0]) if postgres else f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in rows]
            lines += ["", _ALL_COLUMNS.sub("staff_member.<every column>", statement), *plan]
    return lines


# --- one size ------------------------------------------------------------------------------


@dataclass
class SizeResult:
    total_rows: int
    big_site_rows: int
    load_s: float
    load_rows_per_s: float
    statistics_s: float
    timings: list[Timing] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)


async def measure(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    site_id: uuid.UUID,
    options: Options,
    size: SizeResult,
    *,
    with_plans: bool,
) -> None:
    """Time every scenario back to back, then (once) capture the plans of the main ones."""
    cases = await scenarios(sessionmaker, site_id)
    for case in cases:
        print(f"  timing {LABELS[case.key]}", file=sys.stderr, flush=True)
        size.timings.append(await time_scenario(sessionmaker, case, options))
    if with_plans:
        for case in cases:
            if case.key in EXPLAINED:
                size.plans[case.key] = await explain(engine, sessionmaker, case.call)


# --- reporting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    name: str
    value: float
    limit: float
    passed: bool


def check_goals(first: SizeResult, full: SizeResult) -> list[Goal]:
    small = {t.scenario: t for t in first.timings}
    big = {t.scenario: t for t in full.timings}

    def at_most(name: str, value: float, limit: float) -> Goal:
        return Goal(name, round(value, 3), limit, value <= limit)

    goals = [
        at_most("first page p99 ms", big["first_page"].p99_ms, PAGE_BUDGET_MS),
        at_most("last page p99 ms", big["last_page"].p99_ms, PAGE_BUDGET_MS),
        at_most(
            "paging: last page p50 / its first page p50",
            big["last_page"].p50_ms / big["walk_first_page"].p50_ms,
            MAX_GROWTH,
        ),
        at_most("search p99 ms", big["search"].p99_ms, SEARCH_BUDGET_MS),
        at_most("fuzzy search p99 ms", big["fuzzy_search"].p99_ms, SEARCH_BUDGET_MS),
    ]
    for key in GROWTH_CHECKED:
        goals.append(at_most(f"{key} p50 growth", big[key].p50_ms / small[key].p50_ms, MAX_GROWTH))
    return goals


def print_size(kind: str, size: SizeResult) -> None:
    print(
        f"\n{kind}: {size.total_rows:,} rows, big site {size.big_site_rows:,}"
        f" (loaded in {size.load_s:.1f}s, {size.load_rows_per_s:,.0f} rows/s;"
        f" statistics {size.statistics_s:.1f}s)"
    )
    header = f"{'scenario':<34} {'p50 ms':>8} {'p99 ms':>8}  note"
    print(header + "\n" + "-" * len(header))
    for t in size.timings:
        print(f"{LABELS[t.scenario]:<34} {t.p50_ms:>8.2f} {t.p99_ms:>8.2f}  {t.note}")


def print_growth(first: SizeResult, full: SizeResult) -> list[dict[str, Any]]:
    print(f"\ngrowth {first.total_rows:,} -> {full.total_rows:,} rows")
    header = f"{'scenario':<16} {'p50 small':>10} {'p50 full':>10} {'x p50':>7} {'x p99':>7}"
    print(header + "\n" + "-" * len(header))
    rows = []
    for small, big in zip(first.timings, full.timings, strict=True):
        row = {
            "scenario": small.scenario,
            "p50_ratio": round(big.p50_ms / small.p50_ms, 2),
            "p99_ratio": round(big.p99_ms / small.p99_ms, 2),
        }
        print(
            f"{small.scenario:<16} {small.p50_ms:>10.2f} {big.p50_ms:>10.2f}"
            f" {row['p50_ratio']:>7.2f} {row['p99_ratio']:>7.2f}"
        )
        rows.append(row)
    return rows


def print_goals(kind: str, goals: Sequence[Goal]) -> None:
    binding = "" if kind == "postgres" else " (informational: the goals are for PostgreSQL)"
    print(f"\ngoals{binding}")
    for goal in goals:
        verdict = "PASS" if goal.passed else "FAIL"
        print(f"  {verdict}  {goal.name}: {goal.value:g} (limit {goal.limit:g})")


def write_json(
    options: Options, sizes: Sequence[SizeResult], growth: list[dict[str, Any]], goals: list[Goal]
) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"staff_query-{options.kind}.json"
    document = {
        "benchmark": "staff_query",
        "database": options.kind,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "iterations": options.iterations,
        "warmup": options.warmup,
        "page_size": PAGE_SIZE,
        "sizes": [asdict(size) for size in sizes],
        "growth": growth,
        "goals": [asdict(goal) for goal in goals],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


# --- entry point ---------------------------------------------------------------------------


async def run(database_url: str, options: Options) -> list[SizeResult]:
    """Load to the first size and measure, then load the rest and measure again."""
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    factory = StaffFactory()
    try:
        sites = await create_sites(sessionmaker, options.profile.sites)
        loaded = [0] * len(sites)
        sizes: list[SizeResult] = []
        for total in (FIRST_SIZE, options.total_rows):
            target = rows_per_site(options.profile, total)
            plan = [(s, want - have) for s, want, have in zip(sites, target, loaded, strict=True)]
            load_s = await load_staff(sessionmaker, loader_for(engine), factory, plan)
            size = SizeResult(
                total_rows=total,
                big_site_rows=target[0],
                load_s=round(load_s, 1),
                load_rows_per_s=round((total - sum(loaded)) / load_s),
                statistics_s=round(await refresh_statistics(engine), 1),
            )
            loaded = target
            full = total == options.total_rows
            await measure(engine, sessionmaker, sites[0], options, size, with_plans=full)
            sizes.append(size)
        return sizes
    finally:
        await engine.dispose()


def report(options: Options, sizes: list[SizeResult]) -> bool:
    """Print plans, tables, growth and goals, write the JSON; True unless a binding goal failed."""
    first, full = sizes
    for key, lines in full.plans.items():
        print(f"\n=== plan: {LABELS[key]} ({full.total_rows:,} rows) ===")
        print("\n".join(lines))
    for size in sizes:
        print_size(options.kind, size)
    growth = print_growth(first, full)
    goals = check_goals(first, full)
    print_goals(options.kind, goals)
    path = write_json(options, sizes, growth, goals)
    print(f"\nwritten: {path}")
    return options.kind != "postgres" or all(goal.passed for goal in goals)


def _exit_on_sigterm(_signum: int, _frame: object) -> NoReturn:
    # SystemExit runs every `finally`, so the scratch database is dropped.
    sys.exit(128 + signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with (
        tempfile.TemporaryDirectory(prefix="rota-bench-") as tmp,
        scratch_database(options.kind, Path(tmp), options.postgres_url) as database_url,
    ):
        upgrade(database_url)  # Alembic runs its own event loop, so before ours
        sizes = asyncio.run(run(database_url, options))
    return 0 if report(options, sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
