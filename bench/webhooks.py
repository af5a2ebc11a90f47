"""Webhook benchmark: relay throughput with one and two ``rota worker`` processes, and what the
transactional outbox adds to the latency of staff writes.

Setup. A scratch database (a ``rota_bench_<random>`` PostgreSQL database created beside ``test``
and dropped afterwards, or a temporary SQLite file) is migrated with ``rota migrate``; sites and
webhook subscriptions are made with the operator CLI. A minimal HTTP/1.1 receiver runs in its own
process on loopback, answers every POST with 200 and counts them. Its capacity is measured first
with a burst of concurrent httpx posts, and its CPU use is reported for every run, so the report
shows whether it could have been the bottleneck.

Throughput. With no relay running, ``--events`` events for one subscription are recorded (and
queued for it) with ``rota.events.outbox.record`` in large transactions, ``--events-per-entity``
per staff member id (2 by default: ``created`` then ``fully_created``, as a staff create records
them), so per-entity ordering applies without serializing the run. Then ``rota worker`` processes
start (one, then two with fresh events; SQLite has a single relay, so one only) and the run lasts
until every delivery is DELIVERED: the workers make the deliveries from the queue and send them.
The rate is deliveries over the span from the first attempt to the last delivery, read from the
database, so process start-up is excluded (the wall time including it is reported too). A run
still unfinished after ``--run-timeout`` seconds is reported as incomplete and what it left is
dead-lettered, so the next run starts clean. Receiver counts and recorded attempts show
duplicates and retries; CPU shares of the workers, the receiver and the whole machine come from
``/proc`` (Linux).
``--latency-only`` skips the throughput runs.

Write latency. Staff creates and updates in three variants taking turns of five writes, each on
its own site: events not recorded at all (``rota.events.outbox.record_all`` patched to a no-op,
and the builders of the entities events carry patched to build nothing, only in this process), the
outbox with no subscription, and the outbox with one active subscription
(deliveries written too). Timed twice: through the staff service layer (each write its own
transaction), and as HTTP requests to ``rota``'s app served by uvicorn on loopback in this process
(so the patch applies to it; its relay off) from an aiohttp client: the latency an API client
sees. What the outbox adds is each variant's p50 over the p50 without events.

Results are printed as tables with PASS/FAIL for both goals and written to
``bench/results/webhooks-<db>.json``. ``--profile DIR`` attaches py-spy (idle time included) to
every worker and writes collapsed stacks there. Everything started is stopped and the scratch
database removed, even when a step fails. Exit status: 0 when the goals hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar, cast
from unittest import mock

import aiohttp
import httpx
import sqlalchemy as sa
import uvicorn
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import rota.orm_registry  # noqa: F401  (every table, so the ORM resolves foreign keys)
from rota.calendar import events as calendar_events
from rota.config import Settings
from rota.core.clock import utc_now
from rota.core.context import Actor, WriteContext
from rota.core.db import create_engine, create_sessionmaker
from rota.events import outbox
from rota.events.envelope import BodyKind
from rota.events.models import DeliveryAttempt, DomainEventRecord, FanoutEntry, WebhookDelivery
from rota.events.repository import DEAD, DELIVERED, PENDING
from rota.main import create_app
from rota.staff import events as staff_events
from rota.staff import service as staff_service
from rota.staff.models import StaffMember
from rota.staff.service import StaffMemberChanges
from staff_load import (
    RESULTS_DIR,
    BenchError,
    free_port,
    git_revision,
    run_cli,
    scratch_database,
)

T = TypeVar("T")

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
THROUGHPUT_GOAL_PER_S = 1000.0  # deliveries/s with two workers on PostgreSQL
ADDED_LATENCY_GOAL = 0.10  # p50 of a staff write with the outbox over p50 without events

EVENTS_PER_TRANSACTION = 500
POLL_SECONDS = 0.2
STOP_TIMEOUT_S = 15.0
RECEIVER_START_TIMEOUT_S = 20.0
BURST_POSTS = 2000
BURST_CONNECTIONS = 100
BURST_BODY = b"x" * 3000  # about the size of a Wix-format JWT for one staff event
# Writes of one variant in a row before the next variant's turn: short turns share the machine's
# drift in load between the variants (turns of 30 moved one variant's p50 by 20 % against
# another's with the same database work).
LATENCY_TURN = 5
# Where write latency is timed: what an API client sees, and the service call alone.
LAYERS = {"http": "over HTTP", "service": "service layer"}
LATENCY_WARMUP = 10
HOOK_PATH = "/hook"

# What the n-th event of one staff member is: slug, body kind, key of the entity in the body.
EVENT_SHAPES: tuple[tuple[str, BodyKind, str], ...] = (
    ("created", "created", "entity"),
    ("fully_created", "action", "staffMember"),
    ("updated", "updated", "currentEntity"),
)


@dataclass(frozen=True)
class Options:
    database: str
    events: int
    events_per_entity: int
    writes: int
    run_timeout_s: float
    postgres_url: str
    profile_dir: Path | None
    webhook_format: str = "wix"
    throughput: bool = True  # False: --latency-only


@dataclass(frozen=True)
class Variant:
    """One way of running staff writes for the latency comparison."""

    key: str
    label: str
    records_events: bool
    subscribed: bool


NO_EVENTS = Variant("no_events", "events not recorded", records_events=False, subscribed=False)
VARIANTS = (
    NO_EVENTS,
    Variant("outbox", "outbox, no subscription", records_events=True, subscribed=False),
    Variant("outbox_subscribed", "outbox + 1 subscription", records_events=True, subscribed=True),
)


@dataclass(frozen=True)
class Sites:
    throughput: uuid.UUID
    subscription: uuid.UUID
    latency: dict[str, uuid.UUID]  # by variant key
    latency_keys: dict[str, str]  # an API key of each latency site, by variant key


@dataclass(frozen=True)
class ReceiverCapacity:
    posts: int
    posts_per_s: float  # what one httpx client pushed through
    cpu_share: float  # of one core, used by the receiver meanwhile
    posts_per_cpu_s: float  # its rate if it had a whole core to itself


@dataclass(frozen=True)
class ThroughputRun:
    workers: int
    deliveries: int
    delivered: int
    pending: int
    dead: int
    complete: bool
    seconds: float  # first attempt -> last delivery, from the database
    deliveries_per_s: float
    wall_seconds: float  # worker start -> all delivered, start-up included
    attempts: int
    received: int  # POSTs the receiver counted during the run
    duplicates: int  # received beyond one per delivered delivery
    worker_cpu_share: list[float]  # each of one core, from the first delivery seen to the last
    receiver_cpu_share: float
    machine_busy_share: float  # every core together
    load_average_1m: float
    seed_events_per_s: float


@dataclass(frozen=True)
class LatencyRow:
    layer: str
    variant: str
    operation: str
    samples: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    statements: float  # SQL statements per operation, commit included
    added_p50: float | None  # over the variant without events
    added_p99: float | None


@dataclass(frozen=True)
class Goal:
    name: str
    target: str
    measured: str
    met: bool | None  # None: not measured on this database


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine sends (a listener increments it)."""

    value: int = 0

    def __call__(self, *_args: object) -> None:
        self.value += 1


@dataclass(frozen=True)
class Bench:
    """Everything one run of the benchmark works with."""

    options: Options
    env: dict[str, str]
    workdir: Path
    receiver_url: str
    sites: Sites
    sessionmaker: async_sessionmaker[AsyncSession]
    statements: StatementCounter


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--events", type=int, default=20_000, help="deliveries per worker run")
    parser.add_argument(
        "--events-per-entity", type=int, default=2, help="events per staff member id (1-3)"
    )
    parser.add_argument(
        "--writes", type=int, default=1500, help="timed creates (and updates) per latency variant"
    )
    parser.add_argument(
        "--run-timeout", type=float, default=600.0, help="seconds a throughput run may last"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ROTA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="an existing database to connect to when creating the scratch database",
    )
    parser.add_argument("--profile", type=Path, help="write py-spy stacks of each worker here")
    parser.add_argument(
        "--format",
        choices=("wix", "standard"),
        default="wix",
        help="subscription format: wix (an RS256 JWT per delivery) or standard (HMAC-SHA256)",
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="skip the relay throughput runs: only the write latency is measured",
    )
    args = parser.parse_args(argv)
    if args.events < 1 or not 1 <= args.events_per_entity <= len(EVENT_SHAPES):
        parser.error(f"--events must be ≥ 1 and --events-per-entity 1-{len(EVENT_SHAPES)}")
    if args.writes < LATENCY_TURN:
        parser.error(f"--writes must be ≥ {LATENCY_TURN}")
    return Options(
        database=args.db,
        events=args.events,
        events_per_entity=args.events_per_entity,
        writes=args.writes,
        run_timeout_s=args.run_timeout,
        postgres_url=args.postgres_url,
        profile_dir=args.profile,
        webhook_format=args.format,
        throughput=not args.latency_only,
    )


# --- the receiver --------------------------------------------------------------------------

_OK = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"


@dataclass
class _Tally:
    posts: int = 0


class _ReceiverProtocol(asyncio.Protocol):
    """Just enough HTTP/1.1 for httpx (keep-alive, pipelining, Content-Length bodies): a POST is
    counted and answered 200; ``GET /count`` answers the count and this process's CPU seconds."""

    def __init__(self, tally: _Tally) -> None:
        self._tally = tally
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (request_line := self._take_request()) is not None:
            assert self._transport is not None
            self._transport.write(self._answer(request_line))

    def _take_request(self) -> str | None:
        """The request line of the next complete request, which leaves the buffer."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self._buffer[:end]).decode("latin-1")
        size = end + 4 + _content_length(head)
        if len(self._buffer) < size:
            return None
        del self._buffer[:size]
        return head.split("\r\n", 1)[0]

    def _answer(self, request_line: str) -> bytes:
        if not request_line.startswith("GET /count"):
            self._tally.posts += 1
            return _OK
        body = json.dumps({"posts": self._tally.posts, "cpu_seconds": time.process_time()})
        return (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n{body}"
        ).encode()


def _content_length(head: str) -> int:
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value)
    return 0


def serve_receiver(port: int) -> None:
    """Entry point of the receiver process; runs until terminated."""

    async def serve() -> None:
        tally = _Tally()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _ReceiverProtocol(tally), "127.0.0.1", port, backlog=1024
        )
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextmanager
def running_receiver() -> Iterator[str]:
    """Start the receiver in its own process; yield its base URL once it answers."""
    port = free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=serve_receiver, args=(port,), name="rota-bench-receiver", daemon=True
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + RECEIVER_START_TIMEOUT_S
        while not _answers(url):
            if not process.is_alive() or time.monotonic() > deadline:
                raise BenchError("the webhook receiver did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.join(STOP_TIMEOUT_S)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/count", timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


@dataclass(frozen=True)
class ReceiverStats:
    posts: int
    cpu_seconds: float


async def receiver_stats(url: str) -> ReceiverStats:
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = (await client.get(f"{url}/count")).json()
    return ReceiverStats(int(answer["posts"]), float(answer["cpu_seconds"]))


async def measure_receiver(url: str) -> ReceiverCapacity:
    """A burst of posts from one httpx client, ``BURST_CONNECTIONS`` at a time as the relay
    sends them (more in flight only queue inside httpx's pool, which scans its queue per
    request)."""
    limits = httpx.Limits(max_connections=BURST_CONNECTIONS)
    in_flight = asyncio.Semaphore(BURST_CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:

        async def post() -> int:
            async with in_flight:
                return (await client.post(url + HOOK_PATH, content=BURST_BODY)).status_code

        before = await receiver_stats(url)
        started = time.perf_counter()
        statuses = await asyncio.gather(*(post() for _ in range(BURST_POSTS)))
        elapsed = time.perf_counter() - started
        after = await receiver_stats(url)
    if any(status != 200 for status in statuses):
        raise BenchError("the receiver answered a burst post with an error")
    cpu = after.cpu_seconds - before.cpu_seconds
    return ReceiverCapacity(
        posts=BURST_POSTS,
        posts_per_s=round(BURST_POSTS / elapsed, 1),
        cpu_share=round(cpu / elapsed, 3),
        posts_per_cpu_s=round(BURST_POSTS / cpu, 1),
    )


# --- CPU accounting (Linux /proc) ----------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of every core since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    workers: tuple[float, ...]
    receiver: float
    machine: tuple[int, int]


async def cpu_snapshot(bench: Bench, workers: Sequence[asyncio.subprocess.Process]) -> CpuSnapshot:
    receiver = await receiver_stats(bench.receiver_url)
    return CpuSnapshot(
        at=time.perf_counter(),
        workers=tuple(process_cpu_seconds(w.pid) for w in workers),
        receiver=receiver.cpu_seconds,
        machine=machine_ticks(),
    )


def cpu_shares(first: CpuSnapshot, last: CpuSnapshot) -> tuple[list[float], float, float]:
    """Each worker's and the receiver's share of one core, and the whole machine's busy share."""
    wall = max(last.at - first.at, 1e-9)
    workers = [round((b - a) / wall, 3) for a, b in zip(first.workers, last.workers, strict=True)]
    busy = last.machine[0] - first.machine[0]
    total = max(last.machine[1] - first.machine[1], 1)
    return workers, round((last.receiver - first.receiver) / wall, 3), round(busy / total, 3)


# --- seeding pending deliveries ------------------------------------------------------------


def write_context() -> WriteContext:
    actor = Actor("APP", uuid.uuid4())
    return WriteContext(now=utc_now(), actor=actor, public_base_url="http://127.0.0.1:8000")


def new_staff_fields(number: int) -> dict[str, str]:
    return {
        "name": f"Bench Staff {number}",
        "email": f"bench{number}@example.com",
        "phone": f"+1 555 {number % 10_000:04d}",
    }


def edited_staff_fields(number: int) -> dict[str, str]:
    return {"phone": f"+1 666 {number % 10_000:04d}", "description": f"Edited {number}"}


def staff_changes(number: int) -> StaffMemberChanges:
    return StaffMemberChanges(new_staff_fields(number))


async def sample_entity(bench: Bench) -> dict[str, Any]:
    """A staff member as events carry it, made in a transaction that is rolled back."""
    ctx = write_context()
    async with bench.sessionmaker() as session:
        staff = await staff_service.create_staff_member(
            session, site_id=bench.sites.throughput, changes=staff_changes(0), ctx=ctx
        )
        entity = staff_events.representation(staff, ctx)
        await session.rollback()
    return entity


@dataclass(frozen=True)
class PositionSpan:
    """Outbox positions of one seeded batch: its deliveries are the subscription's in between."""

    first: int
    last: int


async def seed_deliveries(bench: Bench, entity: dict[str, Any]) -> tuple[PositionSpan, float]:
    """Record ``--events`` events for new staff member ids; the span and events recorded/s."""
    options = bench.options
    first = await _last_position(bench) + 1
    started = time.perf_counter()
    entity_id = ""
    for start in range(0, options.events, EVENTS_PER_TRANSACTION):
        ctx = write_context()
        async with bench.sessionmaker.begin() as session:
            for number in range(start, min(start + EVENTS_PER_TRANSACTION, options.events)):
                slot = number % options.events_per_entity
                entity_id = str(uuid.uuid4()) if slot == 0 else entity_id
                slug, kind, body_key = EVENT_SHAPES[slot]
                await outbox.record(
                    session,
                    site_id=bench.sites.throughput,
                    entity_fqdn=staff_events.STAFF_FQDN,
                    slug=slug,
                    entity_id=entity_id,
                    body_kind=kind,
                    body={body_key: {**entity, "id": entity_id}},
                    ctx=ctx,
                )
    rate = options.events / (time.perf_counter() - started)
    return PositionSpan(first, await _last_position(bench)), round(rate, 1)


async def _last_position(bench: Bench) -> int:
    async with bench.sessionmaker() as session:
        return int(await session.scalar(sa.select(sa.func.max(DomainEventRecord.position))) or 0)


# --- worker processes ----------------------------------------------------------------------


def _executable(name: str) -> str:
    beside_python = Path(sys.executable).with_name(name)
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        raise BenchError(f"`{name}` is not installed in this environment")
    return found


def _open_log(path: Path) -> IO[bytes]:
    return path.open("wb")


async def start_process(
    command: Sequence[str], env: dict[str, str], log_path: Path
) -> asyncio.subprocess.Process:
    """Start a process whose output goes to ``log_path``."""
    with _open_log(log_path) as log:
        return await asyncio.create_subprocess_exec(
            *command, env=env, stdout=log, stderr=subprocess.STDOUT
        )


async def stop_process(process: asyncio.subprocess.Process, signum: int) -> None:
    if process.returncode is None:
        process.send_signal(signum)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


async def start_workers(bench: Bench, count: int) -> list[asyncio.subprocess.Process]:
    rota = _executable("rota")
    return [
        await start_process([rota, "worker"], bench.env, bench.workdir / f"worker-{count}-{i}.log")
        for i in range(count)
    ]


async def start_profilers(
    bench: Bench, workers: Sequence[asyncio.subprocess.Process]
) -> list[asyncio.subprocess.Process]:
    """py-spy attached to each worker (idle included), writing collapsed stacks on SIGINT."""
    if bench.options.profile_dir is None:
        return []
    bench.options.profile_dir.mkdir(parents=True, exist_ok=True)
    py_spy = _executable("py-spy")
    profilers = []
    for i, worker in enumerate(workers):
        name = f"webhooks-{bench.options.database}-{len(workers)}w-{i}"
        output = bench.options.profile_dir / f"{name}.txt"
        command = [py_spy, "record", "--pid", str(worker.pid), "--idle", "--nonblocking"]
        command += ["--format", "raw", "--output", str(output)]
        log = bench.options.profile_dir / f"{name}.log"
        profilers.append(await start_process(command, dict(os.environ), log))
    return profilers


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- throughput ----------------------------------------------------------------------------


def _in_span(bench: Bench, span: PositionSpan) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        WebhookDelivery.subscription_id == bench.sites.subscription,
        WebhookDelivery.position.between(span.first, span.last),
    )


async def count_delivered(bench: Bench, span: PositionSpan) -> int:
    async with bench.sessionmaker.begin() as session:
        query = sa.select(sa.func.count()).where(
            *_in_span(bench, span), WebhookDelivery.state == DELIVERED
        )
        return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class DeliverySummary:
    states: dict[str, int]
    attempts: int
    seconds: float  # first attempt -> last delivery


async def summarize_deliveries(bench: Bench, span: PositionSpan) -> DeliverySummary:
    in_span = _in_span(bench, span)
    async with bench.sessionmaker.begin() as session:
        rows = await session.execute(
            sa.select(WebhookDelivery.state, sa.func.count())
            .where(*in_span)
            .group_by(WebhookDelivery.state)
        )
        states = {str(state): int(count) for state, count in rows}
        attempts, first_attempt = (
            await session.execute(
                sa.select(
                    sa.func.count(DeliveryAttempt.id), sa.func.min(DeliveryAttempt.attempted_at)
                )
                .join(WebhookDelivery, WebhookDelivery.id == DeliveryAttempt.delivery_id)
                .where(*in_span)
            )
        ).one()
        last_delivery = await session.scalar(
            sa.select(sa.func.max(WebhookDelivery.delivered_at)).where(*in_span)
        )
    seconds = (last_delivery - first_attempt).total_seconds() if last_delivery else 0.0
    return DeliverySummary(states, int(attempts), seconds)


async def abandon_pending(bench: Bench, span: PositionSpan) -> None:
    """Dead-letter what an unfinished run left, and drop what it left queued, so the next
    run's workers start clean."""
    async with bench.sessionmaker.begin() as session:
        await session.execute(
            sa.delete(FanoutEntry).where(FanoutEntry.position.between(span.first, span.last))
        )
        await session.execute(
            sa.update(WebhookDelivery)
            .where(*_in_span(bench, span), WebhookDelivery.state == PENDING)
            .values(state=DEAD)
        )


async def wait_until_delivered(
    bench: Bench, span: PositionSpan, workers: Sequence[asyncio.subprocess.Process]
) -> tuple[CpuSnapshot, CpuSnapshot]:
    """Poll until every delivery of the span is DELIVERED (or the time is up); CPU snapshots at
    the first delivery seen and at the end."""
    expected = bench.options.events
    deadline = time.perf_counter() + bench.options.run_timeout_s
    first: CpuSnapshot | None = None
    while True:
        delivered = await count_delivered(bench, span)
        if first is None and delivered > 0:
            first = await cpu_snapshot(bench, workers)
        if delivered >= expected or time.perf_counter() > deadline:
            last = await cpu_snapshot(bench, workers)
            return first or last, last
        for i, worker in enumerate(workers):
            if worker.returncode is not None:
                log = bench.workdir / f"worker-{len(workers)}-{i}.log"
                raise BenchError(f"rota worker exited with {worker.returncode}:\n{_tail(log)}")
        await asyncio.sleep(POLL_SECONDS)


async def run_workers(bench: Bench, count: int, entity: dict[str, Any]) -> ThroughputRun:
    """Seed freshly queued events, then let ``count`` workers make and send their deliveries."""
    span, seed_rate = await seed_deliveries(bench, entity)
    received_before = await receiver_stats(bench.receiver_url)
    started = time.perf_counter()
    workers = await start_workers(bench, count)
    profilers = await start_profilers(bench, workers)
    try:
        first, last = await wait_until_delivered(bench, span, workers)
    finally:
        for profiler in profilers:
            await stop_process(profiler, signal.SIGINT)
        for worker in workers:
            await stop_process(worker, signal.SIGTERM)
    received = (await receiver_stats(bench.receiver_url)).posts - received_before.posts
    summary = await summarize_deliveries(bench, span)
    await abandon_pending(bench, span)
    worker_shares, receiver_share, machine_share = cpu_shares(first, last)
    delivered = summary.states.get(DELIVERED, 0)
    return ThroughputRun(
        workers=count,
        deliveries=bench.options.events,
        delivered=delivered,
        pending=summary.states.get(PENDING, 0),
        dead=summary.states.get(DEAD, 0),
        complete=delivered == bench.options.events,
        seconds=round(summary.seconds, 3),
        deliveries_per_s=round(delivered / summary.seconds, 1) if summary.seconds else 0.0,
        wall_seconds=round(last.at - started, 3),
        attempts=summary.attempts,
        received=received,
        duplicates=received - delivered,
        worker_cpu_share=worker_shares,
        receiver_cpu_share=receiver_share,
        machine_busy_share=machine_share,
        load_average_1m=round(os.getloadavg()[0], 2),
        seed_events_per_s=seed_rate,
    )


def worker_counts(database: str) -> tuple[int, ...]:
    # Several relays share the work only on PostgreSQL (FOR UPDATE SKIP LOCKED).
    return (1, 2) if database == "postgres" else (1,)


async def measure_throughput(bench: Bench) -> list[ThroughputRun]:
    if not bench.options.throughput:
        return []
    entity = await sample_entity(bench)
    runs = []
    for count in worker_counts(bench.options.database):
        print(f"throughput: {bench.options.events} deliveries, {count} worker(s)", flush=True)
        runs.append(await run_workers(bench, count, entity))
    return runs


# --- write latency -------------------------------------------------------------------------


async def _skip_record(*_args: object, **_kwargs: object) -> None:
    """Stands in for ``rota.events.outbox.record_all`` in the variant without events."""


def _no_body(*_args: object, **_kwargs: object) -> dict[str, Any]:
    """Stands in for the builders of event bodies in the variant without events."""
    return {}


@contextmanager
def events_recorded(enabled: bool) -> Iterator[None]:
    """Every domain records through ``outbox.record_all``: patched, a write emits no event at all
    (staff and the calendar events of the staff member's own schedule alike). The entities the
    events carry are not built either: that work is the events' too."""
    if enabled:
        yield
        return
    with (
        mock.patch.object(outbox, "record_all", _skip_record),
        mock.patch.object(staff_events, "representation", _no_body),
        mock.patch.object(calendar_events, "schedule_representation", _no_body),
    ):
        yield


async def create_staff(session: AsyncSession, *, site_id: uuid.UUID, number: int) -> StaffMember:
    return await staff_service.create_staff_member(
        session, site_id=site_id, changes=staff_changes(number), ctx=write_context()
    )


async def update_staff(
    session: AsyncSession, *, site_id: uuid.UUID, staff: StaffMember, number: int
) -> StaffMember:
    changes = StaffMemberChanges(edited_staff_fields(number))
    return await staff_service.update_staff_member(
        session,
        site_id=site_id,
        staff_id=staff.id,
        revision=staff.revision,
        changes=changes,
        ctx=write_context(),
    )


@dataclass(frozen=True)
class Sample:
    seconds: float
    statements: int


async def timed(bench: Bench, work: Callable[[AsyncSession], Awaitable[T]]) -> tuple[T, Sample]:
    """Run ``work`` in its own transaction; its result, duration and statement count."""
    before = bench.statements.value
    started = time.perf_counter()
    async with bench.sessionmaker.begin() as session:
        result = await work(session)
    elapsed = time.perf_counter() - started
    return result, Sample(elapsed, bench.statements.value - before)


@dataclass
class LatencySamples:
    by_key: dict[tuple[str, str], list[Sample]] = field(default_factory=dict)

    def add(self, variant: Variant, operation: str, sample: Sample) -> None:
        self.by_key.setdefault((variant.key, operation), []).append(sample)


WriteRound = Callable[[Variant, int, int], Awaitable[list[tuple[str, Sample]]]]


async def service_round(
    bench: Bench, variant: Variant, first_number: int, count: int
) -> list[tuple[str, Sample]]:
    """``count`` creates, then an update of each, with or without events as the variant says,
    through the staff service in this process."""
    site_id = bench.sites.latency[variant.key]
    samples: list[tuple[str, Sample]] = []
    created: list[StaffMember] = []
    with events_recorded(variant.records_events):
        for number in range(first_number, first_number + count):
            staff, sample = await timed(
                bench, partial(create_staff, site_id=site_id, number=number)
            )
            created.append(staff)
            samples.append(("create", sample))
        for number, staff in enumerate(created, start=first_number):
            _, sample = await timed(
                bench, partial(update_staff, site_id=site_id, staff=staff, number=number)
            )
            samples.append(("update", sample))
    return samples


async def http_round(
    statements: StatementCounter,
    http: aiohttp.ClientSession,
    base_url: str,
    keys: dict[str, str],
    variant: Variant,
    first_number: int,
    count: int,
) -> list[tuple[str, Sample]]:
    """The same writes as `service_round`, as HTTP requests to a server in this process (so
    the variant's patch applies to it): the latency a client of the API sees."""
    headers = {"Authorization": keys[variant.key]}
    url = f"{base_url}/bookings/v1/staff-members"
    samples: list[tuple[str, Sample]] = []
    created: list[dict[str, Any]] = []

    async def send(method: str, target: str, body: dict[str, Any]) -> dict[str, Any]:
        before = statements.value
        started = time.perf_counter()
        async with http.request(method, target, json=body, headers=headers) as response:
            answer: dict[str, Any] = await response.json()
            if response.status != 200:
                raise BenchError(f"{method} {target} answered {response.status}: {answer}")
        sample = Sample(time.perf_counter() - started, statements.value - before)
        samples.append(("create" if method == "POST" else "update", sample))
        return cast(dict[str, Any], answer["staffMember"])

    with events_recorded(variant.records_events):
        for number in range(first_number, first_number + count):
            created.append(await send("POST", url, {"staffMember": new_staff_fields(number)}))
        for number, staff in enumerate(created, start=first_number):
            edit = {"revision": staff["revision"], **edited_staff_fields(number)}
            await send("PATCH", f"{url}/{staff['id']}", {"staffMember": edit})
    return samples


async def measure_latency(bench: Bench, layer: str, write_round: WriteRound) -> list[LatencyRow]:
    """Every variant in turns of `LATENCY_TURN` writes, rotating which goes first, so drift in
    machine load is shared."""
    rounds = bench.options.writes // LATENCY_TURN
    for variant in VARIANTS:
        await write_round(variant, 0, LATENCY_WARMUP)
    collected = LatencySamples()
    for round_number in range(rounds):
        shift = round_number % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:
            first_number = LATENCY_WARMUP + round_number * LATENCY_TURN
            for operation, sample in await write_round(variant, first_number, LATENCY_TURN):
                collected.add(variant, operation, sample)
    return latency_rows(layer, collected)


@asynccontextmanager
async def serving_in_process(database_url: str, statements: StatementCounter) -> AsyncIterator[str]:
    """`rota`'s app under uvicorn on loopback in this process, its relay off (deliveries stay
    pending, as in the service layer), so only the writes are timed."""
    app = create_app(Settings(database_url=database_url, relay_in_server=False))
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", statements)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def measure_http_latency(bench: Bench) -> list[LatencyRow]:
    async with (
        serving_in_process(bench.env["ROTA_DATABASE_URL"], bench.statements) as base_url,
        aiohttp.ClientSession() as http,
    ):
        keys = bench.sites.latency_keys
        write_round = partial(http_round, bench.statements, http, base_url, keys)
        return await measure_latency(bench, "http", write_round)


def _percentile(values: Sequence[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def latency_rows(layer: str, collected: LatencySamples) -> list[LatencyRow]:
    rows = []
    for operation in ("create", "update"):
        baseline = [s.seconds for s in collected.by_key[(NO_EVENTS.key, operation)]]
        for variant in VARIANTS:
            samples = collected.by_key[(variant.key, operation)]
            seconds = [s.seconds for s in samples]
            p50, p99 = _percentile(seconds, 50), _percentile(seconds, 99)
            is_baseline = variant is NO_EVENTS
            rows.append(
                LatencyRow(
                    layer=layer,
                    variant=variant.label,
                    operation=operation,
                    samples=len(samples),
                    p50_ms=round(p50 * 1000, 3),
                    p99_ms=round(p99 * 1000, 3),
                    mean_ms=round(statistics.fmean(seconds) * 1000, 3),
                    statements=round(statistics.fmean(s.statements for s in samples), 1),
                    added_p50=None
                    if is_baseline
                    else round(p50 / _percentile(baseline, 50) - 1, 3),
                    added_p99=None
                    if is_baseline
                    else round(p99 / _percentile(baseline, 99) - 1, 3),
                )
            )
    return rows


# --- one database --------------------------------------------------------------------------


def create_sites(env: dict[str, str], receiver_url: str, webhook_format: str) -> Sites:
    """A site with one subscription for the throughput runs, and one site per latency variant."""

    def site(name: str) -> uuid.UUID:
        return uuid.UUID(run_cli(env, "sites", "create", name))

    def subscribe(site_id: uuid.UUID) -> uuid.UUID:
        url = receiver_url + HOOK_PATH
        command = ("webhooks", "create", "--site", str(site_id), "--url", url)
        return uuid.UUID(run_cli(env, *command, "--format", webhook_format))

    throughput = site("Webhook throughput")
    subscription = subscribe(throughput)
    latency, keys = {}, {}
    for variant in VARIANTS:
        latency[variant.key] = site(f"Write latency: {variant.label}")
        keys[variant.key] = run_cli(env, "keys", "create", "--site", str(latency[variant.key]))
        if variant.subscribed:
            subscribe(latency[variant.key])
    return Sites(throughput, subscription, latency, keys)


@dataclass(frozen=True)
class Results:
    receiver: ReceiverCapacity
    throughput: list[ThroughputRun]
    latency: list[LatencyRow]


async def measure(bench: Bench) -> Results:
    print("receiver: measuring its capacity", flush=True)
    receiver = await measure_receiver(bench.receiver_url)
    throughput = await measure_throughput(bench)
    # After the runs: the latency variant with a subscription leaves pending deliveries behind,
    # which no worker may pick up during a throughput run.
    print("write latency: staff create and update, three variants, service layer", flush=True)
    latency = await measure_latency(bench, "service", partial(service_round, bench))
    print("write latency: the same over HTTP", flush=True)
    latency += await measure_http_latency(bench)
    return Results(receiver, throughput, latency)


async def measure_database(
    options: Options, env: dict[str, str], workdir: Path, receiver_url: str, sites: Sites
) -> Results:
    engine = create_engine(env["ROTA_DATABASE_URL"])
    statements = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", statements)
    sessionmaker = create_sessionmaker(engine)
    bench = Bench(options, env, workdir, receiver_url, sites, sessionmaker, statements)
    try:
        return await measure(bench)
    finally:
        await engine.dispose()


def benchmark(options: Options) -> Results:
    """Set up, measure and tear down; everything started is stopped when it returns."""
    with (
        tempfile.TemporaryDirectory(prefix="rota-bench-webhooks-") as tmp,
        running_receiver() as receiver_url,
        scratch_database(options.database, Path(tmp), options.postgres_url) as database_url,
    ):
        env = {**os.environ, "ROTA_DATABASE_URL": database_url}
        run_cli(env, "migrate")
        sites = create_sites(env, receiver_url, options.webhook_format)
        return asyncio.run(measure_database(options, env, Path(tmp), receiver_url, sites))


# --- goals and reporting -------------------------------------------------------------------


def check_goals(results: Results) -> list[Goal]:
    two_workers = [run for run in results.throughput if run.workers == 2]
    if two_workers:
        run = two_workers[0]
        throughput = Goal(
            "relay throughput, two workers",
            f"≥ {THROUGHPUT_GOAL_PER_S:,.0f} deliveries/s",
            f"{run.deliveries_per_s:,.1f} deliveries/s",
            run.complete and run.deliveries_per_s >= THROUGHPUT_GOAL_PER_S,
        )
    else:
        throughput = Goal(
            "relay throughput, two workers",
            f"≥ {THROUGHPUT_GOAL_PER_S:,.0f} deliveries/s",
            "not measured: "
            + ("SQLite runs a single relay" if results.throughput else "--latency-only"),
            None,
        )
    return [throughput, *(_latency_goal(results, layer) for layer in ("http", "service"))]


def _latency_goal(results: Results, layer: str) -> Goal:
    outbox_rows = [
        row for row in results.latency if row.layer == layer and row.variant != NO_EVENTS.label
    ]
    worst = max(outbox_rows, key=lambda row: row.added_p50 or 0.0)
    return Goal(
        f"write latency added by the outbox (p50), {LAYERS[layer]}",
        f"≤ {ADDED_LATENCY_GOAL:.0%}",
        f"{worst.added_p50 or 0.0:+.1%} ({worst.operation}, {worst.variant})",
        (worst.added_p50 or 0.0) <= ADDED_LATENCY_GOAL,
    )


def _verdict(met: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[met]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def print_report(options: Options, results: Results, load_before: float) -> None:
    capacity = results.receiver
    print(
        f"\n{options.database}, {options.webhook_format} format: {os.cpu_count()} CPUs, "
        f"1-min load {load_before:.2f} at start"
    )
    print(
        f"receiver: {capacity.posts_per_s:,.0f} posts/s from one httpx client using "
        f"{capacity.cpu_share:.0%} of a core; capacity ≈ {capacity.posts_per_cpu_s:,.0f} "
        "posts per CPU-second"
    )
    print_throughput(results.throughput)
    print_latency(results.latency)
    print()
    for goal in check_goals(results):
        print(f"{_verdict(goal.met):<4}  {goal.name}: {goal.measured} (goal {goal.target})")


def print_throughput(runs: Sequence[ThroughputRun]) -> None:
    if not runs:
        return
    columns = ("workers", "deliv/s", "span s", "wall s", "delivered", "attempts", "received")
    more = ("dupes", "worker CPU", "recv CPU", "machine", "load")
    header = "{:>7} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9}".format(*columns)
    header += " {:>6} {:>11} {:>8} {:>8} {:>5}".format(*more)
    print(f"\n{header}\n{'-' * len(header)}")
    for r in runs:
        workers_cpu = "+".join(f"{share:.0%}" for share in r.worker_cpu_share)
        print(
            f"{r.workers:>7} {r.deliveries_per_s:>9,.1f} {r.seconds:>7.1f} {r.wall_seconds:>7.1f}"
            f" {r.delivered:>9} {r.attempts:>9} {r.received:>9} {r.duplicates:>6}"
            f" {workers_cpu:>11} {r.receiver_cpu_share:>8.0%} {r.machine_busy_share:>8.0%}"
            f" {r.load_average_1m:>5.2f}"
        )
        if not r.complete:
            print(f"        incomplete: {r.pending} pending, {r.dead} dead")


def print_latency(rows: Sequence[LatencyRow]) -> None:
    columns = ("layer", "operation", "variant", "n", "p50 ms", "p99 ms", "mean ms", "SQL/op")
    header = "{:<7} {:<9} {:<26} {:>5} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9}".format(
        *columns, "+p50", "+p99"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    for r in rows:
        print(
            f"{r.layer:<7} {r.operation:<9} {r.variant:<26} {r.samples:>5} {r.p50_ms:>8.2f}"
            f" {r.p99_ms:>8.2f}"
            f" {r.mean_ms:>8.2f} {r.statements:>7.1f} {_percent(r.added_p50):>9}"
            f" {_percent(r.added_p99):>9}"
        )


def write_json(options: Options, results: Results, load_before: float) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"webhooks-{options.database}-{options.webhook_format}.json"
    settings = Settings()
    document = {
        "benchmark": "webhooks",
        "database": options.database,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "cpu_count": os.cpu_count(),
        "load_average_1m_at_start": round(load_before, 2),
        "options": {
            "events": options.events,
            "events_per_entity": options.events_per_entity,
            "writes": options.writes,
            "format": options.webhook_format,
            "throughput": options.throughput,
            "profiled": options.profile_dir is not None,
        },
        "relay": {
            "batch_size": settings.relay_batch_size,
            "concurrency": settings.relay_concurrency,
        },
        "receiver": asdict(results.receiver),
        "throughput": [asdict(run) for run in results.throughput],
        "latency": [asdict(row) for row in results.latency],
        "goals": [asdict(goal) for goal in check_goals(results)],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


# --- entry point ---------------------------------------------------------------------------


def _exit_on_sigterm(_signum: int, _frame: object) -> NoReturn:
    # Turn SIGTERM into SystemExit so every `finally` stops the processes and drops the database.
    sys.exit(128 + signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    load_before = os.getloadavg()[0]
    try:
        results = benchmark(options)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print_report(options, results, load_before)
    path = write_json(options, results, load_before)
    print(f"written: {path.relative_to(RESULTS_DIR.parent.parent)}")
    return 0 if all(goal.met is not False for goal in check_goals(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
