"""Pure: decide what an uploaded file really is from its bytes, never from its name or header."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# Larger pictures are decompression bombs, not staff photos.
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    extension: str
    width: int
    height: int


class NotAnImage(ValueError):
    pass


def inspect_image(data: bytes) -> ImageFacts:
    """Identify a PNG, JPEG or WebP image and its size; raise NotAnImage for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                width, height = probe.size
                if image_format in ACCEPTED_FORMATS and width * height <= MAX_PIXELS:
                    probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise NotAnImage(f"The file is not a readable PNG, JPEG or WebP image ({exc})") from None
    if image_format not in ACCEPTED_FORMATS:
        raise NotAnImage(
            f"Images must be PNG, JPEG or WebP; this file is {image_format or 'unknown'}"
        )
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"The image is {width}x{height}; at most {MAX_PIXELS} pixels are accepted")
    return ImageFacts(
        content_type=ACCEPTED_FORMATS[image_format],
        extension=image_format.lower().replace("jpeg", "jpg"),
        width=width,
        height=height,
    )
