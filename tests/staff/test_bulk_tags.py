"""Bulk tag updates: synchronous by ids, and by filter as a durable background job."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.staff import jobs
from tests.builders import SiteContext, make_staff_member
from tests.conftest import new_site

V1 = "/bookings/v1/staff-members"
BULK = "/bookings/v1/bulk/staff-members"


def _tags(*ids: str) -> dict[str, Any]:
    return {"tags": {"tagIds": list(ids)}}


async def test_update_tags_by_ids_with_per_item_results(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    first = await make_staff_member(client, site, tags=_tags("junior", "colour"))
    second = await make_staff_member(client, site)
    missing = str(uuid.uuid4())
    response = await client.post(
        f"{BULK}/update-tags",
        json={
            "ids": [first["id"], missing, second["id"]],
            "assignTags": _tags("senior", "colour"),
            "unassignTags": _tags("junior", "senior"),
        },
        headers=site.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["bulkActionMetadata"] == {
        "totalSuccesses": 2,
        "totalFailures": 1,
        "undetailedFailures": 0,
    }
    metadata = [r["itemMetadata"] for r in body["results"]]
    assert [m["originalIndex"] for m in metadata] == [0, 1, 2]
    assert [m["success"] for m in metadata] == [True, False, True]
    assert metadata[1]["id"] == missing
    assert metadata[1]["error"]["code"] == "STAFF_MEMBER_NOT_FOUND"

    after = (await client.get(f"{V1}/{first['id']}", headers=site.headers)).json()["staffMember"]
    # "senior" is in both lists, so it ends up assigned; "junior" is removed.
    assert after["tags"]["tags"]["tagIds"] == ["colour", "senior"]
    assert after["revision"] == "3"
    other = (await client.get(f"{V1}/{second['id']}", headers=site.headers)).json()
    assert other["staffMember"]["tags"]["tags"]["tagIds"] == ["senior", "colour"]


async def test_empty_lists_are_rejected(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    for url, body in (
        (f"{BULK}/update-tags", {"ids": [staff["id"]]}),
        (f"{BULK}/update-tags", {"ids": [staff["id"]], "assignTags": {"tags": {"tagIds": []}}}),
        (f"{BULK}/update-tags-by-filter", {"filter": {}}),
    ):
        response = await client.post(url, json=body, headers=site.headers)
        assert response.status_code == 400
        error = response.json()["details"]["applicationError"]
        assert error["code"] == "EMPTY_ASSIGN_AND_UNASSIGN_LISTS"
    too_many = await client.post(
        f"{BULK}/update-tags",
        json={"ids": [str(uuid.uuid4())] * 101, "assignTags": _tags("x")},
        headers=site.headers,
    )
    assert too_many.status_code == 400
    none = await client.post(
        f"{BULK}/update-tags", json={"ids": [], "assignTags": _tags("x")}, headers=site.headers
    )
    assert none.status_code == 400


async def _finish_jobs(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    for _ in range(1000):
        if not await jobs.run_one_batch(sessionmaker, utc_now):
            return
    raise AssertionError("jobs did not finish")


async def test_update_tags_by_filter_runs_as_a_job(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seniors = [await make_staff_member(client, site, description="senior") for _ in range(3)]
    junior = await make_staff_member(client, site, description="junior")
    response = await client.post(
        f"{BULK}/update-tags-by-filter",
        json={"filter": {"description": "senior"}, "assignTags": _tags("vip")},
        headers=site.headers,
    )
    assert response.status_code == 200
    job_id = response.json()["jobId"]
    status = (await client.get(f"{BULK}/jobs/{job_id}", headers=site.headers)).json()["job"]
    assert status["status"] == "PENDING"
    await _finish_jobs(sessionmaker)
    status = (await client.get(f"{BULK}/jobs/{job_id}", headers=site.headers)).json()["job"]
    assert status["status"] == "FINISHED"
    assert status["totalItems"] == 3
    assert status["successfulItems"] == 3
    assert status["progressPercent"] == 100
    for staff in seniors:
        body = (await client.get(f"{V1}/{staff['id']}", headers=site.headers)).json()
        assert body["staffMember"]["tags"]["tags"]["tagIds"] == ["vip"]
        assert body["staffMember"]["revision"] == "3"
    untouched = (await client.get(f"{V1}/{junior['id']}", headers=site.headers)).json()
    assert "tags" not in untouched["staffMember"]


async def test_empty_filter_means_every_staff_member_of_the_site(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    mine = [await make_staff_member(client, site) for _ in range(2)]
    provider_off = await client.post(
        V1, json={"staffMember": {"name": "Desk"}, "serviceProvider": False}, headers=site.headers
    )
    other_site = await new_site(sessionmaker)
    theirs = await make_staff_member(client, other_site)
    response = await client.post(
        f"{BULK}/update-tags-by-filter",
        json={"filter": {}, "assignTags": _tags("all")},
        headers=site.headers,
    )
    await _finish_jobs(sessionmaker)
    job = (
        await client.get(f"{BULK}/jobs/{response.json()['jobId']}", headers=site.headers)
    ).json()["job"]
    assert job["successfulItems"] == 3
    for staff_id in [*(s["id"] for s in mine), provider_off.json()["staffMember"]["id"]]:
        body = (await client.get(f"{V1}/{staff_id}", headers=site.headers)).json()
        assert body["staffMember"]["tags"]["tags"]["tagIds"] == ["all"]
    foreign = (await client.get(f"{V1}/{theirs['id']}", headers=other_site.headers)).json()
    assert "tags" not in foreign["staffMember"]
    assert (
        await client.get(f"{BULK}/jobs/{response.json()['jobId']}", headers=other_site.headers)
    ).status_code == 404


async def test_bad_filter_is_rejected_before_any_job_exists(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    response = await client.post(
        f"{BULK}/update-tags-by-filter",
        json={"filter": {"name": {"$gt": "a"}}, "assignTags": _tags("x")},
        headers=site.headers,
    )
    assert response.status_code == 400
    assert (await client.get(f"{BULK}/jobs/{uuid.uuid4()}", headers=site.headers)).status_code == (
        404
    )
