"""Liveness: answers without touching the database (also the benchmarks' baseline endpoint)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(tags=["Health"])


@router.get("/health", response_class=Response)
async def health() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")
