"""Unknown routes and methods answer in the Wix error shape too."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.orm.exc import StaleDataError

from rota.api.errors import install_error_handlers
from rota.core.db import is_sqlite
from tests.builders import SiteContext


async def test_unknown_route_is_404_in_wix_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/bookings/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["details"]["applicationError"]["code"] == "NOT_FOUND"


async def test_wrong_method_is_405(client: httpx.AsyncClient, site: SiteContext) -> None:
    response = await client.put("/bookings/v1/staff-members", headers=site.headers)
    assert response.status_code == 405


async def test_openapi_documents_the_staff_paths(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/bookings/v1/staff-members" in spec["paths"]
    assert "/bookings/staff/v2/staff-members/trash-bin" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_health_needs_no_database(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}


async def test_a_stale_write_no_service_caught_is_a_409_not_a_500() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/bookings/v1/race")
    async def lose_a_race() -> None:
        raise StaleDataError("UPDATE statement on table 'x' expected to update 1 row(s); 0 matched")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post("/bookings/v1/race")
    assert response.status_code == 409
    assert response.json()["details"]["applicationError"]["code"] == "INVALID_REVISION"


async def test_text_with_a_nul_character_is_never_a_500(
    client: httpx.AsyncClient, site: SiteContext, database_url: str
) -> None:
    """PostgreSQL's text and jsonb cannot hold U+0000: there the write is a 400 and stores
    nothing (a text column and a JSON one); SQLite stores it."""
    writes = [
        ("/bookings/v1/staff-members", {"staffMember": {"name": "Nul\u0000Name"}}),
        (
            "/bookings/v1/staff-members",
            {"staffMember": {"name": "Nul", "extendedFields": {"namespaces": {"n": {"k": "\0"}}}}},
        ),
    ]
    before = await _staff_count(client, site)
    for path, body in writes:
        response = await client.post(path, json=body, headers=site.headers)
        if is_sqlite(database_url):
            assert response.status_code in (200, 201), response.text
            continue
        assert response.status_code == 400, response.text
        assert "U+0000" in response.text
    stored = 0 if not is_sqlite(database_url) else len(writes)
    assert await _staff_count(client, site) == before + stored


async def _staff_count(client: httpx.AsyncClient, site: SiteContext) -> int:
    response = await client.post(
        "/bookings/staff/v2/staff-members/count", json={}, headers=site.headers
    )
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count
