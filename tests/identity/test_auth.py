"""Keys, scopes and site isolation as seen over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.core.clock import utc_now
from rota.identity import service as identity_service
from rota.identity.permissions import Scope
from tests.builders import SiteContext, make_staff_member
from tests.conftest import new_site

URL = "/bookings/v1/staff-members"


def _code(response: httpx.Response) -> str:
    return str(response.json()["details"]["applicationError"]["code"])


async def test_missing_and_unknown_keys_are_401(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site)
    missing = await client.get(f"{URL}/{staff['id']}")
    assert missing.status_code == 401
    assert _code(missing) == "MISSING_CREDENTIALS"
    unknown = await client.get(f"{URL}/{staff['id']}", headers={"Authorization": "rota_nope"})
    assert unknown.status_code == 401
    assert _code(unknown) == "INVALID_API_KEY"


async def test_bearer_prefix_is_accepted(client: httpx.AsyncClient, site: SiteContext) -> None:
    staff = await make_staff_member(client, site)
    response = await client.get(
        f"{URL}/{staff['id']}", headers={"Authorization": f"Bearer {site.key}"}
    )
    assert response.status_code == 200


async def test_read_scope_cannot_write(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await make_staff_member(client, site)
    async with sessionmaker.begin() as session:
        reader = await identity_service.create_api_key(
            session,
            site_ids=[site.site_id],
            scopes=[Scope.BOOKINGS_READ],
            name="r",
            now=utc_now(),
        )
    headers = {"Authorization": reader.plaintext}
    assert (await client.get(f"{URL}/{staff['id']}", headers=headers)).status_code == 200
    denied = await client.post(URL, json={"staffMember": {"name": "X"}}, headers=headers)
    assert denied.status_code == 403
    assert _code(denied) == "PERMISSION_DENIED"
    calendar_only = await new_site(sessionmaker, scopes=[Scope.CALENDAR_READ])
    assert (
        await client.post(URL, json={"staffMember": {"name": "X"}}, headers=calendar_only.headers)
    ).status_code == 403


async def test_other_sites_records_are_not_found(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await make_staff_member(client, site)
    other = await new_site(sessionmaker)
    for response in (
        await client.get(f"{URL}/{staff['id']}", headers=other.headers),
        await client.patch(
            f"{URL}/{staff['id']}",
            json={"staffMember": {"name": "Hijack", "revision": "2"}},
            headers=other.headers,
        ),
        await client.delete(f"{URL}/{staff['id']}", headers=other.headers),
    ):
        assert response.status_code == 404
        assert _code(response) == "STAFF_MEMBER_NOT_FOUND"
    mine = (await client.get(f"{URL}/{staff['id']}", headers=site.headers)).json()
    assert mine["staffMember"]["name"] == staff["name"]


async def test_multi_site_key_picks_the_site_from_the_header(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second, third = [await new_site(sessionmaker) for _ in range(3)]
    async with sessionmaker.begin() as session:
        key = await identity_service.create_api_key(
            session,
            site_ids=[first.site_id, second.site_id],
            scopes=None,
            name="platform",
            now=utc_now(),
        )
    headers = {"Authorization": key.plaintext}
    ambiguous = await client.post(URL, json={"staffMember": {"name": "X"}}, headers=headers)
    assert ambiguous.status_code == 400
    assert _code(ambiguous) == "SITE_ID_REQUIRED"
    created = await client.post(
        URL,
        json={"staffMember": {"name": "X"}},
        headers={**headers, "wix-site-id": str(second.site_id)},
    )
    assert created.status_code == 200
    staff_id = created.json()["staffMember"]["id"]
    # The record lives in the second site only.
    assert (await client.get(f"{URL}/{staff_id}", headers=second.headers)).status_code == 200
    assert (await client.get(f"{URL}/{staff_id}", headers=first.headers)).status_code == 404
    not_granted = await client.get(
        f"{URL}/{staff_id}", headers={**headers, "wix-site-id": str(third.site_id)}
    )
    assert not_granted.status_code == 403
    assert _code(not_granted) == "SITE_NOT_GRANTED"


async def test_revoked_key_stops_working(
    client: httpx.AsyncClient, site: SiteContext, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await make_staff_member(client, site)
    async with sessionmaker.begin() as session:
        keys = await identity_service.list_api_keys(session)
        key_id = next(k.id for k, sites in keys if site.site_id in sites)
        await identity_service.revoke_api_key(session, id_or_prefix=str(key_id), now=utc_now())
    response = await client.get(f"{URL}/{staff['id']}", headers=site.headers)
    assert response.status_code == 401
