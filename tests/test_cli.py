"""The operator CLI forms scripts rely on, and a real server on loopback using what they print."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROTA = str(Path(sys.executable).parent / "rota")


def _rota(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROTA_DATABASE_URL": database_url}
    result = subprocess.run(
        [ROTA, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(migrated_database: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ROTA_DATABASE_URL": migrated_database,
        "ROTA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [ROTA, "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"rota serve did not start: {process.stderr.read() if process.stderr else ''}")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_sites_and_keys_commands_print_ids_last(migrated_database: str, server: str) -> None:
    site_id = _last_line(
        _rota(migrated_database, "sites", "create", "Salon Nord", "--time-zone", "Europe/Paris")
    )
    uuid.UUID(site_id)
    key = _last_line(
        _rota(
            migrated_database,
            "keys",
            "create",
            "--site",
            site_id,
            "--scope",
            "bookings.manage",
            "--name",
            "script",
        )
    )
    assert key.startswith("rota_")

    created = httpx.post(
        f"{server}/bookings/v1/staff-members",
        json={"staffMember": {"name": "Wire Test"}},
        headers={"Authorization": key},
        timeout=10,
    )
    assert created.status_code == 200, created.text
    assert created.headers["content-type"] == "application/json"
    staff_id = created.json()["staffMember"]["id"]

    listing = _rota(migrated_database, "keys", "list").stdout
    line = next(row for row in listing.splitlines() if site_id in row)
    assert "active" in line
    assert key not in listing
    _rota(migrated_database, "keys", "revoke", line.split()[0])
    deadline = time.monotonic() + 10  # the server caches keys for up to 2 s
    status = 200
    while time.monotonic() < deadline and status != 401:
        status = httpx.get(
            f"{server}/bookings/v1/staff-members/{staff_id}",
            headers={"Authorization": key},
            timeout=10,
        ).status_code
        time.sleep(0.3)
    assert status == 401


def test_bad_cli_input_fails_cleanly(migrated_database: str) -> None:
    bad_zone = _rota(
        migrated_database, "sites", "create", "X", "--time-zone", "Mars/Base", check=False
    )
    assert bad_zone.returncode != 0
    assert "time zone" in bad_zone.stderr.lower()
    long_name = _rota(migrated_database, "sites", "create", "N" * 201, check=False)
    assert long_name.returncode != 0
    assert "at most 200 characters" in long_name.stderr
    assert "Traceback" not in long_name.stderr
    bad_scope = _rota(
        migrated_database,
        "keys",
        "create",
        "--site",
        str(uuid.uuid4()),
        "--scope",
        "everything",
        check=False,
    )
    assert bad_scope.returncode != 0
    unknown_site = _rota(
        migrated_database, "keys", "create", "--site", str(uuid.uuid4()), check=False
    )
    assert unknown_site.returncode != 0
    assert "does not exist" in unknown_site.stderr


def test_users_create_prints_the_user_id_and_the_user_can_sign_in(
    migrated_database: str, server: str
) -> None:
    site_id = _last_line(_rota(migrated_database, "sites", "create", "Signin Salon"))
    env_password = {"ROTA_NEW_USER_PASSWORD": "a long enough password"}
    result = subprocess.run(
        [ROTA, "users", "create", "--site", site_id, "--email", "owner@salon.example"],
        env={**os.environ, "ROTA_DATABASE_URL": migrated_database, **env_password},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    user_id = _last_line(result)
    signed = httpx.post(
        f"{server}/accounts/v1/login",
        json={"email": "owner@salon.example", "password": "a long enough password"},
        timeout=10,
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["user"]["id"] == user_id
    assert signed.json()["role"] == "ADMIN"
