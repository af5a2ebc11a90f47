"""Queries for images."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from rota.media.models import Image


async def add_image(session: AsyncSession, image: Image) -> None:
    session.add(image)
    await session.flush()


async def get_image(
    session: AsyncSession, image_id: uuid.UUID, *, site_id: uuid.UUID | None, with_data: bool
) -> Image | None:
    query = sa.select(Image).where(Image.id == image_id)
    if site_id is not None:
        query = query.where(Image.site_id == site_id)
    if with_data:
        query = query.options(undefer(Image.data))
    return await session.scalar(query)
