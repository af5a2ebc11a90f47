"""Unfiltered counts come from the site's kept counts; every change that moves them keeps them
equal to counting the rows."""

from __future__ import annotations

import httpx

from tests.builders import SiteContext, make_staff_member

V1 = "/bookings/v1/staff-members"
V2 = "/bookings/staff/v2/staff-members"
# Filters that count the rows (they are not the plain "everything" the kept counts answer).
_PROVIDERS = {"serviceProvider": True}
_EVERYONE = {"$or": [{"serviceProvider": True}, {"serviceProvider": False}]}


async def _count(client: httpx.AsyncClient, site: SiteContext, base: str, filter_: object) -> int:
    response = await client.post(f"{base}/count", json={"filter": filter_}, headers=site.headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


async def _counts(client: httpx.AsyncClient, site: SiteContext) -> tuple[int, int]:
    """(service providers, everyone), checked against counting the rows."""
    providers, everyone = await _count(client, site, V1, {}), await _count(client, site, V2, {})
    assert providers == await _count(client, site, V1, _PROVIDERS)
    assert everyone == await _count(client, site, V2, _EVERYONE)
    return providers, everyone


async def test_kept_counts_follow_every_change(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    assert await _counts(client, site) == (0, 0)
    providers = [(await make_staff_member(client, site, name=f"P{n}"))["id"] for n in range(4)]
    others = []
    for n in range(2):
        response = await client.post(
            V1,
            json={"staffMember": {"name": f"Desk {n}"}, "serviceProvider": False},
            headers=site.headers,
        )
        others.append(response.json()["staffMember"]["id"])
    assert await _counts(client, site) == (4, 6)

    await client.delete(f"{V1}/{providers[0]}", headers=site.headers)
    await client.delete(f"{V1}/{others[0]}", headers=site.headers)
    assert await _counts(client, site) == (3, 4)

    steps = ((providers[1], False, (2, 4)), (others[1], True, (3, 4)), (others[1], True, (3, 4)))
    for staff_id, value, expected in steps:  # the last one changes nothing
        response = await client.post(
            f"{V1}/{staff_id}/set-service-provider",
            json={"serviceProvider": value},
            headers=site.headers,
        )
        assert response.status_code == 200, response.text
        assert await _counts(client, site) == expected

    restored = await client.post(f"{V2}/trash-bin/{providers[0]}/restore", headers=site.headers)
    assert restored.status_code == 200, restored.text
    removed = await client.delete(f"{V2}/trash-bin/{others[0]}", headers=site.headers)
    assert removed.status_code == 200, removed.text
    assert await _counts(client, site) == (4, 5)
