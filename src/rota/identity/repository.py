"""Queries for sites and API keys."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from rota.identity.models import ApiKey, ApiKeySite, Site


async def add_site(session: AsyncSession, site: Site) -> None:
    session.add(site)
    await session.flush()


async def get_site(session: AsyncSession, site_id: uuid.UUID) -> Site | None:
    return await session.get(Site, site_id)


async def list_sites(session: AsyncSession) -> Sequence[Site]:
    return (await session.scalars(sa.select(Site).order_by(Site.created_at, Site.id))).all()


async def count_sites(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(Site)) or 0)


async def add_api_key(session: AsyncSession, key: ApiKey, site_ids: Sequence[uuid.UUID]) -> None:
    session.add(key)
    await session.flush()
    session.add_all(ApiKeySite(api_key_id=key.id, site_id=site_id) for site_id in site_ids)
    await session.flush()


async def find_active_key_by_hash(
    session: AsyncSession, key_hash: str
) -> tuple[ApiKey, list[uuid.UUID]] | None:
    key = await session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )
    if key is None:
        return None
    return key, await site_ids_of_key(session, key.id)


async def site_ids_of_key(session: AsyncSession, key_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        sa.select(ApiKeySite.site_id)
        .where(ApiKeySite.api_key_id == key_id)
        .order_by(ApiKeySite.site_id)
    )
    return list(rows)


async def list_api_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.scalars(sa.select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))).all()


async def find_api_keys(session: AsyncSession, id_or_prefix: str) -> Sequence[ApiKey]:
    """Keys whose id or displayed prefix is exactly the given text."""
    conditions = [ApiKey.prefix == id_or_prefix]
    with contextlib.suppress(ValueError):
        conditions.append(ApiKey.id == uuid.UUID(id_or_prefix))
    return (await session.scalars(sa.select(ApiKey).where(sa.or_(*conditions)))).all()
