"""Errors of the media domain."""

from __future__ import annotations

from rota.core.errors import InvalidInput, NotFound, PayloadTooLarge


class UnsupportedImage(InvalidInput):
    code = "UNSUPPORTED_IMAGE"


class ImageTooLarge(PayloadTooLarge):
    code = "IMAGE_TOO_LARGE"


class ImageNotFound(NotFound):
    code = "IMAGE_NOT_FOUND"
