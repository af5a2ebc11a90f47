"""Creating staff as a duplicate (`fromStaffId`) or from a head-office template
(`fromStaffTemplateId`), and the head-office groups templates live in."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi import service as booxi_service
from rota.core.clock import utc_now
from tests.booxi.conftest import STAFF, Merchant, create_staff, make_merchant, partner_key
from tests.builders import image_bytes


async def _group(
    sessionmaker: async_sessionmaker[AsyncSession], *stores: Merchant
) -> tuple[Merchant, dict[str, str]]:
    """A group whose head office and stores one partner key reaches."""
    head_office = await make_merchant(sessionmaker)
    async with sessionmaker.begin() as session:
        group = await booxi_service.create_group(
            session,
            name=f"group-{uuid.uuid4().hex[:6]}",
            head_office_site_id=head_office.site_id,
            time_zone="UTC",
            now=utc_now(),
        )
        for store in stores:
            await booxi_service.add_site_to_group(
                session, group_id=group.id, site_id=store.site_id, now=utc_now()
            )
    key = await partner_key(sessionmaker, head_office, *stores)
    return head_office, {"Booxi-PartnerKey": key}


async def _picture(client: httpx.AsyncClient, staff_id: int, headers: dict[str, str]) -> str:
    response = await client.put(
        f"{STAFF}/{staff_id}/image",
        files={"image": ("p.png", image_bytes(), "image/png")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["profileImageUrl"])


async def test_duplicate_copies_the_personnel_details_not_the_access(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    origin = await create_staff(
        client,
        merchant,
        position="Barber",
        biography="Fades",
        workPhone="+1 555 0101",
        mobilePhone="+1 555 0102",
        communicationEmail="origin@example.com",
        language="fre",
        status="Offline",
        timeSelectionMode="ClientTimes",
    )
    picture = await _picture(client, origin["id"], merchant.headers)
    await client.put(
        f"{STAFF}/{origin['id']}/userAccess",
        params={"sendEmailInvite": "false"},
        json={"loginEmail": "origin@example.com", "userRole": "Manager"},
        headers=merchant.headers,
    )
    response = await client.post(
        f"{STAFF}/{merchant.merchant_id}",
        params={"fromStaffId": origin["id"]},
        json={"firstName": "Copy"},
        headers=merchant.headers,
    )
    assert response.status_code == 200, response.text
    copy = response.json()
    assert copy["id"] != origin["id"]
    assert (copy["firstName"], copy["lastName"]) == ("Copy", origin["lastName"])
    for field in (
        "position", "biography", "workPhone", "mobilePhone", "communicationEmail", "language",
        "status", "timeSelectionMode", "personnelType", "profileImageUrl",
    ):  # fmt: skip
        expected = picture if field == "profileImageUrl" else origin[field]
        assert copy[field] == expected, field
    assert (copy["loginEmail"], copy["userRole"], copy["invitationStatus"]) == (
        "",
        "Staff",
        "ToInvite",
    )


async def test_duplicate_must_come_from_the_same_merchant(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    key = {"Booxi-PartnerKey": await partner_key(sessionmaker, first, second)}
    elsewhere = await create_staff(client, second)
    response = await client.post(
        f"{STAFF}/{first.merchant_id}",
        params={"fromStaffId": elsewhere["id"]},
        json={"firstName": "X"},
        headers=key,
    )
    assert response.status_code == 404
    assert response.json()["parameter"] == "fromStaffId"
    both = await client.post(
        f"{STAFF}/{first.merchant_id}",
        params={"fromStaffId": elsewhere["id"], "fromStaffTemplateId": 1},
        json={"firstName": "X"},
        headers=key,
    )
    assert both.status_code == 400
    assert both.json()["parameter"] == "fromStaffTemplateId"


async def test_template_of_the_head_office_makes_store_staff(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    store = await make_merchant(sessionmaker)
    head_office, key = await _group(sessionmaker, store)
    made = await client.post(
        f"{STAFF}/{head_office.merchant_id}",
        json={
            "firstName": "Template",
            "lastName": "Stylist",
            "position": "Stylist",
            "biography": "Our standard stylist profile",
            "workPhone": "+1 555 0199",
            "isTemplate": True,
        },
        headers=key,
    )
    assert made.status_code == 200, made.text
    template = made.json()
    assert template["isTemplate"] is True
    template_picture = await _picture(client, template["id"], key)

    response = await client.post(
        f"{STAFF}/{store.merchant_id}",
        params={"fromStaffTemplateId": template["id"]},
        json={"firstName": "Rita", "lastName": "Moreno", "workPhone": "+1 555 0000"},
        headers=key,
    )
    assert response.status_code == 200, response.text
    staff = response.json()
    assert (staff["firstName"], staff["lastName"]) == ("Rita", "Moreno")  # the request's names
    assert staff["position"] == "Stylist"
    assert staff["biography"] == "Our standard stylist profile"
    assert staff["workPhone"] == "+1 555 0000"  # the request wins
    assert staff["isTemplate"] is False
    assert staff["staffTemplateId"] == template["id"]
    # The picture is copied into the store's site.
    assert staff["profileImageUrl"]
    assert staff["profileImageUrl"] != template_picture
    assert (
        await client.get(staff["profileImageUrl"].replace("http://rota.test", ""))
    ).status_code == 200

    nameless = await client.post(
        f"{STAFF}/{store.merchant_id}",
        params={"fromStaffTemplateId": template["id"]},
        json={},
        headers=key,
    )
    assert nameless.status_code == 400
    assert nameless.json()["parameter"] == "firstName"


async def test_templates_belong_to_the_merchants_head_office(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    store, outsider = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    head_office, key = await _group(sessionmaker, store)
    other_office, other_key = await _group(sessionmaker, outsider)
    foreign = await client.post(
        f"{STAFF}/{other_office.merchant_id}",
        json={"firstName": "Foreign", "isTemplate": True},
        headers=other_key,
    )
    ordinary = await create_staff(client, head_office)
    for template_id in (foreign.json()["id"], ordinary["id"], 999_999_999):
        response = await client.post(
            f"{STAFF}/{store.merchant_id}",
            params={"fromStaffTemplateId": template_id},
            json={"firstName": "X"},
            headers=key,
        )
        assert response.status_code == 404, template_id
        assert response.json()["error"] == "StaffTemplateNotFound"
        assert response.json()["parameter"] == "fromStaffTemplateId"
    # A merchant outside any group has no templates at all.
    lone = await make_merchant(sessionmaker)
    response = await client.post(
        f"{STAFF}/{lone.merchant_id}",
        params={"fromStaffTemplateId": ordinary["id"]},
        json={"firstName": "X"},
        headers=lone.headers,
    )
    assert response.status_code == 404
    # Templates live in head offices only, and are fixed once made.
    in_store = await client.post(
        f"{STAFF}/{store.merchant_id}", json={"firstName": "T", "isTemplate": True}, headers=key
    )
    assert in_store.status_code == 400
    assert in_store.json()["parameter"] == "isTemplate"


async def test_templates_are_not_bookable_and_have_no_access_or_schedule(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    head_office, key = await _group(sessionmaker)
    template = (
        await client.post(
            f"{STAFF}/{head_office.merchant_id}",
            json={"firstName": "T", "isTemplate": True},
            headers=key,
        )
    ).json()
    wix = await client.post(
        "/bookings/v1/staff-members/query",
        json={"query": {}},
        headers={"Authorization": key["Booxi-PartnerKey"], "wix-site-id": str(head_office.site_id)},
    )
    assert wix.json()["staffMembers"] == []  # v1 lists service providers only
    access = await client.put(
        f"{STAFF}/{template['id']}/userAccess", json={"loginEmail": "t@example.com"}, headers=key
    )
    assert access.status_code == 400
    schedule = await client.post(
        f"{STAFF}/{template['id']}/schedule", json={"start": "2031-01-01"}, headers=key
    )
    assert schedule.status_code == 400
    assert schedule.json()["error"] == "StaffWithoutCalendar"
