"""Roles applied to signed-in users by the calendar service (API keys are not limited by them)."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.calendar import service as calendar_service
from rota.calendar.errors import CalendarRoleRequired, CommenterMayEditOnlyNotes
from rota.calendar.roles import Caller, grant
from rota.core.clock import utc_now
from rota.core.context import SYSTEM, WriteContext
from rota.identity.roles import Role
from tests.builders import SiteContext, make_user
from tests.calendar.helpers import (
    EVENTS,
    SCHEDULES,
    business_schedule,
    create_event,
    hours,
    next_weekday,
)

WRITER = str(uuid.uuid4())
COMMENTER = str(uuid.uuid4())
STRANGER = str(uuid.uuid4())
PASSWORD = "correct horse battery"


async def test_roles_limit_what_users_may_write(
    sessionmaker: async_sessionmaker[AsyncSession], site: SiteContext
) -> None:
    ctx = WriteContext(now=utc_now(), actor=SYSTEM, public_base_url="http://rota.test")
    day = next_weekday(2)
    times = {
        "start": datetime(day.year, day.month, day.day, 9),
        "end": datetime(day.year, day.month, day.day, 10),
    }
    async with sessionmaker.begin() as session:
        mine = await calendar_service.create_schedule(
            session,
            site_id=site.site_id,
            values={"name": "Mine"},
            idempotency_key=None,
            caller=Caller(user_id=WRITER),
            ctx=ctx,
        )
        assert mine.permissions == [grant(WRITER, "WRITER")]
        shared = await calendar_service.create_schedule(
            session,
            site_id=site.site_id,
            values={"name": "Shared", "permissions": [grant(COMMENTER, "COMMENTER")]},
            idempotency_key=None,
            caller=Caller(),
            ctx=ctx,
        )
        event = await calendar_service.create_event(
            session,
            site_id=site.site_id,
            schedule_id=shared.id,
            event_type=None,
            changes={**times, "title": "Review"},
            idempotency_key=None,
            caller=Caller(),  # an API key may write anywhere
            ctx=ctx,
        )

    async def update(caller: Caller, **changes: object) -> None:
        async with sessionmaker.begin() as session:
            current = await calendar_service.get_event(
                session, site_id=site.site_id, event_id=event.id
            )
            await calendar_service.update_event(
                session,
                site_id=site.site_id,
                event_id=event.id,
                revision=current.revision,
                changes=changes,
                caller=caller,
                ctx=ctx,
            )

    await update(Caller(user_id=COMMENTER), notes="Looks fine")
    with pytest.raises(CommenterMayEditOnlyNotes):
        await update(Caller(user_id=COMMENTER), title="Renamed")
    with pytest.raises(CommenterMayEditOnlyNotes):
        await update(Caller(user_id=COMMENTER), notes="x", title="Renamed")
    with pytest.raises(CalendarRoleRequired):
        await update(Caller(user_id=STRANGER), notes="hello")
    async with sessionmaker() as session:
        stored = await calendar_service.get_event(session, site_id=site.site_id, event_id=event.id)
    assert (stored.title, stored.notes, stored.revision) == ("Review", "Looks fine", 2)

    async with sessionmaker.begin() as session:
        with pytest.raises(CommenterMayEditOnlyNotes):
            await calendar_service.cancel_event(
                session,
                site_id=site.site_id,
                event_id=event.id,
                caller=Caller(user_id=COMMENTER),
                ctx=ctx,
            )
        with pytest.raises(CalendarRoleRequired):
            await calendar_service.create_event(
                session,
                site_id=site.site_id,
                schedule_id=shared.id,
                event_type=None,
                changes=times,
                idempotency_key=None,
                caller=Caller(user_id=COMMENTER),
                ctx=ctx,
            )
        with pytest.raises(CalendarRoleRequired):
            await calendar_service.update_schedule(
                session,
                site_id=site.site_id,
                schedule_id=mine.id,
                revision=mine.revision,
                values={"name": "Taken"},
                caller=Caller(user_id=STRANGER),
                ctx=ctx,
            )
        renamed = await calendar_service.update_schedule(
            session,
            site_id=site.site_id,
            schedule_id=mine.id,
            revision=mine.revision,
            values={"name": "Still mine"},
            caller=Caller(user_id=WRITER),
            ctx=ctx,
        )
        assert renamed.name == "Still mine"


async def _bearer(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    login = await client.post("/accounts/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


async def test_signed_in_users_write_under_their_roles_and_admins_freely(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff_user = await make_user(sessionmaker, site, "pat@example.com", PASSWORD, Role.STAFF)
    await make_user(sessionmaker, site, "boss@example.com", PASSWORD, Role.ADMIN)
    pat = await _bearer(client, "pat@example.com")
    boss = await _bearer(client, "boss@example.com")
    shared = await client.post(
        SCHEDULES,
        json={
            "schedule": {
                "name": "Team",
                "permissions": [
                    {"identity": {"wixUserId": str(staff_user.id)}, "role": "COMMENTER"}
                ],
            }
        },
        headers=site.headers,
    )
    schedule_id = shared.json()["schedule"]["id"]
    day = next_weekday(3)
    event = await create_event(
        client,
        site,
        scheduleId=schedule_id,
        title="Planning",
        **hours(day, 9, 10),
    )
    url = f"{EVENTS}/{event['id']}"
    noted = await client.patch(
        url, json={"event": {"revision": "1", "notes": "I will be late"}}, headers=pat
    )
    assert noted.status_code == 200, noted.text
    retitled = await client.patch(url, json={"event": {"revision": "2", "title": "x"}}, headers=pat)
    assert retitled.status_code == 403
    assert retitled.json()["details"]["applicationError"]["code"] == "COMMENTER_MAY_EDIT_ONLY_NOTES"
    mine = await client.get(url, params={"fields": "OWN_PI_FIELDS"}, headers=pat)
    assert mine.json()["event"]["notes"] == "I will be late"  # a role makes the PI "own"
    business = await business_schedule(client, site)
    refused = await client.post(
        EVENTS,
        json={
            "event": {
                "scheduleId": business["id"],
                **hours(day, 11, 12),
            }
        },
        headers=pat,
    )
    assert refused.status_code == 403
    assert refused.json()["details"]["applicationError"]["code"] == "CALENDAR_ROLE_REQUIRED"
    by_admin = await client.patch(
        url, json={"event": {"revision": "2", "title": "Big plan"}}, headers=boss
    )
    assert by_admin.status_code == 200
