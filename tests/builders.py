"""Plain builders for test data, one per entity."""

from __future__ import annotations

import io
import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.events import fanout
from rota.events.envelope import BodyKind, event_body
from rota.identity import account_service
from rota.identity.models import User
from rota.identity.roles import Role
from rota.staff.models import StaffMember
from rota.staff.search_text import fold, site_tokens


@dataclass(frozen=True)
class SiteContext:
    site_id: uuid.UUID
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.key}


@dataclass(frozen=True)
class StoredEvent:
    """An event's columns and stored body, as the outbox keeps them (`envelope.StoredEvent`)."""

    entity_fqdn: str
    slug: str
    entity_id: str
    event_time: datetime
    entity_sequence: int
    payload: dict[str, Any]


def stored_event(
    *,
    entity_fqdn: str,
    slug: str,
    entity_id: str,
    at: datetime,
    kind: BodyKind,
    body: dict[str, Any],
) -> StoredEvent:
    """The first event of an entity, with its body as a write records it."""
    return StoredEvent(entity_fqdn, slug, entity_id, at, 1, event_body(kind, body))


async def fan_out_all(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Make the deliveries of every queued event, as a relay does before it claims a batch."""
    async with sessionmaker.begin() as session:
        while await fanout.fan_out(session, limit=500):
            pass


async def make_staff_member(
    client: httpx.AsyncClient, site: SiteContext, **fields: Any
) -> dict[str, Any]:
    body = {"staffMember": {"name": "Alex Doe", **fields}}
    response = await client.post("/bookings/v1/staff-members", json=body, headers=site.headers)
    assert response.status_code == 200, response.text
    staff: dict[str, Any] = response.json()["staffMember"]
    return staff


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, format=image_format)
    return buffer.getvalue()


async def upload_image(
    client: httpx.AsyncClient, site: SiteContext, data: bytes | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/media/v1/images",
        files={"file": ("portrait.png", data or image_bytes(), "image/png")},
        headers=site.headers,
    )
    assert response.status_code == 200, response.text
    image: dict[str, Any] = response.json()["image"]
    return image


async def make_user(
    sessionmaker: async_sessionmaker[AsyncSession],
    site: SiteContext,
    email: str,
    password: str,
    role: Role,
) -> User:
    """A user with a password, member of the site with the given role."""
    async with sessionmaker.begin() as session:
        user = await account_service.create_user(
            session, email=email, password=password, now=utc_now()
        )
        await account_service.grant_membership(
            session, user_id=user.id, site_id=site.site_id, role=role, now=utc_now()
        )
    return user


_STAFF_NUMBERS = itertools.count(2 * 10**12)
_ROW_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def staff_row(site_id: uuid.UUID, name: str, *, trashed: bool) -> StaffMember:
    """A staff member row as the service would store it, for tests that insert rows directly
    (no resource schedule, no events)."""
    return StaffMember(
        id=uuid.uuid4(),
        number=next(_STAFF_NUMBERS),
        site_id=site_id,
        name=name,
        search_text=fold(name),
        search_tokens=site_tokens(site_id, fold(name)),
        service_provider=True,
        is_default=False,
        revision=2,
        created_at=_ROW_TIME,
        updated_at=_ROW_TIME,
        deleted_at=_ROW_TIME if trashed else None,
        resource_id=uuid.uuid4(),
        resource_revision=1,
        events_schedule_id=uuid.uuid4(),
        working_hours_schedule_id=uuid.uuid4(),
        uses_default_working_hours=True,
        business_location_ids=[],
        ranking=0,
        connection_status="DISCONNECTED",
    )
