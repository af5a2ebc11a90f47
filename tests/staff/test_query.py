"""Query and count (v1, v2): operators, strictness, implicit service-provider rule, cursors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.builders import SiteContext, make_staff_member
from tests.conftest import new_site

V1 = "/bookings/v1/staff-members"
V2 = "/bookings/staff/v2/staff-members"


async def _query(
    client: httpx.AsyncClient, site: SiteContext, query: dict[str, Any], *, base: str = V1
) -> httpx.Response:
    return await client.post(f"{base}/query", json={"query": query}, headers=site.headers)


async def _names(
    client: httpx.AsyncClient, site: SiteContext, query: dict[str, Any], base: str = V1
) -> list[str]:
    response = await _query(client, site, query, base=base)
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["staffMembers"]]


@pytest.fixture
async def roster(client: httpx.AsyncClient, site: SiteContext) -> dict[str, dict[str, Any]]:
    people = [
        {"name": "Ana", "email": "ana@example.com", "description": "Senior stylist"},
        {"name": "Ben", "email": "ben@example.com", "description": "senior barber"},
        {"name": "Cleo", "phone": "555-0101", "description": "Junior stylist"},
        {"name": "Dev", "description": None},
    ]
    made = {p["name"]: await make_staff_member(client, site, **p) for p in people}
    front = await client.post(
        V1,
        json={"staffMember": {"name": "Front desk"}, "serviceProvider": False},
        headers=site.headers,
    )
    made["Front desk"] = front.json()["staffMember"]
    return made


async def test_operators(
    client: httpx.AsyncClient, site: SiteContext, roster: dict[str, dict[str, Any]]
) -> None:
    ana, ben = roster["Ana"], roster["Ben"]
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"name": "Ana"}, {"Ana"}),
        ({"name": {"$eq": "Ben"}}, {"Ben"}),
        ({"name": {"$ne": "Ben"}}, {"Ana", "Cleo", "Dev"}),
        ({"name": {"$in": ["Ana", "Cleo"]}}, {"Ana", "Cleo"}),
        ({"name": {"$nin": ["Ana", "Cleo"]}}, {"Ben", "Dev"}),
        ({"email": {"$exists": True}}, {"Ana", "Ben"}),
        ({"phone": {"$exists": False}}, {"Ana", "Ben", "Dev"}),
        ({"description": {"$startsWith": "SENIOR"}}, {"Ana", "Ben"}),
        ({"id": {"$eq": ana["id"]}}, {"Ana"}),
        ({"createdDate": {"$gt": ana["createdDate"]}}, {"Ben", "Cleo", "Dev"}),
        ({"createdDate": {"$gte": ben["createdDate"], "$lte": ben["createdDate"]}}, {"Ben"}),
        ({"createdDate": {"$lt": ben["createdDate"]}}, {"Ana"}),
        ({"$or": [{"name": "Ana"}, {"name": "Dev"}]}, {"Ana", "Dev"}),
        ({"$and": [{"email": {"$exists": True}}, {"name": {"$ne": "Ana"}}]}, {"Ben"}),
        ({"$not": {"name": "Ana"}}, {"Ben", "Cleo", "Dev"}),
        ({"resourceId": ana["resourceId"]}, {"Ana"}),
        (
            {"associatedWixIdentity.identificationData.wixUserId": {"$exists": False}},
            {"Ana", "Ben", "Cleo", "Dev"},
        ),
        (
            {
                "resource.locationOptions.specificLocationOptions.businessLocations.locationId": {
                    "$hasSome": ["loc-1"]
                }
            },
            set(),
        ),
    ]
    for flt, expected in cases:
        assert set(await _names(client, site, {"filter": flt})) == expected, flt


async def test_v1_lists_service_providers_unless_filter_mentions_it(
    client: httpx.AsyncClient, site: SiteContext, roster: dict[str, dict[str, Any]]
) -> None:
    assert "Front desk" not in await _names(client, site, {})
    assert await _names(client, site, {"filter": {"serviceProvider": False}}) == ["Front desk"]
    assert "Front desk" in await _names(client, site, {}, base=V2)
    assert "Front desk" in await _names(client, site, {}, base="/bookings/v2/staff-members")
    count_v1 = await client.post(f"{V1}/count", json={}, headers=site.headers)
    count_v2 = await client.post(f"{V2}/count", json={"filter": {}}, headers=site.headers)
    assert count_v1.json() == {"count": 4}
    assert count_v2.json() == {"count": 5}
    named = await client.post(
        f"{V1}/count", json={"filter": {"name": {"$eq": "Nobody"}}}, headers=site.headers
    )
    assert named.json() == {"count": 0}


async def test_deleted_staff_never_appear(
    client: httpx.AsyncClient, site: SiteContext, roster: dict[str, dict[str, Any]]
) -> None:
    await client.delete(f"{V1}/{roster['Ana']['id']}", headers=site.headers)
    assert "Ana" not in await _names(client, site, {})
    count = await client.post(f"{V2}/count", json={}, headers=site.headers)
    assert count.json()["count"] == 4


async def test_sort_and_default_order(
    client: httpx.AsyncClient, site: SiteContext, roster: dict[str, dict[str, Any]]
) -> None:
    by_created = await _names(
        client, site, {"sort": [{"fieldName": "createdDate", "order": "DESC"}]}
    )
    assert by_created == ["Dev", "Cleo", "Ben", "Ana"]
    default = await _query(client, site, {})
    ids = [s["id"] for s in default.json()["staffMembers"]]
    assert ids == sorted(ids)
    by_description = await _names(client, site, {"sort": [{"fieldName": "description"}]})
    assert by_description[0] == "Dev"  # no description: nulls sort first ascending


def _violation(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    violation: dict[str, Any] = response.json()["details"]["validationError"]["fieldViolations"][0]
    return violation


async def test_unsupported_queries_name_field_operator_and_allowed(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    violation = _violation(await _query(client, site, {"filter": {"name": {"$gt": "A"}}}))
    assert violation["field"] == "query.filter.name"
    assert violation["violatedRule"] == "UNSUPPORTED_OPERATOR"
    assert "$gt" in violation["description"]
    assert "$eq" in violation["description"]

    violation = _violation(await _query(client, site, {"sort": [{"fieldName": "name"}]}))
    assert violation["violatedRule"] == "NOT_SORTABLE"
    violation = _violation(await _query(client, site, {"filter": {"salary": 5}}))
    assert violation["violatedRule"] == "UNSUPPORTED_FIELD"
    violation = _violation(await _query(client, site, {"filter": {"serviceProvider": "yes"}}))
    assert violation["violatedRule"] == "INVALID_VALUE"
    keys = [
        {"fieldName": f}
        for f in (
            "id",
            "createdDate",
            "updatedDate",
            "description",
            "resourceId",
            "serviceProvider",
        )
    ] * 2
    violation = _violation(await _query(client, site, {"sort": keys}))
    assert violation["violatedRule"] in {"TOO_MANY_SORT_KEYS", "DUPLICATE_SORT_KEY"}
    assert _violation(await _query(client, site, {"cursorPaging": {"limit": 101}}))["field"] == (
        "query.cursorPaging.limit"
    )
    offset = await _query(client, site, {"paging": {"limit": 10, "offset": 20}})
    assert offset.status_code == 400
    bad_count = await client.post(
        f"{V1}/count", json={"filter": {"email": {"$startsWith": "a"}}}, headers=site.headers
    )
    assert _violation(bad_count)["field"] == "filter.email"


async def test_cursor_walk_returns_each_record_once_while_others_are_inserted(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    originals = [await make_staff_member(client, site, name=f"Walker {i:02d}") for i in range(11)]
    expected = {s["id"] for s in originals}
    seen: list[str] = []
    response = await _query(client, site, {"cursorPaging": {"limit": 3}})
    while True:
        page = response.json()
        seen += [s["id"] for s in page["staffMembers"]]
        assert page["pagingMetadata"]["count"] == len(page["staffMembers"])
        await make_staff_member(client, site, name="Late arrival")  # lands anywhere in id order
        if not page["pagingMetadata"]["hasNext"]:
            break
        response = await _query(
            client,
            site,
            {"cursorPaging": {"limit": 3, "cursor": page["pagingMetadata"]["cursors"]["next"]}},
        )
    assert len(seen) == len(set(seen))
    assert expected <= set(seen)
    assert seen == sorted(seen)


async def test_prev_cursor_walks_back(client: httpx.AsyncClient, site: SiteContext) -> None:
    for i in range(7):
        await make_staff_member(client, site, name=f"P{i}")
    sort = [{"fieldName": "createdDate", "order": "DESC"}]
    first = (await _query(client, site, {"sort": sort, "cursorPaging": {"limit": 3}})).json()
    assert first["pagingMetadata"]["cursors"].get("prev") is None
    second = (
        await _query(
            client,
            site,
            {"cursorPaging": {"limit": 3, "cursor": first["pagingMetadata"]["cursors"]["next"]}},
        )
    ).json()
    back = (
        await _query(
            client,
            site,
            {"cursorPaging": {"limit": 3, "cursor": second["pagingMetadata"]["cursors"]["prev"]}},
        )
    ).json()
    assert [s["id"] for s in back["staffMembers"]] == [s["id"] for s in first["staffMembers"]]
    assert back["pagingMetadata"]["hasNext"] is True


async def test_cursor_is_tamper_evident_and_bound_to_site_and_request(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for i in range(3):
        await make_staff_member(client, site, name=f"C{i}")
    page = (await _query(client, site, {"cursorPaging": {"limit": 1}})).json()
    cursor = page["pagingMetadata"]["cursors"]["next"]
    flipped = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    tampered = await _query(client, site, {"cursorPaging": {"cursor": flipped}})
    assert tampered.status_code == 400
    assert tampered.json()["details"]["applicationError"]["code"] == "INVALID_CURSOR"
    other = await new_site(sessionmaker)
    assert (await _query(client, other, {"cursorPaging": {"cursor": cursor}})).status_code == 400
    v2 = await _query(client, site, {"cursorPaging": {"cursor": cursor}}, base=V2)
    assert v2.status_code == 400
    mixed = await _query(
        client, site, {"filter": {"name": "C1"}, "cursorPaging": {"cursor": cursor}}
    )
    assert mixed.status_code == 400
    assert mixed.json()["details"]["validationError"]["fieldViolations"][0]["field"] == (
        "query.cursorPaging.cursor"
    )


async def test_fields_inside_query_are_honoured(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    await make_staff_member(client, site)
    response = await _query(
        client,
        site,
        {"cursorPaging": {"cursor": None, "limit": 100}, "fields": ["RESOURCE_DETAILS"]},
    )
    assert "resource" in response.json()["staffMembers"][0]


async def test_filter_by_connected_user_id(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    import uuid

    from rota.staff.models import StaffMember

    staff = await make_staff_member(client, site, name="Linked")
    user_id = uuid.uuid4()
    async with sessionmaker.begin() as session:
        row = await session.get(StaffMember, uuid.UUID(staff["id"]))
        assert row is not None
        row.wix_user_id = user_id
        row.connection_status = "CONNECTED"
    names = await _names(
        client,
        site,
        {"filter": {"associatedWixIdentity": {"identificationData": {"wixUserId": str(user_id)}}}},
    )
    assert names == ["Linked"]
