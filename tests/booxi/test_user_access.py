"""User access: the seed's examples, invitations through the accounts' mail after commit,
`invitationStatus` ToInvite -> Invited -> Accepted, roles and `canLogin` on the site membership,
and the identity-provider domain rule."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi import service as booxi_service
from rota.booxi.models import UserAccess
from rota.core.clock import utc_now
from rota.identity.models import Invitation, SiteMembership, User
from rota.identity.roles import Role
from tests.accounts.smtp import Inbox
from tests.booxi.conftest import STAFF, Merchant, create_staff
from tests.builders import make_user

PASSWORD = "correct horse battery"


async def _put_access(
    client: httpx.AsyncClient, merchant: Merchant, staff_id: int, send: bool = True, **body: Any
) -> httpx.Response:
    return await client.put(
        f"{STAFF}/{staff_id}/userAccess",
        params={"sendEmailInvite": str(send).lower()},
        json=body,
        headers=merchant.headers,
    )


async def _accept(client: httpx.AsyncClient, link: str, password: str = PASSWORD) -> httpx.Response:
    token = link.rsplit("/", 1)[1]
    return await client.post(
        f"/accounts/v1/invitations/{token}/accept", json={"password": password}
    )


async def _login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/accounts/v1/login", json={"email": email, "password": PASSWORD})


async def test_seed_user_access_example_invites_then_accepts(
    client: httpx.AsyncClient,
    merchant: Merchant,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = await create_staff(
        client,
        merchant,
        firstName="Gloria",
        lastName="Truant",
        biography="I'm 25, I like to dance and sing in my free time.",
        communicationEmail="gloria@gmail.com",
    )
    response = await _put_access(
        client,
        merchant,
        staff["id"],
        staffId=staff["id"],
        userRole="Staff",
        canLogin=True,
        loginEmail="gloria@gmail.com",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["userAccess"] == {
        "staffId": staff["id"],
        "loginEmail": "gloria@gmail.com",
        "userRole": "Staff",
        "provider": "booxi",
        "providerName": "",
        "canLogin": True,
    }
    assert body["staff"]["invitationStatus"] == "Invited"
    assert body["staff"]["loginEmail"] == "gloria@gmail.com"
    assert body["staff"]["name"] == "Gloria Truant"

    # The accounts' invitation mail, sent once the request committed.
    assert [m["To"] for m in inbox.messages] == ["gloria@gmail.com"]
    async with sessionmaker() as session:
        invitation = await session.scalar(
            sa.select(Invitation).where(Invitation.email == "gloria@gmail.com")
        )
        assert invitation is not None
        assert invitation.sent_at is not None
    assert (await _accept(client, inbox.links()[0])).status_code == 200
    assert (await _login(client, "gloria@gmail.com")).status_code == 200

    fetched = await client.get(f"{STAFF}/{staff['id']}/userAccess", headers=merchant.headers)
    access = fetched.json()["userAccess"]
    assert fetched.json()["staff"]["invitationStatus"] == "Accepted"
    assert access["canLogin"] is True
    assert access["lastLogin"].endswith("Z")


async def test_role_travels_with_the_invitation_and_then_the_membership(
    client: httpx.AsyncClient,
    merchant: Merchant,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = await create_staff(client, merchant)
    await _put_access(
        client, merchant, staff["id"], loginEmail="booxi-mgr@example.com", userRole="manager"
    )
    await _accept(client, inbox.links()[0])

    async def role() -> str | None:
        async with sessionmaker() as session:
            user = await session.scalar(
                sa.select(User).where(User.email == "booxi-mgr@example.com")
            )
            assert user is not None
            member = await session.get(SiteMembership, (user.id, merchant.site_id))
            return member.role if member else None

    assert await role() == Role.MANAGER
    promoted = await _put_access(
        client, merchant, staff["id"], loginEmail="booxi-mgr@example.com", userRole="Admin"
    )
    assert promoted.json()["userAccess"]["userRole"] == "Admin"
    assert await role() == Role.ADMIN

    blocked = await _put_access(
        client, merchant, staff["id"], loginEmail="booxi-mgr@example.com", canLogin=False
    )
    assert blocked.json()["userAccess"]["canLogin"] is False
    assert blocked.json()["userAccess"]["userRole"] == "Admin"
    assert blocked.json()["staff"]["invitationStatus"] == "Accepted"
    assert await role() is None
    assert (await _login(client, "booxi-mgr@example.com")).status_code == 403

    allowed = await _put_access(
        client, merchant, staff["id"], loginEmail="booxi-mgr@example.com", canLogin=True
    )
    assert allowed.json()["userAccess"]["canLogin"] is True
    assert await role() == Role.ADMIN
    assert (await _login(client, "booxi-mgr@example.com")).status_code == 200
    assert len(inbox.messages) == 1


async def test_access_without_invitation_stays_to_invite(
    client: httpx.AsyncClient, merchant: Merchant, inbox: Inbox
) -> None:
    staff = await create_staff(client, merchant)
    quiet = await _put_access(client, merchant, staff["id"], send=False, loginEmail="q@example.com")
    assert quiet.json()["staff"]["invitationStatus"] == "ToInvite"
    assert quiet.json()["userAccess"]["canLogin"] is True
    assert inbox.messages == []
    # Still ToInvite, so the login e-mail may change; the default sends the invitation.
    invited = await _put_access(client, merchant, staff["id"], loginEmail="q2@example.com")
    assert invited.json()["staff"]["invitationStatus"] == "Invited"
    assert [m["To"] for m in inbox.messages] == ["q2@example.com"]
    again = await _put_access(client, merchant, staff["id"], loginEmail="q2@example.com")
    assert again.status_code == 200
    assert len(inbox.messages) == 1  # an invitation already out is not sent twice

    locked = await _put_access(client, merchant, staff["id"], loginEmail="other@example.com")
    assert locked.status_code == 400
    assert locked.json()["error"] == "LoginEmailLocked"
    assert locked.json()["parameter"] == "loginEmail"

    withdrawn = await _put_access(
        client, merchant, staff["id"], loginEmail="q2@example.com", canLogin=False
    )
    assert withdrawn.json()["staff"]["invitationStatus"] == "ToInvite"
    assert (await _accept(client, inbox.links()[0])).status_code == 410


async def test_existing_member_is_accepted_at_once(
    client: httpx.AsyncClient,
    merchant: Merchant,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(sessionmaker, merchant.wix, "booxi-member@example.com", PASSWORD, Role.STAFF)
    staff = await create_staff(client, merchant)
    response = await _put_access(
        client, merchant, staff["id"], loginEmail="booxi-member@example.com", userRole="Supervisor"
    )
    assert response.json()["staff"]["invitationStatus"] == "Accepted"
    assert response.json()["userAccess"]["userRole"] == "Supervisor"
    assert inbox.messages == []


async def test_no_access_reads_empty(client: httpx.AsyncClient, merchant: Merchant) -> None:
    staff = await create_staff(client, merchant)
    response = await client.get(f"{STAFF}/{staff['id']}/userAccess", headers=merchant.headers)
    assert response.status_code == 200
    assert response.json()["userAccess"] == {
        "staffId": staff["id"],
        "loginEmail": "",
        "userRole": "Staff",
        "providerName": "",
    }


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({}, "loginEmail"),
        ({"loginEmail": None}, "loginEmail"),
        ({"loginEmail": "not-an-address"}, "loginEmail"),
        ({"loginEmail": "a@example.com", "userRole": "Owner"}, "userRole"),
        ({"loginEmail": "a@example.com", "canLogin": "perhaps"}, "canLogin"),
        ({"loginEmail": "a@example.com", "provider": "ldap"}, "provider"),
        ({"loginEmail": "a@example.com", "provider": "saml"}, "provider"),
        ({"loginEmail": "a@example.com", "staffId": 0}, "staffId"),
    ],
)
async def test_bad_access_input_is_a_400_naming_the_parameter(
    client: httpx.AsyncClient,
    merchant: Merchant,
    sessionmaker: async_sessionmaker[AsyncSession],
    body: dict[str, Any],
    parameter: str,
) -> None:
    staff = await create_staff(client, merchant)
    response = await _put_access(client, merchant, staff["id"], **body)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter
    async with sessionmaker() as session:
        assert (
            await session.scalar(
                sa.select(sa.func.count())
                .select_from(UserAccess)
                .where(UserAccess.login_email == "a@example.com")
            )
            == 0
        )


async def test_identity_provider_domain_rule(
    client: httpx.AsyncClient,
    merchant: Merchant,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await booxi_service.set_identity_provider(
            session, site_id=merchant.site_id, name="Okta", domains=["acme.com"], now=utc_now()
        )
    staff = await create_staff(client, merchant)
    outside = await _put_access(client, merchant, staff["id"], loginEmail="x@gmail.com")
    assert outside.status_code == 400
    assert outside.json()["parameter"] == "loginEmail"
    assert outside.json()["error"] == "LoginEmailDomainNotAllowed"
    inside = await _put_access(client, merchant, staff["id"], loginEmail="x@eu.acme.com")
    assert inside.status_code == 200, inside.text
    assert inside.json()["userAccess"]["provider"] == "saml"
    assert inside.json()["userAccess"]["providerName"] == "Okta"
    booxi_provider = await _put_access(
        client, merchant, staff["id"], loginEmail="x@eu.acme.com", provider="booxi"
    )
    assert booxi_provider.json()["userAccess"]["providerName"] == ""


async def test_user_access_of_an_unknown_staff_is_not_found(
    client: httpx.AsyncClient, merchant: Merchant
) -> None:
    response = await _put_access(client, merchant, 10**12, loginEmail=f"{uuid.uuid4().hex}@x.com")
    assert response.status_code == 404
    assert response.json()["parameter"] == "staffId"
