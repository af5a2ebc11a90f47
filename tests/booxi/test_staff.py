"""The seed's staff CRUD examples against the service, the shapes they answer, Booxi-style
errors, partnership scoping, and staff members shared with the Wix dialect."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi.models import StaffProfile
from rota.core.db import is_sqlite
from rota.identity.permissions import Scope
from rota.staff.models import StaffMember
from tests.booxi.conftest import (
    SEED_CREATE,
    STAFF,
    Merchant,
    create_staff,
    make_merchant,
    partner_key,
    staff_number,
)
from tests.builders import image_bytes, make_staff_member, upload_image

# The seed's GET example, with the value types it shows; POST adds isTemplate.
SEED_STAFF_SHAPE: dict[str, type] = {
    "id": int,
    "name": str,
    "firstName": str,
    "lastName": str,
    "position": str,
    "biography": str,
    "profileImageUrl": str,
    "timeSelectionMode": str,
    "mobilePhone": str,
    "workPhone": str,
    "communicationEmail": str,
    "loginEmail": str,
    "userRole": str,
    "invitationStatus": str,
    "language": str,
    "personnelType": str,
    "status": str,
    "createdOn": str,
    "modifiedOn": str,
    "isTemplate": bool,
}
# The seed's PUT example body.
SEED_UPDATE = {
    "firstName": "John",
    "lastName": "Smith",
    "position": "manager",
    "biography": "",
    "workPhone": "+12345556666",
    "communicationEmail": "mail@domain.com",
    "mobilePhone": "+12345556666",
    "language": "eng",
    "status": "Offline",
    "timeSelectionMode": "ClientTimes",
}
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


def assert_staff_shape(staff: dict[str, Any]) -> None:
    for key, kind in SEED_STAFF_SHAPE.items():
        assert isinstance(staff[key], kind), (key, staff[key])
    for key in ("createdOn", "modifiedOn"):
        assert re.fullmatch(TIMESTAMP, staff[key]), staff[key]


async def test_seed_create_example_answers_the_seed_record(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    response = await client.post(
        f"{STAFF}/{merchant.merchant_id}", json=SEED_CREATE, headers=merchant.headers
    )
    assert response.status_code == 200, response.text
    staff = response.json()
    assert_staff_shape(staff)
    assert {k: v for k, v in staff.items() if k not in ("id", "createdOn", "modifiedOn")} == {
        "name": "John Smith",
        "firstName": "John",
        "lastName": "Smith",
        "position": "manager",
        "biography": "",
        "profileImageUrl": "",
        "timeSelectionMode": "ClientTimes",
        "mobilePhone": "+15552346789",
        "workPhone": "+15552346789",
        "communicationEmail": "john.smith@domain.com",
        "loginEmail": "",
        "userRole": "Staff",
        "invitationStatus": "ToInvite",
        "language": "eng",
        "personnelType": "Standard",
        "status": "Offline",
        "isTemplate": False,
    }
    assert staff["createdOn"] == staff["modifiedOn"]

    fetched = await client.get(f"{STAFF}/{staff['id']}", headers=merchant.headers)
    assert fetched.status_code == 200
    assert fetched.json() == staff


async def test_seed_update_example_changes_the_record(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await create_staff(client, merchant, position="Owner", personnelType="Standard")
    response = await client.put(
        f"{STAFF}/{created['id']}", json=SEED_UPDATE, headers=merchant.headers
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert_staff_shape(updated)
    for key, value in SEED_UPDATE.items():
        assert updated[key] == value, key
    assert updated["name"] == "John Smith"
    assert updated["createdOn"] == created["createdOn"]

    partial = await client.put(
        f"{STAFF}/{created['id']}", json={"position": "Director"}, headers=merchant.headers
    )
    assert partial.json()["position"] == "Director"
    assert partial.json()["workPhone"] == "+12345556666"  # absent fields stay


async def test_put_sent_back_whole_record_is_accepted(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await create_staff(client, merchant)
    echoed = {**created, "biography": "Back again"}
    response = await client.put(f"{STAFF}/{created['id']}", json=echoed, headers=merchant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["biography"] == "Back again"
    # The seed's field table spells it "communciationEmail"; both spellings are read.
    typo = await client.put(
        f"{STAFF}/{created['id']}",
        json={"communciationEmail": "typo@example.com"},
        headers=merchant.headers,
    )
    assert typo.json()["communicationEmail"] == "typo@example.com"


async def test_seed_delete_example_answers_the_deleted_record(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await create_staff(client, merchant)
    response = await client.delete(f"{STAFF}/{created['id']}", headers=merchant.headers)
    assert response.status_code == 200
    assert_staff_shape(response.json())
    assert response.json()["id"] == created["id"]
    gone = await client.get(f"{STAFF}/{created['id']}", headers=merchant.headers)
    assert gone.status_code == 404
    assert gone.json()["error"] == "StaffNotFound"
    again = await client.delete(f"{STAFF}/{created['id']}", headers=merchant.headers)
    assert again.status_code == 404


async def test_booxi_staff_is_read_and_updated_through_wix_and_back(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await create_staff(
        client,
        merchant,
        firstName="Mary Ann",
        lastName="Lee",
        mobilePhone="+44 20 7946 0000",
        communicationEmail="mary@example.com",
        biography="Colourist",
        workPhone="+44 20 7946 0001",
        position="Stylist",
    )
    listed = await client.post(
        "/bookings/v2/staff-members/query",
        json={"query": {"filter": {"email": "mary@example.com"}}},
        headers=merchant.wix.headers,
    )
    [wix] = listed.json()["staffMembers"]
    assert wix["name"] == "Mary Ann Lee"
    assert wix["phone"] == "+44 20 7946 0000"
    assert wix["description"] == "Colourist"

    patched = await client.patch(
        f"/bookings/v1/staff-members/{wix['id']}",
        json={
            "staffMember": {
                "revision": wix["revision"],
                "name": "Mary Ann Leigh-Smith",
                "phone": "+1 555 0100",
                "email": "mary.ls@example.com",
                "description": "Senior colourist",
            }
        },
        headers=merchant.wix.headers,
    )
    assert patched.status_code == 200, patched.text
    booxi = (await client.get(f"{STAFF}/{created['id']}", headers=merchant.headers)).json()
    assert (booxi["firstName"], booxi["lastName"]) == ("Mary Ann", "Leigh-Smith")
    assert booxi["mobilePhone"] == "+1 555 0100"
    assert booxi["communicationEmail"] == "mary.ls@example.com"
    assert booxi["biography"] == "Senior colourist"
    assert booxi["workPhone"] == "+44 20 7946 0001"  # Booxi-only fields stay
    assert booxi["position"] == "Stylist"

    renamed = await client.put(
        f"{STAFF}/{created['id']}",
        json={"firstName": "Maryann", "lastName": "Smith", "mobilePhone": ""},
        headers=merchant.headers,
    )
    assert renamed.status_code == 200, renamed.text
    back = await client.get(f"/bookings/v1/staff-members/{wix['id']}", headers=merchant.wix.headers)
    member = back.json()["staffMember"]
    assert member["name"] == "Maryann Smith"
    assert "phone" not in member
    assert int(member["revision"]) > int(patched.json()["staffMember"]["revision"])


async def test_wix_staff_member_reads_in_booxi_with_defaults(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    wix = await make_staff_member(client, merchant.wix, name="Cher", email="cher@example.com")
    number = await staff_number(sessionmaker, wix["id"])
    booxi = (await client.get(f"{STAFF}/{number}", headers=merchant.headers)).json()
    assert_staff_shape(booxi)
    assert (booxi["firstName"], booxi["lastName"], booxi["name"]) == ("Cher", "", "Cher")
    assert booxi["personnelType"] == "Standard"
    assert booxi["status"] == "Online"
    assert booxi["language"] == "eng"
    assert booxi["timeSelectionMode"] == "ServiceTimeSelection"
    updated = await client.put(
        f"{STAFF}/{number}", json={"position": "Singer"}, headers=merchant.headers
    )
    assert updated.json()["position"] == "Singer"
    assert updated.json()["firstName"] == "Cher"


async def test_profile_picture_shows_in_both_dialects(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await create_staff(client, merchant)
    response = await client.put(
        f"{STAFF}/{created['id']}/image",
        files={"image": ("me.png", image_bytes(), "image/png")},
        headers=merchant.headers,
    )
    assert response.status_code == 200, response.text
    url = response.json()["profileImageUrl"]
    assert url.startswith("http://rota.test/media/v1/files/")
    assert (await client.get(url.replace("http://rota.test", ""))).status_code == 200
    image = await upload_image(client, merchant.wix)
    wix = (
        await client.post(
            "/bookings/v2/staff-members/query", json={"query": {}}, headers=merchant.wix.headers
        )
    ).json()["staffMembers"][0]
    assert wix["mainMedia"]["image"]["url"] == url
    await client.patch(
        f"/bookings/v1/staff-members/{wix['id']}",
        json={
            "staffMember": {
                "revision": wix["revision"],
                "mainMedia": {"image": {"id": image["id"]}},
            }
        },
        headers=merchant.wix.headers,
    )
    again = (await client.get(f"{STAFF}/{created['id']}", headers=merchant.headers)).json()
    assert image["id"] in again["profileImageUrl"]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"lastName": "NoFirst"}, "firstName"),
        ({"firstName": "  "}, "firstName"),
        ({"firstName": 5}, "firstName"),
        ({"firstName": "A", "personnelType": "Robot"}, "personnelType"),
        ({"firstName": "A", "status": "Away"}, "status"),
        ({"firstName": "A", "timeSelectionMode": "Never"}, "timeSelectionMode"),
        ({"firstName": "A", "language": "klingon"}, "language"),
        ({"firstName": "A", "mobilePhone": "call me"}, "mobilePhone"),
        ({"firstName": "A", "communicationEmail": "nobody"}, "communicationEmail"),
        ({"firstName": "A" * 25, "lastName": "B" * 20}, "lastName"),
        ({"firstName": "A", "isTemplate": True}, "isTemplate"),
    ],
)
async def test_bad_create_input_is_a_400_naming_the_parameter(
    client: httpx.AsyncClient,
    merchant: Merchant,
    sessionmaker: async_sessionmaker[AsyncSession],
    body: dict[str, Any],
    parameter: str,
) -> None:
    response = await client.post(
        f"{STAFF}/{merchant.merchant_id}", json=body, headers=merchant.headers
    )
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == 400
    assert error["parameter"] == parameter
    assert error["message"]
    async with sessionmaker() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).where(StaffMember.site_id == merchant.site_id)
        )
    assert count == 0  # nothing half-written


async def test_a_nul_character_is_a_booxi_400_on_postgresql(
    client: httpx.AsyncClient, merchant: Merchant, database_url: str
) -> None:
    """The Booxi dialect's shape for text PostgreSQL cannot store (SQLite stores it)."""
    if is_sqlite(database_url):
        pytest.skip("SQLite stores U+0000")
    body = {"firstName": "Nul\u0000", "lastName": "Name"}
    response = await client.post(
        f"{STAFF}/{merchant.merchant_id}", json=body, headers=merchant.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 400
    assert "U+0000" in response.json()["message"]


async def test_read_only_fields_cannot_change_through_put(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    created = await create_staff(client, merchant, position="Before")
    for body, parameter in (
        ({"personnelType": "User", "position": "After"}, "personnelType"),
        ({"loginEmail": "x@example.com", "position": "After"}, "loginEmail"),
        ({"userRole": "Admin", "position": "After"}, "userRole"),
        ({"isTemplate": True, "position": "After"}, "isTemplate"),
        ({"firstName": None}, "firstName"),
    ):
        response = await client.put(f"{STAFF}/{created['id']}", json=body, headers=merchant.headers)
        assert response.status_code == 400, body
        assert response.json()["parameter"] == parameter
    async with sessionmaker() as session:
        stored = await session.scalar(
            sa.select(StaffProfile.position)
            .join(StaffMember, StaffMember.id == StaffProfile.staff_member_id)
            .where(StaffMember.number == created["id"])
        )
    assert stored == "Before"


async def test_ids_outside_the_partnership_are_not_found(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other = await make_merchant(sessionmaker)
    theirs = await create_staff(client, other)
    for method, path in (
        ("GET", f"{STAFF}/{theirs['id']}"),
        ("PUT", f"{STAFF}/{theirs['id']}"),
        ("DELETE", f"{STAFF}/{theirs['id']}"),
        ("GET", f"{STAFF}/{theirs['id']}/userAccess"),
        ("POST", f"{STAFF}/{other.merchant_id}"),
    ):
        response = await client.request(
            method, path, json={"firstName": "X"}, headers=merchant.headers
        )
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"] in ("StaffNotFound", "MerchantNotFound")
    listing = await client.get(
        f"{STAFF}/list", params={"merchantId": other.merchant_id}, headers=merchant.headers
    )
    assert listing.status_code == 404
    assert listing.json()["parameter"] == "merchantId"


async def test_one_key_for_several_merchants_reaches_all_of_them(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    key = await partner_key(sessionmaker, first, second)
    headers = {"Booxi-PartnerKey": key}
    for merchant in (first, second):
        response = await client.post(
            f"{STAFF}/{merchant.merchant_id}", json={"firstName": "Both"}, headers=headers
        )
        assert response.status_code == 200
        assert (
            await client.get(f"{STAFF}/{response.json()['id']}", headers=headers)
        ).status_code == 200


async def test_transport_errors_use_the_booxi_body(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    missing = await client.get(f"{STAFF}/1")
    assert missing.status_code == 401
    assert missing.json()["code"] == 401
    assert "Booxi-PartnerKey" in missing.json()["message"]
    wrong = await client.get(f"{STAFF}/1", headers={"Booxi-PartnerKey": "rota_nope"})
    assert wrong.status_code == 401
    # The Wix header does not authenticate Booxi requests.
    wix_header = await client.get(f"{STAFF}/1", headers={"Authorization": merchant.key})
    assert wix_header.status_code == 401

    reader = await make_merchant(sessionmaker, scopes=[Scope.BOOKINGS_READ])
    forbidden = await client.post(
        f"{STAFF}/{reader.merchant_id}", json={"firstName": "X"}, headers=reader.headers
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["error"] == "PermissionDenied"

    unknown_path = await client.get("/booking/v1/nothing-here", headers=merchant.headers)
    assert unknown_path.status_code == 404
    assert unknown_path.json() == {"code": 404, "message": "Not Found", "error": "NotFound"}
    huge = await client.get(f"{STAFF}/{2**70}", headers=merchant.headers)
    assert huge.status_code == 400
    assert huge.json()["parameter"] == "staffId"
    # The Wix dialect keeps its own body.
    wix = await client.get("/bookings/v1/staff-members/not-a-uuid", headers=merchant.wix.headers)
    assert "details" in wix.json()
