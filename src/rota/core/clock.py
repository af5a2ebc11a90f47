"""The one source of "now", so logic can be tested at fixed instants."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Current UTC time truncated to milliseconds, the precision the wire format carries."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
