"""Shared pieces of the Booxi routes: path and query parameters, and staff responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import Response

from rota.booxi.mapping import StaffRecord
from rota.booxi.schemas import BooxiStaff
from rota.config import Settings
from rota.core.responses import json_response

BASE = "/booking/v1"
STAFF = BASE + "/staff"

# Ids are bounded so an absurd number is a 400 naming the parameter, never a database error.
MAX_ID = 2**31 - 1
MAX_STAFF_ID = 2**63 - 1
StaffId = Annotated[int, Path(alias="staffId", ge=1, le=MAX_STAFF_ID)]
MerchantId = Annotated[int, Path(alias="merchantId", ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (a Rota addition).")]


def blank_as_none(value: str | None) -> str | None:
    """Booxi query strings: an empty parameter is one not sent."""
    return value if value is not None and value.strip() else None


def staff_response(record: StaffRecord, settings: Settings) -> Response:
    return json_response(BooxiStaff.of(record, media_base_url=settings.public_base_url))
