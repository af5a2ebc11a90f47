"""Sites and API keys: creating tenants, minting and revoking keys, authenticating requests."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from rota.calendar import service as calendar_service
from rota.core.errors import InvalidInput
from rota.identity import repository
from rota.identity.errors import ApiKeyNotFound, InvalidTimeZone, SiteNotFound
from rota.identity.models import ApiKey, Site
from rota.identity.permissions import ALL_SCOPES, Permission, Scope, permissions_for

KEY_PREFIX = "rota_"


@dataclass(frozen=True)
class KeyGrant:
    """What an API key may do: the sites it serves and the permissions its scopes give."""

    key_id: uuid.UUID
    site_ids: tuple[uuid.UUID, ...]
    permissions: frozenset[Permission]


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    site_ids: tuple[uuid.UUID, ...]
    plaintext: str


def hash_api_key(plaintext: str) -> str:
    # Keys carry 240 random bits, so a fast hash is enough: brute force is not the threat model,
    # and a fast hash keeps authentication off the hot path.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def validate_time_zone(name: str) -> str:
    """Accept IANA region zones and UTC, as Wix does; reject abbreviations like 'EST'."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimeZone(
            f"Unknown time zone {name!r}: use an IANA name such as 'Europe/London' or 'UTC'"
        ) from None
    if name != "UTC" and (name not in available_timezones() or "/" not in name):
        raise InvalidTimeZone(
            f"Time zone {name!r} is not a regional IANA zone: use a name such as 'Europe/London'"
        )
    return name


# The longest site and API key name stored.
MAX_NAME_LENGTH = 200


def checked_name(name: str, what: str, *, required: bool = True) -> str:
    """``name`` without surrounding spaces; InvalidInput when too long to store, or empty
    though ``required``."""
    name = name.strip()
    if required and not name:
        raise InvalidInput(f"{what} must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{what} must be at most {MAX_NAME_LENGTH} characters")
    return name


async def create_site(session: AsyncSession, *, name: str, time_zone: str, now: datetime) -> Site:
    """A new tenant, with the business working-hours schedule every Wix site starts with."""
    site = Site(
        id=uuid.uuid4(),
        name=checked_name(name, "Site name"),
        time_zone=validate_time_zone(time_zone),
        created_at=now,
        updated_at=now,
    )
    await repository.add_site(session, site)
    await calendar_service.create_business_schedule(
        session, site_id=site.id, time_zone=site.time_zone, now=now
    )
    return site


async def get_site(session: AsyncSession, site_id: uuid.UUID) -> Site:
    site = await repository.get_site(session, site_id)
    if site is None:
        raise SiteNotFound(f"Site {site_id} does not exist")
    return site


async def list_sites(session: AsyncSession) -> Sequence[Site]:
    return await repository.list_sites(session)


async def has_any_site(session: AsyncSession) -> bool:
    return await repository.count_sites(session) > 0


async def create_api_key(
    session: AsyncSession,
    *,
    site_ids: Sequence[uuid.UUID],
    scopes: Sequence[Scope] | None,
    name: str,
    now: datetime,
) -> CreatedKey:
    """Mint a key for the given sites; no scopes means every scope."""
    name = checked_name(name, "API key name", required=False)
    unique_sites = tuple(dict.fromkeys(site_ids))
    for site_id in unique_sites:
        await get_site(session, site_id)
    chosen = sorted(set(scopes) if scopes else set(ALL_SCOPES))
    plaintext = KEY_PREFIX + secrets.token_urlsafe(30)
    key = ApiKey(
        id=uuid.uuid4(),
        name=name,
        prefix=plaintext[: len(KEY_PREFIX) + 6],
        key_hash=hash_api_key(plaintext),
        scopes=[scope.value for scope in chosen],
        created_at=now,
        revoked_at=None,
    )
    await repository.add_api_key(session, key, unique_sites)
    return CreatedKey(key=key, site_ids=unique_sites, plaintext=plaintext)


async def list_api_keys(session: AsyncSession) -> list[tuple[ApiKey, list[uuid.UUID]]]:
    keys = await repository.list_api_keys(session)
    return [(key, await repository.site_ids_of_key(session, key.id)) for key in keys]


async def revoke_api_key(session: AsyncSession, *, id_or_prefix: str, now: datetime) -> ApiKey:
    matches = list(await repository.find_api_keys(session, id_or_prefix))
    if len(matches) != 1:
        raise ApiKeyNotFound(
            f"No single API key has id or prefix {id_or_prefix!r} "
            f"({len(matches)} match); see `rota keys list`"
        )
    key = matches[0]
    if key.revoked_at is None:
        key.revoked_at = now
        await session.flush()
    return key


async def authenticate_api_key(session: AsyncSession, plaintext: str) -> KeyGrant | None:
    found = await repository.find_active_key_by_hash(session, hash_api_key(plaintext))
    if found is None:
        return None
    key, site_ids = found
    scopes = frozenset(Scope(name) for name in key.scopes)
    return KeyGrant(key_id=key.id, site_ids=tuple(site_ids), permissions=permissions_for(scopes))
