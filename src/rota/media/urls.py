"""Pure: where an uploaded image is served."""

from __future__ import annotations


def image_url(base_url: str, image_id: str, filename: str) -> str:
    return f"{base_url.rstrip('/')}/media/v1/files/{image_id}/{filename}"
