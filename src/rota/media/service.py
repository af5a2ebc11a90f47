"""Storing and finding uploaded images."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rota.media import repository
from rota.media.errors import ImageNotFound, ImageTooLarge, UnsupportedImage
from rota.media.inspect import NotAnImage, inspect_image
from rota.media.models import Image

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _clean_filename(name: str | None, image_id: uuid.UUID, extension: str) -> str:
    stem = _UNSAFE_FILENAME.sub("-", (name or "").rsplit(".", 1)[0]).strip("-.")[:100]
    return f"{stem or image_id.hex}.{extension}"


async def store_image(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    data: bytes,
    filename: str | None,
    max_bytes: int,
    now: datetime,
) -> Image:
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"The image is {len(data)} bytes; the limit is {max_bytes} bytes",
            details={"limit": max_bytes},
        )
    try:
        facts = inspect_image(data)
    except NotAnImage as exc:
        raise UnsupportedImage(str(exc)) from None
    image_id = uuid.uuid4()
    image = Image(
        id=image_id,
        site_id=site_id,
        filename=_clean_filename(filename, image_id, facts.extension),
        content_type=facts.content_type,
        width=facts.width,
        height=facts.height,
        byte_size=len(data),
        data=data,
        created_at=now,
        updated_at=now,
    )
    await repository.add_image(session, image)
    return image


async def find_site_image(
    session: AsyncSession, *, site_id: uuid.UUID, image_id: uuid.UUID
) -> Image | None:
    return await repository.get_image(session, image_id, site_id=site_id, with_data=False)


async def get_site_image(
    session: AsyncSession, *, site_id: uuid.UUID, image_id: uuid.UUID
) -> Image:
    image = await find_site_image(session, site_id=site_id, image_id=image_id)
    if image is None:
        raise ImageNotFound(f"Image {image_id} does not exist")
    return image


async def get_image_file(session: AsyncSession, *, image_id: uuid.UUID) -> Image:
    """Any site's image with its bytes: file URLs are public, like a CDN's, and unguessable."""
    image = await repository.get_image(session, image_id, site_id=None, with_data=True)
    if image is None:
        raise ImageNotFound(f"Image {image_id} does not exist")
    return image
