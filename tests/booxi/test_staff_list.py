"""`GET /staff/list`: every search mode of the seed, its mandatory combinations, filters, cursor
paging, deleted staff left out; and module links, whose external ids the HR search uses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.booxi.conftest import (
    STAFF,
    Merchant,
    create_staff,
    enable_module,
    make_merchant,
    partner_key,
)
from tests.builders import make_staff_member

LIST = f"{STAFF}/list"


async def _list(client: httpx.AsyncClient, merchant: Merchant, **params: Any) -> httpx.Response:
    return await client.get(LIST, params=params, headers=merchant.headers)


def _ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [staff["id"] for staff in response.json()["staffs"]]


async def test_seed_contact_search_example(client: httpx.AsyncClient, merchant: Merchant) -> None:
    john = await create_staff(
        client, merchant, firstName="John", lastName="Smith", communicationEmail="js@domain.com"
    )
    await create_staff(client, merchant, firstName="John", lastName="Smithers")
    await create_staff(client, merchant, firstName="Mike", lastName="Brown")
    response = await _list(
        client,
        merchant,
        merchantId=merchant.merchant_id,
        firstName="John",
        lastName="Smith",
        communicationEmail="JS@domain.com",
    )
    assert _ids(response) == [john["id"]]
    body = response.json()
    assert set(body) == {"staffs"}  # one page: no cursor
    assert (
        body["staffs"][0]
        == (await client.get(f"{STAFF}/{john['id']}", headers=merchant.headers)).json()
    )


async def test_names_match_exactly_and_in_pairs(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    both = await create_staff(client, merchant, firstName="Mary Ann", lastName="Lee")
    await create_staff(client, merchant, firstName="Mary", lastName="Ann Lee")
    m = merchant.merchant_id
    assert _ids(
        await _list(client, merchant, merchantId=m, firstName="Mary Ann", lastName="Lee")
    ) == [both["id"]]
    assert (
        _ids(await _list(client, merchant, merchantId=m, firstName="mary ann", lastName="lee"))
        == []
    )
    for given, absent in (({"firstName": "Mary"}, "lastName"), ({"lastName": "Lee"}, "firstName")):
        response = await _list(client, merchant, merchantId=m, **given)
        assert response.status_code == 400
        assert response.json()["parameter"] == absent
        assert response.json()["error"] == "MissingParameter"


async def test_merchant_is_mandatory_without_module_search(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    for params in ({}, {"firstName": "A", "lastName": "B"}, {"loginEmail": "a@b.c"}):
        response = await _list(client, merchant, **params)
        assert response.status_code == 400
        assert response.json()["parameter"] == "merchantId"
    bad_type = await _list(client, merchant, merchantId="abc")
    assert bad_type.status_code == 400
    assert bad_type.json()["parameter"] == "merchantId"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"externalId": "E1"}, "moduleId"),
        ({"moduleId": "hr"}, "externalId"),
        ({"status": "Sleeping"}, "status"),
        ({"personnelType": "Robot"}, "personnelType"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
async def test_bad_search_is_a_400_naming_the_parameter(
    client: httpx.AsyncClient, merchant: Merchant, params: dict[str, Any], parameter: str
) -> None:
    response = await _list(client, merchant, merchantId=merchant.merchant_id, **params)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


async def test_status_and_personnel_type_filters(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    online = await create_staff(client, merchant, status="online")
    offline = await create_staff(client, merchant, status="Offline")
    user = await create_staff(client, merchant, personnelType="user")
    await make_staff_member(client, merchant.wix, name="Wix Person")  # a service provider
    m = merchant.merchant_id
    assert _ids(await _list(client, merchant, merchantId=m, status="Offline")) == [offline["id"]]
    assert len(_ids(await _list(client, merchant, merchantId=m, status="ONLINE"))) == 3
    assert _ids(await _list(client, merchant, merchantId=m, personnelType="User")) == [user["id"]]
    standard = _ids(await _list(client, merchant, merchantId=m, personnelType="Standard"))
    assert online["id"] in standard
    assert user["id"] not in standard
    assert len(standard) == 3


async def test_deleted_staff_are_left_out(client: httpx.AsyncClient, merchant: Merchant) -> None:
    kept = await create_staff(client, merchant)
    gone = await create_staff(client, merchant)
    await client.delete(f"{STAFF}/{gone['id']}", headers=merchant.headers)
    assert _ids(await _list(client, merchant, merchantId=merchant.merchant_id)) == [kept["id"]]


async def test_cursor_pages_through_and_carries_the_search(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    made = [(await create_staff(client, merchant, status="Offline"))["id"] for _ in range(5)]
    await create_staff(client, merchant, status="Online")
    seen: list[int] = []
    params: dict[str, Any] = {"merchantId": merchant.merchant_id, "status": "Offline", "limit": 2}
    pages = 0
    while True:
        response = await _list(client, merchant, **params)
        seen += _ids(response)
        pages += 1
        cursor = response.json().get("cursor")
        if cursor is None:
            break
        params = {"cursor": cursor, "limit": 2}  # the search travels in the cursor
    assert seen == made
    assert pages == 3

    first = await _list(
        client, merchant, merchantId=merchant.merchant_id, status="Offline", limit=2
    )
    cursor = first.json()["cursor"]
    other_search = await _list(
        client, merchant, merchantId=merchant.merchant_id, status="Online", cursor=cursor
    )
    assert other_search.status_code == 400
    assert other_search.json()["parameter"] == "cursor"
    tampered = await _list(client, merchant, cursor=cursor[:-2] + "xx")
    assert tampered.status_code == 400


async def test_cursor_belongs_to_the_key_that_got_it(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for _ in range(3):
        await create_staff(client, merchant)
    cursor = (await _list(client, merchant, merchantId=merchant.merchant_id, limit=1)).json()[
        "cursor"
    ]
    other_key = await partner_key(sessionmaker, merchant)
    response = await client.get(
        LIST, params={"cursor": cursor}, headers={"Booxi-PartnerKey": other_key}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidCursor"


async def test_login_email_search_finds_the_user_access(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    staff = await create_staff(client, merchant)
    await client.put(
        f"{STAFF}/{staff['id']}/userAccess",
        params={"sendEmailInvite": "false"},
        json={"loginEmail": "Login@Example.com"},
        headers=merchant.headers,
    )
    found = await _list(
        client, merchant, merchantId=merchant.merchant_id, loginEmail="login@example.COM"
    )
    assert _ids(found) == [staff["id"]]


# ------------------------------------------------------------------ module links


async def test_module_links_and_the_hr_search_across_merchants(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    north, south = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    key = await partner_key(sessionmaker, north, south)
    headers = {"Booxi-PartnerKey": key}
    await enable_module(sessionmaker, north, "workday")
    await enable_module(sessionmaker, south, "workday")
    in_north = await create_staff(client, north)
    in_south = await create_staff(client, south)
    for staff in (in_north, in_south):
        link = await client.put(
            f"{STAFF}/{staff['id']}/moduleLink/workday",
            json={"externalId": "EMP-7", "metadata": {"costCentre": "42"}},
            headers=headers,
        )
        assert link.status_code == 200, link.text
    body = link.json()
    assert body["link"]["externalId"] == "EMP-7"
    assert body["link"]["metadata"] == {"costCentre": "42"}
    assert body["link"]["staffId"] == in_south["id"]
    assert set(body["staff"]) == {
        "id", "name", "firstName", "lastName", "position", "biography", "profileImageUrl",
        "timeSelectionMode",
    }  # fmt: skip

    # The seed's HR example: externalId + moduleId, no merchantId, across the partnership.
    found = await client.get(
        LIST, params={"externalId": "EMP-7", "moduleId": "workday"}, headers=headers
    )
    assert _ids(found) == [in_north["id"], in_south["id"]]
    narrowed = await client.get(
        LIST,
        params={"externalId": "EMP-7", "moduleId": "workday", "merchantId": north.merchant_id},
        headers=headers,
    )
    assert _ids(narrowed) == [in_north["id"]]

    kept = await client.put(
        f"{STAFF}/{in_north['id']}/moduleLink/workday",
        json={"externalId": "EMP-8"},
        headers=headers,
    )
    assert kept.json()["link"]["metadata"] == {"costCentre": "42"}  # metadata left out stays
    fetched = await client.get(f"{STAFF}/{in_north['id']}/moduleLink/workday", headers=headers)
    assert fetched.json()["link"]["externalId"] == "EMP-8"


async def test_module_link_conflicts_and_unknown_modules(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await enable_module(sessionmaker, merchant, "hr")
    first, second = await create_staff(client, merchant), await create_staff(client, merchant)
    url = f"{STAFF}/{{}}/moduleLink/hr"
    assert (
        await client.put(
            url.format(first["id"]), json={"externalId": "A1"}, headers=merchant.headers
        )
    ).status_code == 200
    clash = await client.put(
        url.format(second["id"]), json={"externalId": "A1"}, headers=merchant.headers
    )
    assert clash.status_code == 409
    assert clash.json()["error"] == "InvalidExternalId"
    assert clash.json()["parameter"] == "externalId"
    assert clash.json()["data"] == {"staffId": first["id"]}
    missing_link = await client.get(url.format(second["id"]), headers=merchant.headers)
    assert missing_link.status_code == 404
    assert missing_link.json()["error"] == "ModuleLinkNotFound"

    # Once the holder is deleted, the id is free again.
    await client.delete(f"{STAFF}/{first['id']}", headers=merchant.headers)
    assert (
        await client.put(
            url.format(second["id"]), json={"externalId": "A1"}, headers=merchant.headers
        )
    ).status_code == 200

    unknown = await client.put(
        f"{STAFF}/{second['id']}/moduleLink/payroll",
        json={"externalId": "A1"},
        headers=merchant.headers,
    )
    assert unknown.status_code == 404
    assert unknown.json()["parameter"] == "moduleId"
    search = await _list(client, merchant, externalId="A1", moduleId="payroll")
    assert search.status_code == 404
    assert search.json()["parameter"] == "moduleId"
    for body, parameter in (
        ({}, "externalId"),
        ({"externalId": "A", "staffId": second["id"] + 1}, "staffId"),
    ):
        bad = await client.put(url.format(second["id"]), json=body, headers=merchant.headers)
        assert bad.status_code == 400
        assert bad.json()["parameter"] == parameter
