"""Image upload and serving. Uploads are per site; file URLs are public and unguessable."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response

from rota.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from rota.core.wire import Timestamp, WireModel
from rota.identity.deps import MediaWriter, StaffReader
from rota.media import service as media_service
from rota.media.models import Image
from rota.media.urls import image_url

router = APIRouter(tags=["Media"])


class ImageDescriptor(WireModel):
    id: uuid.UUID
    url: str
    filename: str
    content_type: str
    width: int
    height: int
    size_in_bytes: int
    created_date: Timestamp


class ImageResponse(WireModel):
    image: ImageDescriptor


def _describe(image: Image, base_url: str) -> ImageResponse:
    return ImageResponse(
        image=ImageDescriptor(
            id=image.id,
            url=image_url(base_url, str(image.id), image.filename),
            filename=image.filename,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            size_in_bytes=image.byte_size,
            created_date=image.created_at,
        )
    )


@router.post("/media/v1/images", response_model=ImageResponse)
async def upload_image(
    file: UploadFile,
    principal: MediaWriter,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> ImageResponse:
    """Upload a PNG, JPEG or WebP image (multipart field `file`); use its id as
    `mainMedia.image.id` on a staff member."""
    # One byte past the limit is enough for the service to refuse an oversized image without
    # this buffering all of it.
    data = await file.read(settings.max_image_bytes + 1)
    image = await media_service.store_image(
        session,
        site_id=principal.site_id,
        data=data,
        filename=file.filename,
        max_bytes=settings.max_image_bytes,
        now=now,
    )
    return _describe(image, settings.public_base_url)


@router.get("/media/v1/images/{image_id}", response_model=ImageResponse)
async def get_image(
    image_id: uuid.UUID, principal: StaffReader, session: ReadSessionDep, settings: SettingsDep
) -> ImageResponse:
    image = await media_service.get_site_image(
        session, site_id=principal.site_id, image_id=image_id
    )
    return _describe(image, settings.public_base_url)


@router.get("/media/v1/files/{image_id}/{filename}", response_class=Response)
async def download_image(image_id: uuid.UUID, filename: str, session: ReadSessionDep) -> Response:
    image = await media_service.get_image_file(session, image_id=image_id)
    return Response(
        image.data,
        media_type=image.content_type,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
