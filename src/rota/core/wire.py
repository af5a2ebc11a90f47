"""Wire conventions shared by the JSON dialects: lowerCamelCase names, millisecond UTC
timestamps, int64 values as strings (proto3 JSON)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError


def format_timestamp(value: datetime) -> str:
    """``2024-08-28T13:22:32.784Z``: UTC, milliseconds, Z suffix."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def _parse_int64(value: Any) -> Any:
    """Accept int64 values as JSON strings (the proto3 JSON form) or as plain integers."""
    if isinstance(value, bool):
        raise PydanticCustomError("format", "Expected an integer or a string of digits")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise PydanticCustomError("format", "Expected an integer or a string of digits")
        return int(text)
    return value


Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]
Int64String = Annotated[int, PlainSerializer(str, return_type=str)]
Int64Input = Annotated[int, BeforeValidator(_parse_int64)]


class WireModel(BaseModel):
    """Base for request and response bodies: camelCase on the wire, snake_case accepted too;
    unknown fields (including read-only ones sent back to us) are ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        serialize_by_alias=True,
    )
