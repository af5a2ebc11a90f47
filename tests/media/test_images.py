"""Image upload checks content, not names, and serves the file back."""

from __future__ import annotations

import httpx
import pytest

from rota.media.inspect import NotAnImage, inspect_image
from tests.builders import SiteContext, image_bytes, upload_image


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_accepted_formats_are_recognised_by_content(image_format: str, content_type: str) -> None:
    facts = inspect_image(image_bytes(image_format, (40, 10)))
    assert facts.content_type == content_type
    assert (facts.width, facts.height) == (40, 10)


def test_other_content_is_refused() -> None:
    with pytest.raises(NotAnImage):
        inspect_image(b"GIF89a" + b"\x00" * 64)
    with pytest.raises(NotAnImage):
        inspect_image(image_bytes("GIF"))
    with pytest.raises(NotAnImage):
        inspect_image(image_bytes("PNG")[:40])


async def test_upload_returns_facts_and_serves_the_file(
    client: httpx.AsyncClient, site: SiteContext
) -> None:
    data = image_bytes("JPEG", (64, 48))
    image = await upload_image(client, site, data)
    assert (image["width"], image["height"]) == (64, 48)
    assert image["contentType"] == "image/jpeg"
    assert image["url"].endswith(f"/media/v1/files/{image['id']}/{image['filename']}")
    served = await client.get(image["url"])
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == "image/jpeg"
    described = await client.get(f"/media/v1/images/{image['id']}", headers=site.headers)
    assert described.json()["image"]["id"] == image["id"]


async def test_a_renamed_text_file_is_refused(client: httpx.AsyncClient, site: SiteContext) -> None:
    response = await client.post(
        "/media/v1/images",
        files={"file": ("photo.png", b"definitely not an image", "image/png")},
        headers=site.headers,
    )
    assert response.status_code == 400
    assert response.json()["details"]["applicationError"]["code"] == "UNSUPPORTED_IMAGE"


async def test_oversized_upload_is_413(client: httpx.AsyncClient, site: SiteContext) -> None:
    # The test settings cap uploads at 200,000 bytes.
    response = await client.post(
        "/media/v1/images",
        files={"file": ("big.png", b"\x89PNG" + b"\x00" * 250_000, "image/png")},
        headers=site.headers,
    )
    assert response.status_code == 413
    assert response.json()["details"]["applicationError"]["code"] == "IMAGE_TOO_LARGE"


async def test_upload_needs_a_key(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/media/v1/images", files={"file": ("a.png", image_bytes(), "image/png")}
    )
    assert response.status_code == 401
