"""Delete moves a staff member to the trash bin; it can be listed, restored or removed."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar.models import Schedule
from tests.builders import SiteContext, make_staff_member

URL = "/bookings/v1/staff-members"
TRASH = "/bookings/staff/v2/staff-members/trash-bin"


async def test_delete_moves_to_trash_and_restore_brings_back(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, name="Temp")
    deleted = await client.delete(f"{URL}/{staff['id']}", headers=site.headers)
    assert deleted.status_code == 200
    assert deleted.json() == {}
    assert (await client.get(f"{URL}/{staff['id']}", headers=site.headers)).status_code == 404
    assert (await client.delete(f"{URL}/{staff['id']}", headers=site.headers)).status_code == 404

    in_trash = await client.get(f"{TRASH}/{staff['id']}", headers=site.headers)
    assert in_trash.status_code == 200
    assert in_trash.json()["staffMember"]["name"] == "Temp"

    restored = await client.post(f"{TRASH}/{staff['id']}/restore", headers=site.headers)
    assert restored.status_code == 200
    assert restored.json()["staffMember"]["revision"] == "3"
    assert (await client.get(f"{URL}/{staff['id']}", headers=site.headers)).status_code == 200
    assert (await client.get(f"{TRASH}/{staff['id']}", headers=site.headers)).status_code == 404


async def test_remove_from_trash_deletes_for_good(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await make_staff_member(client, site)
    own_schedule = (
        await client.get(
            f"{URL}/{staff['id']}", params={"fields": "RESOURCE_DETAILS"}, headers=site.headers
        )
    ).json()["staffMember"]["resource"]["eventsSchedule"]["id"]
    live = await client.delete(f"{TRASH}/{staff['id']}", headers=site.headers)
    assert live.status_code == 404  # only trashed staff members can be removed for good
    await client.delete(f"{URL}/{staff['id']}", headers=site.headers)
    removed = await client.delete(
        f"/bookings/v2/staff-members/trash-bin/{staff['id']}", headers=site.headers
    )
    assert removed.status_code == 200
    assert removed.json() == {}
    assert (await client.get(f"{TRASH}/{staff['id']}", headers=site.headers)).status_code == 404
    async with sessionmaker() as session:
        assert await session.get(Schedule, uuid.UUID(own_schedule)) is None


async def test_list_trash_pages_by_cursor(client: httpx.AsyncClient, site: SiteContext) -> None:
    ids = []
    for index in range(5):
        staff = await make_staff_member(client, site, name=f"Gone {index}")
        await client.delete(f"{URL}/{staff['id']}", headers=site.headers)
        ids.append(staff["id"])
    seen: list[str] = []
    params: dict[str, object] = {"paging.limit": 2}
    while True:
        page = (await client.get(TRASH, params=params, headers=site.headers)).json()
        seen += [s["id"] for s in page["staffMembers"]]
        assert page["pagingMetadata"]["count"] == len(page["staffMembers"])
        if not page["pagingMetadata"]["hasNext"]:
            break
        params = {"paging.limit": 2, "paging.cursor": page["pagingMetadata"]["cursors"]["next"]}
    assert seen == sorted(ids)

    filtered = await client.get(TRASH, params={"staffMemberIds": ids[:2]}, headers=site.headers)
    assert sorted(s["id"] for s in filtered.json()["staffMembers"]) == sorted(ids[:2])


async def test_tampered_or_foreign_trash_cursor_is_rejected(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from tests.conftest import new_site

    for index in range(3):
        staff = await make_staff_member(client, site, name=f"Gone {index}")
        await client.delete(f"{URL}/{staff['id']}", headers=site.headers)
    page = (await client.get(TRASH, params={"paging.limit": 1}, headers=site.headers)).json()
    cursor = page["pagingMetadata"]["cursors"]["next"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    response = await client.get(TRASH, params={"paging.cursor": tampered}, headers=site.headers)
    assert response.status_code == 400
    assert response.json()["details"]["applicationError"]["code"] == "INVALID_CURSOR"
    other = await new_site(sessionmaker)
    foreign = await client.get(TRASH, params={"paging.cursor": cursor}, headers=other.headers)
    assert foreign.status_code == 400
