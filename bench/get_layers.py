"""Where a staff get's time goes: throughput of the same server stopped at each layer.

Serves ``bench/get_layers_app.py`` (Rota's app plus routes that end after authentication, after
opening a read session, and after the staff member's ORM select) with uvicorn, one worker, on a
scratch database, and drives each route with wrk in its own process: ``/health``, the three
layers, the real ``GET /bookings/v1/staff-members/{id}``, and ``/health`` again. Each is reported
as requests/s and as a share of the mean of the two ``/health`` runs, so the shares come from one
run. Usage: ``.venv/bin/python bench/get_layers.py [--db sqlite|postgres] [--duration S]``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from staff_load import (
    DEFAULT_POSTGRES_URL,
    BenchError,
    create_api_key,
    free_port,
    prepare_server,
    scratch_database,
    serving,
    wrk_executable,
)

BENCH_DIR = Path(__file__).resolve().parent


def serving_layers(env: dict[str, str], log_path: Path) -> AbstractContextManager[str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "get_layers_app:app", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    return serving(command, {**env, "PYTHONPATH": str(BENCH_DIR)}, port, log_path)


def requests_per_second(url: str, api_key: str, duration_s: int, connections: int) -> float:
    command = [
        wrk_executable(),
        *("--threads", "1", "--connections", str(connections)),
        *("--duration", f"{duration_s}s", "--header", f"Authorization: {api_key}"),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    if "Non-2xx" in output:
        raise BenchError(f"{url} answered errors:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise BenchError(f"wrk gave no rate for {url}:\n{output}")
    return float(found.group(1))


def measure(kind: str, duration_s: int, connections: int, postgres_url: str) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="rota-bench-layers-") as tmp,
        scratch_database(kind, Path(tmp), postgres_url) as database_url,
    ):
        env = prepare_server(database_url)
        api_key = create_api_key(env)
        with serving_layers(env, Path(tmp) / "server.log") as base_url:
            created = httpx.post(
                f"{base_url}/bookings/v1/staff-members",
                json={"staffMember": {"name": "Layer Probe", "email": "probe@example.com"}},
                headers={"Authorization": api_key},
            )
            created.raise_for_status()
            staff_id = created.json()["staffMember"]["id"]
            routes = [
                ("/health", "/health"),
                ("authentication", "/layers/auth"),
                ("+ read session", "/layers/session"),
                ("+ ORM select", f"/layers/select/{staff_id}"),
                ("GET staff member", f"/bookings/v1/staff-members/{staff_id}"),
                ("/health again", "/health"),
            ]
            rates = [
                (label, requests_per_second(base_url + path, api_key, duration_s, connections))
                for label, path in routes
            ]
    health = (rates[0][1] + rates[-1][1]) / 2
    print(f"\n{kind}: one worker, {connections} connections, {duration_s}s per route")
    for label, rate in rates:
        print(f"{label:<20} {rate:>9,.0f} req/s {rate / health:>7.1%} of /health")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("ROTA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    options = parser.parse_args(argv)
    kinds = ("sqlite", "postgres") if options.db == "both" else (options.db,)
    try:
        for kind in kinds:
            measure(kind, options.duration, options.connections, options.postgres_url)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
