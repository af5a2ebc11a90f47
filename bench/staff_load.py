"""Load benchmark for the Staff Members API: create, get and update under wrk, per database.

For each database the script builds a scratch database (a temporary SQLite file, or a
``rota_bench_<random>`` PostgreSQL database created beside ``test``), migrates it, creates a site
and an API key with the operator CLI, starts ``rota serve --workers 1`` on a free loopback port and
seeds staff members. wrk, in its own process, then drives ``GET /health`` (the trivial baseline),
get, create and update of staff members with the Lua scripts in ``bench/lua``. Every endpoint is
reported as requests/s, p50 and p99 latency, failed requests and its share of the baseline's
throughput from the same run; the results also go to ``bench/results/staff_load-<db>.json``.

The server is always stopped and the scratch database always removed, even when a step fails.
Exit status: 0 when every goal holds and no request failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from rota.core.db import to_async_url

BENCH_DIR = Path(__file__).resolve().parent
LUA_DIR = BENCH_DIR / "lua"
RESULTS_DIR = BENCH_DIR / "results"

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
STAFF_PATH = "/bookings/v1/staff-members"
SEEDED_STAFF = 1000
SEED_CONCURRENCY = 16
SERVER_START_TIMEOUT_S = 30.0
WRK_TIMEOUT = "10s"
RESULT_MARKER = "ROTA_BENCH_RESULT "


@dataclass(frozen=True)
class Scenario:
    """One wrk run: which Lua script drives which endpoint."""

    key: str
    label: str
    script: str
    needs_staff: bool


HEALTH = Scenario("health", "GET /health", "health.lua", needs_staff=False)
SCENARIOS = (
    HEALTH,
    Scenario("get", f"GET {STAFF_PATH}/{{id}}", "get.lua", needs_staff=True),
    Scenario("create", f"POST {STAFF_PATH}", "create.lua", needs_staff=False),
    Scenario("update", f"PATCH {STAFF_PATH}/{{id}}", "update.lua", needs_staff=True),
)
# Throughput each scenario must reach, as a share of GET /health in the same run (one worker).
GOALS = {"get": 0.40, "create": 0.20}


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    duration_s: int
    connections: int
    postgres_url: str


@dataclass(frozen=True)
class RunResult:
    """What wrk measured for one scenario; latencies in milliseconds."""

    endpoint: str
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk counts responses with a status of 400 or more
    socket_errors: int  # connect, read and write errors and timeouts
    ratio_to_health: float


@dataclass(frozen=True)
class GoalResult:
    endpoint: str
    min_ratio: float
    ratio: float
    met: bool


@dataclass(frozen=True)
class Server:
    base_url: str
    api_key: str


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (= threads)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ROTA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="an existing database to connect to when creating the scratch database",
    )
    args = parser.parse_args(argv)
    if args.duration < 1 or not 1 <= args.connections <= SEEDED_STAFF:
        parser.error(f"--duration must be ≥ 1 and --connections between 1 and {SEEDED_STAFF}")
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    return Options(databases, args.duration, args.connections, args.postgres_url)


# --- scratch databases -------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """Yield the ROTA_DATABASE_URL of an empty database that is removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'rota_bench.db'}"
        return
    name = f"rota_bench_{secrets.token_hex(4)}"
    _run_admin_sql(postgres_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _run_admin_sql(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_admin_sql(postgres_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""

    async def run() -> None:
        engine = create_async_engine(to_async_url(postgres_url), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


# --- the server under test ---------------------------------------------------------------


def rota_executable() -> str:
    beside_python = Path(sys.executable).with_name("rota")
    found = str(beside_python) if beside_python.exists() else shutil.which("rota")
    if found is None:
        raise BenchError("`rota` is not installed in this environment (run `make` first)")
    return found


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run a `rota` command and return the last line it printed (the new id or key)."""
    completed = subprocess.run(
        [rota_executable(), *args], env=env, capture_output=True, text=True, check=False
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise BenchError(f"rota {' '.join(args)} failed:\n{completed.stderr}")
    return lines[-1].strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Start `rota serve` with one worker and yield its base URL once /health answers."""
    port = free_port()
    command = [rota_executable(), "serve", "--port", str(port), "--workers", "1"]
    with serving([*command, "--no-access-log"], env, port, log_path) as base_url:
        yield base_url


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    """Run a server process listening on ``port``; yield its base URL once /health answers,
    and stop it afterwards."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, process, log_path)
        yield base_url
    finally:
        stop_server(process)


def wait_for_health(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"rota serve exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(f"rota serve did not answer /health in time:\n{_tail(log_path)}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def prepare_server(database_url: str) -> dict[str, str]:
    """Migrate the database; return the environment every `rota` command of this run uses."""
    env = {**os.environ, "ROTA_DATABASE_URL": database_url}
    run_cli(env, "migrate")
    return env


def create_api_key(env: dict[str, str]) -> str:
    site_id = run_cli(env, "sites", "create", "Load benchmark")
    return run_cli(env, "keys", "create", "--site", site_id, "--name", "bench")


# --- seeding -------------------------------------------------------------------------------


def seed_staff(server: Server, count: int, staff_file: Path) -> None:
    """Create `count` staff members; write "<id> <revision>" per line for the Lua scripts."""
    members = asyncio.run(_create_staff_members(server, count))
    staff_file.write_text("".join(f"{id_} {revision}\n" for id_, revision in members))


async def _create_staff_members(server: Server, count: int) -> list[tuple[str, str]]:
    limit = asyncio.Semaphore(SEED_CONCURRENCY)
    headers = {"Authorization": server.api_key}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as client:

        async def create(number: int) -> tuple[str, str]:
            async with limit:
                response = await client.post(STAFF_PATH, json=_staff_body(number))
            if response.status_code != 200:
                raise BenchError(f"seeding failed: {response.status_code} {response.text}")
            member = response.json()["staffMember"]
            return member["id"], member["revision"]

        return list(await asyncio.gather(*(create(n) for n in range(count))))


def _staff_body(number: int) -> dict[str, Any]:
    return {
        "staffMember": {
            "name": f"Seeded Staff {number}",
            "email": f"seeded{number}@example.com",
            "phone": f"+1 555 {number:04d}",
        }
    }


# --- wrk -----------------------------------------------------------------------------------


def wrk_executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    return found


def run_wrk(
    scenario: Scenario, server: Server, options: Options, staff_file: Path
) -> dict[str, int]:
    """Run one scenario; return the counters the Lua done() printed.

    One connection per wrk thread for every scenario: update needs it (see update.lua), and the
    baseline is only comparable when it is driven the same way.
    """
    threads = str(options.connections)
    command = [
        wrk_executable(),
        "--latency",
        *("--threads", threads, "--connections", threads),
        *("--duration", f"{options.duration_s}s", "--timeout", WRK_TIMEOUT),
        *("--header", f"Authorization: {server.api_key}"),
        *("--header", "Content-Type: application/json"),
        *("--script", str(LUA_DIR / scenario.script)),
        server.base_url,
    ]
    if scenario.needs_staff:
        command += ["--", str(staff_file), threads]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            counters: dict[str, int] = json.loads(line.removeprefix(RESULT_MARKER))
            return counters
    raise BenchError(
        f"wrk gave no result for {scenario.label} (exit {completed.returncode}):\n"
        f"{completed.stdout}{completed.stderr}"
    )


def requests_per_second(counters: dict[str, int]) -> float:
    return counters["requests"] / (counters["duration_us"] / 1e6)


def to_result(scenario: Scenario, counters: dict[str, int], health_rps: float) -> RunResult:
    rate = requests_per_second(counters)
    return RunResult(
        endpoint=scenario.label,
        requests=counters["requests"],
        requests_per_s=round(rate, 1),
        p50_ms=counters["p50_us"] / 1000,
        p99_ms=counters["p99_us"] / 1000,
        non_2xx=counters["status_errors"],
        socket_errors=counters["socket_errors"],
        ratio_to_health=round(rate / health_rps, 3),
    )


# --- one database --------------------------------------------------------------------------


def benchmark_database(kind: str, options: Options) -> dict[str, RunResult]:
    """Set up, seed and measure one database; everything it starts is gone when it returns."""
    with tempfile.TemporaryDirectory(prefix="rota-bench-") as tmp:
        workdir = Path(tmp)
        with scratch_database(kind, workdir, options.postgres_url) as database_url:
            env = prepare_server(database_url)
            api_key = create_api_key(env)
            with running_server(env, workdir / "server.log") as base_url:
                server = Server(base_url, api_key)
                staff_file = workdir / "staff.txt"
                print(f"[{kind}] seeding {SEEDED_STAFF} staff members at {base_url}", flush=True)
                seed_staff(server, SEEDED_STAFF, staff_file)
                return measure(kind, server, options, staff_file)


def measure(kind: str, server: Server, options: Options, staff_file: Path) -> dict[str, RunResult]:
    """Run every scenario, baseline first, and relate each one's throughput to the baseline's."""
    counters: dict[str, dict[str, int]] = {}
    for scenario in SCENARIOS:
        print(f"[{kind}] {scenario.label} for {options.duration_s}s", flush=True)
        counters[scenario.key] = run_wrk(scenario, server, options, staff_file)
    health_rps = requests_per_second(counters[HEALTH.key])
    return {s.key: to_result(s, counters[s.key], health_rps) for s in SCENARIOS}


def check_goals(results: dict[str, RunResult]) -> list[GoalResult]:
    return [
        GoalResult(
            results[key].endpoint,
            min_ratio,
            results[key].ratio_to_health,
            results[key].ratio_to_health >= min_ratio,
        )
        for key, min_ratio in GOALS.items()
    ]


# --- reporting -----------------------------------------------------------------------------


def print_report(kind: str, options: Options, results: dict[str, RunResult]) -> None:
    print(f"\n{kind}: one worker, {options.connections} connections, {options.duration_s}s per run")
    columns = ("endpoint", "req/s", "p50 ms", "p99 ms", "non-2xx", "sock err", "x health")
    header = "{:<36} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9}".format(*columns)
    print(header)
    print("-" * len(header))
    for r in results.values():
        print(
            f"{r.endpoint:<36} {r.requests_per_s:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f}"
            f" {r.non_2xx:>8d} {r.socket_errors:>8d} {r.ratio_to_health:>9.1%}"
        )
    for goal in check_goals(results):
        verdict = "met" if goal.met else "MISSED"
        print(f"goal {goal.endpoint} ≥ {goal.min_ratio:.0%} of /health: {goal.ratio:.1%} {verdict}")


def write_json(kind: str, options: Options, results: dict[str, RunResult]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"staff_load-{kind}.json"
    document = {
        "benchmark": "staff_load",
        "database": kind,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "cpu_count": os.cpu_count(),
        "workers": 1,
        "connections": options.connections,
        "duration_s": options.duration_s,
        "seeded_staff": SEEDED_STAFF,
        "results": [asdict(result) for result in results.values()],
        "goals": [asdict(goal) for goal in check_goals(results)],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def git_revision() -> str | None:
    """The commit the results were measured on (`-dirty` with uncommitted changes)."""
    completed = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=BENCH_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or None


def all_passed(results: dict[str, RunResult]) -> bool:
    no_failures = all(r.non_2xx == 0 and r.socket_errors == 0 for r in results.values())
    return no_failures and all(goal.met for goal in check_goals(results))


# --- entry point ---------------------------------------------------------------------------


def _exit_on_sigterm(_signum: int, _frame: object) -> NoReturn:
    # Turn SIGTERM into SystemExit so every `finally` stops the server and drops the database.
    sys.exit(128 + signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    outcomes: list[bool] = []
    try:
        wrk_executable()
        for kind in options.databases:
            results = benchmark_database(kind, options)
            print_report(kind, options, results)
            print(f"written: {write_json(kind, options, results).relative_to(BENCH_DIR.parent)}")
            outcomes.append(all_passed(results))
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
