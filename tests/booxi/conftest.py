"""Booxi test set-up: a merchant (a fresh site with its merchant id) and a partner key for it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi import service as booxi_service
from rota.core.clock import utc_now
from rota.identity import service as identity_service
from rota.identity.permissions import Scope
from rota.mail.sender import SmtpMailer
from rota.staff.models import StaffMember
from tests.accounts.smtp import Inbox, start_smtp
from tests.builders import SiteContext
from tests.conftest import new_site
from tests.test_cli import free_port

STAFF = "/booking/v1/staff"
# The seed's create example, as sent.
SEED_CREATE = {
    "firstName": "John",
    "lastName": "Smith",
    "position": "manager",
    "biography": " ",
    "workPhone": "+15552346789",
    "communicationEmail": "john.smith@domain.com",
    "mobilePhone": "+15552346789",
    "personnelType": "standard",
    "language": "eng",
    "status": "Offline",
    "timeSelectionMode": "ClientTimes",
}


@dataclass(frozen=True)
class Merchant:
    site_id: uuid.UUID
    merchant_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Booxi-PartnerKey": self.key, "accept": "application/json"}

    @property
    def wix(self) -> SiteContext:
        return SiteContext(site_id=self.site_id, key=self.key)


async def make_merchant(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    scopes: list[Scope] | None = None,
    time_zone: str = "Europe/London",
) -> Merchant:
    site = await new_site(sessionmaker, scopes=scopes, time_zone=time_zone)
    async with sessionmaker.begin() as session:
        merchant_id = await booxi_service.merchant_of_site(
            session, site_id=site.site_id, now=utc_now()
        )
    return Merchant(site_id=site.site_id, merchant_id=merchant_id, key=site.key)


async def partner_key(sessionmaker: async_sessionmaker[AsyncSession], *sites: Merchant) -> str:
    """One key for several merchants: a partnership."""
    async with sessionmaker.begin() as session:
        created = await identity_service.create_api_key(
            session, site_ids=[m.site_id for m in sites], scopes=None, name="partner", now=utc_now()
        )
    return created.plaintext


@pytest.fixture
async def merchant(sessionmaker: async_sessionmaker[AsyncSession]) -> Merchant:
    return await make_merchant(sessionmaker)


async def create_staff(
    client: httpx.AsyncClient, merchant: Merchant, **fields: Any
) -> dict[str, Any]:
    body = {"firstName": "Ada", "lastName": "Lovelace", **fields}
    response = await client.post(
        f"{STAFF}/{merchant.merchant_id}", json=body, headers=merchant.headers
    )
    assert response.status_code == 200, response.text
    staff: dict[str, Any] = response.json()
    return staff


async def enable_module(
    sessionmaker: async_sessionmaker[AsyncSession], merchant: Merchant, module_id: str
) -> None:
    async with sessionmaker.begin() as session:
        await booxi_service.enable_module(
            session, site_id=merchant.site_id, module_id=module_id, now=utc_now()
        )


async def staff_number(sessionmaker: async_sessionmaker[AsyncSession], wix_id: str) -> int:
    """The Booxi id of a staff member made through the Wix dialect."""
    async with sessionmaker() as session:
        number = await session.scalar(
            sa.select(StaffMember.number).where(StaffMember.id == uuid.UUID(wix_id))
        )
    assert number is not None
    return int(number)


@pytest.fixture
def inbox(app: Any) -> Iterator[Inbox]:
    """A real SMTP server on loopback receiving what Rota mails."""
    controller, received = start_smtp(port := free_port())
    previous = app.state.mailer
    app.state.mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
    yield received
    app.state.mailer = previous
    controller.stop()
