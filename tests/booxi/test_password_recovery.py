"""Password recovery: codes for staff with an account, at most five per user in a day, read
back by request id with their state, and usable once to set a new password."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.booxi.models import PasswordRecovery
from rota.core.clock import utc_now
from rota.identity import account_service
from rota.identity.roles import Role
from tests.booxi.conftest import STAFF, Merchant, create_staff, make_merchant
from tests.builders import make_user

PASSWORD = "correct horse battery"
RESET = "/booking/v1/passwordRecovery/reset"


async def _staff_with_account(
    client: httpx.AsyncClient,
    merchant: Merchant,
    sessionmaker: async_sessionmaker[AsyncSession],
    email: str,
) -> dict[str, object]:
    await make_user(sessionmaker, merchant.wix, email, PASSWORD, Role.STAFF)
    staff = await create_staff(client, merchant, firstName="Jane", lastName="Poe")
    connected = await client.put(
        f"{STAFF}/{staff['id']}/userAccess", json={"loginEmail": email}, headers=merchant.headers
    )
    assert connected.json()["staff"]["invitationStatus"] == "Accepted"
    return staff


async def test_seed_recovery_examples(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await _staff_with_account(client, merchant, sessionmaker, "jane.poe@example.com")
    created = await client.post(
        f"{STAFF}/{staff['id']}/passwordRecovery", content=b"", headers=merchant.headers
    )
    assert created.status_code == 200, created.text
    recovery = created.json()
    assert set(recovery) == {
        "requestId", "staffId", "loginEmail", "code", "staffFirstName", "staffLastName",
        "requestDate", "codeState",
    }  # fmt: skip
    assert recovery["staffId"] == staff["id"]
    assert recovery["loginEmail"] == "jane.poe@example.com"
    assert isinstance(recovery["code"], int)
    assert 10_000_000 <= recovery["code"] <= 99_999_999
    assert (recovery["staffFirstName"], recovery["staffLastName"]) == ("Jane", "Poe")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", recovery["requestDate"])
    assert recovery["codeState"] == "Valid"

    fetched = await client.get(
        f"{STAFF}/{staff['id']}/passwordRecovery/{recovery['requestId']}", headers=merchant.headers
    )
    assert fetched.json() == recovery

    # A session opened with the old password, which the reset must end.
    before = await client.post(
        "/accounts/v1/login", json={"email": "jane.poe@example.com", "password": PASSWORD}
    )
    assert before.status_code == 200, before.text
    old_refresh = before.json()["refreshToken"]

    # The code sets a new password, once.
    new_password = "a brand new passphrase"
    done = await client.post(
        RESET,
        json={
            "loginEmail": "jane.poe@example.com",
            "code": recovery["code"],
            "password": new_password,
        },
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"codeState": "Used"}
    login = await client.post(
        "/accounts/v1/login", json={"email": "jane.poe@example.com", "password": new_password}
    )
    assert login.status_code == 200
    old_login = await client.post(
        "/accounts/v1/login", json={"email": "jane.poe@example.com", "password": PASSWORD}
    )
    assert old_login.status_code == 401
    ended = await client.post("/accounts/v1/token", json={"refreshToken": old_refresh})
    assert ended.status_code == 401
    renewed = await client.post(
        "/accounts/v1/token", json={"refreshToken": login.json()["refreshToken"]}
    )
    assert renewed.status_code == 200
    used = await client.get(
        f"{STAFF}/{staff['id']}/passwordRecovery/{recovery['requestId']}", headers=merchant.headers
    )
    assert used.json()["codeState"] == "Used"
    replay = await client.post(
        RESET,
        json={"loginEmail": "jane.poe@example.com", "code": recovery["code"], "password": "x" * 12},
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "InvalidRecoveryCode"


async def _one_account_at_two_merchants(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    first: Merchant,
    second: Merchant,
    email: str,
) -> tuple[dict[str, object], dict[str, object]]:
    """A staff record at each merchant, both connected to the same user account."""
    staff = await _staff_with_account(client, first, sessionmaker, email)
    async with sessionmaker.begin() as session:
        user = await account_service.find_user_by_email(session, email)
        assert user is not None
        await account_service.grant_membership(
            session, user_id=user.id, site_id=second.site_id, role=Role.STAFF, now=utc_now()
        )
    elsewhere = await create_staff(client, second)
    await client.put(
        f"{STAFF}/{elsewhere['id']}/userAccess", json={"loginEmail": email}, headers=second.headers
    )
    return staff, elsewhere


async def test_five_requests_per_user_then_a_clear_error(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    # The same user at another merchant: its requests count too.
    staff, elsewhere = await _one_account_at_two_merchants(
        client, sessionmaker, first, second, "booxi-busy@example.com"
    )
    codes = []
    for merchant, staff_id in [(first, staff["id"])] * 3 + [(second, elsewhere["id"])] * 2:
        response = await client.post(
            f"{STAFF}/{staff_id}/passwordRecovery", headers=merchant.headers
        )
        assert response.status_code == 200, response.text
        codes.append(response.json())
    sixth = await client.post(f"{STAFF}/{staff['id']}/passwordRecovery", headers=first.headers)
    assert sixth.status_code == 429
    assert sixth.json()["error"] == "TooManyPasswordRecoveryAttempts"
    assert sixth.json()["parameter"] == "staffId"
    # Each new code supersedes the older ones.
    oldest = await client.get(
        f"{STAFF}/{staff['id']}/passwordRecovery/{codes[0]['requestId']}", headers=first.headers
    )
    assert oldest.json()["codeState"] == "Expired"

    # A day later the user may ask again.
    async with sessionmaker.begin() as session:
        await session.execute(
            sa.update(PasswordRecovery)
            .where(PasswordRecovery.login_email == "booxi-busy@example.com")
            .values(requested_at=utc_now() - timedelta(hours=25))
        )
    again = await client.post(f"{STAFF}/{staff['id']}/passwordRecovery", headers=first.headers)
    assert again.status_code == 200


async def test_the_limit_holds_for_requests_at_once_through_two_merchants(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await make_merchant(sessionmaker), await make_merchant(sessionmaker)
    staff, elsewhere = await _one_account_at_two_merchants(
        client, sessionmaker, first, second, "booxi-race@example.com"
    )
    # Eight at once, through either staff record of the same account: five codes, three 429s.
    at_once = await asyncio.gather(
        *(
            client.post(f"{STAFF}/{staff_id}/passwordRecovery", headers=merchant.headers)
            for staff_id, merchant in [(staff["id"], first), (elsewhere["id"], second)] * 4
        )
    )
    assert sorted(r.status_code for r in at_once) == [200] * 5 + [429] * 3


async def test_recovery_needs_an_account_and_its_own_request(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lonely = await create_staff(client, merchant)
    response = await client.post(
        f"{STAFF}/{lonely['id']}/passwordRecovery", headers=merchant.headers
    )
    assert response.status_code == 400
    assert response.json()["error"] == "StaffHasNoUserAccount"
    staff = await _staff_with_account(client, merchant, sessionmaker, "booxi-own@example.com")
    made = (
        await client.post(f"{STAFF}/{staff['id']}/passwordRecovery", headers=merchant.headers)
    ).json()
    other = await client.get(
        f"{STAFF}/{lonely['id']}/passwordRecovery/{made['requestId']}", headers=merchant.headers
    )
    assert other.status_code == 404
    assert other.json()["parameter"] == "requestId"
    bad_id = await client.get(
        f"{STAFF}/{staff['id']}/passwordRecovery/abc", headers=merchant.headers
    )
    assert bad_id.status_code == 400
    assert bad_id.json()["parameter"] == "requestId"


async def test_wrong_codes_use_the_code_up(
    client: httpx.AsyncClient, merchant: Merchant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    staff = await _staff_with_account(client, merchant, sessionmaker, "booxi-guess@example.com")
    made = (
        await client.post(f"{STAFF}/{staff['id']}/passwordRecovery", headers=merchant.headers)
    ).json()
    wrong = made["code"] + 1 if made["code"] < 99_999_999 else made["code"] - 1
    for _ in range(5):
        response = await client.post(
            RESET,
            json={"loginEmail": "booxi-guess@example.com", "code": wrong, "password": "z" * 12},
        )
        assert response.status_code == 400
    right = await client.post(
        RESET,
        json={"loginEmail": "booxi-guess@example.com", "code": made["code"], "password": "z" * 12},
    )
    assert right.status_code == 400
    state = await client.get(
        f"{STAFF}/{staff['id']}/passwordRecovery/{made['requestId']}", headers=merchant.headers
    )
    assert state.json()["codeState"] == "Expired"
    weak = await client.post(
        RESET,
        json={"loginEmail": "booxi-guess@example.com", "code": made["code"], "password": "short"},
    )
    assert weak.status_code == 400
    assert weak.json()["error"] == "WeakPassword"
