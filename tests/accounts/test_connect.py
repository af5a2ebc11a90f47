"""Connecting staff to users: invitations by real e-mail, acceptance, sign-in, self-service
reads, the seed's errors, and disconnecting."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar.models import Schedule
from rota.core.clock import utc_now
from rota.identity.models import Invitation, SiteMembership
from rota.identity.roles import Role
from rota.mail.sender import SmtpMailer
from tests.accounts.smtp import Inbox, start_smtp
from tests.builders import SiteContext, make_staff_member, make_user
from tests.test_cli import free_port

V1 = "/bookings/v1/staff-members"
ACCOUNTS = "/accounts/v1"
PASSWORD = "correct horse battery"
# Addresses are unique per run: other test modules create accounts in the same database.
RUN = uuid.uuid4().hex[:8]


@pytest.fixture
def inbox(app: Any) -> Iterator[Inbox]:
    port = free_port()
    controller, inbox = start_smtp(port)
    previous = app.state.mailer
    app.state.mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
    yield inbox
    app.state.mailer = previous
    controller.stop()


async def _connect(
    client: httpx.AsyncClient, site: SiteContext, staff_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"{V1}/{staff_id}/connect-staff-member-to-user",
        json={"fields": ["ASSOCIATED_IDENTITY_STATUS"], **body},
        headers=site.headers,
    )


def _status(response: httpx.Response) -> str:
    return str(response.json()["staffMember"]["associatedWixIdentity"]["connection"]["status"])


def _code(response: httpx.Response) -> str:
    return str(response.json()["details"]["applicationError"]["code"])


async def _accept(client: httpx.AsyncClient, link: str, password: str) -> httpx.Response:
    token = link.rsplit("/", 1)[1]
    return await client.post(f"{ACCOUNTS}/invitations/{token}/accept", json={"password": password})


async def test_invitation_mail_link_connects_the_staff_member(
    client: httpx.AsyncClient, site: SiteContext, inbox: Inbox
) -> None:
    staff = await make_staff_member(client, site, name="Ines", email=f"ines-{RUN}@example.com")
    pending = await _connect(client, site, staff["id"])
    assert pending.status_code == 200, pending.text
    assert _status(pending) == "PENDING"
    assert pending.json()["staffMember"]["associatedWixIdentity"]["connectionStatus"] == "PENDING"
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == f"ines-{RUN}@example.com"
    link = inbox.links()[0]
    assert link.startswith("http://rota.test/accounts/v1/invitations/")

    described = await client.get(link.replace("http://rota.test", ""))
    assert described.json()["invitation"]["accountExists"] is False
    accepted = await _accept(client, link, PASSWORD)
    assert accepted.status_code == 200, accepted.text
    user_id = accepted.json()["user"]["id"]

    again = await _accept(client, link, PASSWORD)
    assert again.status_code == 410  # single use
    fetched = await client.get(
        f"{V1}/{staff['id']}", params={"fields": "ASSOCIATED_IDENTITY_STATUS"}, headers=site.headers
    )
    identity = fetched.json()["staffMember"]["associatedWixIdentity"]
    assert identity["connection"]["status"] == "CONNECTED"
    assert identity["identificationData"]["wixUserId"] == user_id
    found = await client.post(
        f"{V1}/query",
        json={"query": {"filter": {"associatedWixIdentity.identificationData.wixUserId": user_id}}},
        headers=site.headers,
    )
    assert [s["id"] for s in found.json()["staffMembers"]] == [staff["id"]]

    login = await client.post(
        f"{ACCOUNTS}/login", json={"email": f"INES-{RUN}@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    own = await client.get(f"{V1}/{staff['id']}", headers=bearer)
    assert own.status_code == 200
    other = await make_staff_member(client, site, name="Other")
    assert (await client.get(f"{V1}/{other['id']}", headers=bearer)).status_code == 403
    listing = await client.post(f"{V1}/query", json={}, headers=bearer)
    assert listing.status_code == 403
    writing = await client.post(V1, json={"staffMember": {"name": "X"}}, headers=bearer)
    assert writing.status_code == 403


async def test_existing_member_connects_at_once_and_one_user_one_staff(
    client: httpx.AsyncClient,
    site: SiteContext,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user(sessionmaker, site, f"admin-{RUN}@example.com", PASSWORD, Role.ADMIN)
    first = await make_staff_member(client, site)
    second = await make_staff_member(client, site)
    connected = await _connect(client, site, first["id"], email=f"admin-{RUN}@example.com")
    assert _status(connected) == "CONNECTED"
    assert inbox.messages == []
    taken = await _connect(client, site, second["id"], email=f"admin-{RUN}@example.com")
    assert taken.status_code == 400
    assert _code(taken) == "USER_ALREADY_CONNECTED"
    twice = await _connect(client, site, first["id"], email="someone@example.com")
    assert _code(twice) == "STAFF_ALREADY_CONNECTED"

    async with sessionmaker() as session:
        schedule_id = (
            await client.get(
                f"{V1}/{first['id']}", params={"fields": "RESOURCE_DETAILS"}, headers=site.headers
            )
        ).json()["staffMember"]["resource"]["eventsSchedule"]["id"]
        schedule = await session.get(Schedule, uuid.UUID(schedule_id))
        assert schedule is not None
        assert schedule.permissions == [
            {"identity": {"wixUserId": str(user.id), "identityType": "WIX_USER"}, "role": "WRITER"}
        ]

    disconnected = await client.post(
        f"{V1}/{first['id']}/disconnect-staff-member-from-user",
        json={"fields": ["ASSOCIATED_IDENTITY_STATUS"]},
        headers=site.headers,
    )
    assert _status(disconnected) == "DISCONNECTED"
    assert "identificationData" not in disconnected.json()["staffMember"]["associatedWixIdentity"]
    again = await client.post(
        f"{V1}/{first['id']}/disconnect-staff-member-from-user", json={}, headers=site.headers
    )
    assert again.status_code == 400
    assert _code(again) == "STAFF_NOT_CONNECTED"
    async with sessionmaker() as session:
        schedule = await session.get(Schedule, uuid.UUID(schedule_id))
        assert schedule is not None
        assert schedule.permissions == []
        # The admin was a member before connecting, so disconnecting keeps the membership.
        assert await session.get(SiteMembership, (user.id, site.site_id)) is not None


async def test_seed_errors_and_bad_input(
    client: httpx.AsyncClient, site: SiteContext, inbox: Inbox
) -> None:
    no_email = await make_staff_member(client, site)
    response = await _connect(client, site, no_email["id"])
    assert response.status_code == 400
    assert _code(response) == "NO_EMAIL"
    assert (
        response.json()["message"]
        == f"Staff: {no_email['id']} has no email and no additional email was provided"
    )
    malformed = await _connect(client, site, no_email["id"], email="not an email")
    assert malformed.status_code == 400
    # An address no other test has an account for: accounts are shared by every site.
    staff = await make_staff_member(client, site, email=f"pat-{uuid.uuid4().hex[:8]}@example.com")
    assert _status(await _connect(client, site, staff["id"])) == "PENDING"
    duplicate = await _connect(client, site, staff["id"])
    assert _code(duplicate) == "INVITE_ALREADY_SENT"
    unknown = await client.post(
        f"{ACCOUNTS}/invitations/not-a-token/accept", json={"password": PASSWORD}
    )
    assert unknown.status_code == 404
    weak = await _accept(client, inbox.links()[0], "short")
    assert weak.status_code == 400, weak.text
    assert _code(weak) == "WEAK_PASSWORD"


async def test_expired_invitation_reads_expired_and_can_be_sent_again(
    client: httpx.AsyncClient,
    site: SiteContext,
    inbox: Inbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    staff = await make_staff_member(client, site, email=f"late-{RUN}@example.com")
    await _connect(client, site, staff["id"])
    async with sessionmaker.begin() as session:
        await session.execute(
            sa.update(Invitation)
            .where(Invitation.staff_member_id == uuid.UUID(staff["id"]))
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
        from rota.staff.models import StaffMember

        await session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == uuid.UUID(staff["id"]))
            .values(invitation_expires_at=utc_now() - timedelta(seconds=1))
        )
    fetched = await client.get(
        f"{V1}/{staff['id']}", params={"fields": "ASSOCIATED_IDENTITY_STATUS"}, headers=site.headers
    )
    assert _status(fetched) == "EXPIRED"
    expired_link = inbox.links()[0]
    assert (await _accept(client, expired_link, PASSWORD)).status_code == 410
    resent = await _connect(client, site, staff["id"])
    assert _status(resent) == "PENDING"
    assert len(inbox.messages) == 2
    assert (await _accept(client, inbox.links()[1], PASSWORD)).status_code == 200


async def test_failed_send_leaves_the_invitation_retryable(
    client: httpx.AsyncClient,
    site: SiteContext,
    app: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    previous = app.state.mailer
    app.state.mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", timeout=2)  # nobody there
    try:
        staff = await make_staff_member(client, site, email="retry@example.com")
        response = await _connect(client, site, staff["id"])
        assert _status(response) == "PENDING"
    finally:
        app.state.mailer = previous
    async with sessionmaker() as session:
        invitation = await session.scalar(
            sa.select(Invitation).where(Invitation.staff_member_id == uuid.UUID(staff["id"]))
        )
        assert invitation is not None
        assert invitation.sent_at is None
        assert invitation.send_error
    again = await _connect(client, site, staff["id"])  # not INVITE_ALREADY_SENT
    assert again.status_code == 200


async def test_rolled_back_connect_sends_nothing(
    client: httpx.AsyncClient, site: SiteContext, inbox: Inbox
) -> None:
    response = await _connect(client, site, str(uuid.uuid4()), email="ghost@example.com")
    assert response.status_code == 404
    assert inbox.messages == []


async def test_sign_in_is_rate_limited_and_does_not_reveal_accounts(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await make_user(sessionmaker, site, f"guard-{RUN}@example.com", PASSWORD, Role.STAFF)
    wrong = await client.post(
        f"{ACCOUNTS}/login",
        json={"email": f"guard-{RUN}@example.com", "password": "nope nope nope"},
    )
    missing = await client.post(
        f"{ACCOUNTS}/login", json={"email": "nobody@example.com", "password": "nope nope"}
    )
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json() == missing.json()
    for _ in range(4):
        await client.post(
            f"{ACCOUNTS}/login",
            json={"email": f"guard-{RUN}@example.com", "password": "nope nope nope"},
        )
    blocked = await client.post(
        f"{ACCOUNTS}/login", json={"email": f"guard-{RUN}@example.com", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert _code(blocked) == "TOO_MANY_ATTEMPTS"


async def test_tokens_refresh_once_and_are_bound_to_their_site(
    client: httpx.AsyncClient,
    site: SiteContext,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from tests.conftest import new_site

    await make_user(sessionmaker, site, f"boss-{RUN}@example.com", PASSWORD, Role.ADMIN)
    signed = (
        await client.post(
            f"{ACCOUNTS}/login", json={"email": f"boss-{RUN}@example.com", "password": PASSWORD}
        )
    ).json()
    bearer = {"Authorization": f"Bearer {signed['accessToken']}"}
    assert (
        await client.post(V1, json={"staffMember": {"name": "By admin"}}, headers=bearer)
    ).status_code == 200
    other = await new_site(sessionmaker)
    cross = await client.post(
        f"{V1}/query", json={}, headers={**bearer, "wix-site-id": str(other.site_id)}
    )
    assert cross.status_code == 403
    assert _code(cross) == "TOKEN_SITE_MISMATCH"
    forged = await client.get(
        f"{V1}/{uuid.uuid4()}", headers={"Authorization": signed["accessToken"][:-3] + "abc"}
    )
    assert forged.status_code == 401
    renewed = await client.post(f"{ACCOUNTS}/token", json={"refreshToken": signed["refreshToken"]})
    assert renewed.status_code == 200
    reused = await client.post(f"{ACCOUNTS}/token", json={"refreshToken": signed["refreshToken"]})
    assert reused.status_code == 401
