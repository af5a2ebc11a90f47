"""Serialising response bodies straight to bytes, skipping FastAPI's second validation pass:
the models are built by our own code, so validating them again would only cost time."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response


def json_response(model: BaseModel) -> Response:
    """The model as JSON, absent (None) fields left out, as the Wix wire format does."""
    return Response(model.model_dump_json(exclude_none=True), media_type="application/json")
