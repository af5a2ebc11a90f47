"""Search: word prefixes, accents and case, AND/OR, typos, ranking, paging, aggregations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders import SiteContext, make_staff_member

V1 = "/bookings/v1/staff-members"
V2 = "/bookings/staff/v2/staff-members"


async def _search(
    client: httpx.AsyncClient, site: SiteContext, search: dict[str, Any], *, base: str = V1
) -> dict[str, Any]:
    response = await client.post(f"{base}/search", json={"search": search}, headers=site.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [s["name"] for s in body["staffMembers"]]


@pytest.fixture
async def people(client: httpx.AsyncClient, site: SiteContext) -> None:
    for name, email in (
        ("José Álvarez", "jose@example.com"),
        ("Joseph Smith", "joseph@example.com"),
        ("Anna Smithson", None),
        ("Hannah Jones", "hannah@example.com"),
        ("Smith Kline", None),
    ):
        await make_staff_member(client, site, name=name, **({"email": email} if email else {}))


async def test_prefix_accent_and_case_insensitive(
    client: httpx.AsyncClient, site: SiteContext, people: None
) -> None:
    assert set(_names(await _search(client, site, {"search": {"expression": "jos"}}))) == {
        "José Álvarez",
        "Joseph Smith",
    }
    assert _names(await _search(client, site, {"search": {"expression": "ALVA"}})) == [
        "José Álvarez"
    ]
    assert _names(await _search(client, site, {"search": {"expression": "ann"}})) == [
        "Anna Smithson"
    ]  # word prefix: "hannah" does not start with "ann"


async def test_and_or_modes(client: httpx.AsyncClient, site: SiteContext, people: None) -> None:
    any_word = await _search(client, site, {"search": {"expression": "joseph jones"}})
    assert set(_names(any_word)) == {"Joseph Smith", "Hannah Jones"}
    all_words = await _search(client, site, {"search": {"expression": "joseph smi", "mode": "AND"}})
    assert _names(all_words) == ["Joseph Smith"]


async def test_relevance_puts_whole_words_and_first_words_first(
    client: httpx.AsyncClient, site: SiteContext, people: None
) -> None:
    ranked = _names(await _search(client, site, {"search": {"expression": "smith"}}))
    assert ranked[0] == "Smith Kline"  # whole word and first word
    assert ranked[1] == "Joseph Smith"  # whole word
    assert ranked[2] == "Anna Smithson"  # prefix only


async def test_fuzzy_tolerates_a_typo(
    client: httpx.AsyncClient, site: SiteContext, people: None
) -> None:
    strict = await _search(client, site, {"search": {"expression": "smtih"}})
    assert _names(strict) == []
    fuzzy = await _search(client, site, {"search": {"expression": "smtih", "fuzzy": True}})
    assert set(_names(fuzzy)) >= {"Joseph Smith", "Smith Kline"}
    fuzzy_dropped = await _search(client, site, {"search": {"expression": "hanah", "fuzzy": True}})
    assert _names(fuzzy_dropped) == ["Hannah Jones"]


async def test_search_combines_with_filter_sort_and_cursor(
    client: httpx.AsyncClient, site: SiteContext, people: None
) -> None:
    filtered = await _search(
        client, site, {"search": {"expression": "smith"}, "filter": {"email": {"$exists": True}}}
    )
    assert _names(filtered) == ["Joseph Smith"]
    by_name = await _search(
        client,
        site,
        {"search": {"expression": "smith"}, "sort": [{"fieldName": "name", "order": "DESC"}]},
    )
    assert _names(by_name) == ["Smith Kline", "Joseph Smith", "Anna Smithson"]
    seen: list[str] = []
    body = await _search(
        client, site, {"search": {"expression": "smith"}, "cursorPaging": {"limit": 1}}
    )
    while True:
        seen += _names(body)
        if not body["pagingMetadata"]["hasNext"]:
            break
        body = await _search(
            client,
            site,
            {"cursorPaging": {"limit": 1, "cursor": body["pagingMetadata"]["cursors"]["next"]}},
        )
    assert seen == ["Smith Kline", "Joseph Smith", "Anna Smithson"]


async def test_aggregations(client: httpx.AsyncClient, site: SiteContext, people: None) -> None:
    body = await _search(
        client,
        site,
        {
            "search": {"expression": "smith"},
            "aggregations": [
                {
                    "name": "emails",
                    "type": "VALUE",
                    "fieldPath": "email",
                    "value": {"missingValues": "INCLUDE"},
                },
                {
                    "name": "distinct",
                    "type": "SCALAR",
                    "fieldPath": "name",
                    "scalar": {"type": "COUNT_DISTINCT"},
                },
                {"name": "first", "type": "SCALAR", "fieldPath": "name", "scalar": {"type": "MIN"}},
            ],
        },
    )
    results = {r["name"]: r for r in body["aggregationData"]["results"]}
    counts = {v.get("value"): v["count"] for v in results["emails"]["values"]["results"]}
    assert counts == {None: 2, "joseph@example.com": 1}
    assert results["distinct"]["scalar"] == {"type": "COUNT_DISTINCT", "value": 3}
    assert results["first"]["scalar"]["value"] == "Anna Smithson"
    assert results["first"]["fieldPath"] == "name"


async def test_search_rejects_what_it_cannot_do(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    for search in (
        {"search": {"expression": "a", "fields": ["email"]}},
        {"aggregations": [{"type": "VALUE", "fieldPath": "tags"}]},
        {"aggregations": [{"type": "SCALAR", "fieldPath": "name"}]},
        {"search": {"expression": "x" * 101}},
        {"search": {"mode": "SOME"}},
    ):
        response = await client.post(f"{V1}/search", json={"search": search}, headers=site.headers)
        assert response.status_code == 400, search


async def test_v2_search_includes_non_providers(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    await client.post(
        V1,
        json={"staffMember": {"name": "Quinn Desk"}, "serviceProvider": False},
        headers=site.headers,
    )
    assert _names(await _search(client, site, {"search": {"expression": "quinn"}})) == []
    assert _names(await _search(client, site, {"search": {"expression": "quinn"}}, base=V2)) == [
        "Quinn Desk"
    ]


async def test_renamed_staff_is_found_by_the_new_name_only(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    staff = await make_staff_member(client, site, name="Old Name")
    await client.patch(
        f"{V1}/{staff['id']}",
        json={"staffMember": {"name": "Fresh Label", "revision": "2"}},
        headers=site.headers,
    )
    assert _names(await _search(client, site, {"search": {"expression": "old"}})) == []
    assert _names(await _search(client, site, {"search": {"expression": "fresh"}})) == [
        "Fresh Label"
    ]


async def test_ranked_pages_walk_equal_scores_both_ways(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    """Equal scores come in id order, descending like the score, and cursors walk them both ways."""
    for n in range(5):
        await make_staff_member(client, site, name=f"Tess N{n}")
    pages: list[dict[str, Any]] = [
        await _search(
            client, site, {"search": {"expression": "tess"}, "cursorPaging": {"limit": 2}}
        )
    ]
    while pages[-1]["pagingMetadata"]["hasNext"]:
        cursor = pages[-1]["pagingMetadata"]["cursors"]["next"]
        pages.append(await _search(client, site, {"cursorPaging": {"limit": 2, "cursor": cursor}}))
    ids = [[s["id"] for s in page["staffMembers"]] for page in pages]
    walked = [staff_id for page in ids for staff_id in page]
    assert walked == sorted(walked, reverse=True)
    assert [len(page) for page in ids] == [2, 2, 1]
    back = await _search(
        client,
        site,
        {"cursorPaging": {"limit": 2, "cursor": pages[-1]["pagingMetadata"]["cursors"]["prev"]}},
    )
    assert [s["id"] for s in back["staffMembers"]] == ids[1]


async def test_a_name_that_folds_longer_than_it_is_is_stored_and_found(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    """Folding can lengthen a word ("ß" is "ss"): a 40-letter name becomes an 80-letter word."""
    name = "ß" * 40
    await make_staff_member(client, site, name=name)
    for expression in ("ss", "s" * 80):
        assert _names(await _search(client, site, {"search": {"expression": expression}})) == [name]
