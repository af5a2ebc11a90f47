"""A bulk job survives its server being killed mid-run: a new server finishes it, and every staff
member is retagged exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.staff import service as staff_service
from rota.staff.models import StaffMember
from rota.staff.service import StaffMemberChanges
from tests.builders import SiteContext
from tests.test_cli import ROTA, free_port

STAFF = 600
BATCH = 10


@pytest.fixture
def start_server(migrated_database: str) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = {
            **os.environ,
            "ROTA_DATABASE_URL": migrated_database,
            "ROTA_JOB_BATCH_SIZE": str(BATCH),
        }
        process = subprocess.Popen(
            [ROTA, "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    return process, base
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("server did not start")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


async def test_killed_job_resumes_and_applies_once(
    site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession], start_server: object
) -> None:
    async with sessionmaker.begin() as session:
        for index in range(STAFF):
            await staff_service.create_staff_member(
                session,
                site_id=site.site_id,
                changes=StaffMemberChanges({"name": f"Bulk {index}"}),
                ctx=WriteContext(utc_now(), SYSTEM, "http://rota.test"),
            )
    start = start_server  # type: ignore[assignment]
    first, base = start()  # type: ignore[operator]
    async with httpx.AsyncClient(headers=site.headers, timeout=10) as http:
        created = await http.post(
            f"{base}/bookings/v1/bulk/staff-members/update-tags-by-filter",
            json={"filter": {}, "assignTags": {"tags": {"tagIds": ["moved"]}}},
        )
        assert created.status_code == 200, created.text
        job_path = f"/bookings/v1/bulk/staff-members/jobs/{created.json()['jobId']}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = (await http.get(base + job_path)).json()["job"]
            if job["processedItems"] >= 3 * BATCH:
                break
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert job["status"] != "FINISHED", "the job finished before the kill; raise STAFF"

        _second, base = start()  # type: ignore[operator]
        while time.monotonic() < deadline:
            job = (await http.get(base + job_path)).json()["job"]
            if job["status"] == "FINISHED":
                break
            await asyncio.sleep(0.1)
    assert job["status"] == "FINISHED"
    assert job["processedItems"] == job["totalItems"] == job["successfulItems"] == STAFF

    async with sessionmaker() as session:
        revisions = (
            await session.execute(
                sa.select(StaffMember.revision, sa.func.count())
                .where(StaffMember.site_id == site.site_id)
                .group_by(StaffMember.revision)
            )
        ).all()
    assert [tuple(r) for r in revisions] == [(3, STAFF)]  # created at 2, retagged exactly once
